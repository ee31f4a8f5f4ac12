namespace Qmp.Runtime;

/// <summary>Why a <see cref="QmpClient"/>'s connection ended.</summary>
public enum QmpDisconnectReason
{
    /// <summary>This side closed it: <see cref="QmpClient.DisposeAsync"/>, or a failed handshake.</summary>
    ClosedByClient,

    /// <summary>The server closed the connection (end of stream), e.g. after <c>quit</c> or when QEMU exits.</summary>
    ClosedByServer,

    /// <summary>Reading or writing failed (a reset socket, a broken pipe); <see cref="QmpDisconnect.Exception"/> says how.</summary>
    ConnectionLost,
}

/// <summary>
/// How and when a <see cref="QmpClient"/>'s connection ended: the result of <see cref="QmpClient.Completion"/>.
/// </summary>
/// <param name="Reason">Who or what ended it.</param>
/// <param name="Time">When, by the client's <see cref="QmpClientOptions.TimeProvider"/>.</param>
/// <param name="Exception">
/// What pending and later commands fail with; its <see cref="Exception.InnerException"/> is the I/O
/// error when the connection was lost.
/// </param>
public sealed record QmpDisconnect(QmpDisconnectReason Reason, DateTimeOffset Time, QmpDisconnectedException Exception);
