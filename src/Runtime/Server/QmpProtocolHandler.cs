using System.Text.Json;
using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Server;

/// <summary>
/// The QMP protocol of one connection in one dialect: what a message means,
/// which commands run when, and every word the server says about it. This base holds what every
/// dialect shares: running a command and building its reply (errors included), in QEMU's order.
/// </summary>
internal abstract class QmpProtocolHandler(IQmpCommandDispatcher dispatcher, QmpServerOptions options, ILogger logger, byte[] greetingLine)
{
    protected IQmpCommandDispatcher Dispatcher { get; } = dispatcher;

    protected QmpServerOptions Options { get; } = options;

    protected ILogger Logger { get; } = logger;

    /// <summary>The greeting, sent first on every connection.</summary>
    public byte[] GreetingLine { get; } = greetingLine;

    /// <summary>A message or an input error from the connection's read loop.</summary>
    public abstract ValueTask HandleAsync(QmpConnection connection, QmpInput input);

    /// <summary>The client sent its last request (it may still read): finish what it asked for.</summary>
    public virtual ValueTask CompleteAsync(QmpConnection connection) => default;

    /// <summary>The connection is ending: wait for work still running on it.</summary>
    public virtual ValueTask StopAsync(QmpConnection connection) => default;

    /// <summary>
    /// Resolves a well-formed request in the dialect's terms (negotiation, mode, unknown commands) and
    /// runs it; throws <see cref="QmpException"/> for an error reply.
    /// </summary>
    protected abstract ValueTask<QmpReturn> ExecuteAsync(QmpConnection connection, string command, JsonElement arguments, bool outOfBand);

    /// <summary>
    /// Runs a command and queues its reply, then what the command deferred with
    /// <see cref="QmpSession.AfterReply"/> (its events): QEMU's order on this connection.
    /// </summary>
    protected async ValueTask RunInBandAsync(QmpConnection connection, string command, JsonElement arguments, JsonElement id)
    {
        var session = connection.Session;
        session.BeginCommand();
        byte[]? line = null;
        try
        {
            line = await ReplyAsync(connection, command, arguments, id, outOfBand: false).ConfigureAwait(false);
        }
        finally
        {
            // The session leaves the command before its reply can reach the peer (the writer may send
            // it inline): a peer that has read the reply finds no command running.
            var deferred = session.EndCommand();
            if (line is not null)
            {
                connection.Enqueue(line);
            }

            RunAfterReply(deferred);
        }
    }

    /// <summary>Runs the command (or negotiation) and builds its reply line; null when it answers <see cref="QmpReturn.NoReply"/>.</summary>
    protected async ValueTask<byte[]?> ReplyAsync(QmpConnection connection, string command, JsonElement arguments, JsonElement id, bool outOfBand)
    {
        try
        {
            var result = await ExecuteAsync(connection, command, arguments, outOfBand).ConfigureAwait(false);
            if (result.IsNoReply)
            {
                return null;
            }

            return QmpWire.BuildServerLine((result, id), static (w, s) =>
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
            return ErrorLine(id, ex.ErrorClassName, ex.Description);
        }
        catch (OperationCanceledException) when (connection.Token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // .NET's text (and any path in it) stays in the log; the client gets QEMU's generic words.
            QmpLog.CommandFailed(Logger, command, ex);
            return ErrorLine(id, "GenericError", QmpServer.UnexpectedErrorDescription);
        }
    }

    /// <summary>Runs the command through the dispatcher, watching the connection meanwhile (see <see cref="QmpPeerWatch"/>).</summary>
    protected ValueTask<QmpReturn> DispatchWatchedAsync(QmpConnection connection, string command, JsonElement arguments) =>
        QmpPeerWatch.DispatchAsync(Dispatcher, connection, command, arguments, Logger);

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
                QmpLog.CommandFailed(Logger, "after-reply", ex);
            }
        }
    }

    protected static byte[] ErrorLine(JsonElement id, string errorClass, string description) =>
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

    /// <summary>Whether any object in the document names a member twice (QEMU's parser refuses that).</summary>
    protected static bool HasDuplicateKey(JsonElement root)
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
}
