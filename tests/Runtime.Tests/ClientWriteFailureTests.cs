namespace Qmp.Runtime.Tests;

/// <summary>A stream that fails while requests go out: every command waiting on it must fail, none hang.</summary>
public class ClientWriteFailureTests
{
    public static TheoryData<string, string> Failures => new()
    {
        { "write", nameof(InvalidOperationException) },
        { "write", nameof(NotSupportedException) },
        { "write", nameof(ObjectDisposedException) },
        { "write", nameof(OperationCanceledException) },
        { "flush", nameof(InvalidOperationException) },
        { "flush", nameof(ObjectDisposedException) },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_write_that_throws_fails_every_command_waiting_on_it_and_closes_the_connection(string where, string exception)
    {
        // A failure that was not an IOException used to leave the client "flushing" for ever: the
        // command whose write failed saw the error, but commands queued behind it (and every command
        // after) were never written and waited for a reply that could not come.
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        using var _ = serverEnd;
        var stream = new FailingWriteStream(clientEnd);
        var connect = QmpClient.ConnectAsync(stream, new QmpClientOptions { Negotiate = false });
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();

        var gate = stream.FailNext(where, exception switch
        {
            nameof(InvalidOperationException) => new InvalidOperationException("the stream broke"),
            nameof(NotSupportedException) => new NotSupportedException("the stream broke"),
            nameof(ObjectDisposedException) => new ObjectDisposedException("the stream"),
            _ => new OperationCanceledException("the stream broke"),
        });
        var first = client.ExecuteAsync("query-status");

        // Joins the batch after the one being written.
        var second = client.ExecuteAsync("query-name");
        gate.SetResult();

        // The queued command is the one that used to hang.
        await Assert.ThrowsAsync<QmpDisconnectedException>(() => second.Within());
        var error = await Assert.ThrowsAsync<QmpDisconnectedException>(() => first.Within());
        Assert.Equal(exception, error.InnerException?.GetType().Name);
        await Assert.ThrowsAsync<QmpDisconnectedException>(() => client.ExecuteAsync("query-version").Within());
        var end = await client.Completion.Within();
        Assert.Equal(QmpDisconnectReason.ConnectionLost, end.Reason);
        Assert.Equal(0, client.PendingCommandCount);
    }

    /// <summary>Reads from the socket; the next write or flush waits for a gate, then throws.</summary>
    private sealed class FailingWriteStream(Stream inner) : Stream
    {
        private string? _where;
        private Exception? _error;
        private TaskCompletionSource? _gate;

        public TaskCompletionSource FailNext(string where, Exception error)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _error = error;
            _where = where;
            return _gate;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_where == "write")
            {
                await FailAsync();
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_where == "flush")
            {
                await FailAsync();
            }

            await inner.FlushAsync(cancellationToken);
        }

        private async Task FailAsync()
        {
            await _gate!.Task;
            throw _error!;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
