using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime;

/// <summary>
/// The client's log messages (category <c>Qmp.Runtime.QmpClient</c>): every message at Trace,
/// anything that loses or ignores data at Warning.
/// </summary>
internal static partial class QmpClientLog
{
    /// <summary>Longest text of a message written to a Trace line; the rest is cut and counted.</summary>
    internal const int MaxLoggedChars = 512;

    [LoggerMessage(40, LogLevel.Trace, "QMP -> {Message}")]
    public static partial void Sent(ILogger logger, string message);

    [LoggerMessage(41, LogLevel.Trace, "QMP <- {Message}")]
    public static partial void Received(ILogger logger, string message);

    [LoggerMessage(42, LogLevel.Warning, "QMP: invalid JSON from the server; input skipped to the next line")]
    public static partial void InvalidJson(ILogger logger);

    [LoggerMessage(43, LogLevel.Warning, "QMP: message from the server over a limit ({Kind}); skipped, the oldest pending command fails")]
    public static partial void OverLimit(ILogger logger, QmpFrameKind kind);

    [LoggerMessage(44, LogLevel.Warning, "QMP: error reply without id: {ErrorClass}: {Description}")]
    public static partial void ErrorWithoutId(ILogger logger, string errorClass, string description);

    [LoggerMessage(45, LogLevel.Debug, "QMP: reply for id {Id} matches no pending command (cancelled or timed out)")]
    public static partial void LateReply(ILogger logger, long id);

    [LoggerMessage(46, LogLevel.Warning, "QMP: reply with id {Id} matches no command this client sent; ignored")]
    public static partial void UnmatchedReply(ILogger logger, string id);

    [LoggerMessage(47, LogLevel.Warning, "QMP: unexpected message ignored: {Message}")]
    public static partial void UnexpectedMessage(ILogger logger, string message);

    [LoggerMessage(48, LogLevel.Information, "QMP: connection ended ({Reason})")]
    public static partial void Closed(ILogger logger, QmpDisconnectReason reason);

    [LoggerMessage(49, LogLevel.Warning, "QMP: connection lost")]
    public static partial void Lost(ILogger logger, Exception? exception);

    [LoggerMessage(50, LogLevel.Warning, "QMP: event backlog full ({Capacity}), dropped the oldest event {Name}")]
    public static partial void BacklogDropped(ILogger logger, int capacity, string name);

    [LoggerMessage(51, LogLevel.Warning, "QMP: an event subscription's buffer ({Capacity}) is full: its consumer is behind; {Dropped} event(s) dropped so far, the oldest first")]
    public static partial void SubscriberDropped(ILogger logger, int capacity, long dropped);

    /// <summary>The text of a message for a log line: at most <see cref="MaxLoggedChars"/> characters.</summary>
    public static string Excerpt(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= MaxLoggedChars)
        {
            return System.Text.Encoding.UTF8.GetString(utf8);
        }

        return System.Text.Encoding.UTF8.GetString(utf8[..MaxLoggedChars]) + $"... ({utf8.Length} bytes)";
    }
}
