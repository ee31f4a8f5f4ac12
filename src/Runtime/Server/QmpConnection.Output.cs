using System.Net.Sockets;
using System.Threading.Channels;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Server;

/// <summary>The connection's output queue, bounded in bytes here and counted in the server's budget.</summary>
internal sealed partial class QmpConnection
{
    // Synchronous continuations: the writer wakes on the thread that queued the message and writes it there (a
    // socket takes a line at once), so a reply goes out without a hop to another thread. A write that has to wait
    // hands the writer back to the thread pool, and messages queued meanwhile follow it in order.
    private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queuedBytes;
    private long _stalledSince;

    /// <summary>Completes when the writer has sent everything (or the connection is gone).</summary>
    public Task Drained => _drained.Task;

    public long QueuedBytes
    {
        get
        {
            lock (_accounting)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>When this connection's output last went from empty to waiting (Stopwatch ticks); 0 while it is all sent.</summary>
    public long StalledSince
    {
        get
        {
            lock (_accounting)
            {
                return _stalledSince;
            }
        }
    }

    /// <summary>
    /// Queues a message (greeting, reply, error or event: all alike, none is ever dropped). Past the
    /// connection's byte limit the connection is closed, logged; past the server's budget the
    /// longest-stalled connection is.
    /// </summary>
    public void Enqueue(byte[] line)
    {
        var queued = false;
        lock (_accounting)
        {
            if (_closed)
            {
                return;
            }

            if (_queuedBytes + line.Length <= _options.MaxQueuedBytes)
            {
                if (_queuedBytes == 0)
                {
                    _stalledSince = System.Diagnostics.Stopwatch.GetTimestamp();
                }

                _queuedBytes += line.Length;
                _budget.AddQueued(line.Length);
                queued = true;
            }
        }

        if (queued)
        {
            // Outside the lock: the writer may run here and now.
            _output.Writer.TryWrite(line);
        }
        else
        {
            // Closed outside the lock.
            Abort($"its output queue would exceed {_options.MaxQueuedBytes} bytes (the client is not reading)");
            return;
        }

        if (_budget.Used > _budget.Limit)
        {
            _budget.Enforce();
        }
    }

    public void CompleteOutput() => _output.Writer.TryComplete();

    public async Task RunWriterAsync()
    {
        try
        {
            var reader = _output.Reader;
            while (await reader.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var line))
                {
                    await _stream.WriteAsync(line, _cts.Token).ConfigureAwait(false);
                    Sent(line.Length);
                }

                await _stream.FlushAsync(_cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
            // The peer is gone: stop reading its requests too.
            Abort(null);
        }
        finally
        {
            _drained.TrySetResult();
        }
    }

    private void Sent(int bytes)
    {
        lock (_accounting)
        {
            if (_closed)
            {
                return;
            }

            _queuedBytes -= bytes;
            _budget.AddQueued(-bytes);
            _stalledSince = _queuedBytes == 0 ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Closes the connection; a non-null <paramref name="reason"/> is logged (a limit closed it).</summary>
    public void Abort(string? reason)
    {
        lock (_accounting)
        {
            if (!_closed)
            {
                _closed = true;
                _budget.AddQueued(-_queuedBytes);
                _budget.AddInput(-_inputBytes);
                _queuedBytes = 0;
                _inputBytes = 0;
                _stalledSince = 0;
                if (reason is not null)
                {
                    QmpLog.ClosedByLimit(_logger, Session.Id, Session.RemoteEndPoint, reason);
                }
            }
        }

        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _output.Writer.TryComplete();
        _stream.Dispose();
    }
}
