using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>
/// A dispatcher standing for a small QEMU 7.2 in the modern dialect: <c>query-status</c> (as QEMU 7.2
/// with <c>-machine none</c> answers it, members in the schema's order), <c>query-yank</c> (allow-oob, as in QEMU's schema, answering
/// as QEMU 7.2 with its one monitor) and <c>slow</c> (in-band, waits for <see cref="Gate"/>).
/// </summary>
internal sealed class ModernDispatcher : IQmpCommandDispatcher
{
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasCommand(string name) => name is "query-status" or "query-yank" or "slow";

    public bool AllowsOutOfBand(string name) => name is "query-yank";

    public async ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "query-status":
                return QmpReturn.FromUtf8("""{"running":true,"singlestep":false,"status":"running"}"""u8.ToArray());
            case "query-yank":
                return QmpReturn.FromUtf8("""[{"type":"chardev","id":"compat_monitor0"}]"""u8.ToArray());
            default:
                SlowStarted.TrySetResult();
                await Gate.Task.WaitAsync(cancellationToken);
                return QmpReturn.Empty;
        }
    }
}

/// <summary>A QMP peer that sends requests and reads reply lines, for the parity transcripts.</summary>
internal static class Transcript
{
    /// <summary>
    /// Sends each case followed by an in-band sentinel request and collects the replies before the
    /// sentinel's: in-band replies keep their order and an out-of-band one comes as its request is read,
    /// so every case's replies are known exactly, on QEMU and on us alike.
    /// </summary>
    public static async Task<List<string>> RunAsync(RawPeer peer, IEnumerable<string> cases)
    {
        var replies = new List<string>();
        var n = 0;
        foreach (var request in cases)
        {
            var sentinel = $"sync-{n++}";
            await peer.SendAsync(request + "\n{\"execute\":\"query-status\",\"id\":\"" + sentinel + "\"}\n");
            var lines = new List<string>();
            while (true)
            {
                string line;
                try
                {
                    line = await peer.ReadLineAsync();
                }
                catch (OperationCanceledException ex)
                {
                    throw new TimeoutException($"no reply to the sentinel after case {request} (replies so far: {string.Join(" | ", lines)})", ex);
                }

                if (line.Contains($"\"id\": \"{sentinel}\"", StringComparison.Ordinal))
                {
                    break;
                }

                lines.Add(line);
            }

            replies.Add(string.Join(" | ", lines));
        }

        return replies;
    }
}

/// <summary>QEMU 7.2 with <c>-machine none</c> and one QMP socket, killed on dispose.</summary>
internal sealed class BareQemu : IAsyncDisposable
{
    private readonly QemuProcess _process;
    private readonly DirectoryInfo _dir;

    private BareQemu(QemuProcess process, DirectoryInfo dir)
    {
        _process = process;
        _dir = dir;
    }

    public string Socket => _process.Socket;

    public static async Task<BareQemu> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-modern-");
        try
        {
            return new BareQemu(await QemuProcess.StartAsync(Path.Combine(dir.FullName, "qmp.sock"), ["-machine", "none"]), dir);
        }
        catch
        {
            dir.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}

/// <summary>A modern-dialect server on a unix socket in a temp folder of its own.</summary>
internal sealed class ModernFixture : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qmp-modern-");

    public ModernFixture(QmpServerOptions? options = null)
    {
        options ??= new QmpServerOptions();
        options.Dialect = QmpDialect.Modern;
        SocketPath = Path.Combine(_dir.FullName, "qmp.sock");
        Server = QmpServer.Listen($"unix:{SocketPath},server,nowait", Dispatcher, options);
    }

    public string SocketPath { get; }

    public ModernDispatcher Dispatcher { get; } = new();

    public QmpServer Server { get; }

    public Task<RawPeer> ConnectRawAsync() => RawPeer.ConnectAsync(SocketPath);

    public async ValueTask DisposeAsync()
    {
        Dispatcher.Gate.TrySetResult();
        await Server.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}
