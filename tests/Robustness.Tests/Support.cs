using System.Net.Sockets;
using Qmp.Emulator;

namespace Qmp.Robustness.Tests;

/// <summary>An emulator serving QMP on a unix socket in its own temp directory (with a data dir), removed afterwards.</summary>
internal sealed class Emu : IAsyncDisposable
{
    private Emu(QemuEmulator emulator, string root)
    {
        Emulator = emulator;
        Root = root;
    }

    public QemuEmulator Emulator { get; }

    /// <summary>The temp directory holding the socket, <see cref="DataDir"/> and <see cref="Outside"/>.</summary>
    public string Root { get; }

    public string SocketPath => Path.Combine(Root, "qmp.sock");

    public string DataDir => Path.Combine(Root, "data");

    /// <summary>A directory beside the data dir that nothing may ever write into.</summary>
    public string Outside => Path.Combine(Root, "outside");

    public static async Task<Emu> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "data"));
        Directory.CreateDirectory(Path.Combine(root, "outside"));
        var emulator = await QemuEmulator.StartAsync(new EmulatorOptions
        {
            Qmp = [$"unix:{Path.Combine(root, "qmp.sock")},server,nowait"],
            DataDir = Path.Combine(root, "data"),

            // These tests drive several clients at once (--max-clients); QEMU's one client per monitor,
            // the default, is tested in Emulator.Tests.
            MaxClients = 16,
        });
        return new Emu(emulator, root);
    }

    public Task<Peer> ConnectAsync() => Peer.ConnectAsync(SocketPath);

    public async Task<Peer> ConnectNegotiatedAsync()
    {
        var peer = await Peer.ConnectAsync(SocketPath);
        await peer.NegotiateAsync();
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A raw QMP peer on a unix socket: sends bytes, reads CRLF lines, each read bounded in time.</summary>
internal sealed class Peer : QmpLinePeer
{
    public const string Status = "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}";

    private Peer(Socket socket)
        : base(socket)
    {
    }

    public static async Task<Peer> ConnectAsync(string path) => new(await ConnectSocketAsync(path));

    /// <summary>The next line that is not an event.</summary>
    public async Task<string> ReadReplyAsync(int seconds = Wait.Patience)
    {
        while (true)
        {
            var line = await ReadLineAsync(seconds);
            if (!line.StartsWith("{\"timestamp\": ", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public async Task NegotiateAsync()
    {
        Assert.StartsWith("{\"QMP\": ", await ReadLineAsync());
        await SendAsync("{\"execute\":\"qmp_capabilities\"}");
        Assert.Equal("{\"return\": {}}", await ReadLineAsync());
    }

    /// <summary>A full round trip of query-status with an id: the connection is alive and in sync.</summary>
    public async Task AssertAliveAsync(string id = "\"alive\"")
    {
        await SendAsync("{\"execute\":\"query-status\",\"id\":" + id + "}");
        Assert.Equal(Status[..^1] + ", \"id\": " + id + "}", await ReadLineAsync());
    }
}

internal static class Wait
{
    /// <summary>
    /// The bound, in seconds, on a wait for something that will happen: never a measure of speed, so generous
    /// enough that a loaded machine (another build on both cores) does not turn a late answer into a failure.
    /// </summary>
    public const int Patience = Qmp.Testing.Patience.Seconds;

    /// <summary>Polls until the condition holds or the time is up (short steps, never one long sleep).</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, int milliseconds = Patience * 1000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return condition();
            }

            await Task.Delay(10);
        }

        return true;
    }

    public static string Error(string errorClass, string desc, string? id = null) =>
        (id is null ? "{" : "{\"id\": " + id + ", ") + "\"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc + "\"}}";
}
