using System.Net.Sockets;
using System.Text;

namespace Qmp.Testing;

/// <summary>
/// A raw QMP peer on a unix socket that reads the server's lines byte by byte, each checked to end
/// in CRLF as QEMU's do: for tests that send malformed bytes and look at exactly what comes back.
/// The projects' own peers (Robustness.Tests' Peer, Emulator.Tests' Line) add their protocol
/// steps on top. Linked into the test projects that talk raw QMP.
/// </summary>
internal abstract class QmpLinePeer : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();

    protected QmpLinePeer(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>A connected socket to <paramref name="path"/>, waited for at most <see cref="Patience.Seconds"/>.</summary>
    protected static async Task<Socket> ConnectSocketAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(TimeSpan.FromSeconds(Patience.Seconds));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return socket;
    }

    private const int SendPiece = 1 << 20;

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        // Bounded by progress, not in total: 64 MiB through the lexer's byte-by-byte path took 42 s of a 60 s
        // bound with two builds running beside it. A send fails only when the server takes none of a 1 MiB
        // piece for Patience seconds (a stream socket's send completes only when all of its buffer is sent).
        for (var sent = 0; sent < bytes.Length;)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds));
            sent += await Socket.SendAsync(bytes.AsMemory(sent, Math.Min(SendPiece, bytes.Length - sent)), SocketFlags.None, cts.Token);
        }
    }

    /// <summary>The next line without its CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> TryReadLineAsync(int seconds = Patience.Seconds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            var lf = data.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                Assert.True(lf > 0 && data[lf - 1] == (byte)'\r', "server lines end with CRLF");
                var line = Encoding.UTF8.GetString(data[..(lf - 1)]);
                var rest = data[(lf + 1)..].ToArray();
                _pending.SetLength(0);
                _pending.Write(rest);
                return line;
            }

            int n;
            try
            {
                n = await Socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _pending.Write(_buffer, 0, n);
        }
    }

    /// <summary>The next line without its CRLF; fails if none arrives within the time or the peer closes.</summary>
    public async Task<string> ReadLineAsync(int seconds = Patience.Seconds) =>
        await TryReadLineAsync(seconds) ?? throw new Xunit.Sdk.XunitException("the peer closed the connection");

    /// <summary>True when the server closes the connection (EOF or reset) within the time; lines still queued are skipped.</summary>
    public async Task<bool> IsClosedByServerAsync(int seconds = Patience.Seconds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var n = await Socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        _pending.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
