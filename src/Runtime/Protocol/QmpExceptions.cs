namespace Qmp.Runtime;

/// <summary>
/// A QMP error reply: <c>{"error": {"class": ..., "desc": ...}}</c>.
/// Message reads like <c>DeviceNotFound: Device 'ide9' not found (command eject)</c>.
/// Server-side dispatchers throw it to send an error reply.
/// </summary>
public class QmpException : Exception
{
    /// <summary>An error of a known class, as a dispatcher throws it to reply with it.</summary>
    /// <param name="errorClass">The <c>class</c>.</param>
    /// <param name="description">The <c>desc</c>, QEMU's words.</param>
    /// <param name="command">The command that failed, when known.</param>
    public QmpException(QmpErrorClass errorClass, string description, string? command = null)
        : this(errorClass.ToWireName(), description, command)
    {
    }

    /// <summary>An error whose class is given by its wire name (kept as is when this library does not know it).</summary>
    /// <param name="errorClassName">The <c>class</c> as sent on the wire.</param>
    /// <param name="description">The <c>desc</c>, QEMU's words.</param>
    /// <param name="command">The command that failed, when known.</param>
    public QmpException(string errorClassName, string description, string? command = null)
        : base(FormatMessage(errorClassName, description, command))
    {
        ErrorClassName = errorClassName;
        ErrorClass = QmpErrorClasses.Parse(errorClassName);
        Description = description;
        Command = command;
    }

    /// <summary>A <c>GenericError</c> without words.</summary>
    public QmpException() : this(QmpErrorClass.GenericError, "QMP error") { }

    /// <summary>A <c>GenericError</c> whose <c>desc</c> is <paramref name="message"/>.</summary>
    /// <param name="message">The <c>desc</c>.</param>
    public QmpException(string message) : this(QmpErrorClass.GenericError, message) { }

    /// <summary>A <c>GenericError</c> whose <c>desc</c> is <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">The <c>desc</c>.</param>
    /// <param name="innerException">The cause.</param>
    public QmpException(string message, Exception innerException) : base(message, innerException)
    {
        ErrorClassName = "GenericError";
        ErrorClass = QmpErrorClass.GenericError;
        Description = message;
    }

    /// <summary>The class; <see cref="QmpErrorClass.Unknown"/> when the server sent a class this library does not know.</summary>
    public QmpErrorClass ErrorClass { get; }

    /// <summary>The raw class text as sent on the wire (kept for unknown classes).</summary>
    public string ErrorClassName { get; }

    /// <summary>The <c>desc</c> text.</summary>
    public string Description { get; }

    /// <summary>The command that failed, when known.</summary>
    public string? Command { get; }

    /// <summary>Shorthand for the common <c>GenericError</c>.</summary>
    public static QmpException Generic(string description) => new(QmpErrorClass.GenericError, description);

    /// <summary>QEMU's wording for an unknown command (also used before/after negotiation).</summary>
    public static QmpException CommandNotFound(string command) =>
        new(QmpErrorClass.CommandNotFound, $"The command {command} has not been found", command);

    private static string FormatMessage(string cls, string desc, string? command) =>
        command is null ? $"{cls}: {desc}" : $"{cls}: {desc} (command {command})";
}

/// <summary>The connection to the QMP peer closed; pending commands fail with it.</summary>
public class QmpDisconnectedException : IOException
{
    /// <summary>The connection was closed.</summary>
    public QmpDisconnectedException() : base("The QMP connection was closed.") { }

    /// <summary>The connection ended, as <paramref name="message"/> says.</summary>
    /// <param name="message">How it ended.</param>
    public QmpDisconnectedException(string message) : base(message) { }

    /// <summary>The connection ended because of <paramref name="innerException"/> (an I/O error).</summary>
    /// <param name="message">How it ended.</param>
    /// <param name="innerException">The error that ended it, if any.</param>
    public QmpDisconnectedException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// No connection could be made to a QMP address (nothing there, or nothing listening before
/// <see cref="QmpClientOptions.ConnectTimeout"/> ran out). The message names the address in QEMU's words
/// (<c>Failed to connect to '/run/vm1/qmp.sock': No such file or directory</c>); the socket error is the
/// inner exception.
/// </summary>
public class QmpConnectException : IOException
{
    /// <summary>A connect that failed.</summary>
    public QmpConnectException() : base("Failed to connect.") { }

    /// <summary>A connect that failed, as <paramref name="message"/> says.</summary>
    /// <param name="message">Where and why.</param>
    public QmpConnectException(string message) : base(message) { }

    /// <summary>A connect that failed, as <paramref name="message"/> says, because of <paramref name="innerException"/>.</summary>
    /// <param name="message">Where and why.</param>
    /// <param name="innerException">The socket error.</param>
    public QmpConnectException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>A connect to <paramref name="address"/> that failed, as <paramref name="message"/> says, because of <paramref name="innerException"/>.</summary>
    /// <param name="address">Where the client tried to connect.</param>
    /// <param name="message">Where and why.</param>
    /// <param name="innerException">The socket error.</param>
    public QmpConnectException(QmpAddress address, string message, Exception? innerException) : base(message, innerException) => Address = address;

    /// <summary>Where the client tried to connect, when known.</summary>
    public QmpAddress? Address { get; }
}

/// <summary>The peer broke the protocol (bad greeting, a message over a limit, ...).</summary>
public class QmpProtocolException : IOException
{
    /// <summary>An unspecified protocol violation.</summary>
    public QmpProtocolException() : base("QMP protocol violation.") { }

    /// <summary>The violation <paramref name="message"/> describes.</summary>
    /// <param name="message">What the peer did.</param>
    public QmpProtocolException(string message) : base(message) { }

    /// <summary>The violation <paramref name="message"/> describes, found through <paramref name="innerException"/>.</summary>
    /// <param name="message">What the peer did.</param>
    /// <param name="innerException">The error that revealed it (e.g. a JSON reader's), if any.</param>
    public QmpProtocolException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// A reply this client's schema cannot read: a member it requires is absent, or has another JSON type
/// (a server of another QEMU version). Only this call fails; the connection and every other call go on.
/// </summary>
public class QmpReplyException : QmpProtocolException
{
    /// <summary>A reply to <paramref name="command"/> that failed to read at <paramref name="path"/>.</summary>
    /// <param name="command">The command whose reply it is.</param>
    /// <param name="path">Where in the reply, from <c>return</c>: <c>return[0].inserted.bps_max</c>.</param>
    /// <param name="reply">The <c>return</c> value as the server sent it.</param>
    /// <param name="innerException">The reader's error, in QEMU's words.</param>
    public QmpReplyException(string command, string path, string reply, Exception? innerException)
        : base($"Could not read the reply to {command}: {innerException?.Message} (at {path})", innerException)
    {
        Command = command;
        Path = path;
        Reply = reply;
    }

    /// <summary>The command whose reply could not be read.</summary>
    public string Command { get; }

    /// <summary>Where in the reply: <c>return</c>, then members and array indices (<c>return[0].inserted.bps_max</c>).</summary>
    public string Path { get; }

    /// <summary>The <c>return</c> value as the server sent it (raw JSON), to log or to read by hand.</summary>
    public string Reply { get; }
}
