using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The packed NuGet packages work outside the solution: tests/Package.Smoke/run.sh packs
/// Qmp.Codegen and Qmp.Runtime into a local folder and builds and runs a throwaway project
/// that consumes them by version, calls a generated method and renders its docs with the
/// package's build step.
/// </summary>
public sealed class PackageSmokeTests
{
    [Fact]
    public async Task A_project_outside_the_solution_builds_against_the_packed_packages()
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "Package.Smoke", "run.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("QemuClient methods: ", output, StringComparison.Ordinal);
        Assert.Contains("event: BLOCK_JOB_COMPLETED", output, StringComparison.Ordinal);
        Assert.Contains("docs rendered: qmp-reference.html qmp-reference.md", output, StringComparison.Ordinal);
        Assert.Contains("package smoke test: OK", output, StringComparison.Ordinal);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
