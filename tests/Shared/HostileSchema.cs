using System.Globalization;
using System.Text;

namespace Qmp.Testing;

/// <summary>
/// The hostile <c>query-qmp-schema</c> answer of issue 20 (item 4), made as the attacker made it: a
/// command returning the first of <c>n</c> object types chained through a member <c>next</c>, each
/// with a recursive member <c>self</c> of its own type, and a client description of the same chain
/// that differs from the server's on every link (the client requires <c>c</c>, the server sends
/// <c>s</c> instead), so the check finds differences all along the chain, at paths as deep as the
/// chain is long. 6,000 links make an answer of about 0.9 MB. With <c>crossed</c> the server's
/// recursive member points one link on, so every client type meets every later server type (the
/// pairs a walk that pairs everything with everything would make grow as n squared). One file,
/// linked into each project that needs it.
/// </summary>
internal static class HostileSchema
{
    /// <summary>The command that returns the chain's first type.</summary>
    public const string Command = "chain";

    /// <summary>The client's description: real names <c>Link0</c> ... <c>Link{n-1}</c>.</summary>
    public static string Client(int n) => Build(n, i => "Link" + i.ToString(CultureInfo.InvariantCulture), "c", crossed: false);

    /// <summary>The server's answer: masked names <c>0</c> ... <c>{n-1}</c>, as a live QEMU names types.</summary>
    public static string Server(int n, bool crossed = false) => Build(n, i => i.ToString(CultureInfo.InvariantCulture), "s", crossed);

    private static string Build(int n, Func<int, string> name, string own, bool crossed)
    {
        var w = new StringBuilder(n * 130);
        w.Append("[{\"name\":\"").Append(Command).Append("\",\"meta-type\":\"command\",\"arg-type\":\"q_empty\",\"ret-type\":\"")
            .Append(name(0)).Append("\"}");
        w.Append(",{\"name\":\"q_empty\",\"meta-type\":\"object\",\"members\":[]}");
        w.Append(",{\"name\":\"str\",\"meta-type\":\"builtin\",\"json-type\":\"string\"}");
        for (var i = 0; i < n; i++)
        {
            w.Append(",{\"name\":\"").Append(name(i)).Append("\",\"meta-type\":\"object\",\"members\":[");
            if (i + 1 < n)
            {
                w.Append("{\"name\":\"next\",\"type\":\"").Append(name(i + 1)).Append("\"},");
            }

            var self = crossed && i + 1 < n ? i + 1 : i;
            w.Append("{\"name\":\"self\",\"type\":\"").Append(name(self)).Append("\"},");
            w.Append("{\"name\":\"").Append(own).Append("\",\"type\":\"str\"}]}");
        }
        w.Append(']');
        return w.ToString();
    }
}
