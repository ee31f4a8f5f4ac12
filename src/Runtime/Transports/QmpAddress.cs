using System.Globalization;

namespace Qmp.Runtime;

/// <summary>Kind of QMP endpoint.</summary>
public enum QmpTransportKind
{
    /// <summary>A unix domain socket path (<c>unix:/run/vm1/qmp.sock</c>); the only one that can pass file descriptors.</summary>
    Unix,

    /// <summary>A TCP host and port (<c>tcp:localhost:4444</c>).</summary>
    Tcp,

    /// <summary>The process's standard input and output (<c>stdio</c>).</summary>
    Stdio,
}

/// <summary>
/// A QMP address in QEMU's <c>-qmp</c> syntax: <c>unix:PATH[,server][,nowait]</c>,
/// <c>tcp:HOST:PORT[,server][,nowait]</c> (HOST may be empty or <c>[v6]</c>), or <c>stdio</c>.
/// Options accept both the old (<c>server,nowait</c>) and new (<c>server=on,wait=off</c>) spellings;
/// a literal comma in a path is written <c>,,</c> as in QEMU.
/// </summary>
public sealed record QmpAddress(QmpTransportKind Kind, string? Path, string? Host, int Port, bool Server, bool Wait)
{
    /// <summary>Parses an address; throws <see cref="FormatException"/> with the reason when it is malformed.</summary>
    public static QmpAddress Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var parts = SplitOptions(address);
        var main = parts[0];
        bool server = false, wait = true;
        for (var i = 1; i < parts.Count; i++)
        {
            var option = parts[i];
            string name = option, value = "on";
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                name = option[..eq];
                value = option[(eq + 1)..];
            }

            switch (name)
            {
                case "server": server = ParseBool(value, option); break;
                case "wait": wait = ParseBool(value, option); break;
                case "nowait": wait = false; break;
                case "": break;
                default:
                    // Other QEMU chardev options (telnet, reconnect, ...) mean nothing to QMP here.
                    break;
            }
        }

        if (main == "stdio")
        {
            return new QmpAddress(QmpTransportKind.Stdio, null, null, 0, server, wait);
        }

        if (main.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = main["unix:".Length..];
            if (path.Length == 0)
            {
                throw new FormatException($"QMP address '{address}': unix socket path is empty.");
            }

            return new QmpAddress(QmpTransportKind.Unix, path, null, 0, server, wait);
        }

        if (main.StartsWith("tcp:", StringComparison.Ordinal))
        {
            var rest = main["tcp:".Length..];
            var colon = rest.LastIndexOf(':');
            if (colon < 0)
            {
                throw new FormatException($"QMP address '{address}': expected tcp:HOST:PORT.");
            }

            var host = rest[..colon];
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw new FormatException($"QMP address '{address}': invalid port '{rest[(colon + 1)..]}'.");
            }

            return new QmpAddress(QmpTransportKind.Tcp, null, host, port, server, wait);
        }

        throw new FormatException($"QMP address '{address}': expected unix:PATH, tcp:HOST:PORT or stdio.");
    }

    /// <summary>Round-trips to the <c>-qmp</c> syntax.</summary>
    public override string ToString()
    {
        var main = Kind switch
        {
            QmpTransportKind.Unix => "unix:" + Path!.Replace(",", ",,", StringComparison.Ordinal),
            QmpTransportKind.Tcp => "tcp:" + (Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture),
            _ => "stdio",
        };
        if (Server)
        {
            main += ",server";
        }

        if (!Wait)
        {
            main += ",nowait";
        }

        return main;
    }

    private static List<string> SplitOptions(string address)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < address.Length; i++)
        {
            if (address[i] == ',')
            {
                if (i + 1 < address.Length && address[i + 1] == ',')
                {
                    current.Append(',');
                    i++;
                    continue;
                }

                parts.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(address[i]);
        }

        parts.Add(current.ToString());
        return parts;
    }

    private static bool ParseBool(string value, string option) => value switch
    {
        "on" or "yes" or "true" or "" => true,
        "off" or "no" or "false" => false,
        _ => throw new FormatException($"QMP address option '{option}': expected on or off."),
    };
}
