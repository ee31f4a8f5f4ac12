using Microsoft.Extensions.Logging;

namespace Qmp.Runtime.Protocol;

/// <summary>Source-generated log messages (no boxing, no reflection).</summary>
internal static partial class QmpLog
{
    [LoggerMessage(1, LogLevel.Warning, "QMP: invalid JSON from the peer; input skipped to the next line")]
    public static partial void InvalidJson(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "QMP: message from the peer over a limit ({Kind}); skipped")]
    public static partial void OverLimit(ILogger logger, QmpFrameKind kind);

    [LoggerMessage(3, LogLevel.Warning, "QMP: error reply without id: {ErrorClass}: {Description}")]
    public static partial void ErrorWithoutId(ILogger logger, string errorClass, string description);

    [LoggerMessage(4, LogLevel.Debug, "QMP: reply for id {Id} matches no pending command (cancelled or timed out)")]
    public static partial void UnmatchedReply(ILogger logger, string id);

    [LoggerMessage(5, LogLevel.Warning, "QMP: unexpected message ignored: {Message}")]
    public static partial void UnexpectedMessage(ILogger logger, string message);

    [LoggerMessage(6, LogLevel.Information, "QMP: connection closed")]
    public static partial void Disconnected(ILogger logger, Exception? exception);

    [LoggerMessage(7, LogLevel.Debug, "QMP: event backlog full, dropped oldest event {Name}")]
    public static partial void BacklogDropped(ILogger logger, string name);

    [LoggerMessage(20, LogLevel.Information, "QMP server: session {Session} connected from {Remote}")]
    public static partial void SessionStarted(ILogger logger, long session, string remote);

    [LoggerMessage(21, LogLevel.Information, "QMP server: session {Session} ended")]
    public static partial void SessionEnded(ILogger logger, long session, Exception? exception);

    [LoggerMessage(22, LogLevel.Warning, "QMP server: closing session {Session} ({Remote}): {Reason}")]
    public static partial void ClosedByLimit(ILogger logger, long session, string remote, string reason);

    [LoggerMessage(23, LogLevel.Error, "QMP server: command {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(24, LogLevel.Warning, "QMP server: listener {Address} stopped")]
    public static partial void ListenerFailed(ILogger logger, string address, Exception exception);

    [LoggerMessage(26, LogLevel.Warning, "QMP server: {Address} waits to accept: the server already serves its limit of {Limit} connections")]
    public static partial void ConnectionBudget(ILogger logger, string address, int limit);

    [LoggerMessage(25, LogLevel.Warning, "QMP server: session {Session} holds too many file descriptors; closed one")]
    public static partial void TooManyFds(ILogger logger, long session);
}
