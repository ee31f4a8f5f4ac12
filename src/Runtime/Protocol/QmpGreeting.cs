using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>The <c>version</c> member of the QMP greeting.</summary>
public sealed record QmpVersion(int Major, int Minor, int Micro, string Package = "")
{
    /// <summary>"2.1.0", or "7.2.0 (Debian 1:7.2+dfsg-7)" when a package string is present.</summary>
    public override string ToString() =>
        string.IsNullOrWhiteSpace(Package) ? $"{Major}.{Minor}.{Micro}" : $"{Major}.{Minor}.{Micro} ({Package.Trim()})";
}

/// <summary>
/// The greeting a QMP server sends on connect:
/// <c>{"QMP": {"version": {"qemu": {"micro": 0, "minor": 1, "major": 2}, "package": ""}, "capabilities": []}}</c>.
/// </summary>
public sealed record QmpGreeting(QmpVersion Version, IReadOnlyList<string> Capabilities)
{
    /// <summary>QEMU 2.1.0, no capabilities: the release our schema comes from.</summary>
    public static QmpGreeting Qemu21 { get; } = new(new QmpVersion(2, 1, 0), []);

    /// <summary>Whether the server offers a capability such as <c>oob</c>.</summary>
    public bool HasCapability(string name) => Capabilities.Contains(name, StringComparer.Ordinal);

    /// <summary>Writes the whole greeting object.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("QMP");
        writer.WriteStartObject("version");
        writer.WriteStartObject("qemu");
        // QEMU's insertion order; the server prints members in QEMU's QDict order from it (micro, minor, major).
        writer.WriteNumber("major", Version.Major);
        writer.WriteNumber("minor", Version.Minor);
        writer.WriteNumber("micro", Version.Micro);
        writer.WriteEndObject();
        writer.WriteString("package", Version.Package);
        writer.WriteEndObject();
        writer.WriteStartArray("capabilities");
        foreach (var capability in Capabilities)
        {
            writer.WriteStringValue(capability);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Parses a greeting message; throws <see cref="QmpProtocolException"/> when it is not one.</summary>
    public static QmpGreeting Parse(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("QMP", out var qmp) || qmp.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException("Expected a QMP greeting ({\"QMP\": ...}) from the server.");
        }

        int major = 0, minor = 0, micro = 0;
        var package = "";
        if (qmp.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Object)
        {
            if (version.TryGetProperty("qemu", out var qemu) && qemu.ValueKind == JsonValueKind.Object)
            {
                major = GetInt(qemu, "major");
                minor = GetInt(qemu, "minor");
                micro = GetInt(qemu, "micro");
            }

            if (version.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String)
            {
                package = p.GetString() ?? "";
            }
        }

        var capabilities = new List<string>();
        if (qmp.TryGetProperty("capabilities", out var caps) && caps.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in caps.EnumerateArray())
            {
                if (c.ValueKind == JsonValueKind.String)
                {
                    capabilities.Add(c.GetString()!);
                }
            }
        }

        return new QmpGreeting(new QmpVersion(major, minor, micro, package), capabilities);
    }

    private static int GetInt(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : 0;
}
