namespace Qmp.Runtime.Tests;

/// <summary>
/// What clients make the server hold besides output: unfinished requests count in the server-wide
/// budget, and a client that leaves while its command runs has that command cancelled.
/// </summary>
public class InputBudgetTests
{
    private const long Budget = 8L << 20;

    [Fact]
    public async Task Unfinished_requests_count_in_the_server_budget_and_the_largest_holder_is_closed()
    {
        var log = new ListLogger();
        await using var fx = new ServerFixture(new QmpServerOptions { MaxTotalQueuedBytes = Budget, MaxClientsPerListener = 8, Logger = log });
        long Held() => fx.Server.QueuedBytes + fx.Server.BufferedInputBytes;

        // Each sends 3 MiB of a string and never ends it: its buffer holds 4 MiB, two of them fill the budget.
        var unfinished = "{\"execute\":\"nope\",\"arguments\":{\"s\":\"" + new string('a', 3 << 20);
        await using var first = await fx.ConnectNegotiatedAsync();
        await first.SendAsync(unfinished);
        Assert.True(await Until(() => fx.Server.BufferedInputBytes >= 3L << 20), $"the first request is buffered ({fx.Server.BufferedInputBytes} bytes)");
        await using var second = await fx.ConnectNegotiatedAsync();
        await second.SendAsync(unfinished);
        Assert.True(await Until(() => fx.Server.BufferedInputBytes >= 7L << 20), $"the second request is buffered ({fx.Server.BufferedInputBytes} bytes)");
        Assert.True(Held() <= Budget, $"{Held()} bytes held");

        // The third needs room: one of the two holding the most is closed, with the reason logged.
        await using var third = await fx.ConnectNegotiatedAsync();
        await third.SendAsync(unfinished);
        Assert.True(await Until(() => fx.Server.Sessions.Count == 2), $"{fx.Server.Sessions.Count} sessions");
        Assert.True(await Until(() => fx.Server.BufferedInputBytes >= 7L << 20), $"the third request is buffered ({fx.Server.BufferedInputBytes} bytes)");
        Assert.True(Held() <= Budget, $"{Held()} bytes held");
        Assert.Contains(log.Messages, m => m.Contains($"budget of {Budget} bytes for unsent output and unfinished requests is spent", StringComparison.Ordinal));

        // The third is served when it ends its request, and so is a fresh client.
        await third.SendAsync("\"}}\n");
        Assert.Contains("CommandNotFound", await third.ReadLineAsync().Within(60), StringComparison.Ordinal);
        await using var fresh = await fx.ConnectNegotiatedAsync();
        await fresh.SendAsync("{\"execute\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await fresh.ReadLineAsync().Within(60));
        Assert.True(Held() <= Budget, $"{Held()} bytes held");
    }

    [Fact]
    public async Task A_large_request_from_one_client_still_fits_once_the_others_are_done()
    {
        await using var fx = new ServerFixture(new QmpServerOptions { MaxTotalQueuedBytes = Budget, MaxClientsPerListener = 8 });
        var big = "{\"execute\":\"echo\",\"arguments\":{\"s\":\"" + new string('b', 3 << 20) + "\"},\"id\":1}\n";
        for (var i = 0; i < 4; i++)
        {
            // One after another: each request's buffer is let go after it, so the budget is never spent.
            await using var peer = await fx.ConnectNegotiatedAsync();
            await peer.SendAsync(big);
            Assert.StartsWith("{\"return\": {\"s\": \"bbb", await peer.ReadLineAsync().Within(60), StringComparison.Ordinal);
        }

        Assert.True(await Until(() => fx.Server.BufferedInputBytes == 0), $"{fx.Server.BufferedInputBytes} bytes still held");
    }

    [Fact]
    public async Task A_client_that_leaves_while_its_command_runs_has_the_command_cancelled()
    {
        var log = new ListLogger();
        await using var fx = new ServerFixture(new QmpServerOptions { MaxClientsPerListener = 1, Logger = log });
        var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"slow\"}\n");
        await fx.Dispatcher.SlowStarted.Task.Within(60);

        // Nobody reads the connection while a command runs; the server must notice the client leaving.
        await peer.DisposeAsync();
        Assert.True(await Until(() => fx.Server.Sessions.Count == 0), "the session ended");
        Assert.Contains(log.Messages, m => m.Contains("left while slow ran", StringComparison.Ordinal));

        // With one client per listener, the next one is served only because the first session ended.
        await using var next = await fx.ConnectNegotiatedAsync();
        await next.SendAsync("{\"execute\":\"echo\",\"id\":2}");
        Assert.Equal("{\"return\": {}, \"id\": 2}", await next.ReadLineAsync().Within(60));
    }

    [Fact]
    public async Task A_client_that_only_shuts_its_sending_side_still_gets_its_reply()
    {
        // As `echo '...' | socat - UNIX-CONNECT:...` does: send, shut down the sending side, read the reply.
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"slow\",\"id\":1}\n");
        peer.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await fx.Dispatcher.SlowStarted.Task.Within(60);
        fx.Dispatcher.SlowGate.SetResult();
        Assert.Equal("{\"return\": {}, \"id\": 1}", await peer.ReadLineAsync().Within(60));
    }

    [Fact]
    public async Task A_request_waiting_behind_a_running_command_is_not_mistaken_for_leaving()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"slow\",\"id\":1}\n{\"execute\":\"echo\",\"id\":2}\n");
        await fx.Dispatcher.SlowStarted.Task.Within(60);
        fx.Dispatcher.SlowGate.SetResult();
        Assert.Equal("{\"return\": {}, \"id\": 1}", await peer.ReadLineAsync().Within(60));
        Assert.Equal("{\"return\": {}, \"id\": 2}", await peer.ReadLineAsync().Within(60));
    }

    /// <summary>Polls a condition for up to 60 s (a loaded machine is slow, never wrong).</summary>
    private static async Task<bool> Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return condition();
    }
}
