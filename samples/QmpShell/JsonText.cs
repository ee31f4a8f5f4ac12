using System.Text.Encodings.Web;
using System.Text.Json;

namespace QmpShell;

/// <summary>How the shell prints JSON: readable text (no \u0027 for a quote), indented or on one line.</summary>
internal static class JsonText
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Pretty(JsonElement value) => JsonSerializer.Serialize(value, Indented);

    public static string OneLine(JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Undefined } v ? JsonSerializer.Serialize(v, Compact) : "{}";
}
