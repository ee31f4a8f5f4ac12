using System.Diagnostics;

namespace Qmp.Testing;

/// <summary>
/// Runs one of the repository's bash scripts (tests/Package.Smoke/*.sh) to its end and hands back what it
/// printed. The wait is a hang guard, not a timing: packing and building take many minutes on a loaded
/// 2-core machine. Linked into the test projects that run them.
/// </summary>
internal static class Scripts
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string script, TimeSpan hangGuard, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args ?? [])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(hangGuard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung script leaves nothing behind: its builds and QEMUs go with it.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {hangGuard}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
