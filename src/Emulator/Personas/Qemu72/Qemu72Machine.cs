using System.Text.Json;
using Qmp.Emulator.Catalogues;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// The QEMU 7.2 persona: <c>qemu-system-x86_64</c> 7.2 on TCG, served from the server generated from its
/// recorded <c>query-qmp-schema</c> answer (Catalogues/qemu-7.2/qemu.qmp-schema.json). Each command is mapped
/// onto the machine state both personas share (<see cref="VirtualMachine"/>, and the 2.1 persona's
/// <see cref="QemuMachine"/> services where the behaviour is the same); what describes the binary rather
/// than the machine is answered from the recorded catalogues (<see cref="QemuCatalogue"/>), exactly for a
/// recorded request (<see cref="DispatchAsync"/>) and as QEMU words it for other ones (the typed members here).
/// A command this class does not override answers CommandNotFound, as a command QEMU lacks.
/// </summary>
internal sealed partial class Qemu72Machine : Qemu72CommandsBase, IQmpCommandDispatcher
{
    private readonly QemuMachine _services;
    private readonly HashSet<string> _recorded;

    public Qemu72Machine(VirtualMachine vm, QemuMachine services, IReadOnlyList<string> accelerators)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(services);
        Vm = vm;
        _services = services;
        Catalogue = QemuCatalogue.Qemu72;
        KvmEnabled = KvmWins(accelerators, KvmUsable);

        // Served straight from the recording when the request is one that was recorded; query-kvm is the host's
        // truth and the migration capabilities are the machine's.
        _recorded = [.. Catalogue.Commands.Where(c => c is not ("query-kvm" or "query-migrate-capabilities") && HasCommand(c))];
        InitMigrationCapabilities();
        AddUnattachedLaunchNodes();
        var version = Catalogue.Exchanges("query-version")[0].Return!.Value.GetProperty("qemu");
        Greeting = new QmpGreeting(
            new QmpVersion(version.GetProperty("major").GetInt32(), version.GetProperty("minor").GetInt32(), version.GetProperty("micro").GetInt32(), Catalogue.Package),
            ["oob"]);
    }

    /// <summary>The machine this serves.</summary>
    public VirtualMachine Vm { get; }

    /// <summary>The recorded binary this persona is.</summary>
    public QemuCatalogue Catalogue { get; }

    /// <summary>The greeting: the recorded version, <c>["oob"]</c>.</summary>
    public QmpGreeting Greeting { get; }

    /// <summary>Whether KVM is the accelerator QEMU would have picked (<c>query-kvm</c>'s <c>enabled</c>).</summary>
    public bool KvmEnabled { get; }

    private Lock Gate => Vm.Gate;

    /// <summary>
    /// A recorded request gets QEMU's recorded reply (its return value, or its error class and words) as QEMU
    /// sent it, member for member. Anything else goes through the generated dispatcher (argument checks in QEMU
    /// 7.2's words, then the typed members); query-qmp-schema is the generated server's own answer, the recording
    /// it was generated from.
    /// </summary>
    public new ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        JsonElement? args = arguments.ValueKind == JsonValueKind.Undefined ? null : arguments;
        if (_recorded.Contains(command) && Catalogue.TryGetReply(command, args, out var exchange))
        {
            ThrowIfError(exchange);
            return ValueTask.FromResult(QmpReturn.FromUtf8(AsInserted(exchange.Return!.Value)));
        }

        return base.DispatchAsync(command, arguments, session, cancellationToken);
    }

    /// <summary>SHUTDOWN for SIGTERM/SIGINT/SIGHUP, in QEMU 7.2's words.</summary>
    internal static void EmitSignalShutdown(QmpServer server) => server.EmitShutdown(false, ShutdownDataReason.HostSignal);

    /// <summary>
    /// A reply QEMU printed, in an order that prints the same again. The server prints members in QEMU's QDict
    /// order (by hash bucket, a bucket's newest member first) from the order they are written; QEMU's output is
    /// already in that order, so each object's members are written reversed: same-bucket members come out as QEMU
    /// printed them, the others are sorted by bucket anyway.
    /// </summary>
    internal static byte[] AsInserted(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = 2048 }))
        {
            Write(writer, value);
        }

        return buffer.WrittenSpan.ToArray();

        static void Write(Utf8JsonWriter writer, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var member in value.EnumerateObject().Reverse())
                    {
                        writer.WritePropertyName(member.Name);
                        Write(writer, member.Value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in value.EnumerateArray())
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    value.WriteTo(writer);
                    break;
            }
        }
    }

    /// <summary>A recorded error, sent with QEMU's class and words.</summary>
    private static void ThrowIfError(CatalogueExchange exchange)
    {
        if (exchange.Error is { } error)
        {
            throw new QmpException(error.GetProperty("class").GetString()!, error.GetProperty("desc").GetString()!);
        }
    }

    /// <summary>The recorded reply to a request without arguments, read as the generated type.</summary>
    private ValueTask<T> Recorded<T>(string command, QmpJsonReader<T> read)
    {
        if (!Catalogue.TryGetReply(command, null, out var exchange))
        {
            throw QmpException.Generic($"The emulator has no recording of {command}");
        }

        ThrowIfError(exchange);
        return ValueTask.FromResult(Read(exchange.Return!.Value, read));
    }

    private static T Read<T>(JsonElement value, QmpJsonReader<T> read)
    {
        var reader = QmpJson.ReaderOf(value);
        return read(ref reader);
    }

    private static QmpJsonReader<IReadOnlyList<T>> ListOf<T>(QmpJsonReader<T> item) => (ref Utf8JsonReader reader) => QmpJson.ReadList(ref reader, item);

    private static ValueTask Done() => ValueTask.CompletedTask;

    private static ValueTask<T> Done<T>(T value) => ValueTask.FromResult(value);

    /// <summary>Whether <c>/dev/kvm</c> opens read-write, as QEMU's kvm_init needs.</summary>
    internal static bool KvmUsable()
    {
        try
        {
            using var kvm = File.OpenHandle("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether QEMU would run on KVM: the first accelerator of the list that can be used wins (kvm only when
    /// <paramref name="kvmUsable"/>; tcg always); an empty list is QEMU 7.2's default for qemu-system-x86_64, tcg then kvm.
    /// </summary>
    internal static bool KvmWins(IReadOnlyList<string> accelerators, Func<bool> kvmUsable)
    {
        foreach (var accelerator in accelerators.Count == 0 ? ["tcg"] : accelerators)
        {
            if (accelerator == "tcg")
            {
                return false;
            }

            if (accelerator == "kvm" && kvmUsable())
            {
                return true;
            }
        }

        return false;
    }
}
