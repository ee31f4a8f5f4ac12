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

    /// <summary>Time allowed for greeting plus negotiation.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Events that no subscriber's filter matches are kept here (oldest dropped beyond this many,
    /// counted in <see cref="QmpClient.EventBacklogDropped"/>) and handed to the next subscriber that matches them.
    /// </summary>
    public int EventBacklogCapacity { get; set; } = 256;

    /// <summary>Clock for timeouts (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public ILogger? Logger { get; set; }
}
