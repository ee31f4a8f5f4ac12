using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qmp.Runtime;

/// <summary>
/// The members of an open object that its record does not declare (<c>device_add</c>'s device
/// properties beside <c>driver</c>, <c>bus</c> and <c>id</c>): generated readers keep them in the
/// record's <c>AdditionalProperties</c> and writers write them after the declared members. Nodes only
/// (no serializer, no reflection), so trimming and AOT stay clean.
/// </summary>
public static partial class QmpJson
{
    /// <summary>
    /// Keeps the member the reader is on the name of (one the record does not declare) in
    /// <paramref name="members"/>, its value as it arrived (JSON <c>null</c> as a null node); the reader
    /// ends on the value's last token. A member that comes twice keeps its last value.
    /// </summary>
    public static void ReadAdditional(ref Utf8JsonReader reader, JsonObject members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var name = reader.GetString()!;
        reader.Read();
        var value = JsonNode.Parse(ref reader);
        members[name] = value;
    }

    /// <summary>
    /// Writes <paramref name="members"/> into the object being written, after the declared members.
    /// A name the record declares itself (<paramref name="isDeclared"/>) would send the member twice, so
    /// it is refused: <see cref="ArgumentException"/> naming the member and the record's property.
    /// </summary>
    public static void WriteAdditional(Utf8JsonWriter writer, JsonObject? members, string typeName, Func<string, bool> isDeclared)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(isDeclared);
        if (members is null)
        {
            return;
        }

        foreach (var pair in members)
        {
            if (isDeclared(pair.Key))
            {
                throw new ArgumentException(
                    $"{typeName}.AdditionalProperties holds '{pair.Key}', a member {typeName} declares: set it through its property instead.",
                    nameof(members));
            }
        }

        foreach (var pair in members)
        {
            writer.WritePropertyName(pair.Key);
            if (pair.Value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                pair.Value.WriteTo(writer);
            }
        }
    }

    /// <summary>
    /// A node as a <see cref="JsonElement"/> (JSON <c>null</c> for a null node, as a member whose value is
    /// <c>null</c> is held), for code that reads <c>AdditionalProperties</c> with the element API; written
    /// and parsed, no serializer.
    /// </summary>
    public static JsonElement ToElement(JsonNode? node)
    {
        if (node is null)
        {
            return JsonElement.Parse("null"u8);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }

    /// <summary>True when both hold the same members with equal values (JSON equality; order does not count).</summary>
    public static bool SameAdditional(JsonObject? left, JsonObject? right)
    {
        if ((left is null || left.Count == 0) && (right is null || right.Count == 0))
        {
            return true;
        }

        return JsonNode.DeepEquals(left, right);
    }
}
