using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Server;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime;

/// <summary>
/// A QMP server in QEMU 2.1's dialect or the modern one (<see cref="QmpServerOptions.Dialect"/>):
/// greeting on connect, the dialect's input checks and error messages, per-connection
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
/// <remarks>
/// A facade over the pieces in src/Runtime/Server: <see cref="QmpListenerSet"/> (listening and
/// admission), <see cref="QmpConnection"/> (read loop, descriptors, output queue),
/// <see cref="QmpOutputBudget"/> (the server-wide budget) and <see cref="QmpProtocolHandler"/> (the
/// dialect's protocol and words).
/// </remarks>
public sealed class QmpServer : IAsyncDisposable
{
    private readonly IQmpCommandDispatcher _dispatcher;
    private readonly QmpServerOptions _options;
    private readonly QmpDialect _dialect;
    private readonly ILogger _logger;
    private readonly byte[] _greetingLine;
    private readonly QmpVersion _version;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<long, QmpConnection> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly QmpListenerSet _listeners;
    private readonly QmpOutputBudget _budget;
    private long _nextSessionId;
    private int _disposed;

    private QmpServer(IQmpCommandDispatcher dispatcher, QmpServerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        _dispatcher = dispatcher;
        _options = options ?? new QmpServerOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxClientsPerListener, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConnections, 1);
        // The modern dialect offers oob, as QEMU does on every socket monitor.
        _dialect = _options.DialectIfSet ?? dispatcher.PreferredDialect ?? QmpDialect.Qemu21;
        // A saved answer's server stands for the QEMU it was recorded from, unless told which.
        var greeting = _options.GreetingIfSet ?? (dispatcher.PreferredVersion is { } version ? new QmpGreeting(version, []) : _options.Greeting);
        greeting = _dialect == QmpDialect.Modern ? greeting with { Capabilities = ["oob"] } : greeting;
        _version = greeting.Version;
        _greetingLine = QmpWire.BuildServerLine(greeting, static (w, g) => g.WriteTo(w));
        _budget = new QmpOutputBudget(_options.MaxTotalQueuedBytes, _connections);
        _listeners = new QmpListenerSet(_options, _logger,
            (stream, socket, peer, ended) => Track(RunConnectionAsync(stream, socket, peer, ended, _shutdown.Token)), _shutdown.Token);
    }

    /// <summary>What a client is told when a command fails in a way it did not foresee (QEMU's QERR_UNDEFINED_ERROR); the detail is logged.</summary>
    public const string UnexpectedErrorDescription = "An undefined error has occurred";

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
    public IReadOnlyList<EndPoint> LocalEndPoints => _listeners.LocalEndPoints;

    /// <summary>Sessions currently connected.</summary>
    public IReadOnlyCollection<QmpSession> Sessions => _connections.Values.Select(c => c.Session).ToArray();

    /// <summary>Bytes queued for output on all connections (with <see cref="BufferedInputBytes"/>, the figure <see cref="QmpServerOptions.MaxTotalQueuedBytes"/> bounds).</summary>
    public long QueuedBytes => _budget.QueuedBytes;

    /// <summary>Bytes held for requests not yet complete on all connections (counted in <see cref="QmpServerOptions.MaxTotalQueuedBytes"/>).</summary>
    public long BufferedInputBytes => _budget.InputBytes;

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
            Track(RunConnectionAsync(QmpTransport.OpenStdio(), null, "stdio", null, _shutdown.Token));
            return this;
        }

        if (!parsed.Server)
        {
            var (stream, client) = QmpListenerSet.ConnectAsClient(parsed);
            var peer = parsed.Kind == QmpTransportKind.Unix ? "unix:" + parsed.Path : client.RemoteEndPoint?.ToString() ?? "tcp";
            Track(RunConnectionAsync(stream, client, peer, null, _shutdown.Token));
            return this;
        }

        Track(_listeners.Listen(parsed));
        return this;
    }

    /// <summary>
    /// Serves clients of an already listening socket (an inherited <c>fd=N</c> with <c>server=on</c>), with
    /// the same per-listener limit as <see cref="AddListener(string)"/>; the server owns the socket.
    /// </summary>
    public QmpServer AddListener(Socket listening)
    {
        ArgumentNullException.ThrowIfNull(listening);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Track(_listeners.Adopt(listening));
        return this;
    }

    /// <summary>Serves one QMP session over a duplex stream; completes when the session ends. The server owns the stream.</summary>
    public Task RunSessionAsync(Stream duplex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(duplex);
        return Track(RunConnectionAsync(duplex, null, "stream", null, cancellationToken));
    }

    /// <summary>Serves one QMP session on an already connected socket (an inherited <c>fd=N</c>); the server owns it.</summary>
    public Task RunSocketSessionAsync(Socket connected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connected);
        var peer = connected.AddressFamily == AddressFamily.Unix ? "unix:socket" : connected.RemoteEndPoint?.ToString() ?? "tcp";
        return Track(RunConnectionAsync(new NetworkStream(connected, ownsSocket: true), connected, peer, null, cancellationToken));
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

        _listeners.Dispose();
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

    private Task Track(Task task)
    {
        _tasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>One connection's protocol handler in the configured dialect.</summary>
    private QmpProtocolHandler CreateProtocol() => _dialect switch
    {
        QmpDialect.Modern => new QmpModernProtocol(_dispatcher, _options, _logger, _greetingLine),
        _ => new Qemu21Protocol(_dispatcher, _options, _logger, _greetingLine),
    };

    /// <summary>Registers a connection, serves it in the configured dialect, then releases what admitted it.</summary>
    private async Task RunConnectionAsync(Stream stream, Socket? socket, string remote, Action? ended, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            var id = Interlocked.Increment(ref _nextSessionId);
            var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var session = new QmpSession(id, remote, _version, cts.Token);
            using var connection = new QmpConnection(stream, socket, session, cts, _options, _budget, _logger);
            _connections[id] = connection;
            QmpLog.SessionStarted(_logger, id, remote);
            await connection.RunAsync(CreateProtocol(), () => _connections.TryRemove(id, out _)).ConfigureAwait(false);
        }
        finally
        {
            ended?.Invoke();
        }
    }
}
