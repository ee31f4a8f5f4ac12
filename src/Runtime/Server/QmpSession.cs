using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;

namespace Qmp.Runtime;

/// <summary>Per-connection state of a <see cref="QmpServer"/>.</summary>
public sealed class QmpSession
{
    private readonly ConcurrentQueue<SafeFileHandle> _fds = new();
    private long _droppedEvents;
    private volatile bool _negotiated;
    private IReadOnlyList<string> _capabilities = [];

    internal QmpSession(long id, string remoteEndPoint, CancellationToken closed)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        Closed = closed;
    }

    /// <summary>Server-unique session number.</summary>
    public long Id { get; }

    /// <summary>Peer description: an IP endpoint, <c>unix:PATH</c>, or <c>stream</c>.</summary>
    public string RemoteEndPoint { get; }

    /// <summary>True after a successful <c>qmp_capabilities</c>; only then are commands and events allowed.</summary>
    public bool IsNegotiated => _negotiated;

    /// <summary>Capabilities the client enabled (e.g. <c>oob</c>).</summary>
    public IReadOnlyList<string> Capabilities => _capabilities;

    /// <summary>Events not delivered because this connection's output queue was full.</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken Closed { get; }

    /// <summary>Descriptors received and not yet taken.</summary>
    public int ReceivedFileDescriptorCount => _fds.Count;

    /// <summary>Takes the oldest received descriptor (as <c>getfd</c> does); the caller owns it.</summary>
    public bool TryTakeFileDescriptor([NotNullWhen(true)] out SafeFileHandle? fileDescriptor) => _fds.TryDequeue(out fileDescriptor);

    internal void Negotiate(IReadOnlyList<string> capabilities)
    {
        _capabilities = capabilities;
        _negotiated = true;
    }

    internal void CountDroppedEvent() => Interlocked.Increment(ref _droppedEvents);

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
