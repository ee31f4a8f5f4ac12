using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Qmp.Runtime.Tests;

/// <summary>
/// Connecting to a server that is not there (yet): errors name the address in QEMU's words, and
/// <see cref="QmpClientOptions.ConnectTimeout"/> waits for a QEMU that is still starting.
/// </summary>
public sealed class ClientConnectTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qmp-connect-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string SocketPath => Path.Combine(_dir.FullName, "qmp.sock");

    [Fact]
    public async Task A_missing_socket_is_named_with_QEMUs_words()
    {
        var ex = await Assert.ThrowsAsync<QmpConnectException>(() => QmpClient.ConnectAsync("unix:" + SocketPath).Within());
        Assert.Equal($"Failed to connect to '{SocketPath}': No such file or directory", ex.Message);
        Assert.IsType<SocketException>(ex.InnerException);
        Assert.Equal(QmpTransportKind.Unix, ex.Address!.Kind);
    }

    [Fact]
    public async Task A_socket_file_nobody_listens_on_is_refused_by_name()
    {
        // Bound but not listening: what QEMU's socket is for a moment after it creates the file.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(SocketPath));
        var ex = await Assert.ThrowsAsync<QmpConnectException>(() => QmpClient.ConnectAsync("unix:" + SocketPath).Within());
        Assert.Equal($"Failed to connect to '{SocketPath}': Connection refused", ex.Message);
    }

    [Fact]
    public async Task A_refusing_tcp_port_is_named_as_host_and_port()
    {
        // A port that was free a moment ago: nothing listens on it.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var ex = await Assert.ThrowsAsync<QmpConnectException>(() => QmpClient.ConnectAsync($"tcp:127.0.0.1:{port}").Within());
        Assert.Equal($"Failed to connect to '127.0.0.1:{port}': Connection refused", ex.Message);
    }

    [Fact]
    public async Task ConnectTimeout_waits_for_a_server_that_listens_later()
    {
        var time = new PausingTimeProvider();
        var connect = QmpClient.ConnectAsync("unix:" + SocketPath, new QmpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30), TimeProvider = time });
        // The client found nothing there and is pausing before the next try: now the server starts.
        await time.FirstPause.Task.Within();
        Assert.False(connect.IsCompleted);
        await using var server = QmpServer.Listen($"unix:{SocketPath},server,nowait", new TestDispatcher());
        time.Advance(TimeSpan.FromSeconds(1));
        await using var client = await connect.Within();
        Assert.True(client.IsConnected);
        Assert.Equal(new QmpVersion(2, 1, 0), client.Greeting.Version);
    }

    [Fact]
    public async Task ConnectTimeout_ends_with_the_address_and_the_time_waited()
    {
        var ex = await Assert.ThrowsAsync<QmpConnectException>(() =>
            QmpClient.ConnectAsync("unix:" + SocketPath, new QmpClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(200) }).Within());
        Assert.Equal($"Failed to connect to '{SocketPath}': No such file or directory (still, after waiting 0.2 s for the server to listen)", ex.Message);
        Assert.IsType<SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait()
    {
        var time = new PausingTimeProvider();
        using var cts = new CancellationTokenSource();
        var connect = QmpClient.ConnectAsync("unix:" + SocketPath, new QmpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30), TimeProvider = time }, cts.Token);
        await time.FirstPause.Task.Within();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Within());
    }

    [Fact]
    public async Task Without_ConnectTimeout_one_try_only()
    {
        var time = new PausingTimeProvider();
        await Assert.ThrowsAsync<QmpConnectException>(() => QmpClient.ConnectAsync("unix:" + SocketPath, new QmpClientOptions { TimeProvider = time }).Within());
        Assert.False(time.FirstPause.Task.IsCompleted);
    }

    /// <summary>A fake clock that says when the client first pauses (creates a timer) between tries.</summary>
    private sealed class PausingTimeProvider : FakeTimeProvider
    {
        public TaskCompletionSource FirstPause { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            FirstPause.TrySetResult();
            return timer;
        }
    }
}
