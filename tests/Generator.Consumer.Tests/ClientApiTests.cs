using System.Reflection;
using Consumer.Small;
using Qmp.Emulator;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The generated client's event API (from now on, waiting, a command with the event it causes),
/// its interface for mocking, and the typed getfd/add-fd overloads that pass a descriptor.
/// </summary>
public sealed class ClientApiTests
{
    // A bound on waits for events that will come, generous so a loaded machine does not fail them.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>Eject and query-block send BLOCK_JOB_COMPLETED before the reply, as a fast device_del does with DEVICE_DELETED.</summary>
    private sealed class Jobs : SmallCommandsBase
    {
        public QmpServer? Server { get; set; }

        public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken)
        {
            Server!.EmitBlockJobCompleted(type: "stream", device: arguments.Device, len: 1, offset: 1, speed: 0);
            return ValueTask.CompletedTask;
        }

        public override ValueTask<IReadOnlyList<BlockInfo>> QueryBlockAsync(QmpSession session, CancellationToken cancellationToken)
        {
            Server!.EmitBlockJobCompleted(type: "stream", device: "queried", len: 1, offset: 1, speed: 0);
            return ValueTask.FromResult<IReadOnlyList<BlockInfo>>([new BlockInfo { Device = "hd0" }]);
        }

        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = true, Status = "running" });
    }

    private static async Task<(SmallClient Client, QmpServer Server)> ConnectAsync(QmpClientOptions? options = null)
    {
        var jobs = new Jobs();
        var server = QmpServer.Create(jobs);
        jobs.Server = server;
        var (a, b) = EndToEndTests.DuplexPair();
        _ = server.RunSessionAsync(a);
        return (new SmallClient(await QmpClient.ConnectAsync(b, options)), server);
    }

    /// <summary>An event that has arrived at the client: a command's reply comes after it on the stream.</summary>
    private static async Task EmitAndLetArriveAsync(SmallClient client, QmpServer server, string device)
    {
        server.EmitBlockJobCompleted(type: "stream", device: device, len: 1, offset: 1, speed: 0);
        await client.QueryStatusAsync();
    }

    [Fact]
    public async Task ReadEventsAsync_subscribes_at_the_call_and_sees_nothing_from_before()
    {
        var (client, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using var ownedClient = client;
        await EmitAndLetArriveAsync(client, server, "before");

        using var timeout = new CancellationTokenSource(s_timeout);
        var events = client.ReadEventsAsync<BlockJobCompletedEvent>(timeout.Token);
        await EmitAndLetArriveAsync(client, server, "after"); // before the enumeration starts
        await using var reader = events.GetAsyncEnumerator(timeout.Token);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("after", reader.Current.Device);
    }

    [Fact]
    public async Task With_the_backlog_opted_in_an_earlier_event_comes_first()
    {
        var (client, server) = await ConnectAsync(new QmpClientOptions { EventBacklogCapacity = 16 });
        await using var ownedServer = server;
        await using var ownedClient = client;
        await EmitAndLetArriveAsync(client, server, "before");

        using var timeout = new CancellationTokenSource(s_timeout);
        await using var reader = client.ReadEventsAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("before", Assert.IsType<BlockJobCompletedEvent>(reader.Current).Device);
    }

    [Fact]
    public async Task WaitForEventAsync_takes_the_next_matching_event_after_the_call()
    {
        var (client, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using var ownedClient = client;
        await EmitAndLetArriveAsync(client, server, "disk0");

        var waiting = client.WaitForEventAsync<BlockJobCompletedEvent>(e => e.Device == "disk0", s_timeout);
        await EmitAndLetArriveAsync(client, server, "disk1");
        Assert.False(waiting.IsCompleted);
        await EmitAndLetArriveAsync(client, server, "disk0");
        Assert.Equal("disk0", (await waiting).Device);

        var none = client.WaitForEventAsync<BlockJobCompletedEvent>(timeout: TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => none);
    }

    [Fact]
    public async Task ExecuteAndWaitForEventAsync_catches_an_event_sent_before_the_reply()
    {
        var (client, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using var ownedClient = client;

        var done = await client.ExecuteAndWaitForEventAsync(ct => client.EjectAsync("cd0", cancellationToken: ct), (BlockJobCompletedEvent e) => e.Device == "cd0", s_timeout);
        Assert.Equal("cd0", done.Device);

        var (blocks, job) = await client.ExecuteAndWaitForEventAsync(ct => client.QueryBlockAsync(ct), (BlockJobCompletedEvent e) => true, s_timeout);
        Assert.Equal("hd0", Assert.Single(blocks).Device);
        Assert.Equal("queried", job.Device);

        // A failing command stops waiting and throws what the server said.
        var error = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAndWaitForEventAsync(ct => client.DeviceAddAsync("e1000", "n1", cancellationToken: ct), (BlockJobCompletedEvent e) => true, s_timeout));
        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
    }

    [Fact]
    public async Task The_interface_has_every_command_and_event_method_of_the_client()
    {
        static IEnumerable<string> Shapes(Type type) => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.Name != "DisposeAsync")
            .Select(m => m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")")
            .Order(StringComparer.Ordinal);

        Assert.Equal(Shapes(typeof(SmallClient)), Shapes(typeof(ISmallClient)));
        Assert.Equal(13, Shapes(typeof(ISmallClient)).Count()); // 4 commands, 2 with arguments (2 overloads each), 5 event methods, the schema check and the live schema
        Assert.Contains("GetfdAsync(SafeHandle,String,CancellationToken)", Shapes(typeof(global::Consumer.Qemu.IQemuClient)));
        Assert.Equal(Shapes(typeof(global::Consumer.Qemu.QemuClient)), Shapes(typeof(global::Consumer.Qemu.IQemuClient)));

        var (client, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using ISmallClient qemu = client;
        Assert.Equal("running", (await qemu.QueryStatusAsync()).Status);
    }

    [Fact]
    public async Task Getfd_and_add_fd_pass_the_descriptor_with_the_command()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-fds-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], DataDir = dir.FullName });
            await using var qemu = await global::Consumer.Qemu.QemuClient.ConnectAsync($"unix:{socket}");
            using var file = File.OpenHandle(Path.Combine(dir.FullName, "disk.img"), FileMode.Create, FileAccess.ReadWrite);

            // Without a descriptor QEMU refuses getfd; with one, the name holds it until closefd.
            var refused = await Assert.ThrowsAsync<QmpException>(() => qemu.GetfdAsync("disk"));
            Assert.Equal("No file descriptor supplied via SCM_RIGHTS", refused.Description);
            await qemu.GetfdAsync(file, "disk");
            await qemu.ClosefdAsync("disk");
            await Assert.ThrowsAsync<QmpException>(() => qemu.ClosefdAsync("disk"));

            var added = await qemu.AddFdAsync(file, opaque: "typed");
            var sets = await qemu.QueryFdsetsAsync();
            var fd = Assert.Single(Assert.Single(sets, s => s.FdsetId == added.FdsetId).Fds!);
            Assert.Equal(added.Fd, fd.Fd);
            Assert.Equal("typed", fd.Opaque);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
