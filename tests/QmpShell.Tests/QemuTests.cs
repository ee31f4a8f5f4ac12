using System.Diagnostics;

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
        var start = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-machine", "none", "-nodefaults", "-display", "none", "-qmp", $"unix:{socket},server=on,wait=off" })
        {
            start.ArgumentList.Add(argument);
        }

        using var qemu = Process.Start(start)!;
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(socket) && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(socket), "QEMU did not create its QMP socket");
            // The file exists before QEMU listens on it.
            using (var listening = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await Qmp.Testing.RealQemu.WaitUntilListeningAsync(socket, listening.Token);
            }

            var (exitCode, output, error) = await ShellProcess.RunPipedAsync($"unix:{socket}",
                "query-status\nstop\nquery-status\neject device=ide1-cd0 force=true\n", _home);

            Assert.Contains("\"status\": \"running\"", output, StringComparison.Ordinal);
            Assert.Matches(@"event STOP at \d\d:\d\d:\d\d\.\d\d\d \{\}\n\{\}\n", output);
            Assert.Contains("\"status\": \"paused\"", output, StringComparison.Ordinal);
            Assert.Contains("error: DeviceNotFound: Device 'ide1-cd0' not found", output, StringComparison.Ordinal);
            Assert.Equal("", error);
            Assert.Equal(1, exitCode);
        }
        finally
        {
            qemu.Kill();
            await qemu.WaitForExitAsync();
        }
    }
}
