using Microsoft.Extensions.Logging;

namespace Qmp.Runtime.Protocol;

/// <summary>Log messages of the server's resource limits (kept apart from QmpLog.cs so edits do not collide).</summary>
internal static partial class QmpLog
{
    [LoggerMessage(40, LogLevel.Warning, "QMP server: listener {Address} cannot accept ({Error}): out of descriptors; retrying in {DelayMs} ms")]
    public static partial void AcceptBackoff(ILogger logger, string address, string error, int delayMs);

    [LoggerMessage(41, LogLevel.Information, "QMP server: session {Session} left while {Command} ran; the command is cancelled")]
    public static partial void LeftDuringCommand(ILogger logger, long session, string command);
}
