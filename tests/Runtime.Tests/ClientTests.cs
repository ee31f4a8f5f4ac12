using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Qmp.Runtime.Tests;

public class ClientTests
{
    private sealed record StatusInfo(bool Running, string Status);

    private static readonly QmpJsonReader<StatusInfo> s_readStatus = static (ref Utf8JsonReader r) =>
    {
        var running = false;
        var status = "";
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = r.GetString()!;
            r.Read();
            switch (name)
            {
                case "running": running = r.GetBoolean(); break;
                case "status": status = r.GetString()!; break;
                default: r.Skip(); break;
            }
        }

        return new StatusInfo(running, status);
    };

    [Fact]
    public async Task Greets_negotiates_and_runs_typed_commands()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        Assert.Equal(new QmpVersion(2, 1, 0), client.Greeting.Version);
        Assert.Empty(client.Greeting.Capabilities);
        var status = await client.ExecuteAsync<object?, StatusInfo>("query-status", null, null, s_readStatus).Within();
        Assert.Equal(new StatusInfo(true, "running"), status);
        var echoed = await client.ExecuteAsync("echo", "ide1-cd0", static (w, d) => { w.WriteStartObject(); w.WriteString("device", d); w.WriteEndObject(); },
            static (ref Utf8JsonReader r) => { r.Read(); r.Read(); return r.GetString()!; }).Within();
        Assert.Equal("ide1-cd0", echoed);
    }

    [Fact]
    public async Task Error_replies_surface_as_qmp_exception()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        var ex = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAsync("fail", TestExtensions.Json("{\"device\":\"ide9\"}")).Within());
        Assert.Equal(QmpErrorClass.DeviceNotFound, ex.ErrorClass);
        Assert.Equal("fail", ex.Command);
        Assert.Equal("DeviceNotFound: Device 'ide9' not found (command fail)", ex.Message);
        var missing = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAsync("frobnicate").Within());
        Assert.Equal(QmpErrorClass.CommandNotFound, missing.ErrorClass);
        Assert.Equal("The command frobnicate has not been found", missing.Description);
    }

    [Fact]
    public void Unknown_error_class_keeps_its_text()
    {
        var ex = new QmpException("MigrationExpected", "Guest not migrating", "cont");
        Assert.Equal(QmpErrorClass.Unknown, ex.ErrorClass);
        Assert.Equal("MigrationExpected", ex.ErrorClassName);
        Assert.Equal("MigrationExpected: Guest not migrating (command cont)", ex.Message);
    }

    [Fact]
    public async Task Thousands_of_pipelined_commands_are_matched_by_id()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        var tasks = Enumerable.Range(0, 5000).Select(i =>
            client.ExecuteAsync("echo", i, static (w, n) => { w.WriteStartObject(); w.WriteNumber("n", n); w.WriteEndObject(); },
                static (ref Utf8JsonReader r) => { r.Read(); r.Read(); return r.GetInt32(); })).ToArray();
        var results = await Task.WhenAll(tasks).Within();
        Assert.Equal(Enumerable.Range(0, 5000), results);
    }

    [Fact]
    public async Task Events_reach_every_subscriber_in_order_filtered_by_name()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        using var all = client.SubscribeEvents();
        using var stops = client.SubscribeEvents(["STOP"]);
        for (var i = 0; i < 100; i++)
        {
            fx.Server.EmitEvent(i % 2 == 0 ? "STOP" : "RESUME", w => { w.WriteStartObject(); w.WriteNumber("i", i); w.WriteEndObject(); });
        }

        var received = new List<QmpEvent>();
        await foreach (var e in all)
        {
            received.Add(e);
            if (received.Count == 100) { break; }
        }

        Assert.Equal(Enumerable.Range(0, 100), received.Select(e => e.Data!.Value.GetProperty("i").GetInt32()));
        Assert.True(received.All(e => e.Timestamp > DateTimeOffset.UnixEpoch));
        for (var i = 0; i < 50; i++)
        {
            var e = await stops.Reader.ReadAsync().AsTask().Within();
            Assert.Equal("STOP", e.Name);
            Assert.Equal(i * 2, e.Data!.Value.GetProperty("i").GetInt32());
        }
    }

    [Fact]
    public async Task Events_before_any_subscriber_are_kept_in_the_backlog()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync(new QmpClientOptions { EventBacklogCapacity = 3 });
        for (var i = 0; i < 5; i++)
        {
            fx.Server.EmitEvent(i == 4 ? "RESUME" : "STOP", w => { w.WriteStartObject(); w.WriteNumber("i", i); w.WriteEndObject(); });
        }

        await client.ExecuteAsync("query-status").Within(); // replies follow the events: all are in
        Assert.Equal(2, client.EventBacklogDropped);
        using var resumes = client.SubscribeEvents(["RESUME"]);
        Assert.Equal(4, (await resumes.Reader.ReadAsync().AsTask().Within()).Data!.Value.GetProperty("i").GetInt32());
        using var all = client.SubscribeEvents();
        Assert.Equal(2, (await all.Reader.ReadAsync().AsTask().Within()).Data!.Value.GetProperty("i").GetInt32());
        Assert.Equal(3, (await all.Reader.ReadAsync().AsTask().Within()).Data!.Value.GetProperty("i").GetInt32());
        Assert.False(all.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Slow_subscriber_drops_oldest_and_counts()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        using var small = client.SubscribeEvents(capacity: 2);
        for (var i = 0; i < 10; i++)
        {
            fx.Server.EmitEvent("E" + i);
        }

        await client.ExecuteAsync("query-status").Within();
        Assert.Equal(8, small.DroppedCount);
        Assert.Equal("E8", (await small.Reader.ReadAsync()).Name);
        Assert.Equal("E9", (await small.Reader.ReadAsync()).Name);
    }

    [Fact]
    public async Task Cancellation_fails_only_that_command()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        using var cts = new CancellationTokenSource();
        var slow = client.ExecuteAsync("slow", cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.Within());
        fx.Dispatcher.SlowGate.SetResult();
        Assert.Equal(JsonValueKind.Object, (await client.ExecuteAsync("query-status").Within()).ValueKind);
        Assert.Equal(0, client.PendingCommandCount);
    }

    [Fact]
    public async Task Command_timeout_uses_the_time_provider()
    {
        var time = new FakeTimeProvider();
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync(new QmpClientOptions { TimeProvider = time, CommandTimeout = TimeSpan.FromSeconds(5) });
        var slow = client.ExecuteAsync("slow");
        await Task.Delay(50);
        Assert.False(slow.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(6));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => slow.Within());
        Assert.Contains("slow", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnect_fails_pending_commands_and_completes_event_streams()
    {
        var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        using var events = client.SubscribeEvents();
        var pending = Enumerable.Range(0, 10).Select(_ => client.ExecuteAsync("slow")).ToArray();
        await Task.Delay(50);
        await fx.DisposeAsync();
        foreach (var p in pending)
        {
            await Assert.ThrowsAsync<QmpDisconnectedException>(() => p.Within());
        }

        await events.Reader.Completion.Within();
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<QmpDisconnectedException>(() => client.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task Replies_of_tens_of_megabytes_work()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        var text = await client.ExecuteAsync("big", TestExtensions.Json("{\"size\":20000000}")).Within();
        Assert.Equal(20_000_000, text.GetString()!.Length);
    }

    [Fact]
    public async Task Reply_over_the_limit_fails_the_oldest_command_and_the_client_continues()
    {
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync(new QmpClientOptions { MaxMessageBytes = 10_000 });
        var ex = await Assert.ThrowsAsync<QmpProtocolException>(() => client.ExecuteAsync("big", TestExtensions.Json("{\"size\":50000}")).Within());
        Assert.Contains("MaxMessageBytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, (await client.ExecuteAsync("query-status").Within()).ValueKind);
    }

    [Fact]
    public async Task Error_without_id_and_garbage_from_the_server_are_not_fatal()
    {
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false });
        using var reader = new StreamReader(serverEnd);
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"Debian\"},\"capabilities\":[\"oob\"]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        Assert.Equal("7.2.0 (Debian)", client.Greeting.Version.ToString());
        Assert.True(client.Greeting.HasCapability("oob"));
        var command = client.ExecuteAsync("query-status");
        var request = (await reader.ReadLineAsync().Within())!;
        var id = JsonDocument.Parse(request).RootElement.GetProperty("id").GetInt64();
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes(
            "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error\"}}\r\n@@bad@@\r\n[1]\r\n{\"return\":{},\"id\":99999}\r\n{\"return\":{\"ok\":1},\"id\":" + id + "}\r\n"));
        Assert.Equal(1, (await command.Within()).GetProperty("ok").GetInt32());
        serverEnd.Dispose();
    }

    [Fact]
    public async Task Reply_with_an_id_that_is_not_a_number_is_ignored_and_the_client_continues()
    {
        // The id used to be read as a number unconditionally: a string id threw inside the read loop
        // and the connection was dropped as lost.
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false });
        using var reader = new StreamReader(serverEnd);
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        var command = client.ExecuteAsync("query-status");
        var request = (await reader.ReadLineAsync().Within())!;
        var id = JsonDocument.Parse(request).RootElement.GetProperty("id").GetInt64();
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes(
            "{\"return\":{},\"id\":\"" + id + "\"}\r\n{\"return\":{},\"id\":{\"n\":1}}\r\n{\"return\":{\"ok\":1},\"id\":" + id + "}\r\n"));
        Assert.Equal(1, (await command.Within()).GetProperty("ok").GetInt32());
        Assert.True(client.IsConnected);
        serverEnd.Dispose();
    }

    [Fact]
    public async Task Reply_nested_within_MaxDepth_reads_beyond_the_json_default_of_64()
    {
        // The typed result used to be read with the default reader options (depth 64), so a reply
        // the frame reader had accepted under MaxDepth (128) failed as unreadable.
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false });
        using var reader = new StreamReader(serverEnd);
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        var depth = 0;
        var command = client.ExecuteAsync<object?, int>("query-deep", null, null, (ref Utf8JsonReader r) =>
        {
            while (r.TokenType == JsonTokenType.StartArray)
            {
                depth++;
                r.Read();
            }

            r.Skip();
            return depth;
        });
        var request = (await reader.ReadLineAsync().Within())!;
        var id = JsonDocument.Parse(request).RootElement.GetProperty("id").GetInt64();
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes(
            "{\"return\":" + new string('[', 100) + new string(']', 100) + ",\"id\":" + id + "}\r\n"));
        Assert.Equal(100, await command.Within());
        serverEnd.Dispose();
    }

    [Fact]
    public async Task Greeting_must_arrive_before_the_handshake_timeout()
    {
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        using var _ = serverEnd;
        var time = new FakeTimeProvider();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { TimeProvider = time, HandshakeTimeout = TimeSpan.FromSeconds(1) });
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<TimeoutException>(() => connect.Within());
    }

    [Fact]
    public async Task Server_that_is_not_qmp_is_rejected()
    {
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd);
        await serverEnd.WriteAsync("{\"hello\":1}\r\n"u8.ToArray());
        await Assert.ThrowsAsync<QmpProtocolException>(() => connect.Within());
        serverEnd.Dispose();
    }
}
