using System.Text.Json;

namespace Qmp.Runtime.Tests;

public class ServerProtocolTests
{
    [Fact]
    public async Task Greeting_is_qemu21_by_default()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        Assert.Equal("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 2}, \"package\": \"\"}, \"capabilities\": []}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Lines_end_with_crlf()
    {
        await using var fx = new ServerFixture();
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(fx.SocketPath));
        using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[4096];
        var total = 0;
        while (total < 2 || buffer[total - 1] != (byte)'\n')
        {
            total += await stream.ReadAsync(buffer.AsMemory(total)).AsTask().Within();
        }

        Assert.Equal((byte)'\r', buffer[total - 2]);
        Assert.Equal(1, buffer.AsSpan(0, total).Count((byte)'\n'));
    }

    [Fact]
    public async Task Commands_before_negotiation_are_not_found()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"query-status\",\"id\":1}\r\n");
        Assert.Equal("{\"id\": 1, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command query-status has not been found\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\"}");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"id\":2}");
        Assert.Equal("{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command qmp_capabilities has not been found\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"query-status\"}");
        Assert.Equal("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"no-such\"}");
        Assert.Equal("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command no-such has not been found\"}}", await peer.ReadLineAsync());
    }

    [Theory]
    [InlineData("{\"execute\":", "Invalid JSON syntax", "}\r\n")]
    [InlineData("[1,2]", "Expected 'object' in QMP input", "")]
    [InlineData("\"query-status\"", "Expected 'object' in QMP input", "")]
    [InlineData("{\"execute\":1,\"id\":5}", "QMP input object member 'execute' expects 'string'", "")]
    [InlineData("{\"execute\":\"echo\",\"arguments\":[1],\"id\":5}", "QMP input object member 'arguments' expects 'object'", "")]
    [InlineData("{\"execute\":\"echo\",\"foo\":1,\"id\":5}", "QMP input object member 'foo' is unexpected", "")]
    [InlineData("{\"arguments\":{},\"id\":5}", "Expected 'execute' in QMP input", "")]
    [InlineData("{\"exec-oob\":\"echo\"}", "QMP input object member 'exec-oob' is unexpected", "")]
    public async Task Input_errors_use_qemu21_messages_without_id_and_the_connection_stays(string input, string message, string tail)
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync(input + tail + "\r\n");
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + message + "\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"echo\",\"arguments\":{\"x\":1},\"id\":\"after\"}\r\n");
        Assert.Equal("{\"return\": {\"x\": 1}, \"id\": \"after\"}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Input_errors_are_checked_before_negotiation_too()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"id\":1}");
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Expected 'execute' in QMP input\"}}", await peer.ReadLineAsync());
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("-12.50e+3", "-12.50e+3")]
    [InlineData("\"abc\"", "\"abc\"")]
    [InlineData("'abc'", "\"abc\"")]
    [InlineData("\"\\u00e9\\n'q'\"", "\"\\u00E9\\n'q'\"")]
    [InlineData("\"caf\u00e9\\/\"", "\"caf\\u00E9/\"")]
    [InlineData("\"\U0001F600\"", "\"\\uD83D\\uDE00\"")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", "null")]
    [InlineData("[1,\"a\",{\"b\":[]}]", "[1, \"a\", {\"b\": []}]")]
    [InlineData("{\"k\":{\"n\":18446744073709551616}}", "{\"k\": {\"n\": 18446744073709551616}}")]
    public async Task Id_is_echoed_whatever_its_type_written_as_qemu_writes_it(string id, string echoed)
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":" + id + "}\r\n");
        Assert.Equal("{\"return\": {}, \"id\": " + echoed + "}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"id\":" + id + ",\"execute\":\"nope\"}\r\n");
        Assert.Equal("{\"id\": " + echoed + ", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Id_with_whitespace_is_echoed_on_one_line()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":{ \"a b\" :\r\n [ 1 , 2 ] }}\r\n");
        Assert.Equal("{\"return\": {}, \"id\": {\"a b\": [1, 2]}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Dispatcher_errors_become_error_replies()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"fail\",\"arguments\":{\"device\":\"ide9\"},\"id\":7}");
        Assert.Equal("{\"id\": 7, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'ide9' not found\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"throw\",\"id\":8}");
        // An exception the command did not mean as a QMP error: QEMU's generic words, never .NET's text (it is logged).
        Assert.Equal("{\"id\": 8, \"error\": {\"class\": \"GenericError\", \"desc\": \"An undefined error has occurred\"}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Negotiation_rejects_unknown_capability_and_parameters()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}");
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Capability 'oob' not available\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}");
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter 'x'\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{}}");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Oob_is_negotiated_when_offered_and_enables_exec_oob()
    {
        var options = new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 0, "test"), ["oob"]), MaxClientsPerListener = 2 };
        await using var fx = new ServerFixture(options);
        await using var client = await fx.ConnectClientAsync(new QmpClientOptions { EnableOob = true });
        Assert.Equal(["oob"], client.EnabledCapabilities);
        Assert.Equal(["oob"], Assert.Single(fx.Server.Sessions).Capabilities);
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}{\"exec-oob\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        Assert.Equal("{\"return\": {}, \"id\": 1}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Events_go_only_to_negotiated_connections()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_400_000_000_123));
        await using var fx = new ServerFixture(new QmpServerOptions { TimeProvider = time, MaxClientsPerListener = 2 });
        await using var fresh = await fx.ConnectRawAsync();
        await fresh.ReadLineAsync();
        await using var ready = await fx.ConnectNegotiatedAsync();
        fx.Server.EmitEvent("STOP");
        fx.Server.EmitEvent("RTC_CHANGE", w => { w.WriteStartObject(); w.WriteNumber("offset", 78); w.WriteEndObject(); });
        Assert.Equal("{\"timestamp\": {\"seconds\": 1400000000, \"microseconds\": 123000}, \"event\": \"STOP\"}", await ready.ReadLineAsync());
        Assert.Equal("{\"timestamp\": {\"seconds\": 1400000000, \"microseconds\": 123000}, \"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 78}}", await ready.ReadLineAsync());

        // The unnegotiated peer got nothing: its next line is the reply to its own command.
        await fresh.SendAsync("{\"execute\":\"qmp_capabilities\",\"id\":\"n\"}");
        Assert.Equal("{\"return\": {}, \"id\": \"n\"}", await fresh.ReadLineAsync());
    }

    [Fact]
    public async Task Work_deferred_with_after_reply_runs_after_the_reply_in_order()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await using var other = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"quit\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await peer.ReadLineAsync().Within());
        Assert.EndsWith("\"event\": \"SHUTDOWN\"}", await peer.ReadLineAsync().Within());
        Assert.EndsWith("\"event\": \"AFTER\"}", await peer.ReadLineAsync().Within());
        Assert.EndsWith("\"event\": \"SHUTDOWN\"}", await other.ReadLineAsync().Within());

        // After an error reply too; a failing action is logged, the connection goes on.
        await peer.SendAsync("{\"execute\":\"fail-after\",\"id\":2}{\"execute\":\"echo\",\"id\":3}");
        Assert.Equal("{\"id\": 2, \"error\": {\"class\": \"GenericError\", \"desc\": \"failed\"}}", await peer.ReadLineAsync().Within());
        Assert.EndsWith("\"event\": \"AFTER\"}", await peer.ReadLineAsync().Within());
        Assert.Equal("{\"return\": {}, \"id\": 3}", await peer.ReadLineAsync().Within());

        // Outside a command there is nothing to wait for.
        Assert.Null(QmpSession.Current);
        var ran = false;
        fx.Server.Sessions.First().AfterReply(() => ran = true);
        Assert.True(ran);
    }

    [Fact]
    public async Task A_peer_that_has_read_a_reply_finds_no_command_running()
    {
        // The writer may send a reply inline; the session must leave the command first, or work
        // deferred from outside (a job's event) would wait for a command that has answered. Before the
        // fix 15 of 5,000 round trips here lost the race, so the test runs many.
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        var session = fx.Server.Sessions.Single();
        var queued = 0;
        for (var i = 0; i < 5000; i++)
        {
            await peer.SendAsync("{\"execute\":\"echo\",\"id\":" + i + "}");
            Assert.Equal("{\"return\": {}, \"id\": " + i + "}", await peer.ReadLineAsync().Within());
            var ran = false;
            session.AfterReply(() => ran = true);
            queued += ran ? 0 : 1;
        }

        Assert.Equal(0, queued);
    }

    [Fact]
    public async Task Oversized_and_too_deep_requests_get_an_error_and_reading_goes_on_as_in_qemu()
    {
        const string Invalid = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid JSON syntax\"}}";
        await using var fx = new ServerFixture(new QmpServerOptions { MaxMessageBytes = 1000, MaxDepth = 8 });
        await using var peer = await fx.ConnectNegotiatedAsync();

        // A token one byte over the limit is cut there (error); the rest of the line is read afresh:
        // 'xx...' is a keyword token (error), the quote opens a string the CR ends (error).
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":\"" + new string('x', 1500) + "\"}\r\n{\"execute\":\"echo\",\"id\":2}\r\n");
        Assert.Equal(Invalid, await peer.ReadLineAsync());
        Assert.Equal(Invalid, await peer.ReadLineAsync());
        Assert.Equal(Invalid, await peer.ReadLineAsync());
        Assert.Equal("{\"return\": {}, \"id\": 2}", await peer.ReadLineAsync());

        // Many small tokens over the limit: the same, from the token that crossed it.
        await peer.SendAsync("{\"execute\":\"echo\",\"arguments\":{\"a\":\"" + new string('y', 900) + "\",\"b\":\"" + new string('z', 200) + "\"}}{\"execute\":\"echo\",\"id\":3}");
        Assert.Equal(Invalid, await peer.ReadLineAsync()); // at "zzz...", the tokens before it dropped
        Assert.Equal(Invalid, await peer.ReadLineAsync()); // the stray '}'
        Assert.Equal(Invalid, await peer.ReadLineAsync()); // the stray '}'
        Assert.Equal("{\"return\": {}, \"id\": 3}", await peer.ReadLineAsync());

        // Depth 8 is served; the bracket that opens level 9 is refused, then each stray ']' on its own.
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":[[[[[[[1]]]]]]]}" + new string('[', 9) + new string(']', 9) + "{\"execute\":\"echo\",\"id\":4}");
        Assert.Equal("{\"return\": {}, \"id\": [[[[[[[1]]]]]]]}", await peer.ReadLineAsync());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Invalid, await peer.ReadLineAsync());
        }

        Assert.Equal("{\"return\": {}, \"id\": 4}", await peer.ReadLineAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Unix_socket_is_owner_only()
    {
        await using var fx = new ServerFixture();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fx.SocketPath));
    }

    [Fact]
    public async Task Disconnect_mid_message_leaves_nothing_behind()
    {
        await using var fx = new ServerFixture();
        var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"argu");
        await peer.DisposeAsync();
        Assert.True(await Eventually(() => fx.Server.Sessions.Count == 0));
        await using var other = await fx.ConnectNegotiatedAsync();
        await other.SendAsync("{\"execute\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await other.ReadLineAsync());
    }

    [Fact]
    public async Task Stalled_client_does_not_delay_others_no_event_is_dropped_and_it_is_closed_past_its_limit()
    {
        var log = new ListLogger();
        await using var fx = new ServerFixture(new QmpServerOptions { MaxQueuedBytes = 1024 * 1024, MaxClientsPerListener = 2, Logger = log });
        await using var stalled = await fx.ConnectNegotiatedAsync();
        stalled.Socket.ReceiveBufferSize = 4096;
        await using var client = await fx.ConnectClientAsync();
        using var events = client.SubscribeEvents(["BIG"], capacity: 100_000);
        var payload = new string('p', 1000);

        // In rounds the reading client keeps up with; the stalled one never reads.
        for (var round = 0; round < 20; round++)
        {
            for (var i = round * 100; i < (round + 1) * 100; i++)
            {
                fx.Server.EmitEvent("BIG", w => { w.WriteStartObject(); w.WriteNumber("n", i); w.WriteString("p", payload); w.WriteEndObject(); });
            }

            // The reading client has every event, in order.
            for (var i = round * 100; i < (round + 1) * 100; i++)
            {
                var e = await events.Reader.ReadAsync().AsTask().Within();
                Assert.Equal(i, e.Data!.Value.GetProperty("n").GetInt32());
            }
        }

        var status = await client.ExecuteAsync("query-status").Within();
        Assert.True(status.GetProperty("running").GetBoolean());

        // The stalled one was closed, with the reason logged.
        Assert.True(await stalled.IsClosedAsync(), "the stalled client is disconnected");
        Assert.Single(fx.Server.Sessions);
        Assert.Contains(log.Messages, m => m.Contains("output queue would exceed 1048576 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Past_the_server_budget_the_longest_stalled_client_is_closed_first()
    {
        var log = new ListLogger();
        await using var fx = new ServerFixture(new QmpServerOptions
        {
            MaxQueuedBytes = 16 * 1024 * 1024,
            MaxTotalQueuedBytes = 1024 * 1024,
            MaxClientsPerListener = 3,
            Logger = log,
        });
        var payload = new string('p', 4000);
        void Emit(int count)
        {
            for (var i = 0; i < count; i++)
            {
                fx.Server.EmitEvent("BIG", w => { w.WriteStartObject(); w.WriteString("p", payload); w.WriteEndObject(); });
            }
        }

        await using var older = await fx.ConnectNegotiatedAsync();
        older.Socket.ReceiveBufferSize = 4096;
        Emit(150);
        Assert.True(await Eventually(() => fx.Server.QueuedBytes > 0), "the first client is stalled");

        await using var newer = await fx.ConnectNegotiatedAsync();
        newer.Socket.ReceiveBufferSize = 4096;
        Emit(150);

        Assert.True(await older.IsClosedAsync(), "the longest-stalled client is closed");
        Assert.Contains(log.Messages, m => m.Contains("budget of 1048576 bytes for unsent output and unfinished requests is spent and this client holds the output stalled longest", StringComparison.Ordinal));

        // The newer one keeps every event and its connection.
        for (var i = 0; i < 150; i++)
        {
            Assert.Contains("\"event\": \"BIG\"", await newer.ReadLineAsync().Within(), StringComparison.Ordinal);
        }

        await newer.SendAsync("{\"execute\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await newer.ReadLineAsync().Within());
        Assert.True(fx.Server.QueuedBytes <= 1024 * 1024);
    }

    [Fact]
    public async Task One_client_per_listener_by_default_the_next_gets_its_greeting_when_the_first_leaves()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-one-").FullName;
        var path = Path.Combine(dir, "qmp.sock");
        try
        {
            await using var server = QmpServer.Listen($"unix:{path},server=on,wait=off", new TestDispatcher());
            var first = await RawPeer.ConnectAsync(path);
            Assert.StartsWith("{\"QMP\": ", await first.ReadLineAsync().Within());

            // The second connects (the kernel queues it) but hears nothing while the first is there.
            await using var second = await RawPeer.ConnectAsync(path);
            var greeting = second.ReadLineAsync();
            await first.NegotiateAsync(greetingRead: true);
            await first.SendAsync("{\"execute\":\"echo\",\"id\":1}");
            Assert.Equal("{\"return\": {}, \"id\": 1}", await first.ReadLineAsync().Within());
            Assert.False(greeting.IsCompleted);
            Assert.Single(server.Sessions);

            await first.DisposeAsync();
            Assert.StartsWith("{\"QMP\": ", await greeting.Within());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task At_the_connection_limit_listeners_wait_until_one_ends()
    {
        var log = new ListLogger();
        await using var fx = new ServerFixture(new QmpServerOptions { MaxConnections = 2, MaxClientsPerListener = 16, Logger = log });
        await using var first = await fx.ConnectNegotiatedAsync();
        var second = await fx.ConnectNegotiatedAsync();
        await using var third = await fx.ConnectRawAsync();
        var greeting = third.ReadLineAsync();
        await first.SendAsync("{\"execute\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await first.ReadLineAsync().Within());
        Assert.False(greeting.IsCompleted, "the third client waits while two are served");
        Assert.Equal(2, fx.Server.Sessions.Count);

        await second.DisposeAsync();
        Assert.StartsWith("{\"QMP\": ", await greeting.Within());
        Assert.Contains(log.Messages, m => m.Contains("limit of 2 connections", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_server_the_address_is_connected_to_as_qemus_client_mode()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-client-mode-").FullName;
        var path = Path.Combine(dir, "harness.sock");
        try
        {
            using var harness = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            harness.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            harness.Listen(1);
            await using (var server = QmpServer.Listen($"unix:{path}", new TestDispatcher()))
            {
                using var accepted = await harness.AcceptAsync().Within();
                await using var peer = RawPeer.FromSocket(accepted);
                Assert.StartsWith("{\"QMP\": ", await peer.ReadLineAsync().Within());
                await peer.NegotiateAsync(greetingRead: true);
            }

            // The harness's socket is the harness's: still there after the server is gone.
            Assert.True(File.Exists(path));
            Assert.Throws<IOException>(() => QmpServer.Listen($"unix:{Path.Combine(dir, "absent.sock")}", new TestDispatcher()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Listening_never_removes_a_path_it_did_not_create_except_a_stale_socket()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-paths-").FullName;
        try
        {
            var file = Path.Combine(dir, "file");
            File.WriteAllText(file, "keep");
            Assert.Throws<IOException>(() => QmpServer.Listen($"unix:{file},server,nowait", new TestDispatcher()));
            Assert.Equal("keep", File.ReadAllText(file));

            var live = Path.Combine(dir, "live.sock");
            await using (var owner = QmpServer.Listen($"unix:{live},server,nowait", new TestDispatcher()))
            {
                Assert.Throws<IOException>(() => QmpServer.Listen($"unix:{live},server,nowait", new TestDispatcher()));
                await using var client = await QmpClient.ConnectAsync($"unix:{live}");
                Assert.Equal(JsonValueKind.Object, (await client.ExecuteAsync("query-status").Within()).ValueKind);
            }

            // A socket left behind with nobody listening is replaced.
            var stale = Path.Combine(dir, "stale.sock");
            using (var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                dead.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(stale));
            }

            await using (var server = QmpServer.Listen($"unix:{stale},server,nowait", new TestDispatcher()))
            {
                await using var client = await QmpClient.ConnectAsync($"unix:{stale}");
            }

            Assert.False(File.Exists(stale));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Polls until the condition holds, bounded only against a hang (TestExtensions.Patience).</summary>
    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(TestExtensions.Patience); !condition() && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(10);
        }

        return condition();
    }

    [Fact]
    public async Task Client_that_never_reads_replies_is_closed_at_the_hard_limit()
    {
        await using var fx = new ServerFixture(new QmpServerOptions { MaxQueuedBytes = 256 * 1024 });
        await using var peer = await fx.ConnectNegotiatedAsync();
        peer.Socket.ReceiveBufferSize = 4096;
        var request = "{\"execute\":\"big\",\"arguments\":{\"size\":60000}}\n";
        try
        {
            for (var i = 0; i < 200; i++)
            {
                await peer.SendAsync(request);
            }
        }
        catch (IOException)
        {
            // Closed by the server while we were still sending: what we expect.
        }

        Assert.True(await Eventually(() => fx.Server.Sessions.Count == 0));
    }

    [Fact]
    public async Task Tcp_listener_binds_where_told()
    {
        await using var server = QmpServer.Listen("tcp:127.0.0.1:0,server,nowait", new TestDispatcher());
        var endPoint = (System.Net.IPEndPoint)Assert.Single(server.LocalEndPoints);
        Assert.Equal("127.0.0.1", endPoint.Address.ToString());
        await using var client = await QmpClient.ConnectAsync($"tcp:127.0.0.1:{endPoint.Port}");
        Assert.Equal("2.1.0", client.Greeting.Version.ToString());
        var result = await client.ExecuteAsync("echo", TestExtensions.Json("{\"a\":[1,2]}")).Within();
        Assert.Equal("{\"a\": [1, 2]}", result.GetRawText());
    }

    [Fact]
    public async Task One_server_serves_several_addresses_and_streams()
    {
        await using var fx = new ServerFixture();
        fx.Server.AddListener("tcp:127.0.0.1:0,server,nowait");
        var port = ((System.Net.IPEndPoint)fx.Server.LocalEndPoints[1]).Port;
        await using var a = await fx.ConnectClientAsync();
        await using var b = await QmpClient.ConnectAsync($"tcp:127.0.0.1:{port}");
        var (clientEnd, serverEnd) = await SocketPairAsync();
        var session = fx.Server.RunSessionAsync(serverEnd);
        await using var c = await QmpClient.ConnectAsync(clientEnd);
        foreach (var client in new[] { a, b, c })
        {
            Assert.Equal(JsonValueKind.Object, (await client.ExecuteAsync("query-status").Within()).ValueKind);
        }

        Assert.Equal(3, fx.Server.Sessions.Count);
        await c.DisposeAsync();
        await session.Within();
    }

    internal static async Task<(Stream Client, Stream Server)> SocketPairAsync()
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accept;
        return (new System.Net.Sockets.NetworkStream(client, true), new System.Net.Sockets.NetworkStream(server, true));
    }
}
