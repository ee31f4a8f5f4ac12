using Microsoft.Extensions.Logging;

namespace Qmp.Runtime;

/// <summary>Options for <see cref="QmpClient"/>.</summary>
public sealed class QmpClientOptions
{
    /// <summary>Ask for the <c>oob</c> capability when the server offers it (QEMU 2.12+).</summary>
    public bool EnableOob { get; set; }

    /// <summary>Send <c>qmp_capabilities</c> after the greeting (default). Off only for protocol tests.</summary>
    public bool Negotiate { get; set; } = true;

    /// <summary>Largest message accepted from the server; a bigger reply fails the oldest pending command.</summary>
    public int MaxMessageBytes { get; set; } = QmpLimits.DefaultClientMaxMessageBytes;

    /// <summary>Deepest nesting accepted from the server.</summary>
    public int MaxDepth { get; set; } = QmpLimits.DefaultMaxDepth;

    /// <summary>Per-command timeout (measured with <see cref="TimeProvider"/>); null means none.</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>
    /// How long <see cref="QmpClient.ConnectAsync(string, QmpClientOptions?, CancellationToken)"/> waits for a
    /// server that does not listen yet (a QEMU still starting: its unix socket not there yet, or there and
    /// refusing; a TCP port that refuses), trying again after a short pause (10 ms, doubling up to 250 ms,
    /// measured with <see cref="TimeProvider"/>). Null, the default, tries once. Either way a failure is a
    /// <see cref="QmpConnectException"/> naming the address.
    /// </summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Time allowed for greeting plus negotiation.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opt-in backlog: how many events that no subscriber's filter matched to keep (oldest dropped
    /// beyond it, counted in <see cref="QmpClient.EventBacklogDropped"/>) and hand to the next
    /// subscriber that matches them, before its own events. 0, the default, keeps none: a
    /// subscription receives the events that arrive after it was made, never an earlier one.
    /// </summary>
    public int EventBacklogCapacity { get; set; }

    /// <summary>Clock for timeouts and event waits (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where the client logs (category <c>Qmp.Runtime.QmpClient</c>): every message sent and received
    /// at <see cref="LogLevel.Trace"/> (cut at 512 characters), what is dropped or ignored (invalid JSON,
    /// replies over a limit or without id, events a full buffer dropped, a lost connection) at
    /// <see cref="LogLevel.Warning"/>, the end of the connection at <see cref="LogLevel.Information"/>.
    /// Trace lines carry arguments as sent, secrets included (<c>set_password</c>, <c>block_passwd</c>):
    /// turn Trace on to debug, not in production.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>A logger to use as is; when set it wins over <see cref="LoggerFactory"/>.</summary>
    public ILogger? Logger { get; set; }
}
