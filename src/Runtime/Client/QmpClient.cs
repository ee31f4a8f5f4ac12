using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime;

/// <summary>
/// A QMP client: reads the greeting, negotiates capabilities, then runs commands with
/// client-generated ids (many in flight; replies matched by id) and fans events out to subscribers.
/// Thread-safe. On disconnect every pending command fails with <see cref="QmpDisconnectedException"/>,
/// every event subscription completes and <see cref="Completion"/> says why.
/// </summary>
public sealed partial class QmpClient : IAsyncDisposable
{
    private static readonly QmpJsonReader<JsonElement> ReadElement = static (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);
    private static readonly QmpJsonWriter<JsonElement?> WriteElement = static (writer, value) => value!.Value.WriteTo(writer);
    private static readonly IReadOnlyList<SafeHandle> NoFds = [];

    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly QmpClientOptions _options;
    private readonly ILogger _logger;
    private readonly QmpFrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingCommand> _pending = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _eventLock = new();
    private readonly List<QmpEventSubscription> _subscribers = [];
    private readonly LinkedList<QmpEvent> _backlog = new();
    private long _backlogDropped;
    private long _nextId;
    private int _closed;
    private QmpDisconnectedException? _closeError;
    private readonly TaskCompletionSource<QmpDisconnect> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readLoop = Task.CompletedTask;

    private QmpClient(Stream stream, Socket? socket, QmpClientOptions options)
    {
        _stream = stream;
        _socket = socket;
        _options = options;
        _logger = options.Logger ?? options.LoggerFactory?.CreateLogger("Qmp.Runtime.QmpClient") ?? NullLogger.Instance;
        _reader = new QmpFrameReader(stream, options.MaxMessageBytes, options.MaxDepth);
    }

    /// <summary>The server's greeting.</summary>
    public QmpGreeting Greeting { get; private set; } = QmpGreeting.Qemu21;

    /// <summary>Capabilities enabled by negotiation (e.g. <c>oob</c>).</summary>
    public IReadOnlyList<string> EnabledCapabilities { get; private set; } = [];

    /// <summary>False once the connection is gone.</summary>
    public bool IsConnected => Volatile.Read(ref _closed) == 0;

    /// <summary>
    /// Completes when the connection ends, with why (<see cref="QmpDisconnectReason"/>) and when; never
    /// faults. Pending commands have failed by then.
    /// </summary>
    public Task<QmpDisconnect> Completion => _completion.Task;

    /// <summary>Events dropped from the opt-in backlog (<see cref="QmpClientOptions.EventBacklogCapacity"/>).</summary>
    public long EventBacklogDropped => Interlocked.Read(ref _backlogDropped);

    /// <summary>Number of commands awaiting a reply.</summary>
    public int PendingCommandCount => _pending.Count;

    /// <summary>
    /// Connects to <c>unix:/path</c>, <c>tcp:HOST:PORT</c> or <c>stdio</c> (QEMU <c>-qmp</c> syntax;
    /// <c>,server,nowait</c> style options are tolerated and ignored), then greets and negotiates.
    /// A server that is not listening yet is waited for up to <see cref="QmpClientOptions.ConnectTimeout"/>;
    /// a failed connect throws <see cref="QmpConnectException"/> naming the address.
    /// </summary>
    public static async Task<QmpClient> ConnectAsync(string address, QmpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var parsed = QmpAddress.Parse(address);
        options ??= new QmpClientOptions();
        var (stream, socket) = await QmpTransport.ConnectAsync(parsed, options.ConnectTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        return await HandshakeAsync(new QmpClient(stream, socket, options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs QMP over any duplex stream (the client owns and disposes it).</summary>
    public static Task<QmpClient> ConnectAsync(Stream duplex, QmpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(duplex);
        var socket = (duplex as NetworkStream)?.Socket;
        return HandshakeAsync(new QmpClient(duplex, socket, options ?? new QmpClientOptions()), cancellationToken);
    }

    private static async Task<QmpClient> HandshakeAsync(QmpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(client._options.HandshakeTimeout, client._options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            QmpFrame frame;
            try
            {
                frame = await client._reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("No QMP greeting from the server within " + client._options.HandshakeTimeout + ".");
            }

            switch (frame.Kind)
            {
                case QmpFrameKind.EndOfStream:
                    throw new QmpDisconnectedException("The QMP server closed the connection before its greeting.");
                case QmpFrameKind.Message:
                    using (var doc = JsonDocument.Parse(frame.Utf8))
                    {
                        client.Greeting = QmpGreeting.Parse(doc.RootElement);
                    }

                    break;
                default:
                    throw new QmpProtocolException($"Expected a QMP greeting, got {frame.Kind}.");
            }

            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            if (client._options.Negotiate)
            {
                var oob = client._options.EnableOob && client.Greeting.HasCapability("oob");
                try
                {
                    await client.ExecuteCoreAsync(
                        "qmp_capabilities",
                        oob,
                        oob ? static (w, _) => { w.WriteStartObject(); w.WriteStartArray("enable"); w.WriteStringValue("oob"); w.WriteEndArray(); w.WriteEndObject(); }
                    : null,
                        ReadElement,
                        NoFds,
                        linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException("QMP capabilities negotiation did not finish within " + client._options.HandshakeTimeout + ".");
                }

                client.EnabledCapabilities = oob ? ["oob"] : [];
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs a command with typed arguments and result. <paramref name="writeArguments"/> null sends no
    /// <c>arguments</c>. Throws <see cref="QmpException"/> for an error reply, <see cref="TimeoutException"/>
    /// after <see cref="QmpClientOptions.CommandTimeout"/>, <see cref="QmpDisconnectedException"/> when the
    /// connection is lost. A cancelled command's late reply is discarded.
    /// </summary>
    public Task<TResult> ExecuteAsync<TArgs, TResult>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, QmpJsonReader<TResult> readResult, CancellationToken cancellationToken = default) =>
        ExecuteCoreAsync(command, arguments, writeArguments, readResult, NoFds, cancellationToken);

    /// <summary>Untyped: <paramref name="arguments"/> must be a JSON object when given; returns the <c>return</c> value.</summary>
    public Task<JsonElement> ExecuteAsync(string command, JsonElement? arguments = null, CancellationToken cancellationToken = default) =>
        ExecuteCoreAsync(command, arguments, arguments is null ? null : WriteElement, ReadElement, NoFds, cancellationToken);

    /// <summary>
    /// Runs a command with file descriptors attached (SCM_RIGHTS over a unix socket, Linux), as QEMU's
    /// <c>getfd</c> and <c>add-fd</c> expect. The handles stay owned by the caller.
    /// </summary>
    public Task<TResult> ExecuteWithFileDescriptorsAsync<TArgs, TResult>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, QmpJsonReader<TResult> readResult, IReadOnlyList<SafeHandle> fileDescriptors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileDescriptors);
        if (_socket is null || _socket.AddressFamily != System.Net.Sockets.AddressFamily.Unix || !UnixFdInterop.IsSupported)
        {
            throw new NotSupportedException("File descriptors can only be passed over a unix socket on Linux.");
        }

        return ExecuteCoreAsync(command, arguments, writeArguments, readResult, fileDescriptors, cancellationToken);
    }

    /// <summary>Untyped variant of <see cref="ExecuteWithFileDescriptorsAsync{TArgs, TResult}"/>.</summary>
    public Task<JsonElement> ExecuteWithFileDescriptorsAsync(string command, JsonElement? arguments, IReadOnlyList<SafeHandle> fileDescriptors, CancellationToken cancellationToken = default) =>
        ExecuteWithFileDescriptorsAsync(command, arguments, arguments is null ? null : WriteElement, ReadElement, fileDescriptors, cancellationToken);

    /// <summary>
    /// Subscribes to the events that arrive from now on, optionally only those named in
    /// <paramref name="names"/>. Each subscription has its own buffer of <paramref name="capacity"/>
    /// events (oldest dropped when full, counted in <see cref="QmpEventSubscription.DroppedCount"/>).
    /// With the opt-in backlog (<see cref="QmpClientOptions.EventBacklogCapacity"/>), events that arrived
    /// earlier while no subscriber wanted them are delivered first, in order.
    /// Subscribe before sending the command that causes an event; <see cref="ExecuteAndWaitForEventAsync(string, JsonElement?, string, Func{QmpEvent, bool}?, TimeSpan?, CancellationToken)"/>
    /// does both.
    /// </summary>
    /// <param name="names">Wire names of the events wanted (<c>STOP</c>); null for all.</param>
    /// <param name="capacity">Events buffered for this subscriber before the oldest is dropped.</param>
    public QmpEventSubscription SubscribeEvents(IEnumerable<string>? names = null, int capacity = 1024)
    {
        var subscription = new QmpEventSubscription(this, names, capacity, _logger);
        lock (_eventLock)
        {
            if (!IsConnected)
            {
                DrainBacklog(subscription);
                subscription.Complete();
                return subscription;
            }

            DrainBacklog(subscription);
            _subscribers.Add(subscription);
        }

        return subscription;
    }

    internal void Unsubscribe(QmpEventSubscription subscription)
    {
        lock (_eventLock)
        {
            _subscribers.Remove(subscription);
        }
    }

    private void DrainBacklog(QmpEventSubscription subscription)
    {
        for (var node = _backlog.First; node is not null;)
        {
            var next = node.Next;
            if (subscription.Matches(node.Value.Name))
            {
                subscription.Deliver(node.Value);
                _backlog.Remove(node);
            }

            node = next;
        }
    }

    private async Task<TResult> ExecuteCoreAsync<TArgs, TResult>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, QmpJsonReader<TResult> readResult, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(readResult);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();

        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingCommand<TResult>(command, readResult);
        _pending[id] = pending;
        if (!IsConnected && _pending.TryRemove(id, out _))
        {
            ThrowIfClosed();
        }

        using var timeout = _options.CommandTimeout is { } limit ? new CancellationTokenSource(limit, _options.TimeProvider) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        using var registration = token.CanBeCanceled
            ? token.Register(() =>
            {
                if (_pending.TryRemove(id, out var p))
                {
                    p.Fail(timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested
                        ? new TimeoutException($"QMP command {command} got no reply within {_options.CommandTimeout}.")
                        : new OperationCanceledException(cancellationToken));
                }
            })
            : default;

        try
        {
            await SendAsync(command, arguments, writeArguments, id, fds, token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _pending.TryRemove(id, out _);
            if (ex is OperationCanceledException && pending.Task.IsCompleted)
            {
                return await pending.Task.ConfigureAwait(false); // surfaces timeout vs cancel as decided above
            }

            throw;
        }

        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Writes one request. The message is built under the write lock into one buffer and writer
    /// kept for the connection's life, so a round trip allocates no per-request buffers.
    /// </summary>
    private async Task SendAsync<TArgs>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, long id, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            var buffer = _sendBuffer;
            buffer.ResetWrittenCount();
            var writer = _sendWriter ??= new Utf8JsonWriter(buffer, QmpWire.WriterOptions);
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            if (writeArguments is not null)
            {
                writer.WritePropertyName("arguments");
                writeArguments(writer, arguments);
            }

            writer.WriteNumber("id", id);
            writer.WriteEndObject();
            writer.Flush();
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                QmpClientLog.Sent(_logger, QmpClientLog.Excerpt(buffer.WrittenSpan));
            }

            buffer.Write("\r\n"u8);

            // Once writing starts it is not cancelled: half a message would desynchronise the stream.
            if (fds.Count > 0)
            {
                await UnixFdInterop.SendAsync(_socket!, buffer.WrittenMemory, fds, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _stream.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            // A huge request (tens of MB of arguments) should not pin its buffer for the connection's life.
            if (buffer.Capacity > MaxRetainedSendBuffer)
            {
                _sendBuffer = new ArrayBufferWriter<byte>(InitialSendBuffer);
                _sendWriter = null;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException && ex is not QmpDisconnectedException)
        {
            Close(QmpDisconnectReason.ConnectionLost, ex);
            throw _closeError!;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private const int InitialSendBuffer = 1024;
    private const int MaxRetainedSendBuffer = 1 << 20;
    private ArrayBufferWriter<byte> _sendBuffer = new(InitialSendBuffer);
    private Utf8JsonWriter? _sendWriter;

    private void ThrowIfClosed()
    {
        if (!IsConnected)
        {
            throw _closeError ?? new QmpDisconnectedException();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        var reason = QmpDisconnectReason.ClosedByServer;
        try
        {
            while (true)
            {
                var frame = await _reader.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                switch (frame.Kind)
                {
                    case QmpFrameKind.EndOfStream:
                        return;
                    case QmpFrameKind.InvalidJson:
                        QmpClientLog.InvalidJson(_logger);
                        break;
                    case QmpFrameKind.TooLarge or QmpFrameKind.TooDeep:
                        QmpClientLog.OverLimit(_logger, frame.Kind);
                        FailOldestPending(frame.Kind);
                        break;
                    default:
                        if (_logger.IsEnabled(LogLevel.Trace))
                        {
                            QmpClientLog.Received(_logger, QmpClientLog.Excerpt(frame.Utf8.Span));
                        }

                        HandleMessage(frame.Utf8);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            reason = QmpDisconnectReason.ClosedByClient;
        }
        catch (Exception ex)
        {
            error = ex;
            reason = QmpDisconnectReason.ConnectionLost;
        }
        finally
        {
            Close(reason, error);
        }
    }

    /// <summary>
    /// A reply over a limit has unreadable id. QEMU answers in order (without oob), so it belongs to
    /// the oldest pending command, which would otherwise wait forever.
    /// </summary>
    private void FailOldestPending(QmpFrameKind kind)
    {
        var oldest = long.MaxValue;
        foreach (var key in _pending.Keys)
        {
            oldest = Math.Min(oldest, key);
        }

        if (oldest != long.MaxValue && _pending.TryRemove(oldest, out var pending))
        {
            var limit = kind == QmpFrameKind.TooLarge
                ? $"MaxMessageBytes ({_options.MaxMessageBytes})"
                : $"MaxDepth ({_options.MaxDepth})";
            pending.Fail(new QmpProtocolException($"The reply to {pending.Command} exceeded {limit}."));
        }
    }

    private void HandleMessage(ReadOnlyMemory<byte> utf8)
    {
        // A message whose strings are not text would throw when read; drop it like invalid JSON.
        if (QmpWire.HasInvalidText(utf8.Span))
        {
            QmpClientLog.InvalidJson(_logger);
            return;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = _options.MaxDepth + 2 });
        }
        catch (JsonException)
        {
            QmpClientLog.InvalidJson(_logger);
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                QmpClientLog.UnexpectedMessage(_logger, Truncate(root.GetRawText()));
                return;
            }

            if (root.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String)
            {
                var data = root.TryGetProperty("data", out var d) ? d.Clone() : (JsonElement?)null;
                var timestamp = root.TryGetProperty("timestamp", out var t) ? QmpWire.ReadTimestamp(t) : _options.TimeProvider.GetUtcNow();
                PublishEvent(new QmpEvent(name.GetString()!, data, timestamp));
                return;
            }

            var isReturn = root.TryGetProperty("return", out var returnValue);
            var isError = root.TryGetProperty("error", out var error);
            if (!isReturn && !isError)
            {
                QmpClientLog.UnexpectedMessage(_logger, Truncate(root.GetRawText()));
                return;
            }

            string errorClass = "GenericError", description = "";
            if (isError && error.ValueKind == JsonValueKind.Object)
            {
                if (error.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    errorClass = c.GetString()!;
                }

                if (error.TryGetProperty("desc", out var ds) && ds.ValueKind == JsonValueKind.String)
                {
                    description = ds.GetString()!;
                }
            }

            if (!root.TryGetProperty("id", out var idElement))
            {
                // A parse error reply: QEMU could not read our id. Not fatal; nothing to match.
                QmpClientLog.ErrorWithoutId(_logger, errorClass, isError ? description : "(return without id)");
                return;
            }

            if (!idElement.TryGetInt64(out var id) || !_pending.TryRemove(id, out var pending))
            {
                // Ids are ours and increase: one we issued is a reply to a cancelled or timed-out command.
                if (idElement.ValueKind == JsonValueKind.Number && id > 0 && id <= Interlocked.Read(ref _nextId))
                {
                    QmpClientLog.LateReply(_logger, id);
                }
                else
                {
                    QmpClientLog.UnmatchedReply(_logger, Truncate(idElement.GetRawText()));
                }

                return;
            }

            if (isError)
            {
                pending.Fail(new QmpException(errorClass, description, pending.Command));
            }
            else
            {
                pending.Complete(returnValue);
            }
        }
    }

    private void PublishEvent(QmpEvent qmpEvent)
    {
        lock (_eventLock)
        {
            var delivered = false;
            foreach (var subscriber in _subscribers)
            {
                if (subscriber.Matches(qmpEvent.Name))
                {
                    subscriber.Deliver(qmpEvent);
                    delivered = true;
                }
            }

            if (!delivered && _options.EventBacklogCapacity > 0)
            {
                _backlog.AddLast(qmpEvent);
                if (_backlog.Count > _options.EventBacklogCapacity)
                {
                    QmpClientLog.BacklogDropped(_logger, _options.EventBacklogCapacity, _backlog.First!.Value.Name);
                    _backlog.RemoveFirst();
                    _backlogDropped++;
                }
            }
        }
    }

    private void Close(QmpDisconnectReason reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        _closeError = reason switch
        {
            QmpDisconnectReason.ClosedByServer => new QmpDisconnectedException("The QMP server closed the connection."),
            QmpDisconnectReason.ConnectionLost => new QmpDisconnectedException("The QMP connection was lost: " + error?.Message, error),
            _ => new QmpDisconnectedException("The QMP connection was closed."),
        };
        if (reason == QmpDisconnectReason.ConnectionLost)
        {
            QmpClientLog.Lost(_logger, error);
        }
        else
        {
            QmpClientLog.Closed(_logger, reason);
        }
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Fail(_closeError);
            }
        }

        lock (_eventLock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete();
            }

            _subscribers.Clear();
        }

        _shutdown.Cancel();
        _stream.Dispose();
        _completion.TrySetResult(new QmpDisconnect(reason, _options.TimeProvider.GetUtcNow(), _closeError));
    }

    /// <summary>Closes the connection; pending commands fail with <see cref="QmpDisconnectedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(QmpDisconnectReason.ClosedByClient, null);
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        _shutdown.Dispose();
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";

    private abstract class PendingCommand(string command)
    {
        public string Command { get; } = command;

        public abstract void Complete(JsonElement returnValue);

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingCommand<T>(string command, QmpJsonReader<T> read) : PendingCommand(command)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Complete(JsonElement returnValue)
        {
            try
            {
                var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(returnValue));
                reader.Read();
                _completion.TrySetResult(read(ref reader));
            }
            catch (JsonException ex)
            {
                var path = ex.Path is null or "" ? "return" : ex.Path.StartsWith('[') ? "return" + ex.Path : "return." + ex.Path;
                _completion.TrySetException(new QmpReplyException(Command, path, returnValue.GetRawText(), ex));
            }
            catch (Exception ex)
            {
                _completion.TrySetException(new QmpProtocolException($"Could not read the reply to {Command}: {ex.Message}", ex));
            }
        }

        public override void Fail(Exception exception)
        {
            if (exception is OperationCanceledException oce)
            {
                _completion.TrySetCanceled(oce.CancellationToken);
            }
            else
            {
                _completion.TrySetException(exception);
            }
        }
    }
}
