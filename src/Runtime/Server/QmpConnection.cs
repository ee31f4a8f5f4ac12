using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime.Server;

/// <summary>
/// One connection of a <see cref="QmpServer"/>: its session, its read loop (with descriptors passed on a
/// unix socket) handing each message to the dialect's <see cref="QmpProtocolHandler"/>, and its output
/// queue (QmpConnection.Output.cs), accounted in bytes here and in the server's <see cref="QmpOutputBudget"/>.
/// </summary>
internal sealed partial class QmpConnection : IDisposable
{
    private readonly Stream _stream;
    private readonly CancellationTokenSource _cts;
    private readonly QmpServerOptions _options;
    private readonly QmpOutputBudget _budget;
    private readonly ILogger _logger;
    private readonly Lock _accounting = new();
    private long _inputBytes;
    private bool _closed;

    public QmpConnection(Stream stream, Socket? socket, QmpSession session, CancellationTokenSource cts,
        QmpServerOptions options, QmpOutputBudget budget, ILogger logger)
    {
        _stream = stream;
        Socket = socket;
        _cts = cts;
        Session = session;
        _options = options;
        _budget = budget;
        _logger = logger;
    }

    public QmpSession Session { get; }

    /// <summary>The connection's socket, when it is one (watched while a command runs).</summary>
    public Socket? Socket { get; }

    public CancellationToken Token => _cts.Token;

    /// <summary>Bytes this connection holds for a request it is still reading (in the server's budget).</summary>
    public long InputBytes
    {
        get
        {
            lock (_accounting)
            {
                return _inputBytes;
            }
        }
    }

    /// <summary>
    /// The reader's buffer for an unfinished request grows by <paramref name="bytes"/> (or shrinks, when
    /// negative): false when the server's budget made room by closing this connection.
    /// </summary>
    public bool AccountInput(long bytes) => bytes <= 0 ? AddInput(bytes) : _budget.ReserveInput(this, bytes);

    /// <summary>Counts input bytes here and in the server's total; false (nothing counted) once closed.</summary>
    public bool AddInput(long bytes)
    {
        lock (_accounting)
        {
            if (_closed)
            {
                return false;
            }

            _inputBytes += bytes;
            _budget.AddInput(bytes);
            return true;
        }
    }

    /// <summary>
    /// Greets, then reads messages (framed and recovered as QEMU's lexer does) and hands each to
    /// <paramref name="protocol"/> until the peer leaves or the server stops; <paramref name="left"/> runs
    /// first when it ends (the server stops counting the connection), then queued replies get a moment to
    /// reach a peer that is still reading.
    /// </summary>
    public async Task RunAsync(QmpProtocolHandler protocol, Action left)
    {
        Exception? error = null;
        var writer = RunWriterAsync();
        try
        {
            Enqueue(protocol.GreetingLine);
            using var reader = new QmpJsonStreamer(CreateReadFunc(), _options.MaxMessageBytes, _options.MaxDepth, AccountInput);
            while (!Token.IsCancellationRequested)
            {
                var input = await reader.ReadAsync(Token).ConfigureAwait(false);
                if (input.Kind == QmpInputKind.EndOfStream)
                {
                    await protocol.CompleteAsync(this).ConfigureAwait(false);
                    return;
                }

                await protocol.HandleAsync(this, input).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping: nothing to report to anyone.
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            left();
            await protocol.StopAsync(this).ConfigureAwait(false);

            // Let replies already queued reach a peer that is still reading, briefly.
            CompleteOutput();
            try
            {
                await writer.WaitAsync(TimeSpan.FromSeconds(2), TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
            }

            Abort(null);
            Session.CloseFileDescriptors();
            QmpLog.SessionEnded(_logger, Session.Id, error);
        }
    }

    /// <summary>Reads the stream; on a unix socket, descriptors sent along (SCM_RIGHTS) go to the session.</summary>
    private QmpReadFunc CreateReadFunc()
    {
        if (Socket is not { } socket || socket.AddressFamily != AddressFamily.Unix || !_options.ReceiveFileDescriptors || !UnixFdInterop.IsSupported)
        {
            return _stream.ReadAsync;
        }

        var received = new List<SafeFileHandle>();
        return async (buffer, ct) =>
        {
            var n = await UnixFdInterop.ReceiveAsync(socket, buffer, received, ct).ConfigureAwait(false);
            foreach (var fd in received)
            {
                if (!Session.AddFileDescriptor(fd, _options.MaxFileDescriptorsPerSession))
                {
                    QmpLog.TooManyFds(_logger, Session.Id);
                }
            }

            received.Clear();
            return n;
        };
    }

    public void Dispose()
    {
        Abort(null);
        _cts.Dispose();
    }
}
