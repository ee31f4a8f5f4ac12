using System.Diagnostics;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The packed NuGet packages work outside the solution: tests/Package.Smoke/run.sh runs the
/// README's pack commands in a clean copy of the repository, checks the packages' contents and
/// metadata, builds (warnings as errors) and runs a throwaway app that consumes them by version
/// (the emulator in-process, the generated client, events from now on, a command with its event,
/// getfd; the typed wait that ignores a STOP from before it, the typed getfd overload, a server of
/// its own serving one command by overriding one member), renders its docs with the package's build
/// step, expects one QMP1001 error from an app without Qmp.Runtime and one QMP1002 from an app with
/// another version of it, builds a library with Access="Internal" (no public generated type) and
/// Diagnostics="all" (the schema's Info diagnostics as warnings, one silenced by .editorconfig), and
/// runs the installed qmp-emulator tool.
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
        // A hang guard, not a timing: the script packs, restores and builds several projects, which on a loaded
        // 2-core machine (another build on both cores) takes many times its usual minutes.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("QemuClient methods: ", output, StringComparison.Ordinal);
        Assert.Contains("event: BLOCK_JOB_COMPLETED", output, StringComparison.Ordinal);
        Assert.Contains("package contents and metadata: OK", output, StringComparison.Ordinal);
        Assert.Contains("untouched 2.1 schema with TreatWarningsAsErrors: 0 warnings, 0 errors", output, StringComparison.Ordinal);
        Assert.Contains("Diagnostics=all: 32 schema warnings, 0 QMP0010 (.editorconfig: none)", output, StringComparison.Ordinal);
        Assert.Matches(@"Access=Internal: [1-9]\d+ generated types, public types: Wrapper\.Vm\r?\n", output);
        Assert.Contains("events from now on: OK (cont -> RESUME)", output, StringComparison.Ordinal);
        Assert.Contains("getfd: OK", output, StringComparison.Ordinal);
        Assert.Contains("typed wait from now on: OK (stop, then cont -> RESUME)", output, StringComparison.Ordinal);
        Assert.Contains("typed getfd: OK; IQemuClient: running", output, StringComparison.Ordinal);
        Assert.Contains("one member served: smoke; served: query-name; query-status: The command query-status has not been found", output, StringComparison.Ordinal);
        Assert.Contains("error QMP1001: The project generates QMP code from", output, StringComparison.Ordinal);
        Assert.Contains("error QMP1002: Qmp.Codegen 0.1.0 generates code for Qmp.Runtime 0.1.x, but the project references Qmp.Runtime 0.2.0.", output, StringComparison.Ordinal);
        Assert.Contains("usage: qmp-emulator", output, StringComparison.Ordinal);
        Assert.Contains("docs rendered: qmp-reference.html qmp-reference.md", output, StringComparison.Ordinal);
        Assert.Contains("package smoke test: OK", output, StringComparison.Ordinal);
    }

    private static string RepositoryRoot() => Qmp.Testing.Repository.Root;
}
