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
    private static readonly QmpJsonReader<JsonElement> s_readElement = static (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);
    private static readonly QmpJsonWriter<JsonElement?> s_writeElement = static (writer, value) => value!.Value.WriteTo(writer);
    private static readonly IReadOnlyList<SafeHandle> s_noFds = [];

    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly QmpClientOptions _options;
    private readonly ILogger _logger;
    private readonly QmpFrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
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
        _reader = new QmpFrameReader(stream, options.MaxMessageBytes, options.MaxDepth) { ReleaseWhenIdle = stream is NetworkStream };
        _replyReaderOptions = new JsonReaderOptions { MaxDepth = options.MaxDepth + 2 };
    }

    // Replies are read with the same depth allowance the frame reader checked them against.
    private readonly JsonReaderOptions _replyReaderOptions;

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
    public int PendingCommandCount
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

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
                        s_readElement,
                        s_noFds,
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
        ExecuteCoreAsync(command, arguments, writeArguments, readResult, s_noFds, cancellationToken);

    /// <summary>Untyped: <paramref name="arguments"/> must be a JSON object when given; returns the <c>return</c> value.</summary>
    public Task<JsonElement> ExecuteAsync(string command, JsonElement? arguments = null, CancellationToken cancellationToken = default) =>
        ExecuteCoreAsync(command, arguments, arguments is null ? null : s_writeElement, s_readElement, s_noFds, cancellationToken);

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
        ExecuteWithFileDescriptorsAsync(command, arguments, arguments is null ? null : s_writeElement, s_readElement, fileDescriptors, cancellationToken);

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

    /// <summary>
    /// Sends a command and returns the task of its reply. Not an async method: when the request goes
    /// out at once (the usual case) the caller's task is all a call allocates.
    /// </summary>
    private Task<TResult> ExecuteCoreAsync<TArgs, TResult>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, QmpJsonReader<TResult> readResult, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        // Failures come back as the task's, as they did when this was an async method.
        if (command is null || readResult is null)
        {
            return Task.FromException<TResult>(new ArgumentNullException(command is null ? nameof(command) : nameof(readResult)));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var pending = PendingCommand<TResult>.Rent(this, command, readResult);
        var reply = pending.Task;
        var token = pending.Arm(_options.CommandTimeout, _options.TimeProvider, cancellationToken);
        if (!TryAddPending(pending, out var id))
        {
            pending.Fail(_closeError ?? new QmpDisconnectedException());
            return reply;
        }

        // Cancelled while being added: its callback found nothing to remove. (Only by id from here: once
        // in the table the command may complete and its state be reused at any moment.)
        if (token.IsCancellationRequested)
        {
            RemovePending(id)?.FailCancelled();
            return reply;
        }

        var send = SendAsync(command, arguments, writeArguments, id, fds, token);
        return send.IsCompletedSuccessfully ? reply : AfterSendAsync(send, reply, id);
    }

    /// <summary>The request is still going out (the write lock was busy) or failed to.</summary>
    private async Task<TResult> AfterSendAsync<TResult>(Task send, Task<TResult> reply, long id)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not sent: fail the command with why, unless a cancellation, timeout or close got there first.
            RemovePending(id)?.Fail(ex);
        }

        return await reply.ConfigureAwait(false);
    }

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
        PendingCommand? pending = null;
        lock (_pendingLock)
        {
            foreach (var (key, candidate) in _pending)
            {
                if (pending is null || key < pending.Id)
                {
                    pending = candidate;
                }
            }

            if (pending is not null)
            {
                _pending.Remove(pending.Id);
            }
        }

        if (pending is not null)
        {
            var limit = kind == QmpFrameKind.TooLarge
                ? $"MaxMessageBytes ({_options.MaxMessageBytes})"
                : $"MaxDepth ({_options.MaxDepth})";
            pending.Fail(new QmpProtocolException($"The reply to {pending.Command} exceeded {limit}."));
        }
    }

    /// <summary>
    /// One message from the server. A reply is read where it lies in the read buffer: one pass over
    /// the top-level members finds <c>return</c>, <c>error</c> and <c>id</c>, and the command's reader
    /// turns the <c>return</c> bytes into its result; no document is built and nothing is copied.
    /// When a member appears twice the last one counts, as with <see cref="JsonDocument"/>.
    /// </summary>
    private void HandleMessage(ReadOnlyMemory<byte> utf8)
    {
        var span = utf8.Span;

        // A message whose strings are not text would throw when read; drop it like invalid JSON.
        if (QmpWire.HasInvalidText(span))
        {
            QmpClientLog.InvalidJson(_logger);
            return;
        }

        Range returnValue = default, error = default, id = default, data = default, timestamp = default;
        bool isReturn = false, isError = false, hasId = false, hasData = false, hasTimestamp = false;
        string? eventName = null;
        try
        {
            var reader = new Utf8JsonReader(span, _replyReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                QmpClientLog.UnexpectedMessage(_logger, QmpClientLog.Excerpt(span));
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = reader.ValueTextEquals("return"u8) ? 1
                    : reader.ValueTextEquals("error"u8) ? 2
                    : reader.ValueTextEquals("id"u8) ? 3
                    : reader.ValueTextEquals("event"u8) ? 4
                    : reader.ValueTextEquals("data"u8) ? 5
                    : reader.ValueTextEquals("timestamp"u8) ? 6
                    : 0;
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (member == 4)
                {
                    // Events repeat a few names: the per-thread table hands the same string out again.
                    eventName = reader.TokenType == JsonTokenType.String ? QmpJsonStrings.Get(ref reader) : null;
                }

                reader.Skip();
                var value = new Range(start, (int)reader.BytesConsumed);
                switch (member)
                {
                    case 1:
                        (isReturn, returnValue) = (true, value);
                        break;
                    case 2:
                        (isError, error) = (true, value);
                        break;
                    case 3:
                        (hasId, id) = (true, value);
                        break;
                    case 5:
                        (hasData, data) = (true, value);
                        break;
                    case 6:
                        (hasTimestamp, timestamp) = (true, value);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            QmpClientLog.InvalidJson(_logger);
            return;
        }

        if (eventName is not null)
        {
            // Read here, in the same pass: the data's bytes are copied out of the read buffer as they
            // are, to be read by the subscriber's typed reader (or into Data when asked for).
            var time = hasTimestamp ? QmpWire.ReadTimestamp(span[timestamp]) : _options.TimeProvider.GetUtcNow();
            PublishEvent(new QmpEvent(eventName, time, hasData ? span[data].ToArray() : null));
            return;
        }

        if (!isReturn && !isError)
        {
            QmpClientLog.UnexpectedMessage(_logger, QmpClientLog.Excerpt(span));
            return;
        }

        string errorClass = "GenericError", description = "";
        if (isError)
        {
            ReadError(span[error], ref errorClass, ref description);
        }

        if (!hasId)
        {
            // A parse error reply: QEMU could not read our id. Not fatal; nothing to match.
            QmpClientLog.ErrorWithoutId(_logger, errorClass, isError ? description : "(return without id)");
            return;
        }

        var idReader = new Utf8JsonReader(span[id]);
        idReader.Read();
        var isNumber = idReader.TokenType == JsonTokenType.Number;
        var pending = isNumber && idReader.TryGetInt64(out var number) ? RemovePending(number) : null;
        if (pending is null)
        {
            // Ids are ours and increase: one we issued is a reply to a cancelled or timed-out command.
            if (isNumber && idReader.TryGetInt64(out number) && number > 0 && number <= Interlocked.Read(ref _nextId))
            {
                QmpClientLog.LateReply(_logger, number);
            }
            else
            {
                QmpClientLog.UnmatchedReply(_logger, QmpClientLog.Excerpt(span[id]));
            }

            return;
        }

        if (isError)
        {
            pending.Fail(new QmpException(errorClass, description, pending.Command));
        }
        else
        {
            pending.Complete(span[returnValue], _replyReaderOptions);
        }
    }

    /// <summary>Reads <c>class</c> and <c>desc</c> of an error object (anything else keeps the defaults).</summary>
    private void ReadError(ReadOnlySpan<byte> error, ref string errorClass, ref string description)
    {
        var reader = new Utf8JsonReader(error, _replyReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isClass = reader.ValueTextEquals("class"u8);
            var isDescription = reader.ValueTextEquals("desc"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && (isClass || isDescription))
            {
                if (isClass)
                {
                    errorClass = reader.GetString()!;
                }
                else
                {
                    description = reader.GetString()!;
                }
            }

            reader.Skip();
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
        foreach (var pending in RemoveAllPending())
        {
            pending.Fail(_closeError);
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
}
