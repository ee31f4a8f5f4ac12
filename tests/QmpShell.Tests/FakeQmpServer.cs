using System.Collections.Concurrent;
using System.Text.Json;
using Qmp.Runtime;

namespace QmpShell.Tests;

/// <summary>
/// A small QMP server in-process: query-status, stop/cont (with STOP/RESUME events), query-version,
/// and eject failing with DeviceNotFound. It records the arguments each command received. Given a
/// schema, it answers query-qmp-schema with that text (as a hostile server would, whatever it is).
/// </summary>
internal sealed class FakeQmpServer : IQmpCommandDispatcher, IAsyncDisposable
{
    private readonly QmpServer _server;
    private volatile bool _running = true;

    private readonly byte[]? _schema;

    public FakeQmpServer(string? schema = null)
    {
        _schema = schema is null ? null : System.Text.Encoding.UTF8.GetBytes(schema);
        SocketPath = Path.Combine(Path.GetTempPath(), $"qmpshell-{Guid.NewGuid():N}.sock");
        _server = QmpServer.Listen($"unix:{SocketPath},server,nowait", this);
    }

    public string SocketPath { get; }

    public string Address => $"unix:{SocketPath}";

    /// <summary>Command name → the arguments object it last received, as JSON text ("" when none).</summary>
    public ConcurrentDictionary<string, string> Received { get; } = new();

    public void EmitEvent(string name) => _server.EmitEvent(name);

    public bool HasCommand(string name) => name is "query-status" or "stop" or "cont" or "eject" or "query-version" || (name == "query-qmp-schema" && _schema is not null);

    public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
    {
        Received[command] = arguments.ValueKind == JsonValueKind.Undefined ? "" : arguments.GetRawText();
        switch (command)
        {
            case "query-status":
                // QEMU's insertion order; the server writes it in QEMU's output order (status, singlestep, running).
                return Json($$"""{"running": {{(_running ? "true" : "false")}}, "singlestep": false, "status": "{{(_running ? "running" : "paused")}}"}""");
            case "stop":
                _running = false;
                _server.EmitEvent("STOP");
                return ValueTask.FromResult(QmpReturn.Empty);
            case "cont":
                _running = true;
                _server.EmitEvent("RESUME");
                return ValueTask.FromResult(QmpReturn.Empty);
            case "query-qmp-schema" when _schema is not null:
                return ValueTask.FromResult(QmpReturn.FromUtf8(_schema));
            case "query-version":
                return Json("""{"qemu": {"major": 2, "minor": 1, "micro": 0}, "package": " (fake)"}""");
            case "eject":
                var device = arguments.TryGetProperty("device", out var d) ? d.GetString() : null;
                throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{device}' not found");
            default:
                throw QmpException.CommandNotFound(command);
        }
    }

    private static ValueTask<QmpReturn> Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ValueTask.FromResult(QmpReturn.FromJson(document.RootElement));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
    }
}
