using Qmp.Emulator;

namespace Qmp.Robustness.Tests;

/// <summary>
/// Issue 20: what a local user who can write the folders named on the command line (the monitor socket's,
/// the pidfile's) could make the emulator do when it runs as root. Each victim is a dummy file in the
/// test's own temp folder.
/// </summary>
[Collection(nameof(Alone))]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LaunchSafetyTests
{
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task A_link_swapped_in_for_the_monitor_socket_after_bind_never_has_its_target_chmodded()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-sockmode-");
        try
        {
            string victim = Path.Combine(root.FullName, "victim"), sock = Path.Combine(root.FullName, "qmp.sock");
            File.WriteAllText(victim, "keep");
            File.SetUnixFileMode(victim, Mode0644);

            // -qmp and -chardev socket,server=on both listen through the same code; both are started here.
            var addresses = new[]
            {
                new[] { "-qmp", $"unix:{sock},server=on,wait=off" },
                new[] { "-chardev", $"socket,id=mon,path={sock},server=on,wait=off", "-mon", "chardev=mon,mode=control" },
            };

            // Unraced, the socket is owner-only.
            await using (await QemuEmulator.StartAsync(EmulatorProgram.Parse(addresses[0])!))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sock));
            }

            // The attacker: as soon as a socket is at the path, a link to the victim is renamed over it.
            using var stop = new CancellationTokenSource();
            int swaps = 0, started = 0;
            var swapper = Task.Run(() =>
            {
                string staged = sock + ".link";
                while (!stop.IsCancellationRequested)
                {
                    var entry = new FileInfo(sock);
                    if (entry.Exists && entry.LinkTarget is null)
                    {
                        File.CreateSymbolicLink(staged, victim);
                        File.Move(staged, sock, overwrite: true);
                        swaps++;
                    }
                }
            });

            try
            {
                // A bounded number of starts, each checked at once.
                for (int i = 0; i < 200; i++)
                {
                    File.Delete(sock);
                    try
                    {
                        await using (await QemuEmulator.StartAsync(EmulatorProgram.Parse(addresses[i % 2])!))
                        {
                            started++;
                        }
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException && e.Message.Contains("Address already in use", StringComparison.Ordinal))
                    {
                        // A link the swapper renamed in late, before this start's bind: refused, left alone.
                    }

                    Assert.True(File.GetUnixFileMode(victim) == Mode0644, $"start {i}: the victim's mode became {File.GetUnixFileMode(victim)}");
                }
            }
            finally
            {
                stop.Cancel();
                await swapper;
            }

            Assert.True(swaps > 0 && started > 0, $"{swaps} swaps, {started} starts");
            Assert.Equal("keep", File.ReadAllText(victim));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
