using Qmp.Emulator;

namespace QmpShell.Tests;

/// <summary>
/// The built shell, piped, against a server that has query-qmp-schema: its help, its coercion and
/// its events are the server's (the emulator's 7.2 persona in-process, real QEMU 7.2 where installed).
/// </summary>
public sealed class LearnedSchemaPipedTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmpshell-piped-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Home => Directory.CreateDirectory(Path.Combine(_dir, "home")).FullName;

    [Fact]
    public async Task Qemu72Persona_ThePipedShell_UsesTheLearnedSchema()
    {
        var socket = Path.Combine(_dir, "qmp.sock");
        await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qemu = EmulatorOptions.Qemu72, Qmp = [$"unix:{socket},server=on,wait=off"] });
        // !quit: QEMU 7.2's SHUTDOWN {"guest": false, "reason": "host-qmp-quit"}, printed typed before the reply.
        var (exitCode, output, error) = await ShellProcess.RunPipedAsync("unix:" + socket, "help blockdev-backup\nstop\n!quit\n", Home);
        Assert.Equal("", error);
        Assert.Matches(@"sync\s+enum\s+one of: top, full, none, incremental, bitmap", output);
        Assert.Matches(@"event STOP at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\{\}\n", output);
        Assert.Matches(@"event SHUTDOWN at \d\d:\d\d:\d\d\.\d\d\d\n  - guest \(bool\): false\n  - reason \(enum\): ""host-qmp-quit""\n\{\}\n", output);
        Assert.Equal(0, exitCode);
    }

    [QemuFact]
    public async Task RealQemu72_HelpAndATypedEvent()
    {
        var socket = Path.Combine(_dir, "qemu.sock");
        await using var qemu = await QemuProcess.StartAsync(socket, ["-machine", "none", "-nodefaults"]);
        // system_reset: QEMU 7.2's RESET has data (2.1's had none), printed member by member.
        var (exitCode, output, error) = await ShellProcess.RunPipedAsync("unix:" + socket, "help blockdev-backup\nsystem_reset\nquery-jobs\n", Home);
        Assert.Matches(@"sync\s+enum\s+one of: top, full, none, incremental, bitmap", output);
        Assert.Matches(@"event RESET at \d\d:\d\d:\d\d\.\d\d\d\n  - guest \(bool\): false\n  - reason \(enum\): ""host-qmp-system-reset""\n\{\}\n\[\]", output);
        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
    }
}
