namespace QmpShell.Tests;

/// <summary>The built shell as a process with standard input piped: scriptable, no prompt.</summary>
public sealed class PipedTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("qmpshell-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task PipedSession_PrintsReplies_Events_Errors_WithoutPrompt()
    {
        await using var server = new FakeQmpServer();
        var (exitCode, output, error) = await ShellProcess.RunPipedAsync(server.Address,
            "query-status\nstop\neject device=ide9 force=true\nhelp eject\nx-nope\n", _home);

        var expected = string.Join('\n',
            "{",
            "  \"status\": \"running\",",
            "  \"singlestep\": false,",
            "  \"running\": true",
            "}");
        Assert.Contains(expected, output.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        // stop: the STOP event arrives before the reply, and is printed before it.
        Assert.Matches(@"event STOP at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\{\}\n", output);
        Assert.Contains("error: DeviceNotFound: Device 'ide9' not found\n", output, StringComparison.Ordinal);
        Assert.Contains("Eject a removable medium.", output, StringComparison.Ordinal);
        Assert.Contains("error: CommandNotFound: The command x-nope has not been found", output, StringComparison.Ordinal);
        Assert.DoesNotContain("(QEMU)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Welcome", output, StringComparison.Ordinal);
        Assert.Equal("", error);
        Assert.Equal(1, exitCode); // a command failed
        // Coercion reached the wire: force is a JSON bool, device a string.
        Assert.Equal("""{"device":"ide9","force":true}""", server.Received["eject"]);
        Assert.False(File.Exists(Path.Combine(_home, ".qmp-shell-history")), "piped input is not history");
    }

    [Fact]
    public async Task PipedSession_WithoutFailures_ExitsZero()
    {
        await using var server = new FakeQmpServer();
        var (exitCode, output, _) = await ShellProcess.RunPipedAsync(server.Address, "query-version\n\n# a comment\nquit\nquery-status\n", _home);
        Assert.Equal(0, exitCode);
        Assert.Contains("\"major\": 2", output, StringComparison.Ordinal);
        Assert.False(server.Received.ContainsKey("query-status"), "quit ends the session");
    }

    [Fact]
    public async Task UnreachableAddress_FailsWithAMessage()
    {
        var (exitCode, output, error) = await ShellProcess.RunPipedAsync($"unix:{Path.Combine(_home, "absent.sock")}", "", _home);
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("qmp-shell: cannot connect to unix:", error, StringComparison.Ordinal);
    }
}
