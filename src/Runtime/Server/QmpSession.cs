using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;

namespace Qmp.Runtime;

/// <summary>Per-connection state of a <see cref="QmpServer"/>.</summary>
public sealed class QmpSession
{
    private static readonly AsyncLocal<QmpSession?> s_current = new();
    private readonly ConcurrentQueue<SafeFileHandle> _fds = new();
    private readonly Lock _commandGate = new();
    private List<Action>? _afterReply;
    private bool _inCommand;
    private volatile bool _negotiated;
    private IReadOnlyList<string> _capabilities = [];

    internal QmpSession(long id, string remoteEndPoint, QmpVersion serverVersion, CancellationToken closed)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        Closed = closed;
        ServerVersion = serverVersion;
    }

    /// <summary>
    /// The version the server announced in this session's greeting: what <c>query-version</c> answers
    /// (QEMU's greeting is built from the same answer).
    /// </summary>
    public QmpVersion ServerVersion { get; }

    /// <summary>Server-unique session number.</summary>
    public long Id { get; }

    /// <summary>Peer description: an IP endpoint, <c>unix:PATH</c>, or <c>stream</c>.</summary>
    public string RemoteEndPoint { get; }

    /// <summary>True after a successful <c>qmp_capabilities</c>; only then are commands and events allowed.</summary>
    public bool IsNegotiated => _negotiated;

    /// <summary>Capabilities the client enabled (e.g. <c>oob</c>).</summary>
    public IReadOnlyList<string> Capabilities => _capabilities;

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken Closed { get; }

    /// <summary>Descriptors received and not yet taken.</summary>
    public int ReceivedFileDescriptorCount => _fds.Count;

    /// <summary>
    /// The session whose command is being dispatched on this asynchronous flow; null outside a dispatch.
    /// Lets code deep in a handler (an emulated machine emitting an event) find the command's session.
    /// </summary>
    public static QmpSession? Current => s_current.Value;

    /// <summary>
    /// Runs <paramref name="action"/> once the reply (success or error) to the command this session is
    /// running has been queued, after earlier registered actions; at once when no command is running.
    /// QEMU sends a command's reply before the events the command causes (quit's <c>{}</c>, then
    /// SHUTDOWN): emit such events from here to keep that order on this connection. An exception from
    /// the action is logged, not sent.
    /// </summary>
    public void AfterReply(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_commandGate)
        {
            if (_inCommand)
            {
                (_afterReply ??= []).Add(action);
                return;
            }
        }

        action();
    }

    /// <summary>Takes the oldest received descriptor (as <c>getfd</c> does); the caller owns it.</summary>
    public bool TryTakeFileDescriptor([NotNullWhen(true)] out SafeFileHandle? fileDescriptor) => _fds.TryDequeue(out fileDescriptor);

    internal void Negotiate(IReadOnlyList<string> capabilities)
    {
        _capabilities = capabilities;
        _negotiated = true;
    }

    /// <summary>A command starts: until <see cref="EndCommand"/>, <see cref="AfterReply"/> queues.</summary>
    internal void BeginCommand()
    {
        lock (_commandGate)
        {
            _inCommand = true;
        }

        s_current.Value = this;
    }

    /// <summary>The command has its reply: returns what <see cref="AfterReply"/> queued, for the caller to run once the reply is queued.</summary>
    internal List<Action>? EndCommand()
    {
        s_current.Value = null;
        lock (_commandGate)
        {
            _inCommand = false;
            var actions = _afterReply;
            _afterReply = null;
            return actions;
        }
    }

    internal bool AddFileDescriptor(SafeFileHandle fd, int limit)
    {
        if (_fds.Count >= limit)
        {
            fd.Dispose();
            return false;
        }

        _fds.Enqueue(fd);
        return true;
    }

    internal void CloseFileDescriptors()
    {
        while (_fds.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
    }
}
