namespace QmpShell.Tests;

/// <summary>The shell against a real QEMU (no machine, no disks), piped.</summary>
public sealed class QemuTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("qmpshell-qemu-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [QemuFact]
    public async Task RealQemu_StatusStopEjectAndAnUnknownCommand()
    {
        var socket = Path.Combine(_home, "qmp.sock");
        await using var qemu = await QemuProcess.StartAsync(socket, ["-machine", "none", "-nodefaults"]);
        var (exitCode, output, error) = await ShellProcess.RunPipedAsync($"unix:{socket}",
            "query-status\nstop\nquery-status\neject device=ide1-cd0 force=true\n", _home);

        Assert.Contains("\"status\": \"running\"", output, StringComparison.Ordinal);
        Assert.Matches(@"event STOP at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\{\}\n", output);
        Assert.Contains("\"status\": \"paused\"", output, StringComparison.Ordinal);
        Assert.Contains("error: DeviceNotFound: Device 'ide1-cd0' not found", output, StringComparison.Ordinal);
        Assert.Equal("", error);
        Assert.Equal(1, exitCode);
    }
}
