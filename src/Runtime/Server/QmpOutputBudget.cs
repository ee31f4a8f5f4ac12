using System.Collections.Concurrent;

namespace Qmp.Runtime.Server;

/// <summary>
/// The server-wide budget (<see cref="QmpServerOptions.MaxTotalQueuedBytes"/>) of memory clients make the
/// server hold: unsent output over all connections and the buffers of requests still being read. Each
/// <see cref="QmpConnection"/> counts its bytes here; past the budget a connection is closed, logged.
/// </summary>
internal sealed class QmpOutputBudget(long limit, ConcurrentDictionary<long, QmpConnection> connections)
{
    private readonly Lock _inputBudget = new();
    private long _queuedBytes;
    private long _inputBytes;

    public long Limit => limit;

    /// <summary>Bytes queued for output on all connections.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Bytes held for requests not yet complete on all connections.</summary>
    public long InputBytes => Interlocked.Read(ref _inputBytes);

    public long Used => QueuedBytes + InputBytes;

    public void AddQueued(long bytes) => Interlocked.Add(ref _queuedBytes, bytes);

    public void AddInput(long bytes) => Interlocked.Add(ref _inputBytes, bytes);

    /// <summary>
    /// The budget is exceeded by output: close the connection that has been stalled longest (unsent output
    /// since the earliest time), else the one holding the most unfinished input, logged, until the total fits.
    /// </summary>
    public void Enforce()
    {
        while (Used > limit)
        {
            var victim = LongestStalled() ?? LargestInput();
            if (victim is null)
            {
                return;
            }

            victim.Abort(Reason(victim));
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> more for <paramref name="requester"/>'s unfinished request. When
    /// they do not fit, the connection holding the most unfinished input is closed (the requester itself
    /// when that is it), else the longest-stalled one, logged, until they fit. False when the requester was closed.
    /// </summary>
    public bool ReserveInput(QmpConnection requester, long bytes)
    {
        while (true)
        {
            QmpConnection victim;
            lock (_inputBudget)
            {
                if (Used + bytes <= limit)
                {
                    return requester.AddInput(bytes);
                }

                victim = LargestInput() ?? LongestStalled() ?? requester;
            }

            victim.Abort(Reason(victim));
            if (victim == requester)
            {
                return false;
            }
        }
    }

    private string Reason(QmpConnection victim) =>
        $"the server's budget of {limit} bytes for unsent output and unfinished requests is spent and this client holds "
        + (victim.StalledSince != 0 && victim.InputBytes == 0
            ? $"the output stalled longest ({victim.QueuedBytes} bytes unsent)"
            : $"the most ({victim.InputBytes} bytes of an unfinished request, {victim.QueuedBytes} bytes unsent)");

    private QmpConnection? LongestStalled()
    {
        QmpConnection? oldest = null;
        foreach (var candidate in connections.Values)
        {
            var since = candidate.StalledSince;
            if (since != 0 && (oldest is null || since < oldest.StalledSince))
            {
                oldest = candidate;
            }
        }

        return oldest;
    }

    private QmpConnection? LargestInput()
    {
        QmpConnection? largest = null;
        foreach (var candidate in connections.Values)
        {
            if (candidate.InputBytes > (largest?.InputBytes ?? 0))
            {
                largest = candidate;
            }
        }

        return largest;
    }
}
