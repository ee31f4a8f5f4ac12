using Microsoft.Extensions.Logging;

namespace Qmp.Runtime;

/// <summary>Options for <see cref="QmpServer"/>.</summary>
public sealed class QmpServerOptions
{
    /// <summary>Greeting sent on connect; QEMU 2.1.0 with no capabilities by default. Offer <c>oob</c> to allow <c>exec-oob</c>.</summary>
    /// <remarks>In the <see cref="QmpDialect.Modern"/> dialect only its version is used: the capabilities are QEMU's, <c>["oob"]</c>.
    /// The version is also what <c>query-version</c> answers in a generated QAPI server. Not set, a server takes its dispatcher's <see cref="IQmpCommandDispatcher.PreferredVersion"/> when it has one (a server generated from a saved answer that carries <c>query-version</c>).</remarks>
    public QmpGreeting Greeting
    {
        get => _greeting ?? QmpGreeting.Qemu21;
        set => _greeting = value;
    }

    private QmpGreeting? _greeting;

    /// <summary>The greeting as set, null when it was not.</summary>
    internal QmpGreeting? GreetingIfSet => _greeting;

    /// <summary>
    /// The protocol and its words: <see cref="QmpDialect.Qemu21"/> (the default) or <see cref="QmpDialect.Modern"/>
    /// (QEMU 7.2 and 10.0: negotiation, <c>exec-oob</c>, 7.2's error messages). Set <see cref="Greeting"/>'s
    /// version to the QEMU the server stands for.
    /// </summary>
    /// <remarks>Not set, a server takes its dispatcher's <see cref="IQmpCommandDispatcher.PreferredDialect"/> (a server generated from a QAPI schema: Modern).</remarks>
    public QmpDialect Dialect
    {
        get => _dialect ?? QmpDialect.Qemu21;
        set => _dialect = value;
    }

    private QmpDialect? _dialect;

    /// <summary>The dialect as set, null when it was not.</summary>
    internal QmpDialect? DialectIfSet => _dialect;

    /// <summary>
    /// Most bytes of tokens one request may gather (QEMU's 64 MiB). Past it the request's tokens are
    /// dropped, one <c>Invalid JSON syntax</c> error is sent, and reading goes on after the token that
    /// crossed the limit, as QEMU does. A connection holds at most about this much input at a time.
    /// </summary>
    public int MaxMessageBytes { get; set; } = QmpLimits.DefaultServerMaxMessageBytes;

    /// <summary>Deepest nesting of objects and arrays accepted in a request (QEMU's 1024; handled like <see cref="MaxMessageBytes"/>).</summary>
    public int MaxDepth { get; set; } = QmpLimits.DefaultServerMaxDepth;

    /// <summary>
    /// Most unsent output bytes per connection. Nothing queued is ever dropped: a connection that would
    /// pass this (a client that does not read its replies and events) is closed, with the reason logged.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Server-wide budget of memory clients make the server hold: unsent output over all connections and
    /// the buffers of requests still being read (an unfinished 60 MiB string counts as it arrives). When
    /// output overruns it, the connection that has been stalled longest (unsent output and no write
    /// progress since the earliest time) is closed; when a request's buffer would, the connection holding
    /// the most unfinished input is (the sender itself when that is it). Each closing is logged with its
    /// reason, until the total fits.
    /// </summary>
    public long MaxTotalQueuedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Server-wide limit of accepted connections served at once (over all listeners). At the limit,
    /// listeners stop accepting (new clients wait in the backlog) until a connection ends. Client-mode
    /// monitors and streams given to <c>RunSessionAsync</c> are one connection each and not limited.
    /// </summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>
    /// Clients one listening address serves at a time: 1, as QEMU (a second client of the same monitor
    /// gets its greeting when the first leaves). Raise it to let several clients share a monitor.
    /// </summary>
    public int MaxClientsPerListener { get; set; } = 1;

    /// <summary>Receive file descriptors (SCM_RIGHTS) on unix sockets into <see cref="QmpSession"/>.</summary>
    public bool ReceiveFileDescriptors { get; set; } = true;

    /// <summary>Descriptors a session may hold untaken; extra ones are closed at once.</summary>
    public int MaxFileDescriptorsPerSession { get; set; } = 64;

    /// <summary>Clock for event timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the server logs sessions, failed commands and dropped input; null logs nothing.</summary>
    public ILogger? Logger { get; set; }
}
