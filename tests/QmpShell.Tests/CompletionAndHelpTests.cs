namespace QmpShell.Tests;

public sealed class CompletionAndHelpTests
{
    private static readonly CommandCatalog s_catalog = CommandCatalog.Load();
    private static readonly Completer s_completer = new(s_catalog);

    private static CompletionResult Complete(string line) => s_completer.Complete(line, line.Length);

    [Fact]
    public void Catalog_ReadsTheSchemaCopiedNextToTheProgram()
    {
        Assert.Equal(108, s_catalog.Commands.Count);
        var eject = s_catalog.Find("eject")!;
        Assert.Equal(["force", "device"], eject.Arguments.Select(a => a.Name));
        Assert.Equal(ArgValueType.Bool, eject.FindArgument("force")!.Type);
        Assert.True(eject.FindArgument("force")!.Optional);
    }

    [Fact]
    public void FirstWord_CompletesCommandNames()
    {
        var result = Complete("que");
        Assert.Equal(0, result.Start);
        Assert.True(result.Candidates.Count > 10);
        Assert.All(result.Candidates, c => Assert.StartsWith("query-", c, StringComparison.Ordinal));
        Assert.Equal("query-", result.CommonPrefix);
        Assert.Equal(["query-status"], Complete("query-st").Candidates);
        Assert.Contains("help", Complete("he").Candidates);
        Assert.Contains("quit", Complete("qui").Candidates);
    }

    [Fact]
    public void LaterWords_CompleteArgumentNamesNotGivenYet()
    {
        var result = Complete("eject ");
        Assert.Equal(6, result.Start);
        Assert.Equal(["device=", "force="], result.Candidates);
        Assert.Equal(["device="], Complete("eject dev").Candidates);
        Assert.Equal(["force="], Complete("eject device=ide1-cd0 ").Candidates);
        Assert.Empty(Complete("eject device=x force=true ").Candidates);
    }

    [Fact]
    public void BoolValues_CompleteAfterTheEqualsSign()
    {
        var result = Complete("eject force=t");
        Assert.Equal("eject force=".Length, result.Start);
        Assert.Equal(["true"], result.Candidates);
        Assert.Empty(Complete("eject device=").Candidates);
    }

    [Fact]
    public void OptionLists_OfferTheirDocumentedMembers()
    {
        Assert.Equal(["bus=", "driver=", "id="], Complete("device_add ").Candidates);
    }

    [Fact]
    public void CursorInTheMiddle_CompletesTheWordBeforeIt()
    {
        var line = "eject dev force=true";
        var result = s_completer.Complete(line, "eject dev".Length);
        Assert.Equal(["device="], result.Candidates);
    }

    [Fact]
    public void HelpWord_CompletesCommands_UnknownCommandsNothing()
    {
        Assert.Equal(["eject"], Complete("help ej").Candidates);
        Assert.Empty(Complete("x-unknown ").Candidates);
    }

    [Fact]
    public void HelpForACommand_ShowsItsDocBlock()
    {
        var help = HelpText.Command(s_catalog, "eject");
        Assert.Contains("Eject a removable medium.", help, StringComparison.Ordinal);
        Assert.Contains("Usage: eject device=... [force=...]", help, StringComparison.Ordinal);
        Assert.Matches(@"device\s+str\s+device name", help);
        Assert.Matches(@"force\s+bool\s+yes\s+force ejection", help);
        Assert.Contains("""-> {"execute":"eject","arguments":{"device":"ide1-cd0"}}""", help, StringComparison.Ordinal);
        Assert.Contains("""<- {"return":{}}""", help, StringComparison.Ordinal);
        Assert.Contains("The \"force\" argument defaults to false.", help, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpForACommand_ShowsReturnMembers()
    {
        var help = HelpText.Command(s_catalog, "query-status");
        Assert.Contains("Returns: StatusInfo", help, StringComparison.Ordinal);
        Assert.Contains("- running (bool): true if the VM is running", help, StringComparison.Ordinal);
        // Members of a named object type follow it, indented; optionality is the model's.
        var vnc = HelpText.Command(s_catalog, "query-vnc");
        Assert.Contains("- host (str, optional)", vnc, StringComparison.Ordinal);
        Assert.Contains("- clients ([VncClientInfo], optional)", vnc, StringComparison.Ordinal);
        Assert.Contains("    - x509_dname (str, optional)", vnc, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpList_NamesEveryCommandWithItsSummary()
    {
        var list = HelpText.List(s_catalog);
        Assert.StartsWith("108 commands", list, StringComparison.Ordinal);
        Assert.Matches(@"\n  eject\s+Eject a removable medium\.", list);
        Assert.Equal("error: no command 'nope' in the schema (help lists them)", HelpText.Command(s_catalog, "nope"));
    }
}
