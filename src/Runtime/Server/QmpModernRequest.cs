using System.Text;
using System.Text.Json;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Server;

/// <summary>A request's command, its arguments (Undefined when absent) and whether it came as <c>exec-oob</c>.</summary>
internal readonly record struct QmpModernRequest(string Command, JsonElement Arguments, bool OutOfBand)
{
    /// <summary>
    /// qmp_dispatch_check_obj: the members in the order QEMU's QDict lists them (hash bucket, newest
    /// first), so a request with two faults gets the one QEMU reports. Null and <paramref name="error"/>
    /// set when the request is malformed.
    /// </summary>
    public static QmpModernRequest? Check(JsonElement root, bool oobEnabled, out string? error)
    {
        // A well-formed request has one answer whatever the order: only a fault needs QEMU's order.
        if (TryWellFormed(root, oobEnabled) is { } request)
        {
            error = null;
            return request;
        }

        return CheckInQdictOrder(root, oobEnabled, out error);
    }

    /// <summary>The request when nothing in it is wrong (its members read once, in any order); otherwise null.</summary>
    private static QmpModernRequest? TryWellFormed(JsonElement root, bool oobEnabled)
    {
        string? command = null;
        var outOfBand = false;
        JsonElement arguments = default;
        foreach (var member in root.EnumerateObject())
        {
            if (member.NameEquals("execute"u8) || (oobEnabled && member.NameEquals("exec-oob"u8)))
            {
                if (command is not null || member.Value.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                outOfBand = !member.NameEquals("execute"u8);
                command = member.Value.GetString();
            }
            else if (member.NameEquals("arguments"u8))
            {
                if (member.Value.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                arguments = member.Value;
            }
            else if (!member.NameEquals("id"u8))
            {
                return null;
            }
        }

        return command is null ? null : new QmpModernRequest(command, arguments, outOfBand);
    }

    private static QmpModernRequest? CheckInQdictOrder(JsonElement root, bool oobEnabled, out string? error)
    {
        error = null;
        string? execKey = null;
        string? command = null;
        JsonElement arguments = default;
        foreach (var member in InQdictOrder(root))
        {
            var name = member.Name;
            if (name == "execute" || (name == "exec-oob" && oobEnabled))
            {
                if (member.Value.ValueKind != JsonValueKind.String)
                {
                    error = $"QMP input member '{name}' must be a string";
                    return null;
                }

                if (execKey is not null)
                {
                    error = $"QMP input member '{name}' clashes with '{execKey}'";
                    return null;
                }

                execKey = name;
                command = member.Value.GetString();
            }
            else if (name == "arguments")
            {
                if (member.Value.ValueKind != JsonValueKind.Object)
                {
                    error = "QMP input member 'arguments' must be an object";
                    return null;
                }

                arguments = member.Value;
            }
            else if (name != "id")
            {
                error = $"QMP input member '{name}' is unexpected";
                return null;
            }
        }

        if (command is null)
        {
            error = "QMP input lacks member 'execute'";
            return null;
        }

        return new QmpModernRequest(command, arguments, execKey == "exec-oob");
    }

    /// <summary>
    /// qmp_capabilities' arguments as QEMU 7.2's QAPI visitor reads <c>{'*enable': ['QMPCapability']}</c>
    /// (its words, the list element's <c>'null'</c> included); throws <see cref="QmpException"/>.
    /// </summary>
    public static List<string> Capabilities(JsonElement arguments)
    {
        var enabled = new List<string>();
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return enabled;
        }

        if (arguments.TryGetProperty("enable", out var enable))
        {
            if (enable.ValueKind != JsonValueKind.Array)
            {
                throw QmpException.Generic("Invalid parameter type for 'enable', expected: array");
            }

            var index = 0;
            foreach (var capability in enable.EnumerateArray())
            {
                if (capability.ValueKind != JsonValueKind.String)
                {
                    throw QmpException.Generic($"Invalid parameter type for 'enable[{index}]', expected: string");
                }

                var name = capability.GetString()!;
                if (name != "oob")
                {
                    throw QmpException.Generic($"Parameter 'null' does not accept value '{name}'");
                }

                if (!enabled.Contains(name))
                {
                    enabled.Add(name);
                }

                index++;
            }
        }

        foreach (var member in arguments.EnumerateObject())
        {
            if (member.Name != "enable")
            {
                throw QmpException.Generic($"Parameter '{member.Name}' is unexpected");
            }
        }

        return enabled;
    }

    private static IEnumerable<JsonProperty> InQdictOrder(JsonElement root) =>
        root.EnumerateObject()
            .Select((member, index) => (member, index, bucket: QmpWire.QdictBucket(Encoding.UTF8.GetBytes(member.Name))))
            .OrderBy(m => m.bucket)
            .ThenByDescending(m => m.index)
            .Select(m => m.member);
}
