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
/// One server may listen on several addresses: <see cref="Listen"/> then <see cref="AddListener(string)"/>;
/// <see cref="RunSessionAsync"/> serves any duplex stream. Each connection has an output queue bounded
/// in bytes (<see cref="QmpServerOptions.MaxQueuedBytes"/>), and all of them share a server-wide budget for
/// that output and the unfinished requests they are still reading
/// (<see cref="QmpServerOptions.MaxTotalQueuedBytes"/>, <see cref="QmpServerOptions.MaxConnections"/>), so a
/// stalled client never delays others; no message is ever dropped from a queue, a client past a limit is
/// disconnected with a logged reason instead. A command runs while its connection is watched: a client
/// that leaves meanwhile has the command's token cancelled.
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
    private readonly SemaphoreSlim _connectionSlots;
    private long _nextSessionId;
    private long _totalQueuedBytes;
    private long _totalInputBytes;
    private readonly Lock _inputBudget = new();
    private long _accepting;
    private int _disposed;

    private QmpServer(IQmpCommandDispatcher dispatcher, QmpServerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        _dispatcher = dispatcher;
        _options = options ?? new QmpServerOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxClientsPerListener, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConnections, 1);
        _connectionSlots = new SemaphoreSlim(_options.MaxConnections, _options.MaxConnections);
        _greetingLine = QmpWire.BuildServerLine(_options.Greeting, static (w, g) => g.WriteTo(w));
    }

    /// <summary>Creates a server without listeners (add them, or serve streams with <see cref="RunSessionAsync"/>).</summary>
    public static QmpServer Create(IQmpCommandDispatcher dispatcher, QmpServerOptions? options = null) => new(dispatcher, options);

    /// <summary>
    /// Serves a <c>-qmp</c> style address (see <see cref="AddListener(string)"/>): <c>unix:PATH,server,nowait</c>,
    /// <c>tcp:HOST:PORT,server,nowait</c>, <c>stdio</c>, or without <c>server</c> a connection to PATH.
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

    /// <summary>
    /// Adds a monitor address, with QEMU's meaning: <c>unix:PATH,server,nowait</c> listens (socket created
    /// owner-only; a stale socket nobody listens on is replaced, anything else at PATH is refused and left
    /// alone), <c>tcp:HOST:PORT,server,nowait</c> listens (empty HOST or port 0 allowed; see
    /// <see cref="LocalEndPoints"/>), <c>stdio</c> serves one session on stdin/stdout. Without
    /// <c>server</c>, <c>unix:PATH</c> and <c>tcp:HOST:PORT</c> connect to PATH (QEMU's chardev client
    /// mode, for harnesses that listen first) and serve that one connection. A listener serves
    /// <see cref="QmpServerOptions.MaxClientsPerListener"/> clients at a time (1, as QEMU); later ones wait
    /// for their greeting until one leaves. <c>wait</c> is accepted and ignored: startup never blocks.
    /// </summary>
    public QmpServer AddListener(string address)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var parsed = QmpAddress.Parse(address);
        if (parsed.Kind == QmpTransportKind.Stdio)
        {
            Track(RunSessionAsync(QmpTransport.OpenStdio(), _shutdown.Token));
            return this;
        }

        if (!parsed.Server)
        {
            var (stream, client) = ConnectAsClient(parsed);
            var peer = parsed.Kind == QmpTransportKind.Unix ? "unix:" + parsed.Path : client.RemoteEndPoint?.ToString() ?? "tcp";
            Track(RunConnectionAsync(stream, client, peer, null, _shutdown.Token));
            return this;
        }

        Socket socket;
        var createdPath = false;
        if (parsed.Kind == QmpTransportKind.Unix)
        {
            var path = parsed.Path!;
            RemoveStaleSocket(path);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                // Owner-only from the start: Linux gives the socket file the mode of the socket's own inode
                // (less the umask) at bind, so it is set on the descriptor before bind, never by name
                // afterwards, where a link swapped in after bind would be followed (and the umask is the
                // whole process's, so it is left alone).
                if (OperatingSystem.IsLinux())
                {
                    using var descriptor = new SafeFileHandle(socket.Handle, ownsHandle: false);
                    File.SetUnixFileMode(descriptor, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                socket.Bind(new UnixDomainSocketEndPoint(path));
                createdPath = true;
                if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
                {
                    // Elsewhere bind takes the umask alone: owner-only by name, before listen().
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                socket.Listen(64);
            }
            catch
            {
                socket.Dispose();
                if (createdPath)
                {
                    File.Delete(path);
                }

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

        var listener = new Listener(parsed, socket, createdPath, new SemaphoreSlim(_options.MaxClientsPerListener, _options.MaxClientsPerListener));
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
        return Track(RunConnectionAsync(duplex, null, "stream", null, cancellationToken));
    }

    /// <summary>
    /// Serves clients of an already listening socket (an inherited <c>fd=N</c> with <c>server=on</c>), with
    /// the same per-listener limit as <see cref="AddListener(string)"/>; the server owns the socket.
    /// </summary>
    public QmpServer AddListener(Socket listening)
    {
        ArgumentNullException.ThrowIfNull(listening);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var address = listening.LocalEndPoint switch
        {
            UnixDomainSocketEndPoint unix => new QmpAddress(QmpTransportKind.Unix, unix.ToString(), null, 0, true, false),
            IPEndPoint ip => new QmpAddress(QmpTransportKind.Tcp, null, ip.Address.ToString(), ip.Port, true, false),
            _ => new QmpAddress(QmpTransportKind.Unix, "(inherited socket)", null, 0, true, false),
        };
        var listener = new Listener(address, listening, false, new SemaphoreSlim(_options.MaxClientsPerListener, _options.MaxClientsPerListener));
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        Track(AcceptLoopAsync(listener));
        return this;
    }

    /// <summary>Serves one QMP session on an already connected socket (an inherited <c>fd=N</c>); the server owns it.</summary>
    public Task RunSocketSessionAsync(Socket connected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connected);
        var peer = connected.AddressFamily == AddressFamily.Unix ? "unix:socket" : connected.RemoteEndPoint?.ToString() ?? "tcp";
        return Track(RunConnectionAsync(new NetworkStream(connected, ownsSocket: true), connected, peer, null, cancellationToken));
    }

    /// <summary>Bytes queued for output on all connections (with <see cref="BufferedInputBytes"/>, the figure <see cref="QmpServerOptions.MaxTotalQueuedBytes"/> bounds).</summary>
    public long QueuedBytes => Interlocked.Read(ref _totalQueuedBytes);

    /// <summary>Bytes held for requests not yet complete on all connections (counted in <see cref="QmpServerOptions.MaxTotalQueuedBytes"/>).</summary>
    public long BufferedInputBytes => Interlocked.Read(ref _totalInputBytes);

    private long BudgetUsed => Interlocked.Read(ref _totalQueuedBytes) + Interlocked.Read(ref _totalInputBytes);

    /// <summary>QEMU's chardev client mode: connect now, fail now (as QEMU fails at startup).</summary>
    private static (Stream Stream, Socket Socket) ConnectAsClient(QmpAddress address)
    {
        try
        {
            var (stream, socket) = QmpTransport.ConnectAsync(address, CancellationToken.None).GetAwaiter().GetResult();
            return (stream, socket!);
        }
        catch (SocketException ex)
        {
            var target = address.Kind == QmpTransportKind.Unix ? address.Path! : $"{address.Host}:{address.Port}";
            throw new IOException($"Failed to connect to '{target}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Frees PATH for bind only when it holds a socket nobody listens on (left by a process that died);
    /// a live socket or any other file is someone else's and stays (bind then fails with "address in use").
    /// </summary>
    private static void RemoveStaleSocket(string path)
    {
        var kind = UnixPathInfo.Probe(path);
        if (kind == UnixPathInfo.Kind.Missing)
        {
            return;
        }

        if (kind != UnixPathInfo.Kind.Socket)
        {
            throw new IOException($"Failed to bind socket to {path}: Address already in use (not a socket; left untouched)");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }

        throw new IOException($"Failed to bind socket to {path}: Address already in use");
    }

    /// <summary>Broadcasts an event to every negotiated connection; <paramref name="writeData"/> writes the <c>data</c> object.</summary>
    public void EmitEvent(string name, Action<Utf8JsonWriter>? writeData = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var timestamp = _options.TimeProvider.GetUtcNow();
        var line = QmpWire.BuildServerLine((name, writeData, timestamp), static (w, s) =>
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
                connection.Enqueue(line);
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
            while (!_shutdown.IsCancellationRequested)
            {
                // One slot per client this monitor serves at a time (QEMU: one); later clients wait in
                // the kernel's backlog and get their greeting when a slot frees.
                await listener.Slots.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                var serverSlot = false;
                Socket socket;
                try
                {
                    if (!_connectionSlots.Wait(0))
                    {
                        QmpLog.ConnectionBudget(_logger, listener.Address.ToString(), _options.MaxConnections);
                        await _connectionSlots.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                    }

                    serverSlot = true;
                    socket = await AcceptAsync(listener).ConfigureAwait(false);
                }
                catch
                {
                    listener.Slots.Release();
                    if (serverSlot)
                    {
                        _connectionSlots.Release();
                    }

                    throw;
                }

                if (socket.AddressFamily != AddressFamily.Unix)
                {
                    socket.NoDelay = true;
                }

                var remote = socket.AddressFamily == AddressFamily.Unix
                    ? "unix:" + listener.Address.Path
                    : socket.RemoteEndPoint?.ToString() ?? "tcp";
                _ = Track(RunConnectionAsync(new NetworkStream(socket, ownsSocket: true), socket, remote, () =>
                {
                    _connectionSlots.Release();
                    listener.Slots.Release();
                }, _shutdown.Token));
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

    /// <summary>Accepts; out of file descriptors (EMFILE/ENFILE), logs and retries after a pause instead of giving up.</summary>
    private async Task<Socket> AcceptAsync(Listener listener)
    {
        var backoffMs = 0;
        while (true)
        {
            try
            {
                Interlocked.Increment(ref _accepting);
                return await listener.Socket!.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable
                || ex.NativeErrorCode is 23 or 24)
            {
                // EMFILE/ENFILE/ENOBUFS: the pending connection stays queued; wait for descriptors to be
                // freed (10 ms, doubling up to a second) instead of ending the listener.
                backoffMs = Math.Clamp(backoffMs * 2, 10, 1000);
                QmpLog.AcceptBackoff(_logger, listener.Address.ToString(), ex.SocketErrorCode.ToString(), backoffMs);
                await Task.Delay(backoffMs, _shutdown.Token).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _accepting);
            }
        }
    }

    private async Task RunConnectionAsync(Stream stream, Socket? socket, string remote, Action? ended, CancellationToken cancellationToken)
    {
        try
        {
            await ServeConnectionAsync(stream, socket, remote, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ended?.Invoke();
        }
    }

    private async Task ServeConnectionAsync(Stream stream, Socket? socket, string remote, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var id = Interlocked.Increment(ref _nextSessionId);
        using var connection = new Connection(this, stream, socket, id, remote, cancellationToken);
        var session = connection.Session;
        _connections[id] = connection;
        QmpLog.SessionStarted(_logger, id, remote);
        Exception? error = null;
        var writer = connection.RunWriterAsync();
        try
        {
            connection.Enqueue(_greetingLine);
            using var reader = new QmpJsonStreamer(CreateReadFunc(stream, socket, session), _options.MaxMessageBytes, _options.MaxDepth, connection.AccountInput);
            while (!connection.Token.IsCancellationRequested)
            {
                var input = await reader.ReadAsync(connection.Token).ConfigureAwait(false);
                switch (input.Kind)
                {
                    case QmpInputKind.EndOfStream:
                        return;
                    case QmpInputKind.LexicalError or QmpInputKind.TooLarge or QmpInputKind.TooDeep:
                        // QEMU 2.1 answers a lexical error and a message over its token or nesting
                        // limit alike; the lexer has already recovered and reads on.
                        connection.Enqueue(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
                        break;
                    default:
                        // Text that is not Unicode (invalid UTF-8, a lone surrogate escape) is a parse
                        // error, as QEMU's parser has it: refuse the message, keep the connection.
                        if (QmpWire.HasInvalidText(input.Json.Span))
                        {
                            connection.Enqueue(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
                            break;
                        }

                        await HandleRequestAsync(connection, input.Json).ConfigureAwait(false);
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

            connection.Abort(null);
            session.CloseFileDescriptors();
            QmpLog.SessionEnded(_logger, id, error);
        }
    }

    /// <summary>
    /// The server-wide budget is exceeded by output: close the connection that has been stalled longest
    /// (unsent output since the earliest time), else the one holding the most unfinished input, logged,
    /// until the total fits again.
    /// </summary>
    private void EnforceBudget()
    {
        while (BudgetUsed > _options.MaxTotalQueuedBytes)
        {
            var victim = LongestStalled() ?? LargestInput();
            if (victim is null)
            {
                return;
            }

            victim.Abort(BudgetReason(victim));
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> more of the budget for <paramref name="requester"/>'s unfinished
    /// request. When they do not fit, the connection holding the most unfinished input is closed (the
    /// requester itself when that is it), else the longest-stalled one, logged, until they fit.
    /// False when the requester was closed.
    /// </summary>
    private bool ReserveInput(Connection requester, long bytes)
    {
        while (true)
        {
            Connection victim;
            lock (_inputBudget)
            {
                if (BudgetUsed + bytes <= _options.MaxTotalQueuedBytes)
                {
                    return requester.AddInput(bytes);
                }

                victim = LargestInput() ?? LongestStalled() ?? requester;
            }

            victim.Abort(BudgetReason(victim));
            if (victim == requester)
            {
                return false;
            }
        }
    }

    private string BudgetReason(Connection victim) =>
        $"the server's budget of {_options.MaxTotalQueuedBytes} bytes for unsent output and unfinished requests is spent and this client holds "
        + (victim.StalledSince != 0 && victim.InputBytes == 0
            ? $"the output stalled longest ({victim.QueuedBytes} bytes unsent)"
            : $"the most ({victim.InputBytes} bytes of an unfinished request, {victim.QueuedBytes} bytes unsent)");

    private Connection? LongestStalled()
    {
        Connection? oldest = null;
        foreach (var candidate in _connections.Values)
        {
            var since = candidate.StalledSince;
            if (since != 0 && (oldest is null || since < oldest.StalledSince))
            {
                oldest = candidate;
            }
        }

        return oldest;
    }

    private Connection? LargestInput()
    {
        Connection? largest = null;
        foreach (var candidate in _connections.Values)
        {
            if (candidate.InputBytes > (largest?.InputBytes ?? 0))
            {
                largest = candidate;
            }
        }

        return largest;
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
            var n = await UnixFdInterop.ReceiveAsync(socket, buffer, received, ct).ConfigureAwait(false);
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
            if (HasDuplicateKey(doc.RootElement))
            {
                // QEMU's parser refuses an object that names a member twice.
                doc.Dispose();
                connection.Enqueue(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
                return;
            }

        }
        catch (JsonException)
        {
            connection.Enqueue(ErrorLine(default, "GenericError", "Invalid JSON syntax"));
            return;
        }

        using (doc)
        {
            var session = connection.Session;
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                connection.Enqueue(ErrorLine(default, "GenericError", "Expected 'object' in QMP input"));
                return;
            }

            string? command = null;
            JsonElement arguments = default;
            JsonElement id = default;
            var oob = session.Capabilities.Contains("oob");
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "execute":
                    case "exec-oob" when oob:
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            connection.Enqueue(ErrorLine(default, "GenericError", $"QMP input object member '{member.Name}' expects 'string'"));
                            return;
                        }

                        command = member.Value.GetString()!;
                        break;
                    case "arguments":
                        if (member.Value.ValueKind != JsonValueKind.Object)
                        {
                            connection.Enqueue(ErrorLine(default, "GenericError", "QMP input object member 'arguments' expects 'object'"));
                            return;
                        }

                        arguments = member.Value;
                        break;
                    case "id":
                        id = member.Value;
                        break;
                    default:
                        connection.Enqueue(ErrorLine(default, "GenericError", $"QMP input object member '{member.Name}' is unexpected"));
                        return;
                }
            }

            if (command is null)
            {
                connection.Enqueue(ErrorLine(default, "GenericError", "Expected 'execute' in QMP input"));
                return;
            }

            session.BeginCommand();
            try
            {
                // QEMU's order on this connection: the reply, then what the command deferred (its events).
                connection.Enqueue(await ReplyAsync(connection, command, arguments, id).ConfigureAwait(false));
            }
            finally
            {
                RunAfterReply(session.EndCommand());
            }
        }
    }

    private static bool HasDuplicateKey(JsonElement root)
    {
        var pending = new Stack<JsonElement>();
        pending.Push(root);
        HashSet<string>? names = null;
        while (pending.Count > 0)
        {
            var element = pending.Pop();
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        pending.Push(item);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Object)
            {
                names?.Clear();
                foreach (var member in element.EnumerateObject())
                {
                    if (!(names ??= new HashSet<string>(StringComparer.Ordinal)).Add(member.Name))
                    {
                        return true;
                    }

                    if (member.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        pending.Push(member.Value);
                    }
                }
            }
        }

        return false;
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
                result = await DispatchWatchedAsync(connection, command, arguments).ConfigureAwait(false);
            }

            reply = QmpWire.BuildServerLine((result, id), static (w, s) =>
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

    /// <summary>
    /// Runs a command while watching its connection. Requests are read one after another, so while a
    /// command runs nobody reads the socket: a client that left would go unnoticed until the command
    /// ends, and a command waiting on the client (a dump into a pipe nobody drains) would never end.
    /// So the socket is watched (<see cref="WatchForEndAsync"/>); when the client has left, the
    /// command's token is cancelled and the session ends.
    /// </summary>
    private async ValueTask<QmpReturn> DispatchWatchedAsync(Connection connection, string command, JsonElement arguments)
    {
        if (connection.Socket is not { } socket)
        {
            return await _dispatcher.DispatchAsync(command, arguments, connection.Session, connection.Token).ConfigureAwait(false);
        }

        using var peerLeft = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
        using var stopWatching = new CancellationTokenSource();
        var watch = WatchForEndAsync(socket, peerLeft, stopWatching.Token);
        try
        {
            return await _dispatcher.DispatchAsync(command, arguments, connection.Session, peerLeft.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (peerLeft.IsCancellationRequested && !connection.Token.IsCancellationRequested)
        {
            QmpLog.LeftDuringCommand(_logger, connection.Session.Id, command);
            connection.Abort(null);
            throw;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    private static async Task WatchForEndAsync(Socket socket, CancellationTokenSource peerLeft, CancellationToken stop)
    {
        try
        {
            if (socket.AddressFamily == AddressFamily.Unix && UnixFdInterop.IsSupported)
            {
                // A unix peer that closed hangs up; one that only shut down its sending side (as socat does
                // at the end of its input) is still reading its reply and is left alone. Checked now, then
                // after a pause of 10 ms doubling to 200 ms while the command runs.
                for (var pause = 10; !UnixFdInterop.HasHungUp(socket); pause = Math.Min(pause * 2, 200))
                {
                    await Task.Delay(pause, stop).ConfigureAwait(false);
                }
            }
            else if (await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, stop).ConfigureAwait(false) != 0)
            {
                // TCP cannot tell a half-close from a close, so the end of the stream means the client
                // left; a request already waiting stops the watch (it is read after this command).
                return;
            }

            await peerLeft.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Reset or closed: gone as well.
            await peerLeft.CancelAsync().ConfigureAwait(false);
        }
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
                    var name = capability.ValueKind == JsonValueKind.String ? capability.GetString() : null;
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
        QmpWire.BuildServerLine((id, errorClass, description), static (w, s) =>
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

    /// <summary>
    /// Stops listening, lets each connection send what is already queued (up to a second, so a
    /// SHUTDOWN emitted just before reaches its clients), closes every session (pending dispatches see
    /// their token cancelled) and removes the unix socket files this server created.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_listeners)
        {
            foreach (var listener in _listeners)
            {
                listener.Socket?.Dispose();
                if (listener.CreatedPath && UnixPathInfo.Probe(listener.Address.Path!) == UnixPathInfo.Kind.Socket)
                {
                    try
                    {
                        File.Delete(listener.Address.Path!);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }
        }

        var connections = _connections.Values.ToArray();
        foreach (var connection in connections)
        {
            connection.CompleteOutput();
        }

        try
        {
            await Task.WhenAll(connections.Select(c => c.Drained)).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Values)
        {
            connection.Abort(null);
        }

        try
        {
            // A session blocked reading stdin cannot be interrupted: do not wait for it long.
            await Task.WhenAll(_tasks.Keys).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        _shutdown.Dispose();
    }

    private sealed record Listener(QmpAddress Address, Socket? Socket, bool CreatedPath, SemaphoreSlim Slots);

    /// <summary>One connection: its session and its output queue, accounted in bytes here and in the server's total.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly QmpServer _server;
        private readonly Stream _stream;
        private readonly CancellationTokenSource _cts;
        private long _inputBytes;
        private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _accounting = new();
        private long _queuedBytes;
        private long _stalledSince;
        private bool _closed;

        public Connection(QmpServer server, Stream stream, Socket? socket, long id, string remote, CancellationToken cancellationToken)
        {
            _server = server;
            _stream = stream;
            Socket = socket;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Session = new QmpSession(id, remote, _cts.Token);
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
        public bool AccountInput(long bytes) => bytes <= 0 ? AddInput(bytes) : _server.ReserveInput(this, bytes);

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
                Interlocked.Add(ref _server._totalInputBytes, bytes);
                return true;
            }
        }

        /// <summary>Completes when the writer has sent everything (or the connection is gone).</summary>
        public Task Drained => _drained.Task;

        public long QueuedBytes
        {
            get
            {
                lock (_accounting)
                {
                    return _queuedBytes;
                }
            }
        }

        /// <summary>When this connection's output last went from empty to waiting (Stopwatch ticks); 0 while it is all sent.</summary>
        public long StalledSince
        {
            get
            {
                lock (_accounting)
                {
                    return _stalledSince;
                }
            }
        }

        /// <summary>
        /// Queues a message (greeting, reply, error or event: all alike, none is ever dropped). Past the
        /// connection's byte limit the connection is closed, logged; past the server's budget the
        /// longest-stalled connection is.
        /// </summary>
        public void Enqueue(byte[] line)
        {
            var options = _server._options;
            lock (_accounting)
            {
                if (_closed)
                {
                    return;
                }

                if (_queuedBytes + line.Length > options.MaxQueuedBytes)
                {
                    // Closed below, outside the lock.
                }
                else
                {
                    if (_queuedBytes == 0)
                    {
                        _stalledSince = System.Diagnostics.Stopwatch.GetTimestamp();
                    }

                    _queuedBytes += line.Length;
                    Interlocked.Add(ref _server._totalQueuedBytes, line.Length);
                    _output.Writer.TryWrite(line);
                    line = [];
                }
            }

            if (line.Length > 0)
            {
                Abort($"its output queue would exceed {options.MaxQueuedBytes} bytes (the client is not reading)");
                return;
            }

            if (_server.BudgetUsed > options.MaxTotalQueuedBytes)
            {
                _server.EnforceBudget();
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
                        Sent(line.Length);
                    }

                    await _stream.FlushAsync(_cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // The peer is gone: stop reading its requests too.
                Abort(null);
            }
            finally
            {
                _drained.TrySetResult();
            }
        }

        private void Sent(int bytes)
        {
            lock (_accounting)
            {
                if (_closed)
                {
                    return;
                }

                _queuedBytes -= bytes;
                Interlocked.Add(ref _server._totalQueuedBytes, -bytes);
                _stalledSince = _queuedBytes == 0 ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }

        /// <summary>Closes the connection; a non-null <paramref name="reason"/> is logged (a limit closed it).</summary>
        public void Abort(string? reason)
        {
            lock (_accounting)
            {
                if (!_closed)
                {
                    _closed = true;
                    Interlocked.Add(ref _server._totalQueuedBytes, -_queuedBytes);
                    Interlocked.Add(ref _server._totalInputBytes, -_inputBytes);
                    _queuedBytes = 0;
                    _inputBytes = 0;
                    _stalledSince = 0;
                    if (reason is not null)
                    {
                        QmpLog.ClosedByLimit(_server._logger, Session.Id, Session.RemoteEndPoint, reason);
                    }
                }
            }

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
            Abort(null);
            _cts.Dispose();
        }
    }
}
