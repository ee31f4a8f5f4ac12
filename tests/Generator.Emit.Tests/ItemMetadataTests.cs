using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The QmpSchema item's metadata: namespace, what to generate, and mistakes in them.</summary>
public class ItemMetadataTests
{
    private const string Schema = "{ .name = \"stop\", .args_type = \"force:-f\", .mhandler.cmd_new = qmp_marshal_input_stop, },\nSQMP\nstop\n----\nStop the emulator.\nArguments:\n- \"force\": stop at once (json-bool, optional)\nExample:\n-> { \"execute\": \"stop\" }\n<- { \"return\": {} }\nEQMP\n";

    private static GeneratorRunResult Run(string ns, string? generate, string path = "/a.hx")
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        return GeneratorHarness.CreateDriver(new[] { new GeneratorHarness.SchemaFile(path, Schema, ns, generate) }, trackSteps: false)
            .RunGenerators(compilation).GetRunResult().Results.Single();
    }

    [Theory]
    [InlineData(null, new[] { "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs", "My.Vm.Types.g.cs" })]
    [InlineData("Client;Server", new[] { "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs", "My.Vm.Types.g.cs" })]
    [InlineData("Client,Server", new[] { "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs", "My.Vm.Types.g.cs" })]
    [InlineData("Client", new[] { "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Types.g.cs" })]
    [InlineData("server", new[] { "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs", "My.Vm.Types.g.cs" })]
    [InlineData("Types", new[] { "My.Vm.Types.g.cs" })]
    public void GenerateSelectsTheOutputs(string? generate, string[] expected)
    {
        var result = Run("My.Vm", generate);
        // The types come one file per area (My.Vm.Types.Stop.g.cs, ...): counted here as one output.
        Assert.Equal(expected, result.GeneratedSources.Select(s => s.HintName.StartsWith("My.Vm.Types.", StringComparison.Ordinal) ? "My.Vm.Types.g.cs" : s.HintName)
            .Distinct().OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void AnInvalidNamespaceIsAnErrorAndGeneratesNothing()
    {
        var result = Run("My-Vm.2x", "Client");
        Assert.Empty(result.GeneratedSources);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("QMP0100", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Equal("/a.hx", error.Location.GetLineSpan().Path);
    }

    [Fact]
    public void AnUnknownGenerateValueIsAWarning()
    {
        var result = Run("My.Vm", "Clinet;Server");
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("QMP0101", DiagnosticSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Contains("Clinet", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(result.GeneratedSources, s => s.HintName == "My.Vm.Server.g.cs");
    }

    [Fact]
    public void HxFilesWithoutNamespaceMetadataAreIgnored()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var result = GeneratorHarness.CreateDriver(
                new[] { new GeneratorHarness.SchemaFile("/a.hx", Schema, "My.Vm") },
                new[] { GeneratorHarness.Text("/other.hx", Schema) },
                trackSteps: false)
            .RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Empty(result.GeneratedSources);
    }
}
