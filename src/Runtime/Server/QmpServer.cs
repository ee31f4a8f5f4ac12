using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime;

/// <summary>
/// A QMP server: greeting on connect, QEMU 2.1 input checks and error messages, per-connection
/// negotiation, <c>qmp_capabilities</c> handled here, other commands sent to an
/// <see cref="IQmpCommandDispatcher"/>, events broadcast to negotiated connections.
/// One server may listen on several addresses: <see cref="Listen"/> then <see cref="AddListener"/>;
/// <see cref="RunSessionAsync"/> serves any duplex stream. Each connection has a bounded output
/// queue (see <see cref="QmpServerOptions.EventQueueLimit"/> and <see cref="QmpServerOptions.MaxQueuedBytes"/>)
/// so a stalled client never delays others.
/// </summary>
public sealed class QmpServer : IAsyncDisposable
{
    private readonly IQmpCommandDispatcher _dispatcher;
    private readonly QmpServerOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _greetingLine;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly List<Listener> _listeners = [];
    private long _nextSessionId;
    private int _disposed;

    private QmpServer(IQmpCommandDispatcher dispatcher, QmpServerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        _dispatcher = dispatcher;
        _options = options ?? new QmpServerOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        _greetingLine = QmpWire.BuildLine(_options.Greeting, static (w, g) => g.WriteTo(w));
    }

    /// <summary>Creates a server without listeners (add them, or serve streams with <see cref="RunSessionAsync"/>).</summary>
    public static QmpServer Create(IQmpCommandDispatcher dispatcher, QmpServerOptions? options = null) => new(dispatcher, options);

    /// <summary>
    /// Listens on a <c>-qmp</c> style address: <c>unix:PATH,server,nowait</c> (socket created owner-only,
    /// an existing file at PATH is replaced as QEMU does), <c>tcp:HOST:PORT,server,nowait</c> (empty HOST or
    /// port 0 allowed; see <see cref="LocalEndPoints"/>), or <c>stdio</c> (one session on stdin/stdout).
    /// The <c>server</c>/<c>wait</c> flags are accepted and ignored: this always serves, never waits.
    /// </summary>
    public static QmpServer Listen(string address, IQmpCommandDispatcher dispatcher, QmpServerOptions? options = null)
    {
        var server = new QmpServer(dispatcher, options);
        try
        {
            server.AddListener(address);
            return server;
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Bound endpoints of the socket listeners (for port 0).</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Where(l => l.Socket is not null).Select(l => l.Socket!.LocalEndPoint!).ToArray();
            }
        }
    }

    /// <summary>Sessions currently connected.</summary>
    public IReadOnlyCollection<QmpSession> Sessions => _connections.Values.Select(c => c.Session).ToArray();

    /// <summary>Adds another listening address to this server.</summary>
    public QmpServer AddListener(string address)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var parsed = QmpAddress.Parse(address);
        if (parsed.Kind == QmpTransportKind.Stdio)
        {
            Track(RunSessionAsync(QmpTransport.OpenStdio(), _shutdown.Token));
            return this;
        }

        Socket socket;
        if (parsed.Kind == QmpTransportKind.Unix)
        {
            string path = parsed.Path!;
            File.Delete(path);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(path));

                // Owner-only before listen(): nobody can connect while the mode is still wider.
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                socket.Listen(64);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        else
        {
            IPAddress ip;
            if (string.IsNullOrEmpty(parsed.Host))
            {
                ip = IPAddress.Any;
            }
            else if (!IPAddress.TryParse(parsed.Host, out ip!))
            {
                ip = Dns.GetHostAddresses(parsed.Host).First();
            }

            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(ip, parsed.Port));
                socket.Listen(64);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        var listener = new Listener(parsed, socket);
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        Track(AcceptLoopAsync(listener));
        return this;
    }

    /// <summary>Serves one QMP session over a duplex stream; completes when the session ends. The server owns the stream.</summary>
    public Task RunSessionAsync(Stream duplex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(duplex);
        return Track(RunConnectionAsync(duplex, null, "stream", cancellationToken));
    }

    /// <summary>Broadcasts an event to every negotiated connection; <paramref name="writeData"/> writes the <c>data</c> object.</summary>
    public void EmitEvent(string name, Action<Utf8JsonWriter>? writeData = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var timestamp = _options.TimeProvider.GetUtcNow();
        byte[] line = QmpWire.BuildLine((name, writeData, timestamp), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("event", s.name);
            if (s.writeData is not null)
            {
                w.WritePropertyName("data");
                s.writeData(w);
            }

            QmpWire.WriteTimestamp(w, s.timestamp);
            w.WriteEndObject();
        });
        foreach (var connection in _connections.Values)
        {
            if (connection.Session.IsNegotiated)
            {
                connection.EnqueueEvent(line);
            }
        }
    }

    /// <summary>Typed variant of <see cref="EmitEvent(string, Action{Utf8JsonWriter}?)"/> for generated code.</summary>
    public void EmitEvent<T>(string name, T data, QmpJsonWriter<T> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        EmitEvent(name, w => writeData(w, data));
    }

    private Task Track(Task task)
    {
        _tasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        try
        {
            int backoffMs = 0;
            while (!_shutdown.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.Socket!.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
                    backoffMs = 0;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable && !_shutdown.IsCancellationRequested)
                {
                    // EMFILE/ENFILE/ENOBUFS: the pending connection stays queued; wait for descriptors to be
                    // freed (doubling up to a second) instead of ending the listener.
                    backoffMs = Math.Clamp(backoffMs * 2, 10, 1000);
                    QmpLog.AcceptBackoff(_logger, listener.Address.ToString(), ex.SocketErrorCode.ToString(), backoffMs);
                    await Task.Delay(backoffMs, _shutdown.Token).ConfigureAwait(false);
                    continue;
                }

                if (socket.AddressFamily != AddressFamily.Unix)
                {
                    socket.NoDelay = true;
                }

                string remote = socket.AddressFamily == AddressFamily.Unix
                    ? "unix:" + listener.Address.Path
                    : socket.RemoteEndPoint?.ToString() ?? "tcp";
                _ = Track(RunConnectionAsync(new NetworkStream(socket, ownsSocket: true), socket, remote, _shutdown.Token));
            }
        }
        catch (Exception ex) when (_shutdown.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        catch (Exception ex)
        {
            QmpLog.ListenerFailed(_logger, listener.Address.ToString(), ex);
        }
    }

    private async Task RunConnectionAsync(Stream stream, Socket? socket, string remote, CancellationToken cancellationToken)
    {
        await Task.Yield();
        long id = Interlocked.Increment(ref _nextSessionId);
        using var connection = new Connection(this, stream, id, remote, cancellationToken);
        var session = connection.Session;
        _connections[id] = connection;
        QmpLog.SessionStarted(_logger, id, remote);
        Exception? error = null;
        var writer = connection.RunWriterAsync();
        try
        {
            connection.EnqueueReply(_greetingLine);
            var reader = new QmpFrameReader(CreateReadFunc(stream, socket, session), _options.MaxMessageBytes, _options.MaxDepth);
            while (!connection.Token.IsCancellationRequested)
            {
                var frame = await reader.ReadAsync(connection.Token).ConfigureAwait(false);
                switch (frame.Kind)
                {
                    case QmpFrameKind.EndOfStream:
                        return;
                    case QmpFrameKind.InvalidJson:
                        connection.EnqueueReply(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
                        break;
                    case QmpFrameKind.TooLarge:
                        connection.EnqueueReply(ErrorLine(default, "GenericError", $"QMP input exceeds the limit of {_options.MaxMessageBytes} bytes"));
                        break;
                    case QmpFrameKind.TooDeep:
                        connection.EnqueueReply(ErrorLine(default, "GenericError", $"QMP input exceeds the nesting limit of {_options.MaxDepth}"));
                        break;
                    default:
                        // Text that is not Unicode (invalid UTF-8, a lone surrogate escape) is a lexical
                        // error, as QEMU's lexer has it: refuse the message, keep the connection.
                        if (QmpWire.HasInvalidText(frame.Utf8.Span))
                        {
                            connection.EnqueueReply(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
                            break;
                        }

                        await HandleRequestAsync(connection, frame.Utf8).ConfigureAwait(false);
                        break;
                }
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
            _connections.TryRemove(id, out _);

            // Let replies already queued reach a peer that is still reading, briefly.
            connection.CompleteOutput();
            try
            {
                await writer.WaitAsync(TimeSpan.FromSeconds(2), TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
            }

            session.CloseFileDescriptors();
            QmpLog.SessionEnded(_logger, id, error);
        }
    }

    private QmpReadFunc CreateReadFunc(Stream stream, Socket? socket, QmpSession session)
    {
        if (socket is null || socket.AddressFamily != AddressFamily.Unix || !_options.ReceiveFileDescriptors || !UnixFdInterop.IsSupported)
        {
            return stream.ReadAsync;
        }

        var received = new List<SafeFileHandle>();
        return async (buffer, ct) =>
        {
            int n = await UnixFdInterop.ReceiveAsync(socket, buffer, received, ct).ConfigureAwait(false);
            foreach (var fd in received)
            {
                if (!session.AddFileDescriptor(fd, _options.MaxFileDescriptorsPerSession))
                {
                    QmpLog.TooManyFds(_logger, session.Id);
                }
            }

            received.Clear();
            return n;
        };
    }

    /// <summary>QEMU 2.1's handle_qmp_command: input checks, then id, then command lookup and mode.</summary>
    private async ValueTask HandleRequestAsync(Connection connection, ReadOnlyMemory<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = _options.MaxDepth + 2 });
        }
        catch (JsonException)
        {
            connection.EnqueueReply(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
            return;
        }

        using (doc)
        {
            var session = connection.Session;
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                connection.EnqueueReply(ErrorLine(default, "GenericError", "Expected 'object' in QMP input"));
                return;
            }

            string? command = null;
            JsonElement arguments = default;
            JsonElement id = default;
            bool oob = session.Capabilities.Contains("oob");
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "execute":
                    case "exec-oob" when oob:
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            connection.EnqueueReply(ErrorLine(default, "GenericError", $"QMP input object member '{member.Name}' expects 'string'"));
                            return;
                        }

                        command = member.Value.GetString()!;
                        break;
                    case "arguments":
                        if (member.Value.ValueKind != JsonValueKind.Object)
                        {
                            connection.EnqueueReply(ErrorLine(default, "GenericError", "QMP input object member 'arguments' expects 'object'"));
                            return;
                        }

                        arguments = member.Value;
                        break;
                    case "id":
                        id = member.Value;
                        break;
                    default:
                        connection.EnqueueReply(ErrorLine(default, "GenericError", $"QMP input object member '{member.Name}' is unexpected"));
                        return;
                }
            }

            if (command is null)
            {
                connection.EnqueueReply(ErrorLine(default, "GenericError", "Expected 'execute' in QMP input"));
                return;
            }

            session.BeginCommand();
            try
            {
                // QEMU's order on this connection: the reply, then what the command deferred (its events).
                connection.EnqueueReply(await ReplyAsync(connection, command, arguments, id).ConfigureAwait(false));
            }
            finally
            {
                RunAfterReply(session.EndCommand());
            }
        }
    }

    /// <summary>Work a command deferred with <see cref="QmpSession.AfterReply"/>, now that its reply is queued.</summary>
    private void RunAfterReply(List<Action>? actions)
    {
        foreach (var action in actions ?? [])
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                QmpLog.CommandFailed(_logger, "after-reply", ex);
            }
        }
    }

    /// <summary>Runs the command (or negotiation) and builds its reply line.</summary>
    private async ValueTask<byte[]> ReplyAsync(Connection connection, string command, JsonElement arguments, JsonElement id)
    {
        var session = connection.Session;
        byte[] reply;
        try
        {
            QmpReturn result;
            if (command == "qmp_capabilities" && !session.IsNegotiated)
            {
                Negotiate(session, arguments);
                result = QmpReturn.Empty;
            }
            else if (!session.IsNegotiated || command == "qmp_capabilities" || !_dispatcher.HasCommand(command))
            {
                // QEMU 2.1 answers a command in the wrong mode exactly like an unknown one.
                throw QmpException.CommandNotFound(command);
            }
            else
            {
                result = await _dispatcher.DispatchAsync(command, arguments, session, connection.Token).ConfigureAwait(false);
            }

            reply = QmpWire.BuildLine((result, id), static (w, s) =>
            {
                w.WriteStartObject();
                w.WritePropertyName("return");
                s.result.WriteTo(w);
                WriteId(w, s.id);
                w.WriteEndObject();
            });
        }
        catch (QmpException ex)
        {
            reply = ErrorLine(id, ex.ErrorClassName, ex.Description);
        }
        catch (OperationCanceledException) when (connection.Token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // .NET's text (and any path in it) stays in the log; the client gets QEMU's generic words.
            QmpLog.CommandFailed(_logger, command, ex);
            reply = ErrorLine(id, "GenericError", QmpServer.UnexpectedErrorDescription);
        }

        return reply;
    }

    /// <summary>What a client is told when a command fails in a way it did not foresee (QEMU's QERR_UNDEFINED_ERROR); the detail is logged.</summary>
    public const string UnexpectedErrorDescription = "An undefined error has occurred";

    private void Negotiate(QmpSession session, JsonElement arguments)
    {
        var enabled = new List<string>();
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in arguments.EnumerateObject())
            {
                if (member.Name != "enable")
                {
                    throw QmpException.Generic($"Invalid parameter '{member.Name}'");
                }

                if (member.Value.ValueKind != JsonValueKind.Array)
                {
                    throw QmpException.Generic("Invalid parameter type for 'enable', expected: array");
                }

                foreach (var capability in member.Value.EnumerateArray())
                {
                    string? name = capability.ValueKind == JsonValueKind.String ? capability.GetString() : null;
                    if (name is null || !_options.Greeting.HasCapability(name))
                    {
                        throw QmpException.Generic($"Capability '{name ?? capability.GetRawText()}' not available");
                    }

                    enabled.Add(name);
                }
            }
        }

        session.Negotiate(enabled);
    }

    private static byte[] ErrorLine(JsonElement id, string errorClass, string description) =>
        QmpWire.BuildLine((id, errorClass, description), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("class", s.errorClass);
            w.WriteString("desc", s.description);
            w.WriteEndObject();
            WriteId(w, s.id);
            w.WriteEndObject();
        });

    private static void WriteId(Utf8JsonWriter writer, JsonElement id)
    {
        if (id.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName("id");
            QmpWire.WriteVerbatim(writer, id);
        }
    }

    /// <summary>Stops listening, closes every session (pending dispatches see their token cancelled) and removes unix socket files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        lock (_listeners)
        {
            foreach (var listener in _listeners)
            {
                listener.Socket?.Dispose();
                if (listener.Address.Kind == QmpTransportKind.Unix)
                {
                    try
                    {
                        File.Delete(listener.Address.Path!);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }

        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }

        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        _shutdown.Dispose();
    }

    private sealed record Listener(QmpAddress Address, Socket? Socket);

    /// <summary>One connection: its session and its output queue.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly QmpServer _server;
        private readonly Stream _stream;
        private readonly CancellationTokenSource _cts;
        private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        private int _queuedCount;
        private long _queuedBytes;

        public Connection(QmpServer server, Stream stream, long id, string remote, CancellationToken cancellationToken)
        {
            _server = server;
            _stream = stream;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Session = new QmpSession(id, remote, _cts.Token);
        }

        public QmpSession Session { get; }

        public CancellationToken Token => _cts.Token;

        /// <summary>Replies always queue; beyond the hard byte limit the connection is closed instead.</summary>
        public void EnqueueReply(byte[] line) => Enqueue(line);

        /// <summary>Events are dropped (and counted) while the queue is at its soft limit.</summary>
        public void EnqueueEvent(byte[] line)
        {
            if (Volatile.Read(ref _queuedCount) >= _server._options.EventQueueLimit)
            {
                Session.CountDroppedEvent();
                return;
            }

            Enqueue(line);
        }

        private void Enqueue(byte[] line)
        {
            long bytes = Interlocked.Add(ref _queuedBytes, line.Length);
            if (bytes > _server._options.MaxQueuedBytes)
            {
                QmpLog.OutputOverflow(_server._logger, Session.Id, _server._options.MaxQueuedBytes);
                Abort();
                return;
            }

            Interlocked.Increment(ref _queuedCount);
            if (!_output.Writer.TryWrite(line))
            {
                Interlocked.Decrement(ref _queuedCount);
                Interlocked.Add(ref _queuedBytes, -line.Length);
            }
        }

        public void CompleteOutput() => _output.Writer.TryComplete();

        public async Task RunWriterAsync()
        {
            try
            {
                var reader = _output.Reader;
                while (await reader.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var line))
                    {
                        await _stream.WriteAsync(line, _cts.Token).ConfigureAwait(false);
                        Interlocked.Decrement(ref _queuedCount);
                        Interlocked.Add(ref _queuedBytes, -line.Length);
                    }

                    await _stream.FlushAsync(_cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // The peer is gone: stop reading its requests too.
                Abort();
            }
        }

        public void Abort()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            _output.Writer.TryComplete();
            _stream.Dispose();
        }

        public void Dispose()
        {
            Abort();
            _cts.Dispose();
        }
    }
}
