#if QEMU72_CLIENT
using System.Text.Json;
using Qapi.Consumer.Qemu72;
using Qmp.Runtime;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>Runs when QEMU 7.2's schema could be had at build time (its client and server were generated).</summary>
public sealed class Qemu72SchemaFactAttribute : FactAttribute
{
    public Qemu72SchemaFactAttribute()
    {
#if !QEMU72_CLIENT
        Skip = "QEMU 7.2's QAPI schema could not be had (eng/get-qemu-schema.sh bookworm failed at build time), so its server was not generated";
#endif
    }
}

/// <summary>
/// The server generated from QEMU 7.2's <c>qapi-schema.json</c>, subclassed and served on a socket,
/// called through the generated 7.2 client: <c>query-status</c>, <c>blockdev-add</c> (a qcow2 union
/// whose <c>file</c> alternate is a node name or an inline definition), <c>device_add</c>; and bad
/// requests answered with QEMU 7.2's words, the connection going on.
/// </summary>
public sealed class ServerTests : IAsyncLifetime, IDisposable
{
#if QEMU72_CLIENT
    private sealed class Served : Qemu72CommandsBase
    {
        public List<BlockdevOptions> Added { get; } = [];

        public List<DeviceAddArguments> Devices { get; } = [];

        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = true, Singlestep = false, Status = RunState.Running });

        public override ValueTask BlockdevAddAsync(BlockdevOptions arguments, QmpSession session, CancellationToken cancellationToken)
        {
            lock (Added)
            {
                Added.Add(arguments);
            }
            return ValueTask.CompletedTask;
        }

        public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public override ValueTask DeviceAddAsync(DeviceAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
        {
            lock (Devices)
            {
                Devices.Add(arguments);
            }
            return ValueTask.CompletedTask;
        }
    }

    private readonly Served _served = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qmp-qapi-server-");
    private QmpServer? _server;
    private Qemu72Client? _client;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public async Task InitializeAsync()
    {
        var socket = Path.Combine(_dir.FullName, "qmp.sock");
        // No dialect set: the generated server's (QEMU's modern QMP).
        _server = QmpServer.Create(_served).AddListener($"unix:{socket},server,nowait");
        _client = await Qemu72Client.ConnectAsync("unix:" + socket, cancellationToken: _timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _dir.Delete(recursive: true);
    }

    public void Dispose() => _timeout.Dispose();

    private async Task<QmpException> FailsAsync(string command, string arguments) =>
        await Assert.ThrowsAsync<QmpException>(() => _client!.Client.ExecuteAsync(command, JsonDocument.Parse(arguments).RootElement, _timeout.Token));
#else
    public void Dispose()
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Task.CompletedTask;
#endif

    [Qemu72SchemaFact]
    public async Task Query_status_blockdev_add_and_device_add_are_served_to_the_generated_client()
    {
#if QEMU72_CLIENT
        // The modern dialect: QEMU's greeting offers oob.
        Assert.Contains("oob", _client!.Greeting.Capabilities);
        var status = await _client.QueryStatusAsync(_timeout.Token);
        Assert.Equal((true, RunState.Running), (status.Running, status.Status));

        // A qcow2 node over a node given by name, then over an inline file node.
        await _client.BlockdevAddAsync(new BlockdevOptions.Qcow2 { NodeName = "by-name", Data = new() { File = "disk0" } }, _timeout.Token);
        await _client.BlockdevAddAsync(new BlockdevOptions.Qcow2
        {
            NodeName = "inline",
            ReadOnly = true,
            Data = new() { File = new BlockdevOptions.File { NodeName = "inline-file", Data = new() { Filename = "/images/a.qcow2" } } },
        }, _timeout.Token);
        Assert.Collection(_served.Added,
            first => Assert.Equal("disk0", Assert.IsType<BlockdevOptions.Qcow2>(first).Data.File.Reference),
            second =>
            {
                var qcow2 = Assert.IsType<BlockdevOptions.Qcow2>(second);
                Assert.Equal(("inline", true), (qcow2.NodeName, qcow2.ReadOnly));
                var file = Assert.IsType<BlockdevOptions.File>(qcow2.Data.File.Definition);
                Assert.Equal(("/images/a.qcow2", "inline-file"), (file.Data.Filename, file.NodeName));
            });

        await _client.DeviceAddAsync(driver: "virtio-blk-pci", id: "vd0", cancellationToken: _timeout.Token);
        Assert.Equal(("virtio-blk-pci", "vd0"), (_served.Devices.Single().Driver, _served.Devices.Single().Id));

        // A command the subclass does not override: CommandNotFound in QEMU's words.
        var missing = await Assert.ThrowsAsync<QmpException>(() => _client.StopAsync(_timeout.Token));
        Assert.Equal(("CommandNotFound", "The command stop has not been found"), (missing.ErrorClassName, missing.Description));
#else
        await Task.CompletedTask;
#endif
    }

    /// <summary>
    /// <c>device_add</c> is <c>'gen': false</c>: QEMU takes any device property beside driver, bus and id
    /// (an unknown one fails in the device, <c>Property 'virtio-blk-pci.bogus' not found</c>, not in
    /// the argument check). The typed client sends them from <c>AdditionalProperties</c>, the
    /// generated server hands them to the handler, and a declared name in the bag is refused.
    /// </summary>
    [Qemu72SchemaFact]
    public async Task Device_add_carries_device_properties_both_ways()
    {
#if QEMU72_CLIENT
        await _client!.DeviceAddAsync(new DeviceAddArguments
        {
            Driver = "virtio-blk-pci",
            Id = "vd1",
            AdditionalProperties = { ["drive"] = "disk1", ["bootindex"] = 1 },
        }, _timeout.Token);
        // Sent as raw JSON: the member nobody declared is not "Parameter 'bogus' is unexpected".
        await _client.Client.ExecuteAsync("device_add", JsonDocument.Parse("""{"driver": "e1000", "bogus": [1, null]}""").RootElement, _timeout.Token);
        Assert.Collection(_served.Devices,
            first =>
            {
                Assert.Equal(("virtio-blk-pci", "vd1"), (first.Driver, first.Id));
                Assert.Equal("disk1", first.AdditionalProperties["drive"]!.GetValue<string>());
                Assert.Equal(1, first.AdditionalProperties["bootindex"]!.GetValue<int>());
            },
            second => Assert.Equal("[1,null]", second.AdditionalProperties["bogus"]!.ToJsonString()));

        var collision = new DeviceAddArguments { Driver = "e1000", AdditionalProperties = { ["bus"] = "pci.0" } };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _client.DeviceAddAsync(collision, _timeout.Token));
        Assert.Contains("'bus'", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _served.Devices.Count);
#else
        await Task.CompletedTask;
#endif
    }

    [Qemu72SchemaFact]
    public async Task Bad_arguments_are_answered_with_QEMU_7_2s_words_and_the_connection_goes_on()
    {
#if QEMU72_CLIENT
        (string Command, string Arguments, string Description)[] cases =
        [
            ("blockdev-add", """{"node-name": "n"}""", "Parameter 'driver' is missing"),
            ("blockdev-add", """{"driver": "qcow2", "node-name": "n"}""", "Parameter 'file' is missing"),
            ("blockdev-add", """{"driver": "nosuch", "node-name": "n"}""", "Parameter 'driver' does not accept value 'nosuch'"),
            ("blockdev-add", """{"driver": 1}""", "Invalid parameter type for 'driver', expected: string"),
            ("blockdev-add", """{"driver": "qcow2", "file": 5}""", "Invalid parameter type for 'file', expected: BlockdevRef"),
            ("blockdev-add", """{"driver": "qcow2", "file": {"filename": "/a"}}""", "Parameter 'file.driver' is missing"),
            ("blockdev-add", """{"driver": "qcow2", "file": "disk0", "read-only": "yes"}""", "Invalid parameter type for 'read-only', expected: boolean"),
            ("blockdev-add", """{"driver": "qcow2", "file": "disk0", "discard": "sometimes"}""", "Parameter 'discard' does not accept value 'sometimes'"),
            ("blockdev-add", """{"driver": "qcow2", "file": "disk0", "bogus": 1}""", "Parameter 'bogus' is unexpected"),
            ("eject", """{"device": "cd0", "force": "yes"}""", "Invalid parameter type for 'force', expected: boolean"),
            ("eject", """{"device": null}""", "Invalid parameter type for 'device', expected: string"),
            ("query-status", """{"bogus": 1}""", "Parameter 'bogus' is unexpected"),
        ];
        foreach (var (command, arguments, description) in cases)
        {
            var error = await FailsAsync(command, arguments);
            Assert.Equal(("GenericError", description), (error.ErrorClassName, error.Description));
        }
        Assert.Empty(_served.Added);
        // The connection went on.
        Assert.True((await _client!.QueryStatusAsync(_timeout.Token)).Running);
#else
        await Task.CompletedTask;
#endif
    }
}
