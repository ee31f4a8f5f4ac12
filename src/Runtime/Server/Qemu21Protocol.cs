using System.Text.Json;
using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Server;

/// <summary>
/// QEMU 2.1's protocol and words (monitor.c's handle_qmp_command): requests run one at a time in order;
/// before <c>qmp_capabilities</c>, and for it afterwards, a command is answered as unknown.
/// </summary>
internal sealed class Qemu21Protocol(IQmpCommandDispatcher dispatcher, QmpServerOptions options, ILogger logger, byte[] greetingLine)
    : QmpProtocolHandler(dispatcher, options, logger, greetingLine)
{
    private const string InvalidJson = "Invalid JSON syntax";

    public override async ValueTask HandleAsync(QmpConnection connection, QmpInput input)
    {
        switch (input.Kind)
        {
            case QmpInputKind.LexicalError or QmpInputKind.TooLarge or QmpInputKind.TooDeep:
                // QEMU 2.1 answers a lexical error and a message over its token or nesting
                // limit alike; the lexer has already recovered and reads on.
                connection.Enqueue(ErrorLine(default, "GenericError", InvalidJson));
                break;
            default:
                // Text that is not Unicode (invalid UTF-8, a lone surrogate escape) is a parse
                // error, as QEMU's parser has it: refuse the message, keep the connection.
                if (QmpWire.HasInvalidText(input.Json.Span))
                {
                    connection.Enqueue(ErrorLine(default, "GenericError", InvalidJson));
                    break;
                }

                await HandleRequestAsync(connection, input.Json).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>QEMU 2.1's handle_qmp_command: input checks, then id, then command lookup and mode.</summary>
    private async ValueTask HandleRequestAsync(QmpConnection connection, ReadOnlyMemory<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = Options.MaxDepth + 2 });
            if (HasDuplicateKey(doc.RootElement))
            {
                // QEMU's parser refuses an object that names a member twice.
                doc.Dispose();
                connection.Enqueue(ErrorLine(default, "GenericError", InvalidJson));
                return;
            }
        }
        catch (JsonException)
        {
            connection.Enqueue(ErrorLine(default, "GenericError", InvalidJson));
            return;
        }

        using (doc)
        {
            if (CheckRequest(connection, doc.RootElement) is not { } request)
            {
                return;
            }

            await RunInBandAsync(connection, request.Command, request.Arguments, request.Id).ConfigureAwait(false);
        }
    }

    /// <summary>QEMU 2.1's input checks, in the order of the request's members; null when an error was queued.</summary>
    private static (string Command, JsonElement Arguments, JsonElement Id)? CheckRequest(QmpConnection connection, JsonElement root)
    {
        var session = connection.Session;
        if (root.ValueKind != JsonValueKind.Object)
        {
            connection.Enqueue(ErrorLine(default, "GenericError", "Expected 'object' in QMP input"));
            return null;
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
                        return null;
                    }

                    command = member.Value.GetString()!;
                    break;
                case "arguments":
                    if (member.Value.ValueKind != JsonValueKind.Object)
                    {
                        connection.Enqueue(ErrorLine(default, "GenericError", "QMP input object member 'arguments' expects 'object'"));
                        return null;
                    }

                    arguments = member.Value;
                    break;
                case "id":
                    id = member.Value;
                    break;
                default:
                    connection.Enqueue(ErrorLine(default, "GenericError", $"QMP input object member '{member.Name}' is unexpected"));
                    return null;
            }
        }

        if (command is null)
        {
            connection.Enqueue(ErrorLine(default, "GenericError", "Expected 'execute' in QMP input"));
            return null;
        }

        return (command, arguments, id);
    }

    protected override async ValueTask<QmpReturn> ExecuteAsync(QmpConnection connection, string command, JsonElement arguments, bool outOfBand)
    {
        var session = connection.Session;
        if (command == "qmp_capabilities" && !session.IsNegotiated)
        {
            Negotiate(session, arguments);
            return QmpReturn.Empty;
        }

        if (!session.IsNegotiated || command == "qmp_capabilities" || !Dispatcher.HasCommand(command))
        {
            // QEMU 2.1 answers a command in the wrong mode exactly like an unknown one.
            throw QmpException.CommandNotFound(command);
        }

        return await DispatchWatchedAsync(connection, command, arguments).ConfigureAwait(false);
    }

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
                    if (name is null || !Options.Greeting.HasCapability(name))
                    {
                        throw QmpException.Generic($"Capability '{name ?? capability.GetRawText()}' not available");
                    }

                    enabled.Add(name);
                }
            }
        }

        session.Negotiate(enabled);
    }
}
