using System.Buffers;
using System.Text.Json;

namespace Qmp.Emulator.Catalogues;

/// <summary>
/// The catalogues of one QEMU binary as eng/record-qemu-catalogues.sh recorded them (embedded
/// resources Catalogues/qemu-VERSION/*.json): the reply to each probe a launcher sends that describes
/// the binary rather than a machine's state (query-machines, qom-list-types, device-list-properties,
/// ...), by command and arguments, ready to send. QEMU's prose (description, help) is not recorded.
/// </summary>
internal sealed class QemuCatalogue
{
    private const string ResourcePrefix = "Qmp.Emulator.Catalogues.qemu-";
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, QemuCatalogue> s_loaded = new(StringComparer.Ordinal);

    private readonly Dictionary<string, CatalogueExchange[]> _exchanges;
    private readonly Dictionary<(string Command, string Arguments), CatalogueExchange> _byArguments;

    private QemuCatalogue(string version, JsonElement manifest, Dictionary<string, CatalogueExchange[]> exchanges)
    {
        Version = version;
        QemuVersion = manifest.GetProperty("qemu").GetString()!;
        Package = manifest.GetProperty("package").GetString()!;
        Recorded = DateOnly.ParseExact(manifest.GetProperty("recorded").GetString()!, "yyyy-MM-dd");
        _exchanges = exchanges;
        _schema = new Lazy<JsonElement>(() => Parse(version, "qemu.qmp-schema").GetProperty("query-qmp-schema"));
        _byArguments = new Dictionary<(string, string), CatalogueExchange>();
        foreach (var (command, list) in exchanges)
        {
            foreach (var exchange in list)
            {
                // The first recording of a request wins, as the first reply QEMU gave.
                _byArguments.TryAdd((command, CanonicalArguments(exchange.Arguments)), exchange);
            }
        }
    }

    /// <summary>The folder's version, "7.2".</summary>
    public string Version { get; }

    /// <summary>QEMU's version as the manifest records it, "7.2.22".</summary>
    public string QemuVersion { get; }

    /// <summary>query-version's package string of the recorded binary.</summary>
    public string Package { get; }

    /// <summary>The day the files were recorded.</summary>
    public DateOnly Recorded { get; }

    /// <summary>
    /// The binary's <c>query-qmp-schema</c> answer (qemu.qmp-schema.json, the array), read on first use: what the
    /// persona's server is generated from and what it answers <c>query-qmp-schema</c> with.
    /// </summary>
    public JsonElement QmpSchema => _schema.Value;

    private readonly Lazy<JsonElement> _schema;

    /// <summary>Every recorded command, sorted.</summary>
    public IReadOnlyList<string> Commands => [.. _exchanges.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The catalogue of QEMU 7.2 (qemu-system-x86_64, TCG).</summary>
    public static QemuCatalogue Qemu72 => Load("7.2");

    /// <summary>The versions embedded in this assembly ("7.2", ...).</summary>
    public static IReadOnlyList<string> Versions =>
    [
        .. typeof(QemuCatalogue).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".manifest.json", StringComparison.Ordinal))
            .Select(name => name[ResourcePrefix.Length..^".manifest.json".Length])
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>The catalogue of a version in <see cref="Versions"/>, read once and kept.</summary>
    public static QemuCatalogue Load(string version)
    {
        lock (s_gate)
        {
            if (!s_loaded.TryGetValue(version, out var catalogue))
            {
                catalogue = Read(version);
                s_loaded[version] = catalogue;
            }
            return catalogue;
        }
    }

    /// <summary>Every recorded exchange of <paramref name="command"/>, in recording order; empty when not recorded.</summary>
    public IReadOnlyList<CatalogueExchange> Exchanges(string command) =>
        _exchanges.TryGetValue(command, out var list) ? list : [];

    /// <summary>
    /// The recorded reply to <paramref name="command"/> with <paramref name="arguments"/> (an object,
    /// or null/undefined for none; member order does not matter, and no arguments equals {}). False when
    /// that request was not recorded: the persona decides (e.g. DeviceNotFound for an unknown typename).
    /// </summary>
    public bool TryGetReply(string command, JsonElement? arguments, out CatalogueExchange exchange) =>
        _byArguments.TryGetValue((command, CanonicalArguments(arguments)), out exchange);

    /// <summary>Arguments as compact JSON with object members sorted by name; "" for none or {}.</summary>
    internal static string CanonicalArguments(JsonElement? arguments)
    {
        if (arguments is not { } value || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()))
        {
            return "";
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteSorted(writer, value);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    WriteSorted(writer, member.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static QemuCatalogue Read(string version)
    {
        var manifest = Parse(version, "manifest");
        var exchanges = new Dictionary<string, CatalogueExchange[]>(StringComparer.Ordinal);
        foreach (var command in manifest.GetProperty("commands").EnumerateArray())
        {
            var name = command.GetString()!;
            exchanges[name] = [.. Parse(version, name).EnumerateArray().Select(CatalogueExchange.From)];
        }
        return new QemuCatalogue(version, manifest, exchanges);
    }

    // The documents live as long as the process: the catalogue hands out their elements.
    private static JsonElement Parse(string version, string file)
    {
        var resource = $"{ResourcePrefix}{version}.{file}.json";
        using var stream = typeof(QemuCatalogue).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"No embedded catalogue '{resource}'.");
        return JsonDocument.Parse(stream).RootElement;
    }
}

/// <summary>One recorded request and QEMU's answer: exactly one of Return and Error is set.</summary>
/// <param name="Arguments">The request's arguments; null when it had none.</param>
/// <param name="Return">The "return" value QEMU sent.</param>
/// <param name="Error">The "error" object QEMU sent ({"class", "desc"}).</param>
internal readonly record struct CatalogueExchange(JsonElement? Arguments, JsonElement? Return, JsonElement? Error)
{
    internal static CatalogueExchange From(JsonElement exchange) => new(
        exchange.TryGetProperty("arguments", out var arguments) ? arguments : null,
        exchange.TryGetProperty("return", out var value) ? value : null,
        exchange.TryGetProperty("error", out var error) ? error : null);
}
