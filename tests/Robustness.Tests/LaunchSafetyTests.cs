using System.Diagnostics;
using System.Globalization;
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
                var staged = sock + ".link";
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
                for (var i = 0; i < 200; i++)
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
            KillStarted();
            root.Delete(recursive: true);
        }
    }
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Processes this test started, killed at its end if still running (a failed assertion leaves none behind).</summary>
    private readonly List<Process> _started = [];

    /// <summary><c>qmp-emulator</c> (the built Qmp.Emulator.dll beside the tests) with every standard stream a pipe.</summary>
    private Process Launch(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _started.Add(process);
        return process;
    }

    private void KillStarted()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    /// <summary>Waits (60 s at most) for a process that should fail at start; its exit code and stderr.</summary>
    private static async Task<(int Code, string Stderr)> FailedStartAsync(Process process)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail("the emulator started (or hung) instead of failing");
        }

        return (process.ExitCode, await stderr);
    }

    /// <summary>Reads the emulator's stderr until it says a monitor listens (the pidfile is written before that).</summary>
    private static async Task AwaitListeningAsync(Process process)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("qmp-emulator: QMP on ", StringComparison.Ordinal))
            {
                _ = process.StandardError.ReadToEndAsync();
                return;
            }
        }

        Assert.Fail("the emulator exited before it listened");
    }

    /// <summary>SIGTERM, then the process must exit (60 s at most: a hang at exit fails here).</summary>
    private static async Task TerminateAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail("the emulator did not exit within 60 s of SIGTERM");
        }
    }

    [Fact]
    public async Task A_pidfile_name_holding_a_link_fifo_hard_link_or_directory_is_refused_before_any_socket()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-pidfile-");
        try
        {
            string dir = root.FullName, sock = Path.Combine(dir, "qmp.sock"), victim = Path.Combine(dir, "victim");
            File.WriteAllText(victim, "secret");
            File.SetUnixFileMode(victim, Mode0600);
            File.CreateSymbolicLink(Path.Combine(dir, "link.pid"), victim);
            using (var mkfifo = Process.Start("mkfifo", [Path.Combine(dir, "fifo.pid")])!)
            {
                await mkfifo.WaitForExitAsync();
            }

            using (var ln = Process.Start("ln", [victim, Path.Combine(dir, "hard.pid")])!)
            {
                await ln.WaitForExitAsync();
            }

            Directory.CreateDirectory(Path.Combine(dir, "dir.pid"));
            foreach (var (name, reason) in new[]
            {
                ("link.pid", "Too many levels of symbolic links"),
                ("fifo.pid", "No such device or address"),
                ("hard.pid", "Permission denied"),
                ("dir.pid", "Is a directory"),
            })
            {
                var pidfile = Path.Combine(dir, name);
                var (code, stderr) = await FailedStartAsync(Launch("-qmp", $"unix:{sock},server=on,wait=off", "-pidfile", pidfile));
                Assert.Equal(1, code);
                Assert.Equal($"qmp-emulator: cannot create PID file: Could not create '{pidfile}': {reason}\n", stderr);
                Assert.False(File.Exists(sock), "a monitor was made before the pidfile failed");
            }

            Assert.Equal("secret", File.ReadAllText(victim));
            Assert.Equal(Mode0600, File.GetUnixFileMode(victim));
        }
        finally
        {
            KillStarted();
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_pidfile_is_locked_as_qemus_and_removed_at_exit_only_while_it_is_still_the_emulators()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-pidlock-");
        try
        {
            string dir = root.FullName, pidfile = Path.Combine(dir, "qmp.pid"), victim = Path.Combine(dir, "victim");
            string Monitor(string name) => $"unix:{Path.Combine(dir, name)},server=on,wait=off";

            var first = Launch("-qmp", Monitor("a.sock"), "-pidfile", pidfile);
            await AwaitListeningAsync(first);
            Assert.Equal($"{first.Id}\n", File.ReadAllText(pidfile));
            Assert.Equal(Mode0600, File.GetUnixFileMode(pidfile));

            // A second emulator given the same pidfile fails on QEMU's lock, before it makes its socket.
            var (code, stderr) = await FailedStartAsync(Launch("-qmp", Monitor("b.sock"), "-pidfile", pidfile));
            Assert.Equal(1, code);
            Assert.Equal("qmp-emulator: cannot create PID file: Cannot lock pid file: Resource temporarily unavailable\n", stderr);
            Assert.False(File.Exists(Path.Combine(dir, "b.sock")));
            Assert.Equal($"{first.Id}\n", File.ReadAllText(pidfile));

            // The pidfile is moved aside and a FIFO put in its place: exit neither reads (blocks on) nor removes it.
            File.Move(pidfile, pidfile + ".aside");
            using (var mkfifo = Process.Start("mkfifo", [pidfile])!)
            {
                await mkfifo.WaitForExitAsync();
            }

            await TerminateAsync(first);
            Assert.True(File.Exists(pidfile) && File.Exists(pidfile + ".aside"));
            File.Delete(pidfile);

            // A link to a file holding the emulator's own pid is not the emulator's file either.
            var second = Launch("-qmp", Monitor("a.sock"), "-pidfile", pidfile);
            await AwaitListeningAsync(second);
            File.WriteAllText(victim, File.ReadAllText(pidfile));
            File.Delete(pidfile);
            File.CreateSymbolicLink(pidfile, victim);
            await TerminateAsync(second);
            Assert.NotNull(new FileInfo(pidfile).LinkTarget);
            Assert.Equal($"{second.Id}\n", File.ReadAllText(victim));
            File.Delete(pidfile);

            // Left alone, the pidfile is removed at exit.
            var third = Launch("-qmp", Monitor("a.sock"), "-pidfile", pidfile);
            await AwaitListeningAsync(third);
            Assert.Equal($"{third.Id}\n", File.ReadAllText(pidfile));
            await TerminateAsync(third);
            Assert.False(File.Exists(pidfile));
        }
        finally
        {
            KillStarted();
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Daemonize_returns_once_the_daemon_listens_owns_its_session_and_holds_none_of_the_launchers_streams()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-daemon-");
        var daemon = 0;
        try
        {
            string pidfile = Path.Combine(root.FullName, "qmp.pid"), sock = Path.Combine(root.FullName, "qmp.sock");
            var launcher = Launch("-daemonize", "-pidfile", pidfile, "-qmp", $"unix:{sock},server=on,wait=off");
            var stderr = launcher.StandardError.ReadToEndAsync();
            var stdout = launcher.StandardOutput.ReadToEndAsync();
            await launcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, launcher.ExitCode);

            // As libvirt: stderr read to its end (nothing else holds the pipe), then one connect, no retry.
            await stderr.WaitAsync(TimeSpan.FromSeconds(60));
            await stdout.WaitAsync(TimeSpan.FromSeconds(60));
            await using var peer = await Peer.ConnectAsync(sock);
            await peer.NegotiateAsync();

            daemon = int.Parse(File.ReadAllText(pidfile), CultureInfo.InvariantCulture);
            Assert.NotEqual(launcher.Id, daemon);
            for (var fd = 0; fd <= 2; fd++)
            {
                Assert.Equal("/dev/null", new FileInfo($"/proc/{daemon}/fd/{fd}").LinkTarget);
            }

            // /proc/PID/stat: "pid (comm) state ppid pgrp session ...": the session is the daemon's own.
            var stat = File.ReadAllText($"/proc/{daemon}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(daemon.ToString(CultureInfo.InvariantCulture), fields[3]);

            await peer.SendAsync("{\"execute\":\"quit\"}");
            Assert.Equal("{\"return\": {}}", await peer.ReadReplyAsync());
            Assert.True(await Wait.UntilAsync(() => !File.Exists(pidfile), 60_000), "the daemon did not remove its pidfile at quit");
            daemon = 0;
        }
        finally
        {
            if (daemon != 0)
            {
                using var kill = Process.Start("kill", ["-KILL", daemon.ToString(CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync();
            }

            KillStarted();
            root.Delete(recursive: true);
        }
    }
}
