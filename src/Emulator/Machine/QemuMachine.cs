using System.Globalization;
using System.Text.Json;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

/// <summary>
/// Serves every command of the QEMU 2.1 schema against a <see cref="VirtualMachine"/>. The generated
/// <see cref="QemuCommandsBase"/> validates arguments; each area of the machine lives in its own file.
/// </summary>
public sealed partial class QemuMachine : QemuCommandsBase, IQmpCommandDispatcher, IDisposable
{
    private static readonly AsyncLocal<CallContext?> s_call = new();

    public QemuMachine(VirtualMachine vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        Vm = vm;
    }

    /// <summary>The machine this serves.</summary>
    public VirtualMachine Vm { get; }

    private Lock Gate => Vm.Gate;

    /// <summary>
    /// The request's raw <c>arguments</c>: the generated argument records keep only members the docs'
    /// examples show (e.g. a chardev backend's <c>data</c>), so handlers read the rest from here.
    /// </summary>
    private static JsonElement RawArguments => s_call.Value?.Arguments ?? default;

    /// <summary>Per-request state shared between the dispatcher and a handler (an object, so a handler's writes flow back).</summary>
    private sealed class CallContext
    {
        public JsonElement Arguments { get; init; }
        public JsonElement? Reply { get; set; }
    }

    async ValueTask<QmpReturn> IQmpCommandDispatcher.DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var call = new CallContext { Arguments = arguments.ValueKind == JsonValueKind.Undefined ? default : arguments.Clone() };
        s_call.Value = call;
        var result = await DispatchAsync(command, arguments, session, cancellationToken).ConfigureAwait(false);
        return command switch
        {
            // The generated return types are derived from the docs and narrower than QEMU's replies here:
            // migrate-set-capabilities returns {} and qom-get any JSON value.
            "migrate-set-capabilities" => QmpReturn.Empty,
            "qom-get" when call.Reply is { } value => QmpReturn.FromJson(value),
            _ => result,
        };
    }

    /// <summary>Closes the NBD server's socket.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            StopNbd();
        }
    }

    private static QmpException DeviceNotFound(string device) => new(QmpErrorClass.DeviceNotFound, $"Device '{device}' not found");

    private static QmpException Generic(string message) => QmpException.Generic(message);

    private static QmpException InvalidParameter(string name) => Generic($"Invalid parameter '{name}'");

    private static QmpException InvalidParameterValue(string name, string expected) => Generic($"Parameter '{name}' expects {expected}");

    private static QmpException MissingParameter(string name) => Generic($"Parameter '{name}' is missing");

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonElement? RawMember(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static string? RawString(JsonElement element, params string[] path) =>
        RawMember(element, path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    private static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value);

    private Drive FindDrive(string device) =>
        Vm.Drives.FirstOrDefault(d => d.Id == device) ?? throw DeviceNotFound(device);

    private static ValueTask Done() => ValueTask.CompletedTask;

    private static ValueTask<T> Done<T>(T value) => ValueTask.FromResult(value);
}
