using Qmp.Runtime.Protocol;

namespace Qmp.Runtime;

/// <summary>
/// What a server generated from a QAPI schema (or a saved answer) answers itself, unless its class
/// overrides the command's member: <c>query-qmp-schema</c> from the answer the generator worked out
/// (a constant, written as it is), <c>query-commands</c> from the commands the server serves, and
/// <c>query-version</c> from the version of the session's greeting. Generated code calls these.
/// </summary>
public static class QmpIntrospectionAnswers
{
    /// <summary><c>query-qmp-schema</c>: the generated answer (one JSON array, compact UTF-8), written as it is.</summary>
    public static QmpReturn Schema(ReadOnlyMemory<byte> answer) => QmpReturn.FromUtf8(answer);

    /// <summary>
    /// <c>query-commands</c>'s <c>return</c>, <c>[{"name": ...}, ...]</c>: the names of
    /// <paramref name="order"/> (QEMU's listing order) that <paramref name="served"/> accepts. A server
    /// builds it once; it does not change while the server runs.
    /// </summary>
    public static byte[] Commands(IReadOnlyList<string> order, Func<string, bool> served)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(served);
        return QmpWire.Build((order, served), static (writer, s) =>
        {
            writer.WriteStartArray();
            foreach (var name in s.order)
            {
                if (s.served(name))
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", name);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }, order.Count * 32 + 2);
    }

    /// <summary><c>query-version</c>: <c>{"qemu": {"major": ..., "minor": ..., "micro": ...}, "package": ...}</c>, as the greeting says it.</summary>
    public static QmpReturn Version(QmpVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return QmpReturn.Create(version, static (writer, v) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("qemu");
            writer.WriteNumber("major", v.Major);
            writer.WriteNumber("minor", v.Minor);
            writer.WriteNumber("micro", v.Micro);
            writer.WriteEndObject();
            writer.WriteString("package", v.Package);
            writer.WriteEndObject();
        });
    }
}
