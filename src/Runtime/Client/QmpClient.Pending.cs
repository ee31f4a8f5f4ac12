using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// Commands awaiting their reply. A call allocates its <see cref="Task{TResult}"/> and nothing else:
/// the per-call state is pooled per result type, the reply is read into the typed result straight from
/// the read buffer, and ids are matched in a plain dictionary under a lock (no boxing, no nodes).
/// </summary>
public sealed partial class QmpClient
{
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<long, PendingCommand> _pending = new();

    /// <summary>Adds a command under a fresh id, unless the connection is gone.</summary>
    private bool TryAddPending(PendingCommand pending, out long id)
    {
        lock (_pendingLock)
        {
            if (!IsConnected)
            {
                id = 0;
                return false;
            }

            id = pending.Id = ++_nextId;
            _pending.Add(id, pending);
            return true;
        }
    }

    private PendingCommand? RemovePending(long id)
    {
        lock (_pendingLock)
        {
            return _pending.Remove(id, out var pending) ? pending : null;
        }
    }

    private bool RemovePending(PendingCommand pending)
    {
        lock (_pendingLock)
        {
            if (_pending.TryGetValue(pending.Id, out var current) && ReferenceEquals(current, pending))
            {
                _pending.Remove(pending.Id);
                return true;
            }

            return false;
        }
    }

    private List<PendingCommand> RemoveAllPending()
    {
        lock (_pendingLock)
        {
            var all = new List<PendingCommand>(_pending.Values);
            _pending.Clear();
            return all;
        }
    }

    /// <summary>
    /// One command's state between sending and its reply. Exactly one party completes it: whoever
    /// removes it from the pending table (the read loop, the cancellation callback, <see cref="Close"/>
    /// or a failed send). The outcome reaches the caller's task on the thread pool, never inline on the
    /// read loop, so a caller that blocks in its continuation cannot stall the connection.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The timeout sources are disposed when the command completes (Release).")]
    private abstract class PendingCommand : IThreadPoolWorkItem
    {
        private CancellationTokenRegistration _registration;
        private CancellationTokenSource? _timeout;
        private CancellationTokenSource? _linked;
        private CancellationToken _callerToken;

        public QmpClient Client = null!;
        public string Command = "";
        public long Id;

        /// <summary>
        /// Arms cancellation and the optional timeout; returns the token that bounds the send.
        /// Called before the command is in the pending table, so a callback that fires at once finds
        /// nothing to remove; the caller checks the token again once it is in.
        /// </summary>
        public CancellationToken Arm(TimeSpan? timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            _callerToken = cancellationToken;
            var token = cancellationToken;
            if (timeout is { } limit)
            {
                _timeout = new CancellationTokenSource(limit, time);
                _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
                token = _linked.Token;
            }

            if (token.CanBeCanceled)
            {
                _registration = token.UnsafeRegister(static state => ((PendingCommand)state!).Cancelled(), this);
            }

            return token;
        }

        /// <summary>The caller's token or the timeout fired: fail the command unless its reply won.</summary>
        public void Cancelled()
        {
            if (Client.RemovePending(this))
            {
                FailCancelled();
            }
        }

        /// <summary>Fails with a timeout or a cancellation, whichever fired; the caller has removed it.</summary>
        public void FailCancelled() =>
            Fail(_timeout?.IsCancellationRequested == true && !_callerToken.IsCancellationRequested
                ? new TimeoutException($"QMP command {Command} got no reply within {Client._options.CommandTimeout}.")
                : new OperationCanceledException(_callerToken));

        /// <summary>Reads the <c>return</c> value (on the read loop, while the frame is valid) and completes.</summary>
        public abstract void Complete(ReadOnlySpan<byte> returnValue, JsonReaderOptions options);

        public abstract void Fail(Exception exception);

        /// <summary>Hands the outcome to the caller's task (on the thread pool).</summary>
        public abstract void Execute();

        /// <summary>Lets go of the cancellation state; true when this object may be used again.</summary>
        protected bool Release()
        {
            // Unregister fails only when the callback ran or is running: then it may still look at
            // this object, which must not be handed to another command.
            var reusable = _registration == default || _registration.Unregister();
            _linked?.Dispose();
            _timeout?.Dispose();
            if (!reusable)
            {
                return false;
            }

            _registration = default;
            _linked = null;
            _timeout = null;
            _callerToken = default;
            Client = null!;
            Command = "";
            Id = 0;
            return true;
        }
    }

    private sealed class PendingCommand<T> : PendingCommand
    {
        // Enough for thousands in flight per result type; beyond it, objects go to the GC.
        private const int MaxPooled = 4096;
        private static readonly ConcurrentQueue<PendingCommand<T>> s_pool = new();
        private static int s_pooled;

        private QmpJsonReader<T> _read = null!;

        // The caller's task, made by the builder without a TaskCompletionSource beside it.
        private AsyncTaskMethodBuilder<T> _task;
        private T? _result;
        private Exception? _error;

        public static PendingCommand<T> Rent(QmpClient client, string command, QmpJsonReader<T> read)
        {
            if (s_pool.TryDequeue(out var pending))
            {
                Interlocked.Decrement(ref s_pooled);
            }
            else
            {
                pending = new PendingCommand<T>();
            }

            pending.Client = client;
            pending.Command = command;
            pending._read = read;
            pending._task = AsyncTaskMethodBuilder<T>.Create();
            return pending;
        }

        public Task<T> Task => _task.Task;

        public override void Complete(ReadOnlySpan<byte> returnValue, JsonReaderOptions options)
        {
            try
            {
                var reader = new Utf8JsonReader(returnValue, options);
                reader.Read();
                _result = _read(ref reader);
            }
            catch (JsonException ex)
            {
                var path = ex.Path is null or "" ? "return" : ex.Path.StartsWith('[') ? "return" + ex.Path : "return." + ex.Path;
                _error = new QmpReplyException(Command, path, System.Text.Encoding.UTF8.GetString(returnValue), ex);
            }
            catch (Exception ex)
            {
                _error = new QmpProtocolException($"Could not read the reply to {Command}: {ex.Message}", ex);
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        public override void Fail(Exception exception)
        {
            _error = exception;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        public override void Execute()
        {
            var task = _task;
            var result = _result;
            var error = _error;
            _task = default;
            _result = default;
            _error = null;
            if (Release())
            {
                if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
                {
                    s_pool.Enqueue(this);
                }
                else
                {
                    Interlocked.Decrement(ref s_pooled);
                }
            }

            if (error is null)
            {
                task.SetResult(result!);
            }
            else
            {
                // An OperationCanceledException makes the task Canceled with its token, as TrySetCanceled did.
                task.SetException(error);
            }
        }
    }
}
