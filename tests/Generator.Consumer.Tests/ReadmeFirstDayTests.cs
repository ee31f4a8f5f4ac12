using System.Diagnostics;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The README's first section works as written: tests/Package.Smoke/first-day.sh runs its code blocks
/// in order (pack, install the tool, a new console project, introspect the installed QEMU, the item
/// group and the program) in a clean copy of the repository with a home of its own, and the program
/// talks to that QEMU.
/// </summary>
public sealed class ReadmeFirstDayTests
{
    [QemuFact]
    public async Task The_readme_first_section_followed_verbatim_gives_a_typed_client_of_the_installed_qemu()
    {
        var script = Path.Combine(Qmp.Testing.Repository.Root, "tests", "Package.Smoke", "first-day.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A hang guard, not a timing: three packs, a tool install and a build on a loaded 2-core machine.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);
        Assert.Matches(@"(?m)^QEMU \d+\.\d+\.\d+", output);
        Assert.Contains("status: prelaunch", output, StringComparison.Ordinal);
        Assert.Contains("first day: OK", output, StringComparison.Ordinal);
    }
}
