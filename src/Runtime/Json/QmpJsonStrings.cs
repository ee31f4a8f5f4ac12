using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// Short string values seen again are handed out again instead of allocated: replies and events repeat
/// the same few words (<c>running</c>, a device name, a job status), and a client that polls a thousand
/// VMs would otherwise make the same strings over and over. A small table per thread, no locks; a
/// value that differs from its slot's replaces it.
/// </summary>
internal static class QmpJsonStrings
{
    private const int MaxCachedBytes = 32;
    private const int Slots = 256;

    [ThreadStatic]
    private static string?[]? s_slots;

    public static string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedBytes)
        {
            return reader.GetString()!;
        }

        var bytes = reader.ValueSpan;
        var slots = s_slots ??= new string?[Slots];
        ref var slot = ref slots[Fnv1a.Hash(bytes) & (Slots - 1)];
        if (slot is { } cached && reader.ValueTextEquals(cached))
        {
            return cached;
        }

        return slot = reader.GetString()!;
    }
}
