namespace Qmp.Testing;

/// <summary>
/// Runs one of the repository's bash scripts (tests/Package.Smoke/*.sh) to its end and hands back what it
/// printed, through <see cref="ChildProcess"/>. Linked into the test projects that run them.
/// </summary>
internal static class Scripts
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string script, TimeSpan hangGuard, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string>? environment = null) =>
        ChildProcess.RunAsync("bash", [script, .. args ?? []], hangGuard, environment: environment);
}
