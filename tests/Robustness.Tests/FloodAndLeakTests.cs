using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Qmp.Robustness.Tests;

/// <summary>Runs alone: it counts the process's descriptors and threads, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public sealed class Alone;

/// <summary>
/// A client that floods commands and never reads is closed at the server's hard output limit (replies are never
/// dropped; MaxQueuedBytes, 64 MiB, closes that connection only) while other clients keep working; and hundreds of
/// hostile connections leave no descriptor, session or thread behind.
/// </summary>
[Collection(nameof(Alone))]
public sealed class FloodAndLeakTests
{
    [Fact]
    public async Task A_flooding_client_that_never_reads_is_closed_and_only_it()
    {
        await using var emu = await Emu.StartAsync();
        await using var bystander = await emu.ConnectNegotiatedAsync();
        await using var idle = await emu.ConnectNegotiatedAsync();
        await using var flooder = await emu.ConnectNegotiatedAsync();
        flooder.Socket.ReceiveBufferSize = 4096;
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        // Each request is just under the 1 MiB message limit and its reply echoes the id: ~1 MB queued per request.
        // 64 MiB of replies are queued after ~70; 200 is the bound, well past the limit.
        var request = Encoding.UTF8.GetBytes("{\"execute\":\"query-status\",\"id\":\"" + new string('f', 1_000_000) + "\"}");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2 * Wait.Patience));
        var sent = 0;
        var flood = Task.Run(async () =>
        {
            try
            {
                for (; sent < 200; sent++)
                {
                    for (var at = 0; at < request.Length;)
                    {
                        at += await flooder.Socket.SendAsync(request.AsMemory(at), SocketFlags.None, stop.Token);
                    }
                }
            }
            catch (SocketException)
            {
                // Closed by the server mid-flood: expected.
            }
        });

        // Round trips of the other client keep working during the flood.
        var roundTrips = 0;
        while (!flood.IsCompleted)
        {
            await bystander.AssertAliveAsync((++roundTrips).ToString());
        }

        await flood.WaitAsync(stop.Token);
        Assert.True(sent < 200, $"the flooder sent all {sent} requests (~{sent} MB) without being closed");
        Assert.True(sent >= 60, $"closed after {sent} requests, before the 64 MiB limit could be reached");
        Assert.True(await flooder.IsClosedByServerAsync(), "the flooder's connection was closed by the server");
        Assert.True(await Wait.UntilAsync(() => emu.Emulator.Server.Sessions.Count == 2), "only the flooder's session ended");
        await bystander.AssertAliveAsync("\"after\"");
        await idle.AssertAliveAsync("\"idle\"");
        Assert.True(roundTrips > 0);

        // The queued replies were released with the connection: memory is back near where it was.
        Assert.True(
            await Wait.UntilAsync(() => GC.GetTotalMemory(forceFullCollection: true) < memoryBefore + (32L << 20), Wait.Patience * 1000),
            $"managed memory stays {(GC.GetTotalMemory(true) - memoryBefore) >> 20} MiB above the baseline");
    }

    [Fact]
    public async Task A_client_that_reads_slowly_gets_every_reply_in_order()
    {
        // Replies are never dropped: 40 replies of 1 MB (under the 64 MiB limit) all arrive, in order, when the
        // client finally reads, and the connection stays open.
        await using var emu = await Emu.StartAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        string pad = new('r', 1_000_000);
        var batch = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            batch.Append("{\"execute\":\"query-status\",\"id\":[").Append(i).Append(",\"").Append(pad).Append("\"]}");
        }

        var send = peer.SendAsync(batch.ToString());
        for (var i = 0; i < 40; i++)
        {
            var line = await peer.ReadLineAsync();
            Assert.StartsWith(Peer.Status[..^1] + ", \"id\": [" + i + ", \"rrr", line);
        }

        await send.WaitAsync(TimeSpan.FromSeconds(Wait.Patience));
        await peer.AssertAliveAsync();
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static int Threads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    [Fact]
    public async Task Two_hundred_hostile_connections_leave_nothing_behind()
    {
        await using var emu = await Emu.StartAsync();
        await using var bystander = await emu.ConnectNegotiatedAsync();
        var random = new Random(8);
        byte[][] garbage =
        [
            "{\"execute\":\"query-status\",\"argu"u8.ToArray(),
            "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"query-status\",\"id\":1}"u8.ToArray(),
            [0xff, 0xfe, 0x00, 0x80, 0xc0],
            Encoding.UTF8.GetBytes(new string('[', 5000)),
            Encoding.UTF8.GetBytes("{\"id\":\"" + new string('g', 1_200_000)),
            "}}}]]]\"\\"u8.ToArray(),
            [],
        ];

        async Task Cycle(int i)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(emu.SocketPath));
            var bytes = i % 8 == 7 ? RandomBytes(random, 4096) : garbage[i % garbage.Length];
            try
            {
                await socket.SendAsync(bytes, SocketFlags.None);
                if (i % 3 == 0)
                {
                    // Sometimes read a little (the greeting) before leaving; sometimes reset instead of closing.
                    await socket.ReceiveAsync(new byte[256], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(Wait.Patience));
                }
            }
            catch (SocketException)
            {
            }

            if (i % 5 == 0)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }

        // Warm up (thread pool, socket engine, JIT), then take the baseline.
        for (var i = 0; i < 20; i++)
        {
            await Cycle(i);
        }

        await Wait.UntilAsync(() => emu.Emulator.Server.Sessions.Count == 1);
        await bystander.AssertAliveAsync();
        int fdBefore = OpenDescriptors(), threadsBefore = Threads();

        for (var i = 0; i < 200; i++)
        {
            await Cycle(i);
            if (i % 50 == 0)
            {
                await bystander.AssertAliveAsync(i.ToString());
            }
        }

        Assert.True(await Wait.UntilAsync(() => emu.Emulator.Server.Sessions.Count == 1, Wait.Patience * 1000), $"{emu.Emulator.Server.Sessions.Count} sessions left");
        Assert.True(await Wait.UntilAsync(() => OpenDescriptors() <= fdBefore + 4, Wait.Patience * 1000), $"descriptors {fdBefore} -> {OpenDescriptors()}");
        Assert.True(await Wait.UntilAsync(() => Threads() <= threadsBefore + 8, Wait.Patience * 1000), $"threads {threadsBefore} -> {Threads()}");
        await bystander.AssertAliveAsync("\"end\"");
    }

    [Fact]
    public async Task Unfinished_requests_stay_within_the_server_budget_the_largest_holders_are_closed()
    {
        // Ten clients each send 48 MiB of a string and never end it: 480 MiB, where the server-wide
        // budget (MaxTotalQueuedBytes, 256 MiB, output and unfinished input together) holds four.
        const int Clients = 10;
        const long Budget = 256L << 20;
        await using var emu = await ChildEmulator.StartAsync(null, "--max-clients", "16");
        var start = await emu.BaselineAsync();
        var unfinished = Encoding.ASCII.GetBytes("{\"execute\":\"nope\",\"arguments\":{\"s\":\"" + new string('a', 48 << 20));
        var peers = new List<Peer>();
        for (var i = 0; i < Clients; i++)
        {
            peers.Add(await emu.ConnectNegotiatedAsync());
        }

        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, emu.Rss);
                await Task.Delay(5);
            }
        });

        await Task.WhenAll(peers.Select(async peer =>
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                for (var sent = 0; sent < unfinished.Length;)
                {
                    sent += await peer.Socket.SendAsync(unfinished.AsMemory(sent), SocketFlags.None, cts.Token);
                }
            }
            catch (SocketException)
            {
                // Closed by the server while sending.
            }
        }));

        // Each ends its request: the ones still connected get an answer, the others find the connection closed.
        var answered = 0;
        foreach (var peer in peers)
        {
            try
            {
                await peer.SendAsync("\"}}\n");
                if (await peer.TryReadLineAsync(60) is { } line)
                {
                    Assert.Contains("CommandNotFound", line, StringComparison.Ordinal);
                    answered++;
                }
            }
            catch (SocketException)
            {
            }

            await peer.DisposeAsync();
        }

        await sampling.CancelAsync();
        await sampler;
        Assert.True(answered <= (int)(Budget / (64L << 20)), $"{answered} of {Clients} unfinished 48 MiB requests were kept");
        Assert.True(peak <= start.Rss + Budget + (128L << 20), $"RSS peaked at {peak >> 20} MiB, {start.Rss >> 20} MiB at the start");
        await emu.AssertRecoveredAsync(start, 160L << 20);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
