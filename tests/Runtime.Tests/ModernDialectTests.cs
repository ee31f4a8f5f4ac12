using System.Text;

namespace Qmp.Runtime.Tests;

/// <summary>The modern dialect (<see cref="QmpDialect.Modern"/>) on its own: what needs no QEMU beside it.</summary>
public class ModernDialectTests
{
    private const string EnableOob = "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}\n";

    [Fact]
    public async Task The_greeting_offers_oob_with_the_configured_version()
    {
        await using var fx = new ModernFixture(new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 22, "Debian 1:7.2+dfsg-7"), []) });
        await using var peer = await fx.ConnectRawAsync();
        Assert.Equal(
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}",
            await peer.ReadLineAsync());
    }

    [Fact]
    public async Task The_default_dialect_is_still_QEMU_2_1()
    {
        Assert.Equal(QmpDialect.Qemu21, new QmpServerOptions().Dialect);
        await using var fx = new ServerFixture();
        await using var peer = await fx.ConnectNegotiatedAsync();
        await peer.SendAsync("[1]\n{\"execute\":1}\n");
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Expected 'object' in QMP input\"}}", await peer.ReadLineAsync());
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'execute' expects 'string'\"}}", await peer.ReadLineAsync());
    }

    /// <summary>Every malformed request of the parity list gets an answer and the connection goes on (QEMU or not).</summary>
    [Fact]
    public async Task Every_malformed_request_is_answered_and_the_connection_goes_on()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        var before = await Transcript.RunAsync(peer, ModernDialectParityTests.BeforeNegotiation);
        await peer.SendAsync(EnableOob);
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        var after = await Transcript.RunAsync(peer, ModernDialectParityTests.AfterNegotiation);
        Assert.All(before.Concat(after), reply => Assert.StartsWith("{", reply, StringComparison.Ordinal));
        Assert.Contains("{\"id\": 7, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}", before);
        Assert.Contains("{\"id\": \"x\", \"error\": {\"class\": \"GenericError\", \"desc\": \"The command query-status does not support OOB\"}}", after);
        Assert.Contains("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, missing : in object pair\"}}", after);
    }

    [Fact]
    public async Task Exec_oob_is_refused_until_oob_is_enabled()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\"}\n{\"exec-oob\":\"query-yank\",\"id\":1}\n");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        Assert.Equal("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exec-oob' is unexpected\"}}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task An_out_of_band_command_is_answered_while_an_in_band_one_runs()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync(EnableOob);
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"slow\",\"id\":\"slow\"}\n{\"execute\":\"query-status\",\"id\":\"after\"}\n{\"exec-oob\":\"query-yank\",\"id\":\"oob\"}\n");
        await fx.Dispatcher.SlowStarted.Task.Within();

        // The in-band command still waits; the out-of-band one is answered first.
        Assert.Equal("{\"return\": [{\"type\": \"chardev\", \"id\": \"compat_monitor0\"}], \"id\": \"oob\"}", await peer.ReadLineAsync());
        fx.Dispatcher.Gate.SetResult();
        Assert.Equal("{\"return\": {}, \"id\": \"slow\"}", await peer.ReadLineAsync());
        Assert.StartsWith("{\"return\": {\"status\"", await peer.ReadLineAsync(), StringComparison.Ordinal);
    }

    /// <summary>Out-of-band replies go through the same bounded output queue: a client that floods and never reads is closed.</summary>
    [Fact]
    public async Task An_exec_oob_flood_that_is_not_read_is_bounded_by_the_output_queue()
    {
        const int MaxQueued = 64 * 1024;
        await using var fx = new ModernFixture(new QmpServerOptions { MaxQueuedBytes = MaxQueued });
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync(EnableOob);
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"slow\"}\n");
        await fx.Dispatcher.SlowStarted.Task.Within();

        // 20,000 answers of about 70 bytes are 1.4 MB: far past the queue's 64 KiB unless the client reads.
        var flood = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            flood.Append("{\"exec-oob\":\"query-yank\",\"id\":").Append(i).Append("}\n");
        }

        try
        {
            peer.Socket.ReceiveBufferSize = 4096;
            await peer.SendAsync(flood.ToString());
        }
        catch (IOException)
        {
            // Closed while we were still sending: the limit did its work.
        }

        Assert.True(await peer.IsClosedAsync(), "the server kept a client that floods exec-oob without reading");
        Assert.True(fx.Server.QueuedBytes <= MaxQueued, $"{fx.Server.QueuedBytes} bytes queued");
    }

    [Fact]
    public async Task Queued_in_band_requests_are_counted_in_the_servers_budget()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync(EnableOob);
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        await peer.SendAsync("{\"execute\":\"slow\"}\n");
        await fx.Dispatcher.SlowStarted.Task.Within();
        var padded = "{\"execute\":\"query-status\",\"id\":\"" + new string('p', 1000) + "\"}\n";
        await peer.SendAsync(string.Concat(Enumerable.Repeat(padded, Qmp.Runtime.Server.QmpModernProtocol.InBandQueueLength)));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds));
        while (fx.Server.BufferedInputBytes < Qmp.Runtime.Server.QmpModernProtocol.InBandQueueLength * 1000L)
        {
            Assert.False(patience.IsCancellationRequested, $"{fx.Server.BufferedInputBytes} bytes counted");
            await Task.Delay(10, CancellationToken.None);
        }

        fx.Dispatcher.Gate.SetResult();
        for (var i = 0; i <= Qmp.Runtime.Server.QmpModernProtocol.InBandQueueLength; i++)
        {
            await peer.ReadLineAsync();
        }

        // Answered requests are let go; what stays is the read loop's own message buffer (a kilobyte or two).
        while (fx.Server.BufferedInputBytes > 2 * padded.Length)
        {
            Assert.False(patience.IsCancellationRequested, $"{fx.Server.BufferedInputBytes} bytes still counted");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>QEMU's own Python client (qemu.qmp of QEMU 7.2's source tree) negotiates oob and runs commands, exec-oob included.</summary>
    [QemuPythonFact]
    public async Task QEMUs_python_client_negotiates_and_runs_commands()
    {
        await using var fx = new ModernFixture(new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 22), []) });
        const string Script = """
            import asyncio, sys
            from qemu.qmp import QMPClient
            async def main():
                client = QMPClient('test')
                await client.connect(sys.argv[1])
                print(client.greeting.QMP.capabilities)
                print(await client.execute('query-status'))
                print(await client.execute('query-yank', oob=True))
                try:
                    await client.execute('query-status', oob=True)
                except Exception as e:
                    print(type(e).__name__, e)
                await client.disconnect()
            asyncio.run(main())
            """;
        var stdout = await QemuPython.RunAsync("-c", Script, fx.SocketPath);
        Assert.Equal(
            "['oob']\n{'status': 'running', 'singlestep': False, 'running': True}\n[{'type': 'chardev', 'id': 'compat_monitor0'}]\n"
            + "ExecuteError The command query-status does not support OOB\n",
            stdout);
    }
}
