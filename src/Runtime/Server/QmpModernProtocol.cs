using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Server;

/// <summary>
/// QMP as QEMU 7.2 and 10.0 speak it (monitor/qmp.c, qapi/qmp-dispatch.c, monitor/qmp-cmds-control.c),
/// in 7.2's words. A message that is an object with <c>exec-oob</c> and no <c>execute</c> is handled at
/// once, as it is read (QEMU's handle_qmp_command); every other message, errors included, is in-band:
/// run in order, one at a time. Until <c>oob</c> is enabled the read loop waits for each in-band
/// request (QEMU suspends the monitor); once it is, in-band requests queue (at most
/// <see cref="InBandQueueLength"/>, QEMU's QMP_REQ_QUEUE_LEN_MAX, their bytes counted in the server's
/// budget) for a worker while the loop reads on, so an out-of-band command is answered while an
/// in-band one still runs.
/// </summary>
internal sealed class QmpModernProtocol(IQmpCommandDispatcher dispatcher, QmpServerOptions options, ILogger logger, byte[] greetingLine)
    : QmpProtocolHandler(dispatcher, options, logger, greetingLine)
{
    /// <summary>In-band requests queued while oob is enabled (QEMU's QMP_REQ_QUEUE_LEN_MAX).</summary>
    public const int InBandQueueLength = 8;

    private Channel<InBand>? _queue;
    private Task? _worker;
    private volatile bool _inputEnded;

    /// <summary>An in-band request (parsed) or an error to send in its turn, with the bytes it holds.</summary>
    private sealed record InBand(JsonDocument? Request, byte[]? Error, long Bytes);

    public override async ValueTask HandleAsync(QmpConnection connection, QmpInput input)
    {
        switch (input.Kind)
        {
            case QmpInputKind.LexicalError:
                // QEMU quotes the bad token as it read it; bytes that are not UTF-8 print as U+FFFD.
                await InBandAsync(connection, Error($"JSON parse error, stray '{Encoding.UTF8.GetString(input.Json.Span)}'")).ConfigureAwait(false);
                return;
            case QmpInputKind.TooLarge:
                await InBandAsync(connection, Error("JSON token size limit exceeded")).ConfigureAwait(false);
                return;
            case QmpInputKind.TooDeep:
                await InBandAsync(connection, Error("JSON nesting depth limit exceeded")).ConfigureAwait(false);
                return;
        }

        // A queued request outlives the streamer's buffer (the document reads the memory it is given).
        var json = Queuing(connection) ? input.Json.ToArray() : input.Json;
        if (QmpModernJson.Parse(json, Options.MaxDepth + 2, out var parseError) is not { } request)
        {
            await InBandAsync(connection, Error(parseError!)).ConfigureAwait(false);
            return;
        }

        var root = request.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("exec-oob", out _) && !root.TryGetProperty("execute", out _))
        {
            using (request)
            {
                await ProcessAsync(connection, root).ConfigureAwait(false);
            }

            return;
        }

        await InBandAsync(connection, new InBand(request, null, input.Json.Length)).ConfigureAwait(false);
    }

    public override async ValueTask CompleteAsync(QmpConnection connection)
    {
        // The client sent its last request and may still read: finish the queued ones.
        _inputEnded = true;
        if (_queue is not null)
        {
            _queue.Writer.TryComplete();
            await _worker!.ConfigureAwait(false);
        }
    }

    public override async ValueTask StopAsync(QmpConnection connection)
    {
        if (_queue is null)
        {
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            await _worker!.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.Request?.Dispose();
        }
    }

    private static InBand Error(string description) => new(null, ErrorLine(default, "GenericError", description), 0);

    /// <summary>Whether in-band requests queue (oob is enabled) rather than run as they are read.</summary>
    private bool Queuing(QmpConnection connection) => _queue is not null || connection.Session.Capabilities.Contains("oob");

    /// <summary>Runs an in-band item now (oob not enabled: one request at a time) or queues it for the worker.</summary>
    private async ValueTask InBandAsync(QmpConnection connection, InBand item)
    {
        if (!Queuing(connection))
        {
            await RunAsync(connection, item).ConfigureAwait(false);
            return;
        }

        if (_queue is null)
        {
            _queue = Channel.CreateBounded<InBand>(new BoundedChannelOptions(InBandQueueLength) { SingleReader = true, SingleWriter = true });
            _worker = Task.Run(() => RunWorkerAsync(connection));
        }

        if (!connection.AccountInput(item.Bytes))
        {
            item.Request?.Dispose();
            return;
        }

        // A full queue stops the read loop, as QEMU suspends the monitor.
        await _queue.Writer.WriteAsync(item, connection.Token).ConfigureAwait(false);
    }

    private async Task RunWorkerAsync(QmpConnection connection)
    {
        try
        {
            await foreach (var item in _queue!.Reader.ReadAllAsync(connection.Token).ConfigureAwait(false))
            {
                try
                {
                    await RunAsync(connection, item).ConfigureAwait(false);
                }
                finally
                {
                    connection.AccountInput(-item.Bytes);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nobody would drain the queue any more: end the session rather than stall its read loop.
            QmpLog.CommandFailed(Logger, "in-band queue", ex);
            connection.Abort(null);
        }
    }

    private async ValueTask RunAsync(QmpConnection connection, InBand item)
    {
        if (item.Error is not null)
        {
            connection.Enqueue(item.Error);
            return;
        }

        using (item.Request)
        {
            await ProcessAsync(connection, item.Request!.RootElement).ConfigureAwait(false);
        }
    }

    /// <summary>qmp_dispatch: the request's shape, then the command in the session's mode.</summary>
    private async ValueTask ProcessAsync(QmpConnection connection, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            connection.Enqueue(ErrorLine(default, "GenericError", "QMP input must be a JSON object"));
            return;
        }

        var id = root.TryGetProperty("id", out var value) ? value : default;
        var oobEnabled = connection.Session.Capabilities.Contains("oob");
        if (QmpModernRequest.Check(root, oobEnabled, out var error) is not { } request)
        {
            connection.Enqueue(ErrorLine(id, "GenericError", error!));
            return;
        }

        if (request.OutOfBand)
        {
            if (await ReplyAsync(connection, request.Command, request.Arguments, id, outOfBand: true).ConfigureAwait(false) is { } line)
            {
                connection.Enqueue(line);
            }
            return;
        }

        await RunInBandAsync(connection, request.Command, request.Arguments, id).ConfigureAwait(false);
    }

    protected override async ValueTask<QmpReturn> ExecuteAsync(QmpConnection connection, string command, JsonElement arguments, bool outOfBand)
    {
        var session = connection.Session;
        var capabilities = command == "qmp_capabilities";
        if (!session.IsNegotiated && !capabilities)
        {
            // monitor_qmp_dispatch's "more useful" words for any CommandNotFound before negotiation.
            throw new QmpException(QmpErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'", command);
        }

        if (!capabilities && !Dispatcher.HasCommand(command))
        {
            throw QmpException.CommandNotFound(command);
        }

        if (outOfBand && (capabilities || !Dispatcher.AllowsOutOfBand(command)))
        {
            throw QmpException.Generic($"The command {command} does not support OOB");
        }

        if (capabilities)
        {
            var enabled = QmpModernRequest.Capabilities(arguments);
            if (session.IsNegotiated)
            {
                throw new QmpException(QmpErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored", command);
            }

            session.Negotiate(enabled);
            return QmpReturn.Empty;
        }

        if (outOfBand || (_queue is not null && !_inputEnded))
        {
            // The read loop is reading on: a client that leaves is seen there.
            return await Dispatcher.DispatchAsync(command, arguments, session, connection.Token).ConfigureAwait(false);
        }

        return await DispatchWatchedAsync(connection, command, arguments).ConfigureAwait(false);
    }
}
