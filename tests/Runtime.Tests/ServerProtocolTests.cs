using System.Text.Json;

namespace Qmp.Runtime.Tests;

public class ServerProtocolTests
{
    [Fact]
    public async Task GreetingIsQemu21ByDefault()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        Assert.Equal("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":1,\"major\":2},\"package\":\"\"},\"capabilities\":[]}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task LinesEndWithCrlf()
    {
        await using var fx = new ServerFixture();
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(fx.SocketPath));
        using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[4096];
        int total = 0;
        while (total < 2 || buffer[total - 1] != (byte)'\n')
        {
            total += await stream.ReadAsync(buffer.AsMemory(total)).AsTask().Within();
        }

        Assert.Equal((byte)'\r', buffer[total - 2]);
        Assert.Equal(1, buffer.AsSpan(0, total).Count((byte)'\n'));
    }

    [Fact]
    public async Task CommandsBeforeNegotiationAreNotFound()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"query-status\",\"id\":1}\r\n");
        Assert.Equal("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command query-status has not been found\"},\"id\":1}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\"}");
        Assert.Equal("{\"return\":{}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"id\":2}");
        Assert.Equal("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command qmp_capabilities has not been found\"},\"id\":2}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"query-status\"}");
        Assert.Equal("{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"no-such\"}");
        Assert.Equal("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command no-such has not been found\"}}", await peer.ReadLineAsync());
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
    public async Task InputErrorsUseQemu21MessagesWithoutIdAndTheConnectionStays(string input, string message, string tail)
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync(input + tail + "\r\n");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"" + message + "\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"echo\",\"arguments\":{\"x\":1},\"id\":\"after\"}\r\n");
        Assert.Equal("{\"return\":{\"x\":1},\"id\":\"after\"}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task InputErrorsAreCheckedBeforeNegotiationToo()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"id\":1}");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Expected 'execute' in QMP input\"}}", await peer.ReadLineAsync());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-12.50e+3")]
    [InlineData("\"abc\"")]
    [InlineData("\"\\u00e9\\n'q'\"")]
    [InlineData("\"caf\u00e9\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("[1,\"a\",{\"b\":[]}]")]
    [InlineData("{\"k\":{\"n\":18446744073709551616}}")]
    public async Task IdIsEchoedVerbatimWhateverItsType(string id)
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":" + id + "}\r\n");
        Assert.Equal("{\"return\":{},\"id\":" + id + "}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"id\":" + id + ",\"execute\":\"nope\"}\r\n");
        Assert.Equal("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nope has not been found\"},\"id\":" + id + "}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task IdWithWhitespaceIsEchoedOnOneLine()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"id\":{ \"a b\" :\r\n [ 1 , 2 ] }}\r\n");
        Assert.Equal("{\"return\":{},\"id\":{\"a b\":[1,2]}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task DispatcherErrorsBecomeErrorReplies()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"fail\",\"arguments\":{\"device\":\"ide9\"},\"id\":7}");
        Assert.Equal("{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'ide9' not found\"},\"id\":7}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"throw\",\"id\":8}");
        // An exception the command did not mean as a QMP error: QEMU's generic words, never .NET's text (it is logged).
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"An undefined error has occurred\"},\"id\":8}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task NegotiationRejectsUnknownCapabilityAndParameters()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Capability 'oob' not available\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter 'x'\"}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{}}");
        Assert.Equal("{\"return\":{}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task OobIsNegotiatedWhenOfferedAndEnablesExecOob()
    {
        var options = new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 0, "test"), ["oob"]) };
        await using var fx = new ServerFixture(options);
        await using var client = await fx.ConnectClientAsync(new QmpClientOptions { EnableOob = true });
        Assert.Equal(["oob"], client.EnabledCapabilities);
        Assert.Equal(["oob"], Assert.Single(fx.Server.Sessions).Capabilities);
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}{\"exec-oob\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\":{}}", await peer.ReadLineAsync());
        Assert.Equal("{\"return\":{},\"id\":1}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task EventsGoOnlyToNegotiatedConnections()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_400_000_000_123));
        await using var fx = new ServerFixture(new QmpServerOptions { TimeProvider = time });
        await using var fresh = await fx.ConnectRawAsync();
        await fresh.ReadLineAsync();
        await using var ready = await fx.ConnectNegotiatedAsync();
        fx.Server.EmitEvent("STOP");
        fx.Server.EmitEvent("RTC_CHANGE", w => { w.WriteStartObject(); w.WriteNumber("offset", 78); w.WriteEndObject(); });
        Assert.Equal("{\"event\":\"STOP\",\"timestamp\":{\"seconds\":1400000000,\"microseconds\":123000}}", await ready.ReadLineAsync());
        Assert.Equal("{\"event\":\"RTC_CHANGE\",\"data\":{\"offset\":78},\"timestamp\":{\"seconds\":1400000000,\"microseconds\":123000}}", await ready.ReadLineAsync());

        // The unnegotiated peer got nothing: its next line is the reply to its own command.
        await fresh.SendAsync("{\"execute\":\"qmp_capabilities\",\"id\":\"n\"}");
        Assert.Equal("{\"return\":{},\"id\":\"n\"}", await fresh.ReadLineAsync());
    }

    [Fact]
    public async Task WorkDeferredWithAfterReplyRunsAfterTheReplyInOrder()
    {
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await using var other = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"quit\",\"id\":1}");
        Assert.Equal("{\"return\":{},\"id\":1}", await peer.ReadLineAsync().Within());
        Assert.StartsWith("{\"event\":\"SHUTDOWN\"", await peer.ReadLineAsync().Within());
        Assert.StartsWith("{\"event\":\"AFTER\"", await peer.ReadLineAsync().Within());
        Assert.StartsWith("{\"event\":\"SHUTDOWN\"", await other.ReadLineAsync().Within());

        // After an error reply too; a failing action is logged, the connection goes on.
        await peer.SendAsync("{\"execute\":\"fail-after\",\"id\":2}{\"execute\":\"echo\",\"id\":3}");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"failed\"},\"id\":2}", await peer.ReadLineAsync().Within());
        Assert.StartsWith("{\"event\":\"AFTER\"", await peer.ReadLineAsync().Within());
        Assert.Equal("{\"return\":{},\"id\":3}", await peer.ReadLineAsync().Within());

        // Outside a command there is nothing to wait for.
        Assert.Null(QmpSession.Current);
        bool ran = false;
        fx.Server.Sessions.First().AfterReply(() => ran = true);
        Assert.True(ran);
    }

    [Fact]
    public async Task OversizedAndTooDeepRequestsGetAnErrorAndTheConnectionContinues()
    {
        await using var fx = new ServerFixture(new QmpServerOptions { MaxMessageBytes = 1000, MaxDepth = 8 });
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"arguments\":{\"s\":\"" + new string('x', 5000) + "\"},\"id\":1}\r\n{\"execute\":\"echo\",\"id\":2}\r\n");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input exceeds the limit of 1000 bytes\"}}", await peer.ReadLineAsync());
        Assert.Equal("{\"return\":{},\"id\":2}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"echo\",\"arguments\":{\"a\":[[[[[[[[[[1]]]]]]]]]]},\"id\":3}{\"execute\":\"echo\",\"id\":4}");
        Assert.Equal("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input exceeds the nesting limit of 8\"}}", await peer.ReadLineAsync());
        Assert.Equal("{\"return\":{},\"id\":4}", await peer.ReadLineAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task UnixSocketIsOwnerOnly()
    {
        await using var fx = new ServerFixture();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fx.SocketPath));
    }

    [Fact]
    public async Task DisconnectMidMessageLeavesNothingBehind()
    {
        await using var fx = new ServerFixture();
        var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"echo\",\"argu");
        await peer.DisposeAsync();
        for (int i = 0; i < 200 && fx.Server.Sessions.Count > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(fx.Server.Sessions);
        await using var other = await fx.ConnectNegotiatedAsync();
        await other.SendAsync("{\"execute\":\"echo\",\"id\":1}");
        Assert.Equal("{\"return\":{},\"id\":1}", await other.ReadLineAsync());
    }

    [Fact]
    public async Task StalledClientDoesNotDelayOthersAndItsEventsAreDroppedAndCounted()
    {
        await using var fx = new ServerFixture(new QmpServerOptions { EventQueueLimit = 16 });
        await using var stalled = await fx.ConnectNegotiatedAsync();
        stalled.Socket.ReceiveBufferSize = 4096;
        await using var client = await fx.ConnectClientAsync();
        using var events = client.SubscribeEvents(["BIG"], capacity: 100_000);
        var payload = new string('p', 4000);
        var emitted = Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                fx.Server.EmitEvent("BIG", w => { w.WriteStartObject(); w.WriteString("p", payload); w.WriteEndObject(); });
            }
        });
        await emitted.Within();
        var status = await client.ExecuteAsync("query-status").Within();
        Assert.True(status.GetProperty("running").GetBoolean());
        var stalledSession = fx.Server.Sessions.OrderBy(s => s.Id).First();
        Assert.True(stalledSession.DroppedEvents > 0);
    }

    [Fact]
    public async Task ClientThatNeverReadsRepliesIsClosedAtTheHardLimit()
    {
        await using var fx = new ServerFixture(new QmpServerOptions { MaxQueuedBytes = 256 * 1024 });
        await using var peer = await fx.ConnectNegotiatedAsync();
        peer.Socket.ReceiveBufferSize = 4096;
        var request = "{\"execute\":\"big\",\"arguments\":{\"size\":60000}}\n";
        try
        {
            for (int i = 0; i < 200; i++)
            {
                await peer.SendAsync(request);
            }
        }
        catch (IOException)
        {
            // Closed by the server while we were still sending: what we expect.
        }

        for (int i = 0; i < 300 && fx.Server.Sessions.Count > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(fx.Server.Sessions);
    }

    [Fact]
    public async Task TcpListenerBindsWhereTold()
    {
        await using var server = QmpServer.Listen("tcp:127.0.0.1:0,server,nowait", new TestDispatcher());
        var endPoint = (System.Net.IPEndPoint)Assert.Single(server.LocalEndPoints);
        Assert.Equal("127.0.0.1", endPoint.Address.ToString());
        await using var client = await QmpClient.ConnectAsync($"tcp:127.0.0.1:{endPoint.Port}");
        Assert.Equal("2.1.0", client.Greeting.Version.ToString());
        var result = await client.ExecuteAsync("echo", TestExtensions.Json("{\"a\":[1,2]}")).Within();
        Assert.Equal("{\"a\":[1,2]}", result.GetRawText());
    }

    [Fact]
    public async Task OneServerServesSeveralAddressesAndStreams()
    {
        await using var fx = new ServerFixture();
        fx.Server.AddListener("tcp:127.0.0.1:0");
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
