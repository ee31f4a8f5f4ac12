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
        // A hang guard, not a timing: packs, a tool install and a build on a loaded 2-core machine.
        var (exit, stdout, stderr) = await Scripts.RunAsync(script, TimeSpan.FromMinutes(30));
        var output = stdout + stderr;
        Assert.True(exit == 0, output);
        Assert.Matches(@"(?m)^QEMU \d+\.\d+\.\d+", output);
        Assert.Contains("status: prelaunch", output, StringComparison.Ordinal);
        Assert.Contains("first day: OK", output, StringComparison.Ordinal);
    }
}
