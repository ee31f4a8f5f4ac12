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
        // A well-formed request has one answer whatever the order: its members are checked as they
        // come, and only a fault has them checked again in QEMU's order, to report the fault it meets first.
        var check = new MemberCheck(oobEnabled);
        foreach (var member in root.EnumerateObject())
        {
            if (!check.Take(member))
            {
                check = new MemberCheck(oobEnabled);
                foreach (var inOrder in InQdictOrder(root))
                {
                    if (!check.Take(inOrder))
                    {
                        break;
                    }
                }

                error = check.Error;
                return null;
            }
        }

        return check.Finish(out error);
    }

    /// <summary>qmp_dispatch_check_obj's checks, one member after another; the first fault ends them.</summary>
    private struct MemberCheck(bool oobEnabled)
    {
        private string? _execKey;
        private string? _command;
        private JsonElement _arguments;

        /// <summary>The fault met, in QEMU's words.</summary>
        public string? Error { get; private set; }

        /// <summary>Checks one member; false (and <see cref="Error"/>) at a fault.</summary>
        public bool Take(JsonProperty member)
        {
            var execute = member.NameEquals("execute"u8);
            if (execute || (oobEnabled && member.NameEquals("exec-oob"u8)))
            {
                var name = execute ? "execute" : "exec-oob";
                if (member.Value.ValueKind != JsonValueKind.String)
                {
                    return Fail($"QMP input member '{name}' must be a string");
                }

                if (_execKey is not null)
                {
                    return Fail($"QMP input member '{name}' clashes with '{_execKey}'");
                }

                _execKey = name;
                _command = member.Value.GetString();
            }
            else if (member.NameEquals("arguments"u8))
            {
                if (member.Value.ValueKind != JsonValueKind.Object)
                {
                    return Fail("QMP input member 'arguments' must be an object");
                }

                _arguments = member.Value;
            }
            else if (!member.NameEquals("id"u8))
            {
                return Fail($"QMP input member '{member.Name}' is unexpected");
            }

            return true;
        }

        /// <summary>After the last member: the request, or null when it lacks <c>execute</c>.</summary>
        public readonly QmpModernRequest? Finish(out string? error)
        {
            if (_command is null)
            {
                error = "QMP input lacks member 'execute'";
                return null;
            }

            error = null;
            return new QmpModernRequest(_command, _arguments, _execKey == "exec-oob");
        }

        private bool Fail(string error)
        {
            Error = error;
            return false;
        }
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
