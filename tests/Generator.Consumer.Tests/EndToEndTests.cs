using System.IO.Pipelines;
using System.Text.Json;
using Consumer.Small;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>The generated client talks to the generated server through Qmp.Runtime, in-process.</summary>
public sealed class EndToEndTests
{
    private sealed class Machine : SmallCommandsBase
    {
        public List<string> Calls { get; } = new();

        public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken)
        {
            Calls.Add($"eject {arguments.Device} {arguments.Force}");
            return ValueTask.CompletedTask;
        }

        public override ValueTask DeviceAddAsync(DeviceAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
        {
            Calls.Add($"device_add {arguments.Driver} {arguments.Id} {string.Join(",", arguments.AdditionalProperties.Select(p => p.Key + "=" + p.Value!.ToJsonString()))}");
            return ValueTask.CompletedTask;
        }

        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = true, Status = "running" });

        public override ValueTask<IReadOnlyList<BlockInfo>> QueryBlockAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<BlockInfo>>(new[]
            {
                new BlockInfo { Device = "ide0-hd0", Inserted = new BlockInsertedInfo { File = "disk.img", BackingFileDepth = 0 } },
                new BlockInfo { Device = "ide1-cd0", TrayOpen = false },
            });
    }

    private static async Task<(SmallClient Client, Machine Machine, QmpServer Server, Task Session)> ConnectAsync()
    {
        var machine = new Machine();
        var server = QmpServer.Create(machine);
        var (a, b) = DuplexPair();
        var session = server.RunSessionAsync(a);
        var client = new SmallClient(await QmpClient.ConnectAsync(b));
        return (client, machine, server, session);
    }

    [Fact]
    public async Task Typed_calls_round_trip()
    {
        var (client, machine, server, _) = await ConnectAsync();
        await using var serverScope = server;
        await using var clientScope = client;

        var status = await client.QueryStatusAsync();
        Assert.True(status.Running);
        Assert.Equal("running", status.Status);

        await client.EjectAsync(device: "ide1-cd0", force: true);
        await client.DeviceAddAsync("e1000", "net1", additionalProperties: new() { ["mac"] = "52:54:00:12:34:56" });
        var blocks = await client.QueryBlockAsync();

        Assert.Equal(2, blocks.Count);
        Assert.Equal("disk.img", blocks[0].Inserted!.File);
        Assert.False(blocks[1].TrayOpen);
        Assert.Equal(new[] { "eject ide1-cd0 True", "device_add e1000 net1 mac=\"52:54:00:12:34:56\"" }, machine.Calls);
    }

    [Theory]
    [InlineData("eject", "{}", "Parameter 'device' is missing")]
    [InlineData("eject", "{\"device\": \"x\", \"bogus\": 1}", "Invalid parameter 'bogus'")]
    [InlineData("eject", "{\"device\": 1}", "Invalid parameter type for 'device', expected: string")]
    [InlineData("eject", "{\"device\": \"x\", \"force\": \"yes\"}", "Invalid parameter type for 'force', expected: bool")]
    [InlineData("eject", "{\"bogus\": 1}", "Parameter 'device' is missing")]
    public async Task Arguments_are_validated_as_qemu21_did(string command, string arguments, string message)
    {
        var (client, _, server, _) = await ConnectAsync();
        await using var serverScope = server;
        await using var clientScope = client;
        var error = await Assert.ThrowsAsync<QmpException>(() => client.Client.ExecuteAsync(command, JsonDocument.Parse(arguments).RootElement));
        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal(message, error.Description);
    }

    [Fact]
    public async Task Option_list_commands_accept_any_key()
    {
        var (client, machine, server, _) = await ConnectAsync();
        await using var serverScope = server;
        await using var clientScope = client;
        await client.Client.ExecuteAsync("device_add", JsonDocument.Parse("{\"driver\": \"e1000\", \"id\": \"n\", \"anything\": 5}").RootElement);
        Assert.Equal("device_add e1000 n anything=5", Assert.Single(machine.Calls));
    }

    [Fact]
    public void Typed_events_parse_and_unknown_ones_stay_untyped()
    {
        var data = JsonDocument.Parse("{\"type\": \"stream\", \"device\": \"virtio-disk0\", \"len\": 10, \"offset\": 10, \"speed\": 0, \"new-in-qemu-9\": true}").RootElement;
        var typed = SmallEvents.Parse(new QmpEvent("BLOCK_JOB_COMPLETED", data, DateTimeOffset.UnixEpoch));
        var done = Assert.IsType<BlockJobCompletedEvent>(typed);
        Assert.Equal("virtio-disk0", done.Device);
        Assert.Null(done.Error);
        Assert.Equal(DateTimeOffset.UnixEpoch, done.Timestamp);

        var unknown = SmallEvents.Parse(new QmpEvent("MEMORY_FAILURE", null, DateTimeOffset.UnixEpoch));
        Assert.Equal("MEMORY_FAILURE", Assert.IsType<UntypedSmallEvent>(unknown).EventName);
    }

    [Fact]
    public async Task Server_emits_typed_events_the_client_reads_typed()
    {
        var (client, _, server, _) = await ConnectAsync();
        await using var serverScope = server;
        await using var clientScope = client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var events = client.ReadEventsAsync<BlockJobCompletedEvent>(timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = events.MoveNextAsync();

        server.EmitEvent("SOMETHING_NEWER");
        server.EmitBlockJobCompleted(type: "stream", device: "virtio-disk0", len: 10, offset: 10, speed: 0, error: "I/O error");

        Assert.True(await next);
        Assert.Equal("virtio-disk0", events.Current.Device);
        Assert.Equal("I/O error", events.Current.Error);
        Assert.NotEqual(default, events.Current.Timestamp);
    }

    [Fact]
    public void Repository_schema_client_is_generated()
    {
        // Compiles only if the repository's schema generated a typed client in Consumer.Qemu.
        Func<global::Consumer.Qemu.QemuClient, Task<global::Consumer.Qemu.StatusInfo>> call = c => c.QueryStatusAsync();
        Assert.NotNull(call);
        Assert.Null(typeof(global::Consumer.Qemu.QemuClient).Assembly.GetType("Consumer.Qemu.QemuCommandsBase"));
    }

    /// <summary>Two connected in-memory duplex streams.</summary>
    internal static (Stream, Stream) DuplexPair()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        return (new PipeDuplex(ba.Reader.AsStream(), ab.Writer.AsStream()), new PipeDuplex(ab.Reader.AsStream(), ba.Writer.AsStream()));
    }

    private sealed class PipeDuplex(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => output.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => input.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => output.WriteAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
