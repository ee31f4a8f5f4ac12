using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// Runs commands for a <see cref="QmpServer"/> (generated dispatch implements this).
/// The server itself handles framing, input checks, negotiation and <c>qmp_capabilities</c>.
/// </summary>
public interface IQmpCommandDispatcher
{
    /// <summary>Whether <paramref name="name"/> is a command; unknown ones get CommandNotFound.</summary>
    bool HasCommand(string name);

    /// <summary>
    /// Whether <paramref name="name"/> may run out of band (QAPI's <c>allow-oob</c>): in the
    /// <see cref="QmpDialect.Modern"/> dialect, <c>exec-oob</c> runs only such commands. None by default.
    /// An out-of-band command may run while an in-band command of its session is still running.
    /// </summary>
    bool AllowsOutOfBand(string name) => false;

    /// <summary>
    /// The dialect this dispatcher's schema speaks when <see cref="QmpServerOptions.Dialect"/> is not set:
    /// a server generated from a QAPI schema says <see cref="QmpDialect.Modern"/>. Null (the default): QEMU 2.1's.
    /// </summary>
    QmpDialect? PreferredDialect => null;

    /// <summary>
    /// The QEMU version this dispatcher's schema was recorded from, greeted with when
    /// <see cref="QmpServerOptions.Greeting"/> is not set: a server generated from a saved answer that
    /// carries <c>query-version</c> says it. Null (the default): the options' greeting (QEMU 2.1.0).
    /// </summary>
    QmpVersion? PreferredVersion => null;

    /// <summary>
    /// Runs a command. <paramref name="arguments"/> is the <c>arguments</c> object, or
    /// <c>default(JsonElement)</c> (ValueKind Undefined) when absent; it is valid only during the call
    /// (Clone() to keep it). Throw <see cref="QmpException"/> for an error reply; any other exception
    /// becomes a GenericError with its message. In-band commands of one session run one at a time, in order.
    /// </summary>
    ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken);
}
