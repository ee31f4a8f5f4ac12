using System.Diagnostics;
using System.Text.RegularExpressions;

namespace QmpShell.Tests;

/// <summary>A test that needs tmux; skipped, with the reason shown, where tmux is not installed.</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (Executables.Find("tmux") is null)
        {
            Skip = "tmux is not installed (apt-get install -y tmux): the terminal tests type into the shell through it";
        }
    }
}

/// <summary>
/// The shell in a real terminal, used as a person would: tmux types the keys (Tab, arrows, Enter)
/// and the test reads the screen.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The server is disposed in IAsyncLifetime.DisposeAsync.")]
public sealed class TerminalTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("qmpshell-home-").FullName;
    private readonly string _session = $"qmpshell-test-{Guid.NewGuid():N}"[..24];
    private FakeQmpServer? _server;

    private FakeQmpServer Server => _server!;

    public Task InitializeAsync()
    {
        _server = new FakeQmpServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (Executables.Find("tmux") is not null)
        {
            await TmuxAsync("kill-server").ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        Directory.Delete(_home, recursive: true);
    }

    [TmuxFact]
    public async Task TypingWithCompletion_RunsCommands_ShowsReplies_Errors_Events_Help()
    {
        await StartShellAsync();

        // que<Tab>: extends to the common prefix; <Tab> again lists the candidates.
        await KeysAsync("que", "Tab");
        await ScreenShowsAsync(@"\(QEMU\) query-\s*$");
        await KeysAsync("Tab");
        await ScreenShowsAsync(@"query-status\s+query-target");
        // st<Tab> completes the only match; Enter runs it.
        await KeysAsync("st", "Tab");
        await ScreenShowsAsync(@"\(QEMU\) query-status\s*$");
        Assert.Equal("(QEMU) query-status ".Length, await CursorColumnAsync()); // a blank after a whole word
        await KeysAsync("Enter");
        var screen = await ScreenShowsAsync("\"running\": true\n}");
        Assert.Contains("{\n   \"status\": \"running\",\n   \"singlestep\": false,\n   \"running\": true\n}", screen, StringComparison.Ordinal);
        // On a terminal the reply is coloured (Spectre.Console.Json): member names and values in colours of their own.
        var (_, coloured) = await TmuxAsync("capture-pane", "-p", "-e", "-t", _session);
        Assert.Matches(@"\e\[[0-9;]*m""status""\e\[", coloured);

        // Argument names complete after the command, bool values after name=.
        await KeysAsync("ej", "Tab", "dev", "Tab", "ide9 f", "Tab", "t", "Tab");
        await ScreenShowsAsync(@"\(QEMU\) eject device=ide9 force=true\s*$");
        await KeysAsync("Enter");
        await ScreenShowsAsync(@"error: DeviceNotFound: Device 'ide9' not found\n\(QEMU\)");
        Assert.Equal("""{"device":"ide9","force":true}""", Server.Received["eject"]);

        // stop: the STOP event and the reply.
        await KeysAsync("stop", "Enter");
        await ScreenShowsAsync(@"\(QEMU\) stop\nevent STOP at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\{\}\n\(QEMU\)");

        await KeysAsync("help eject", "Enter");
        screen = await ScreenShowsAsync(@"defaults to false\.\n\(QEMU\)");
        Assert.Contains("Eject a removable medium.", screen, StringComparison.Ordinal);
        Assert.Matches(@"device\s+str\s+device name", screen);
        Assert.Contains("-> {\"execute\":\"eject\"", screen, StringComparison.Ordinal);

        // Ctrl-D leaves; the history file has what was run.
        await KeysAsync("C-d");
        await ScreenShowsAsync(@"shell exited 0");
        var history = await File.ReadAllLinesAsync(Path.Combine(_home, ".qmp-shell-history"));
        Assert.Equal(["query-status", "eject device=ide9 force=true", "stop", "help eject"], history);
    }

    [TmuxFact]
    public async Task EventsArrivingWhileTyping_PrintAboveTheLine_History_Recalls()
    {
        await File.WriteAllTextAsync(Path.Combine(_home, ".qmp-shell-history"), "query-version\nquery-status\n");
        await StartShellAsync();

        // Half a line typed when an event arrives: the event goes above, the line is redrawn.
        await KeysAsync("query-ver");
        await ScreenShowsAsync(@"\(QEMU\) query-ver\s*$");
        Server.EmitEvent("RESUME");
        await ScreenShowsAsync(@"event RESUME at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\(QEMU\) query-ver\s*$");
        await KeysAsync("Tab", "Enter");
        await ScreenShowsAsync("\"major\": 2");

        // History from the file: up twice goes back past query-version to query-status.
        await KeysAsync("Up");
        await ScreenShowsAsync(@"\(QEMU\) query-version\s*$");
        await KeysAsync("Up");
        await ScreenShowsAsync(@"\(QEMU\) query-status\s*$");
        // Editing: Home and a letter in front; End, Left and a letter; Ctrl-K cuts after the cursor, Ctrl-U before it.
        await KeysAsync("Home", "x", "End", "Left", "y");
        await ScreenShowsAsync(@"\(QEMU\) xquery-statuys\s*$");
        await KeysAsync("Left", "C-k");
        await ScreenShowsAsync(@"\(QEMU\) xquery-statu\s*$");
        await KeysAsync("C-u", "quit", "Enter");
        await ScreenShowsAsync(@"shell exited 0");
    }

    private async Task StartShellAsync()
    {
        var command = $"HOME='{_home}' dotnet '{ShellProcess.Dll}' '{Server.Address}'; echo \"shell exited $?\"; sleep 30";
        var (exit, output) = await TmuxAsync("new-session", "-d", "-s", _session, "-x", "120", "-y", "40", command);
        Assert.True(exit == 0, output);
        await ScreenShowsAsync(@"Welcome to the QMP low-level shell! Connected to QEMU 2\.1\.0(.|\n)*\(QEMU\)$");
    }

    private async Task KeysAsync(params string[] keys)
    {
        foreach (var key in keys)
        {
            // Key names (Tab, Enter, Up, C-d ...) are sent as keys; other text literally.
            var isKey = Regex.IsMatch(key, "^(Tab|Enter|Up|Down|Left|Right|Home|End|C-[a-z])$");
            var (exit, _) = isKey
                ? await TmuxAsync("send-keys", "-t", _session, key)
                : await TmuxAsync("send-keys", "-t", _session, "-l", key);
            Assert.Equal(0, exit);
            await Task.Delay(60);
        }
    }

    /// <summary>Waits (up to 60 s, a hang guard) until the screen matches <paramref name="pattern"/>; returns the screen.</summary>
    private async Task<string> ScreenShowsAsync(string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var stopwatch = Stopwatch.StartNew();
        var screen = "";
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            (_, screen) = await TmuxAsync("capture-pane", "-p", "-t", _session);
            screen = string.Join('\n', screen.Split('\n').Select(l => l.TrimEnd())).TrimEnd() + "\n";
            if (regex.IsMatch(screen.TrimEnd('\n')) || regex.IsMatch(screen))
            {
                return screen;
            }

            await Task.Delay(100);
        }
        Assert.Fail($"the screen never showed /{pattern}/; it shows:\n{screen}");
        return screen;
    }

    private async Task<int> CursorColumnAsync()
    {
        var (_, output) = await TmuxAsync("display-message", "-p", "-t", _session, "#{cursor_x}");
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// tmux on a server of this test's own (its socket in the test's folder): with the shared default
    /// server, a test starting its session while another's last session ends meets a server on its
    /// way out, and new-session fails.
    /// </summary>
    private async Task<(int ExitCode, string Output)> TmuxAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(Path.Combine(_home, "tmux.sock"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, process.ExitCode == 0 ? await output : await output + error);
    }
}
