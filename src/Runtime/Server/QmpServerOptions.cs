using Microsoft.Extensions.Logging;

namespace Qmp.Runtime;

/// <summary>Options for <see cref="QmpServer"/>.</summary>
public sealed class QmpServerOptions
{
    /// <summary>Greeting sent on connect; QEMU 2.1.0 with no capabilities by default. Offer <c>oob</c> to allow <c>exec-oob</c>.</summary>
    public QmpGreeting Greeting { get; set; } = QmpGreeting.Qemu21;

    /// <summary>Largest request accepted; a bigger one gets a GenericError, is skipped, and the session continues.</summary>
    public int MaxMessageBytes { get; set; } = QmpLimits.DefaultServerMaxMessageBytes;

    /// <summary>Deepest nesting accepted in a request (same handling as <see cref="MaxMessageBytes"/>).</summary>
    public int MaxDepth { get; set; } = QmpLimits.DefaultMaxDepth;

    /// <summary>
    /// Output queue policy, soft limit: while this many messages wait to be sent to a connection,
    /// new events for it are dropped and counted (<see cref="QmpSession.DroppedEvents"/>). Replies are never dropped.
    /// </summary>
    public int EventQueueLimit { get; set; } = 1024;

    /// <summary>
    /// Output queue policy, hard limit: a connection whose unsent output exceeds this many bytes
    /// (a client that sends commands but does not read replies) is closed.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Receive file descriptors (SCM_RIGHTS) on unix sockets into <see cref="QmpSession"/>.</summary>
    public bool ReceiveFileDescriptors { get; set; } = true;

    /// <summary>Descriptors a session may hold untaken; extra ones are closed at once.</summary>
    public int MaxFileDescriptorsPerSession { get; set; } = 64;

    /// <summary>Clock for event timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the server logs sessions, failed commands and dropped input; null logs nothing.</summary>
    public ILogger? Logger { get; set; }
}
