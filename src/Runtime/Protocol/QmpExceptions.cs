namespace Qmp.Runtime;

/// <summary>
/// A QMP error reply: <c>{"error": {"class": ..., "desc": ...}}</c>.
/// Message reads like <c>DeviceNotFound: Device 'ide9' not found (command eject)</c>.
/// Server-side dispatchers throw it to send an error reply.
/// </summary>
public class QmpException : Exception
{
    public QmpException(QmpErrorClass errorClass, string description, string? command = null)
        : this(errorClass.ToWireName(), description, command)
    {
    }

    public QmpException(string errorClassName, string description, string? command = null)
        : base(FormatMessage(errorClassName, description, command))
    {
        ErrorClassName = errorClassName;
        ErrorClass = QmpErrorClasses.Parse(errorClassName);
        Description = description;
        Command = command;
    }

    public QmpException() : this(QmpErrorClass.GenericError, "QMP error") { }

    public QmpException(string message) : this(QmpErrorClass.GenericError, message) { }

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
    public QmpDisconnectedException() : base("The QMP connection was closed.") { }
    public QmpDisconnectedException(string message) : base(message) { }
    public QmpDisconnectedException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The peer broke the protocol (bad greeting, a message over a limit, ...).</summary>
public class QmpProtocolException : IOException
{
    public QmpProtocolException() : base("QMP protocol violation.") { }
    public QmpProtocolException(string message) : base(message) { }
    public QmpProtocolException(string message, Exception? innerException) : base(message, innerException) { }
}
