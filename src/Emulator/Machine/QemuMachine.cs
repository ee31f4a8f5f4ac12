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
public sealed partial class QemuMachine : QemuCommandsBase, IDisposable
{
    public QemuMachine(VirtualMachine vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        Vm = vm;
    }

    /// <summary>The machine this serves.</summary>
    public VirtualMachine Vm { get; }

    private Lock Gate => Vm.Gate;

    /// <summary>Stops writes under way, closes the NBD server's socket and the data dir's handle.</summary>
    public void Dispose()
    {
        _shutdown.Cancel();

        // Exit never waits on the machine lock (a command may hold it): without it, the NBD socket is
        // closed all the same, and what only the lock guards (export flags) no longer matters.
        if (Gate.TryEnter(QemuEmulator.s_signalLockWait))
        {
            try
            {
                StopNbd();
            }
            finally
            {
                Gate.Exit();
            }
        }
        else
        {
            CloseNbdSockets();
        }

        Vm.Images.Dispose();
        Vm.Files?.Dispose();
    }

    /// <summary>QEMU's <c>Device 'NAME' not found</c> (class DeviceNotFound), for whatever names a device, a node or a path.</summary>
    internal static QmpException DeviceNotFound(string device) => new(QmpErrorClass.DeviceNotFound, $"Device '{device}' not found");

    private static QmpException Generic(string message) => QmpException.Generic(message);

    private static QmpException InvalidParameter(string name) => Generic($"Invalid parameter '{name}'");

    private static QmpException InvalidParameterValue(string name, string expected) => Generic($"Parameter '{name}' expects {expected}");

    private static QmpException MissingParameter(string name) => Generic($"Parameter '{name}' is missing");

    /// <summary>
    /// An id a client names, checked before the machine lock: at most <see cref="EmulatorLimits.MaxIdBytes"/>
    /// bytes; with <paramref name="wellFormed"/>, also QEMU's id_wellformed (a letter, then letters, digits,
    /// '-', '.', '_'), which device_add and netdev_add apply and chardev-add does not.
    /// </summary>
    internal static void CheckId(string id, bool wellFormed = false)
    {
        if (wellFormed && !IsWellFormedId(id))
        {
            throw InvalidParameterValue("id", "an identifier");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(id) > EmulatorLimits.MaxIdBytes)
        {
            throw InvalidParameterValue("id", $"at most {EmulatorLimits.MaxIdBytes} bytes");
        }
    }

    /// <summary>QEMU's id_wellformed: a letter, then letters, digits, '-', '.', '_'.</summary>
    internal static bool IsWellFormedId(string id) =>
        id.Length > 0 && char.IsAsciiLetter(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    /// <summary>QEMU's node names: at most 31 bytes (its node_name[32]), else "Node name too long".</summary>
    private static void CheckNodeName(string? nodeName)
    {
        if (nodeName is not null && System.Text.Encoding.UTF8.GetByteCount(nodeName) > 31)
        {
            throw Generic("Node name too long");
        }
    }

    /// <summary>An int member read from raw JSON: anything but a JSON integer in range fails as QEMU's input visitor says it.</summary>
    private static long IntMember(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw Generic($"Invalid parameter type for '{name}', expected: int");

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A member the docs do not name, kept in a generated record's <c>AdditionalProperties</c>.</summary>
    private static JsonElement? ExtraMember(System.Text.Json.Nodes.JsonObject? extra, string name) =>
        extra is not null && extra.TryGetPropertyValue(name, out var value) ? QmpJson.ToElement(value) : null;

    /// <summary>A string member kept in <c>AdditionalProperties</c>.</summary>
    private static string? ExtraString(System.Text.Json.Nodes.JsonObject? extra, string name) =>
        ExtraMember(extra, name) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

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

    private static JsonElement ToJson(string value) => JsonSerializer.SerializeToElement(value, EmulatorJsonContext.Default.String);

    private static JsonElement ToJson(long value) => JsonSerializer.SerializeToElement(value, EmulatorJsonContext.Default.Int64);

    private static JsonElement ToJson(bool value) => JsonSerializer.SerializeToElement(value, EmulatorJsonContext.Default.Boolean);

    /// <summary>
    /// A generated record as the JSON it writes (its typed members and its <c>Extra</c> together), to read
    /// members by name or hand it to the other schema's reader; both personas' one copy. As deep as a
    /// request may nest (the server reads 1024 levels; System.Text.Json's defaults stop at 64 and 1000).
    /// </summary>
    internal static JsonElement AsJson<T>(T value, QmpJsonWriter<T> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = 2048 }))
        {
            write(writer, value);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 2048 });
        return document.RootElement.Clone();
    }

    private Drive FindDrive(string device) =>
        Vm.FindDrive(device) ?? throw DeviceNotFound(device);

    private static ValueTask Done() => ValueTask.CompletedTask;

    private static ValueTask<T> Done<T>(T value) => ValueTask.FromResult(value);
}
