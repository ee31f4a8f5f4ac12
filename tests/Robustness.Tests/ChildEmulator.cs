using System.Diagnostics;
using System.Globalization;

namespace Qmp.Robustness.Tests;

/// <summary>
/// <c>qmp-emulator</c> as a child process (the built Qmp.Emulator.dll beside the tests), optionally under
/// <c>prlimit --nofile=N:N</c>, with a data dir and an outside dir in its own temp directory. Its descriptor
/// count and RSS are read from /proc/PID, so they are the emulator's alone.
/// </summary>
internal sealed class ChildEmulator : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private ChildEmulator(Process process, string root)
    {
        _process = process;
        Root = root;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
    }

    public string Root { get; }

    public string SocketPath => Path.Combine(Root, "qmp.sock");

    public string DataDir => Path.Combine(Root, "data");

    public string Outside => Path.Combine(Root, "outside");

    /// <summary>An empty directory made beside the data dir, for <c>--image-dir {root}/images</c> in the extra arguments.</summary>
    public string ImageDir => Path.Combine(Root, "images");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the emulator; <c>{root}</c> in <paramref name="extra"/> stands for <see cref="Root"/>.</summary>
    public static Task<ChildEmulator> StartAsync(int? openFileLimit = null, params string[] extra) => StartAsync(openFileLimit, null, extra);

    /// <summary>Starts the emulator once <paramref name="prepare"/> has been given the root (to lay out what the emulator finds at start).</summary>
    public static async Task<ChildEmulator> StartAsync(int? openFileLimit, Action<string>? prepare, params string[] extra)
    {
        var root = Directory.CreateTempSubdirectory("qmprob-child-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "data"));
        Directory.CreateDirectory(Path.Combine(root, "outside"));
        Directory.CreateDirectory(Path.Combine(root, "images"));
        prepare?.Invoke(root);
        var dll = Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll");
        var start = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (openFileLimit is { } n)
        {
            start.ArgumentList.Add($"--nofile={n}:{n}");
            start.ArgumentList.Add("dotnet");
        }

        // Several clients at once (QEMU serves one per monitor): these tests show that one client never
        // blocks another, and the descriptor test needs the emulator to accept until EMFILE.
        var maxClients = openFileLimit is null ? "4" : "1000";
        foreach (var a in new[] { dll, "-qmp", $"unix:{Path.Combine(root, "qmp.sock")},server,nowait", "--data-dir", Path.Combine(root, "data"), "--max-clients", maxClients }.Concat(extra))
        {
            start.ArgumentList.Add(a.Replace("{root}", root, StringComparison.Ordinal));
        }

        var child = new ChildEmulator(Process.Start(start)!, root);
        // Starting dotnet takes seconds on a loaded machine: wait for the socket, bounded only against a hang.
        for (var deadline = DateTime.UtcNow.AddSeconds(Wait.Patience); !File.Exists(child.SocketPath) && DateTime.UtcNow < deadline;)
        {
            Assert.False(child.HasExited, "the emulator exited: " + child.Stderr);
            await Task.Delay(25);
        }

        Assert.True(File.Exists(child.SocketPath), "the emulator did not listen: " + child.Stderr);

        // The socket file appears at bind, a moment before listen: until then a connection is refused.
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ;)
        {
            try
            {
                await using var probe = await Peer.ConnectAsync(child.SocketPath);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !child.HasExited)
            {
                await Task.Delay(25);
            }
        }

        return child;
    }

    public async Task<Peer> ConnectNegotiatedAsync()
    {
        var peer = await Peer.ConnectAsync(SocketPath);
        await peer.NegotiateAsync();
        return peer;
    }

    /// <summary>Open descriptors of the emulator process.</summary>
    public int FdCount => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    /// <summary>What the descriptors are (for a failure message).</summary>
    public string FdTargets => string.Join(", ", Directory.GetFileSystemEntries($"/proc/{Pid}/fd")
        .Select(f => new FileInfo(f).LinkTarget ?? "?").GroupBy(t => t.StartsWith('/') ? Path.GetFileName(t) : t.Split(':')[0]).Select(g => $"{g.Key} x{g.Count()}"));

    /// <summary>Resident memory of the emulator process, in bytes.</summary>
    public long Rss
    {
        get
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }
    }

    /// <summary>Where the emulator stands now, to compare with after an attack.</summary>
    public async Task<(int Fds, long Rss)> BaselineAsync()
    {
        // One full round trip first, so lazily created runtime state is already counted.
        await using (var peer = await ConnectNegotiatedAsync())
        {
            await peer.AssertAliveAsync();
        }

        await Wait.UntilAsync(() => false, 200);
        return (FdCount, Rss);
    }

    /// <summary>
    /// After an attack: still running, a fresh client gets its greeting and a reply, and within a few seconds
    /// the descriptor count is back within a few of the start and RSS within <paramref name="rssSlack"/>.
    /// </summary>
    public async Task AssertRecoveredAsync((int Fds, long Rss) start, long rssSlack = 96L << 20)
    {
        Assert.False(HasExited, "the emulator died: " + Stderr);
        // A backlog still full of connections the attacker left refuses new ones (EAGAIN) until it drains.
        Peer? fresh = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(Wait.Patience); fresh is null;)
        {
            try
            {
                fresh = await Peer.ConnectAsync(SocketPath);
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        await using (fresh)
        {
            await fresh.NegotiateAsync();
            await fresh.AssertAliveAsync("\"fresh\"");
        }

        Assert.True(await Wait.UntilAsync(() => FdCount <= start.Fds + 4, Wait.Patience * 1000), $"descriptors: {FdCount} now, {start.Fds} at the start: {FdTargets}");
        Assert.True(await Wait.UntilAsync(() => Rss <= start.Rss + rssSlack, Wait.Patience * 1000), $"RSS: {Rss >> 20} MiB now, {start.Rss >> 20} MiB at the start");
    }

    /// <summary>SIGTERM, as a CI runner stops a job; true when the process exits within the time.</summary>
    public bool Terminate(int seconds)
    {
        Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        return _process.WaitForExit(seconds * 1000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
