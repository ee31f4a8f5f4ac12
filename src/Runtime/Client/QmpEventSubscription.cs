using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qmp.Runtime;

/// <summary>
/// One subscriber's event stream. Each subscription has its own bounded buffer; when the consumer
/// falls behind, the oldest buffered event is dropped and counted in <see cref="DroppedCount"/>
/// (the connection is never slowed down by a slow subscriber). The stream completes when the
/// client disconnects or the subscription is disposed.
/// </summary>
public sealed class QmpEventSubscription : IAsyncEnumerable<QmpEvent>, IDisposable
{
    private readonly QmpClient? _owner;
    private readonly HashSet<string>? _names;
    private readonly Channel<QmpEvent> _channel;
    private long _dropped;

    internal QmpEventSubscription(QmpClient? owner, IEnumerable<string>? names, int capacity, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _owner = owner;
        _names = names is null ? null : new HashSet<string>(names, StringComparer.Ordinal);
        Capacity = capacity;
        _channel = Channel.CreateBounded<QmpEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            _ =>
            {
                var dropped = Interlocked.Increment(ref _dropped);

                // Said once, then at 2, 4, 8, ... drops: a consumer that stays behind does not flood the log.
                if ((dropped & (dropped - 1)) == 0)
                {
                    QmpClientLog.SubscriberDropped(logger ?? NullLogger.Instance, capacity, dropped);
                }
            });
    }

    /// <summary>The events, as a channel reader.</summary>
    public ChannelReader<QmpEvent> Reader => _channel.Reader;

    /// <summary>Names this subscription receives; null means all.</summary>
    public IReadOnlyCollection<string>? Names => _names;

    /// <summary>Buffer size of this subscription.</summary>
    public int Capacity { get; }

    /// <summary>Events dropped because this subscriber's buffer was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    internal bool Matches(string name) => _names is null || _names.Contains(name);

    internal void Deliver(QmpEvent qmpEvent) => _channel.Writer.TryWrite(qmpEvent);

    internal void Complete() => _channel.Writer.TryComplete();

    /// <summary>Reads the events as they arrive, until the client disconnects or the subscription is disposed.</summary>
    /// <param name="cancellationToken">Stops the enumeration (the subscription stays).</param>
    public IAsyncEnumerator<QmpEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Stops delivery and completes the stream.</summary>
    public void Dispose()
    {
        _owner?.Unsubscribe(this);
        Complete();
    }
}
