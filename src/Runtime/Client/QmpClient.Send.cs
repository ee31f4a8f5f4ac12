using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime;

/// <summary>
/// Writing requests. A request is written straight into a pooled buffer (no strings in between). While
/// one batch is going out, requests from other callers join the next batch instead of waiting for a
/// lock, so thousands in flight take a few large writes and no caller allocates to wait. Requests with
/// file descriptors go out on their own, the descriptors attached to exactly their bytes.
/// </summary>
public sealed partial class QmpClient
{
    private readonly Lock _outLock = new();
    private SendBuffer? _outBatch;
    private bool _flushing;

    private Task SendAsync<TArgs>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, long id, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        if (fds.Count > 0)
        {
            return SendWithFileDescriptorsAsync(command, arguments, writeArguments, id, fds, cancellationToken);
        }

        try
        {
            lock (_outLock)
            {
                ThrowIfClosed();
                var batch = _outBatch ??= SendBuffer.Rent();
                WriteRequest(batch, command, arguments, writeArguments, id);
                if (_flushing)
                {
                    // The batch being written now is followed by this one.
                    return Task.CompletedTask;
                }

                _flushing = true;
            }
        }
        catch (Exception ex)
        {
            // A caller's argument writer that throws, or a closed connection: that command's failure only.
            return Task.FromException(ex);
        }

        return FlushAsync();
    }

    /// <summary>Writes batches until none is left; completes synchronously when the socket takes them at once.</summary>
    private async Task FlushAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                SendBuffer? batch;
                lock (_outLock)
                {
                    batch = _outBatch;
                    _outBatch = null;
                    if (batch is null)
                    {
                        _flushing = false;
                        return;
                    }
                }

                try
                {
                    // Once writing starts it is not cancelled: half a message would desynchronise the stream.
                    await _stream.WriteAsync(batch.Buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                    await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    batch.Return();
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever the stream threw (not only an IOException: a disposed or broken stream may throw
            // anything), part of a batch may have gone out and the batches queued behind it never will:
            // the connection is unusable, and every command waiting on it fails with it. Leaving
            // _flushing set would have queued later commands behind a flush that never comes.
            lock (_outLock)
            {
                _outBatch?.Return();
                _outBatch = null;
                _flushing = false;
            }

            Close(QmpDisconnectReason.ConnectionLost, ex);
            throw _closeError!;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task SendWithFileDescriptorsAsync<TArgs>(string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, long id, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        SendBuffer? send = null;
        try
        {
            // A closed connection or a caller's argument writer that throws fails this command only.
            ThrowIfClosed();
            send = SendBuffer.Rent();
            WriteRequest(send, command, arguments, writeArguments, id);
            try
            {
                await UnixFdInterop.SendAsync(_socket!, send.Buffer.WrittenMemory, fds, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // As in FlushAsync: after a failed send the stream's state is unknown.
                Close(QmpDisconnectReason.ConnectionLost, ex);
                throw _closeError!;
            }
        }
        finally
        {
            send?.Return();
            _writeLock.Release();
        }
    }

    /// <summary>Appends one request line; a writer that throws leaves nothing of it behind.</summary>
    private void WriteRequest<TArgs>(SendBuffer send, string command, TArgs arguments, QmpJsonWriter<TArgs>? writeArguments, long id)
    {
        var buffer = send.Buffer;
        var start = buffer.WrittenCount;
        var writer = send.Writer;
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("execute"u8, command);
            if (writeArguments is not null)
            {
                writer.WritePropertyName("arguments"u8);
                writeArguments(writer, arguments);
            }

            writer.WriteNumber("id"u8, id);
            writer.WriteEndObject();
            writer.Flush();
        }
        catch
        {
            writer.Reset(buffer);
            buffer.Truncate(start);
            throw;
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            QmpClientLog.Sent(_logger, QmpClientLog.Excerpt(buffer.WrittenSpan[start..]));
        }

        buffer.Write("\r\n"u8);
    }

    /// <summary>
    /// A batch's buffer and writer, shared by all clients through a small pool and held only while
    /// requests go out, so an idle connection holds none.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Pooled for the process's life; the writer holds no unmanaged state.")]
    private sealed class SendBuffer
    {
        // A huge request (tens of MB of arguments) should not pin its buffer afterwards.
        private const int MaxRetainedSize = 1 << 20;
        private const int MaxPooled = 64;
        private static readonly ConcurrentQueue<SendBuffer> s_pool = new();
        private static int s_pooled;

        private SendBuffer()
        {
            Writer = new Utf8JsonWriter(Buffer, QmpWire.WriterOptions);
        }

        public RequestBuffer Buffer { get; } = new();

        public Utf8JsonWriter Writer { get; }

        public static SendBuffer Rent()
        {
            if (!s_pool.TryDequeue(out var send))
            {
                return new SendBuffer();
            }

            Interlocked.Decrement(ref s_pooled);
            send.Buffer.Truncate(0);
            return send;
        }

        public void Return()
        {
            if (Buffer.Capacity > MaxRetainedSize)
            {
                return;
            }

            if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
            {
                s_pool.Enqueue(this);
            }
            else
            {
                Interlocked.Decrement(ref s_pooled);
            }
        }
    }

    /// <summary>Bytes of requests; unlike ArrayBufferWriter it can cut a half-written request off again.</summary>
    private sealed class RequestBuffer : IBufferWriter<byte>
    {
        private byte[] _array = new byte[1024];
        private int _written;

        public int WrittenCount => _written;

        public int Capacity => _array.Length;

        public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

        public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

        public void Truncate(int length) => _written = length;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsSpan(_written);
        }

        private void Ensure(int sizeHint)
        {
            var needed = Math.Max(sizeHint, 1);
            if (_array.Length - _written < needed)
            {
                Array.Resize(ref _array, Math.Max(_array.Length * 2, _written + Math.Max(needed, 256)));
            }
        }
    }
}
