using System.IO.Pipes;
using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Robustness.Tests;

/// <summary>
/// A client that leaves while its command writes: a dump into a pipe nobody drains ends (the monitor is
/// free for the next client, the descriptor closed), a large file write stops and leaves no file, and a
/// descriptor a running command took stays counted against the caps until it is closed.
/// </summary>
public sealed class ClientLeavesTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task A_dump_into_a_pipe_nobody_drains_ends_when_the_client_leaves()
    {
        // One client per monitor, as QEMU: the next is served only once the first session has ended.
        await using var emu = await ChildEmulator.StartAsync(null, "--max-clients", "1");
        var start = await emu.BaselineAsync();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var client = await QmpClient.ConnectAsync($"unix:{emu.SocketPath}");
        await client.ExecuteWithFileDescriptorsAsync("getfd", Json("{\"fdname\":\"dump\"}"), [pipe.ClientSafePipeHandle]);
        pipe.DisposeLocalCopyOfClientHandle();
        var dump = client.ExecuteAsync("dump-guest-memory", Json("{\"paging\":false,\"protocol\":\"fd:dump\"}"));

        // The dump is under way (its ELF header arrives); then nobody reads and the pipe fills.
        var head = new byte[4];
        await pipe.ReadExactlyAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("\u007fELF"u8.ToArray(), head);

        await client.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => dump.WaitAsync(TimeSpan.FromSeconds(60)));

        // The next client gets its greeting and is served ...
        await using (var next = await Peer.ConnectAsync(emu.SocketPath))
        {
            Assert.StartsWith("{\"QMP\": ", await next.ReadLineAsync(60));
            await next.SendAsync("{\"execute\":\"qmp_capabilities\"}");
            Assert.Equal("{\"return\": {}}", await next.ReadLineAsync(60));
            await next.AssertAliveAsync();
        }

        // ... and the emulator let go of the pipe: what it wrote drains to the end of the stream.
        var drain = new byte[64 * 1024];
        while (await pipe.ReadAsync(drain).AsTask().WaitAsync(TimeSpan.FromSeconds(60)) > 0)
        {
        }

        await emu.AssertRecoveredAsync(start);
    }

    [Fact]
    public async Task A_large_file_write_stops_when_the_client_leaves_and_leaves_no_file()
    {
        await using var emu = await ChildEmulator.StartAsync();
        await using (var writer = await emu.ConnectNegotiatedAsync())
        {
            await writer.SendAsync("{\"execute\":\"pmemsave\",\"arguments\":{\"val\":0,\"size\":" + Qmp.Emulator.EmulatorLimits.MaxWriteBytes + ",\"filename\":\"big\"}}");
            Assert.True(await Wait.UntilAsync(() => Directory.GetFiles(emu.DataDir, ".qmp-*").Any(f => new FileInfo(f).Length > 0), 60_000), "the write started");
        }

        // The client is gone: the write stops and its temporary file is removed; the name never appears.
        Assert.True(await Wait.UntilAsync(() => Directory.GetFiles(emu.DataDir, ".qmp-*").Length == 0, 60_000), "the temporary file is removed");
        Assert.False(File.Exists(Path.Combine(emu.DataDir, "big")), "a write whose client left must not complete");
        await using var other = await emu.ConnectNegotiatedAsync();
        await other.AssertAliveAsync();
    }

    [Fact]
    public async Task A_descriptor_a_running_dump_took_stays_counted_until_it_is_closed()
    {
        // Under RLIMIT_NOFILE 128 the emulator holds at most a quarter, 32 descriptors, for clients.
        const int Limit = 32;
        await using var emu = await ChildEmulator.StartAsync(openFileLimit: 128);
        var file = Path.Combine(emu.Root, "passed");
        File.WriteAllText(file, "x");
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var holder = await QmpClient.ConnectAsync($"unix:{emu.SocketPath}");
        for (var i = 0; i < Limit - 1; i++)
        {
            using var handle = File.OpenHandle(file);
            await holder.ExecuteWithFileDescriptorsAsync("getfd", Json("{\"fdname\":\"f" + i + "\"}"), [handle]);
        }

        await holder.ExecuteWithFileDescriptorsAsync("getfd", Json("{\"fdname\":\"dump\"}"), [pipe.ClientSafePipeHandle]);
        pipe.DisposeLocalCopyOfClientHandle();
        var dump = holder.ExecuteAsync("dump-guest-memory", Json("{\"paging\":false,\"protocol\":\"fd:dump\"}"));
        await pipe.ReadExactlyAsync(new byte[4]).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        // The dump's descriptor is no longer a named one, but the emulator still holds it: the cap is reached.
        await using var other = await QmpClient.ConnectAsync($"unix:{emu.SocketPath}");
        async Task<QmpException?> GetfdAsync()
        {
            using var handle = File.OpenHandle(file);
            try
            {
                await other.ExecuteWithFileDescriptorsAsync("getfd", Json("{\"fdname\":\"x\"}"), [handle]);
                return null;
            }
            catch (QmpException ex)
            {
                return ex;
            }
        }

        Assert.Equal($"The emulator already holds {Limit} file descriptors for clients, the most it may hold", (await GetfdAsync())?.Description);

        // The holder leaves: its names and the dump's descriptor are closed, and there is room again.
        await holder.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => dump.WaitAsync(TimeSpan.FromSeconds(60)));
        QmpException? refused;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); (refused = await GetfdAsync()) is not null && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        Assert.Null(refused?.Description);
    }
}
