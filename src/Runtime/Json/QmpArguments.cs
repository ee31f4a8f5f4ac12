using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// One argument as QEMU 2.1's monitor checks it before running a command: its name, whether it may
/// be left out, and the JSON type it must have as QEMU names it in errors (<c>string</c>,
/// <c>int</c>, <c>number</c>, <c>bool</c>); <see cref="Type"/> null for an argument it does not type-check.
/// </summary>
public readonly record struct QmpArgumentCheck(string Name, bool Optional, string? Type);

/// <summary>
/// The argument checks and reading that a generated server dispatcher runs for every command:
/// QEMU 2.1's checks, in its order (missing, then unknown, then wrong type), each a
/// <c>GenericError</c> in QEMU's words.
/// </summary>
public static class QmpArguments
{
    /// <summary>
    /// Checks <paramref name="arguments"/> (null: the request had none) against <paramref name="checks"/>.
    /// <paramref name="acceptsAnyKey"/>: members not in the table are accepted (QEMU 2.1's option lists).
    /// </summary>
    /// <exception cref="QmpException">GenericError: <c>Parameter 'device' is missing</c>,
    /// <c>Invalid parameter 'bogus'</c>, <c>Invalid parameter type for 'force', expected: bool</c>.</exception>
    public static void Check(JsonElement? arguments, ReadOnlySpan<QmpArgumentCheck> checks, bool acceptsAnyKey)
    {
        var hasObject = arguments is { ValueKind: JsonValueKind.Object };
        foreach (var check in checks)
        {
            if (!check.Optional && !(hasObject && arguments!.Value.TryGetProperty(check.Name, out _)))
            {
                throw QmpException.Generic($"Parameter '{check.Name}' is missing");
            }
        }
        if (!hasObject)
        {
            return;
        }

        if (!acceptsAnyKey)
        {
            foreach (var member in arguments!.Value.EnumerateObject())
            {
                if (IndexOf(checks, member.Name) < 0)
                {
                    throw QmpException.Generic($"Invalid parameter '{member.Name}'");
                }
            }
        }
        foreach (var member in arguments!.Value.EnumerateObject())
        {
            var index = IndexOf(checks, member.Name);
            if (index < 0 || checks[index].Type is not { } type)
            {
                continue;
            }

            var ok = type switch
            {
                "string" => member.Value.ValueKind == JsonValueKind.String,
                "int" => member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt64(out _),
                "number" => member.Value.ValueKind == JsonValueKind.Number,
                "bool" => member.Value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                _ => true,
            };
            if (!ok)
            {
                throw QmpException.Generic($"Invalid parameter type for '{member.Name}', expected: {type}");
            }
        }
    }

    /// <summary>Reads checked arguments into their record; a shape the record cannot hold is a GenericError in QEMU's words.</summary>
    public static T Read<T>(JsonElement? arguments, QmpJsonReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            var reader = QmpJson.ReaderOf(arguments is { ValueKind: JsonValueKind.Object } ? arguments : null);
            return read(ref reader);
        }
        catch (JsonException exception)
        {
            // QmpJson words every error as QEMU does; Utf8JsonReader's own (malformed text) cannot
            // happen here, as the arguments were parsed already.
            throw QmpException.Generic(exception.Message);
        }
    }

    private static int IndexOf(ReadOnlySpan<QmpArgumentCheck> checks, string name)
    {
        for (var i = 0; i < checks.Length; i++)
        {
            if (checks[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }
}
