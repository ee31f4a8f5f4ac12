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
        var (feed, clone, version) = await PackedFeed.GetAsync();
        // A hang guard, not a timing: the script packs, restores and builds several projects, which on a loaded
        // 2-core machine (another build on both cores) takes many times its usual minutes.
        var (exit, stdout, stderr) = await Scripts.RunAsync(script, TimeSpan.FromMinutes(30), environment: new Dictionary<string, string>
        {
            ["QMP_PACKED_FEED"] = feed,
            ["QMP_PACKED_CLONE"] = clone,
            ["QMP_PACKED_VERSION"] = version,
        });
        var output = stdout + stderr;
        Assert.True(exit == 0, output);
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
        Assert.Matches(@"error QMP1002: Qmp\.Codegen 0\.1\.0-dev\.\d+\.g[0-9a-f]+ generates code for Qmp\.Runtime 0\.1\.x, but the project references Qmp\.Runtime 0\.2\.0\.", output);
        Assert.Contains("usage: qmp-emulator", output, StringComparison.Ordinal);
        Assert.Contains("docs rendered: qmp-reference.html qmp-reference.md", output, StringComparison.Ordinal);
        Assert.Contains("restored into " + Path.GetTempPath().TrimEnd('/'), output, StringComparison.Ordinal);
        Assert.Contains("package smoke test: OK", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Each commit packs as its own version (Directory.Build.targets), so a re-pack is never shadowed by
    /// an older package of the same version in the NuGet cache; -p:Version wins; a tree without .git
    /// (a tarball) still builds, as $(VersionPrefix)-dev.
    /// </summary>
    [GitCheckoutFact]
    public async Task Packages_are_versioned_by_commit()
    {
        var root = RepositoryRoot();
        var count = (await Run("git", root, "rev-list", "--count", "HEAD")).Trim();
        var sha = (await Run("git", root, "rev-parse", "--short=10", "HEAD")).Trim();
        var runtime = Path.Combine("src", "Runtime", "Qmp.Runtime.csproj");
        Assert.Equal($"0.1.0-dev.{count}.g{sha}", await Version(root));
        Assert.Equal("1.2.3", await Version(root, "-p:Version=1.2.3"));

        var tarball = Directory.CreateTempSubdirectory("qmp-version-");
        try
        {
            foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", runtime })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tarball.FullName, file))!);
                File.Copy(Path.Combine(root, file), Path.Combine(tarball.FullName, file));
            }
            Assert.Equal("0.1.0-dev", await Version(tarball.FullName));
        }
        finally
        {
            tarball.Delete(recursive: true);
        }

        async Task<string> Version(string tree, params string[] extra) =>
            (await Run("dotnet", tree, ["msbuild", runtime, "-t:QmpVersion", "-getProperty:PackageVersion", .. extra])).Trim();
    }

    private static async Task<string> Run(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {await stdout}{await stderr}");
        return await stdout;
    }

    private static string RepositoryRoot() => Qmp.Testing.Repository.Root;
}

/// <summary>Runs only in a git checkout with git on PATH (a tarball of the sources has no commits to count).</summary>
public sealed class GitCheckoutFactAttribute : FactAttribute
{
    public GitCheckoutFactAttribute()
    {
        if (Executables.Find("git") is null || !Path.Exists(Path.Combine(Qmp.Testing.Repository.Root, ".git")))
        {
            Skip = "not a git checkout, or git is not installed";
        }
    }
}
