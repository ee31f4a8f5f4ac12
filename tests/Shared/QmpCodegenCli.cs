using System.Diagnostics;

namespace Qmp.Testing;

/// <summary>
/// qmp-codegen as a user runs it: a separate process (qmp-codegen.dll beside the test binary, from the
/// project reference), its exit code and output. One that has not exited within 60 s is killed and
/// fails the test, so a hang is a failure rather than a stuck run. Linked into the test projects that run the CLI.
/// </summary>
internal static class QmpCodegenCli
{
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Run(string[])"/>, with <paramref name="environment"/> added to the process's.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(TimeSpan.FromSeconds(60), environment, args);

    /// <summary>As <see cref="Run(IReadOnlyDictionary{string, string}, string[])"/>, killed after <paramref name="limit"/> (a command that downloads).</summary>
    public static (int Exit, string Stdout, string Stderr) Run(TimeSpan limit, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "qmp-codegen.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"qmp-codegen did not exit within {limit.TotalSeconds} s: qmp-codegen " + string.Join(' ', args));
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
