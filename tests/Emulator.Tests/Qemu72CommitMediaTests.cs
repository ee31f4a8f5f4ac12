using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The 7.2 persona's block-commit, block-stream and removable media on its own (where no QEMU is installed): what each
/// does to the block graph and the tray, with QEMU 7.2's events and words (the same requests are compared with QEMU 7.2
/// side by side in <see cref="Qemu72BlockTests"/>).
/// </summary>
public sealed class Qemu72CommitMediaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-commit72-").FullName;

    public Qemu72CommitMediaTests()
    {
        Qemu72InProcess.PlantBlockImages(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_commit_of_the_middle_layer_completes_and_leaves_the_top_on_the_base()
    {
        var (emulator, line) = await StartAsync(Qemu72BlockTests.Chain(_dir));
        await using var running = emulator;
        await using var connection = line;

        var (reply, events) = await ExecuteAsync(line, """{"execute":"block-commit","arguments":{"job-id":"c1","device":"top-format","top-node":"mid-format","base-node":"base-format"}}""", after: 5);
        Assert.True(reply.TryGetProperty("return", out _), reply.GetRawText());
        Assert.Equal(["created", "running", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null"], events.Select(Name));

        var nodes = await NodesAsync(line);
        Assert.Equal("base-format", nodes["top-format"].Backing);
        Assert.Equal(Path.Combine(_dir, "base.qcow2"), nodes["top-format"].BackingFile);

        // The middle layer left the chain but stays the monitor's node, on its own backing.
        Assert.Equal("base-format", nodes["mid-format"].Backing);
        Assert.Equal("'mid-format' is not in this backing file chain",
            Desc((await ExecuteAsync(line, """{"execute":"block-commit","arguments":{"device":"top-format","top-node":"mid-format"}}""")).Reply));
    }

    [Fact]
    public async Task An_active_commit_is_ready_until_completed_then_the_drive_is_on_the_base()
    {
        var (emulator, line) = await StartAsync(Qemu72BlockTests.Chain(_dir));
        await using var running = emulator;
        await using var connection = line;

        var (reply, events) = await ExecuteAsync(line, """{"execute":"block-commit","arguments":{"job-id":"c2","device":"top-format","base-node":"base-format","auto-dismiss":false}}""", after: 2);
        Assert.True(reply.TryGetProperty("return", out _), reply.GetRawText());
        Assert.Equal(["created", "running", "ready", "BLOCK_JOB_READY"], events.Select(Name));

        // Its nodes are busy meanwhile.
        Assert.Equal("Need a root block node", Desc((await ExecuteAsync(line, """{"execute":"block-commit","arguments":{"job-id":"c3","device":"top-format"}}""")).Reply));
        Assert.Equal("Node 'mid-format' is busy: block device is in use by block job: commit",
            Desc((await ExecuteAsync(line, """{"execute":"block-stream","arguments":{"job-id":"s3","device":"mid-format"}}""")).Reply));

        (_, events) = await ExecuteAsync(line, """{"execute":"job-complete","arguments":{"id":"c2"}}""", after: 4);
        Assert.Equal(["waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded"], events.Select(Name));
        var block = (await ExecuteAsync(line, """{"execute":"query-block"}""")).Reply.GetProperty("return")[0];
        Assert.Equal("base-format", block.GetProperty("inserted").GetProperty("node-name").GetString());

        // The old top stays a node of its own with its chain, until blockdev-del.
        var nodes = await NodesAsync(line);
        Assert.Equal("mid-format", nodes["top-format"].Backing);
        Assert.True((await ExecuteAsync(line, """{"execute":"blockdev-del","arguments":{"node-name":"top-format"}}""")).Reply.TryGetProperty("return", out _));
        Assert.False((await NodesAsync(line)).ContainsKey("top-format"));
    }

    [Fact]
    public async Task A_stream_pulls_the_chain_into_the_top()
    {
        var (emulator, line) = await StartAsync(Qemu72BlockTests.Chain(_dir));
        await using var running = emulator;
        await using var connection = line;

        var (reply, events) = await ExecuteAsync(line, """{"execute":"block-stream","arguments":{"job-id":"s1","device":"top-format","base-node":"base-format"}}""", after: 5);
        Assert.True(reply.TryGetProperty("return", out _), reply.GetRawText());
        Assert.Equal(["created", "running", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null"], events.Select(Name));
        Assert.Equal("base-format", (await NodesAsync(line))["top-format"].Backing);

        await ExecuteAsync(line, """{"execute":"block-stream","arguments":{"job-id":"s2","device":"top-format"}}""", after: 5);
        var top = (await NodesAsync(line))["top-format"];
        Assert.Null(top.Backing);
        Assert.Null(top.BackingFile);
        Assert.Equal("Node 'base-format' is not a backing image of 'top-format'",
            Desc((await ExecuteAsync(line, """{"execute":"block-stream","arguments":{"device":"top-format","base-node":"base-format"}}""")).Reply));
    }

    [Fact]
    public async Task A_cd_roms_tray_opens_its_medium_goes_and_another_goes_in()
    {
        var (emulator, line) = await StartAsync(Qemu72BlockTests.CdRom(_dir));
        await using var running = emulator;
        await using var connection = line;

        // A virtio disk's drive is its backend's, not the PCI proxy's; it has no removable medium.
        Assert.Equal("Device does not have a block device backend", Desc((await ExecuteAsync(line, """{"execute":"eject","arguments":{"id":"virtio-disk0"}}""")).Reply));
        Assert.Equal("Device 'virtio-disk0/virtio-backend' is not removable", Desc((await ExecuteAsync(line, """{"execute":"eject","arguments":{"id":"virtio-disk0/virtio-backend"}}""")).Reply));
        Assert.Equal("Tray of device 'ide0-1-0' is not open", Desc((await ExecuteAsync(line, """{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-0"}}""")).Reply));

        var (_, events) = await ExecuteAsync(line, """{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-0"}}""");
        Assert.Equal(("", "ide0-1-0", true), Tray(Assert.Single(events)));
        var cd = await CdAsync(line);
        Assert.True(cd.GetProperty("tray_open").GetBoolean());
        Assert.True(cd.TryGetProperty("inserted", out _));

        await ExecuteAsync(line, """{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-0"}}""");
        Assert.False((await CdAsync(line)).TryGetProperty("inserted", out _));
        Assert.True((await NodesAsync(line)).ContainsKey("cd-format"));

        await ExecuteAsync(line, """{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-0","node-name":"cd-format"}}""");
        (_, events) = await ExecuteAsync(line, """{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-0"}}""");
        Assert.Equal(("", "ide0-1-0", false), Tray(Assert.Single(events)));
        cd = await CdAsync(line);
        Assert.False(cd.GetProperty("tray_open").GetBoolean());
        Assert.Equal("cd-format", cd.GetProperty("inserted").GetProperty("node-name").GetString());

        (_, events) = await ExecuteAsync(line, $$$"""{"execute":"blockdev-change-medium","arguments":{"id":"ide0-1-0","filename":"{{{_dir}}}/cd2.iso","format":"raw"}}""");
        Assert.Equal([true, false], events.Select(e => e.GetProperty("data").GetProperty("tray-open").GetBoolean()));
        Assert.Equal(Path.Combine(_dir, "cd2.iso"), (await CdAsync(line)).GetProperty("inserted").GetProperty("file").GetString());
    }

    [Fact]
    public async Task A_tray_the_guest_locked_opens_only_by_force()
    {
        var (emulator, line) = await StartAsync(Qemu72BlockTests.CdRom(_dir));
        await using var running = emulator;
        await using var connection = line;
        emulator.Vm.GuestLockTray("cd-format", true);

        var (reply, events) = await ExecuteAsync(line, """{"execute":"eject","arguments":{"id":"ide0-1-0"}}""");
        Assert.Equal("Device 'ide0-1-0' is locked and force was not specified, wait for tray to open and try again", Desc(reply));
        Assert.Empty(events);

        // blockdev-open-tray asks the guest and says nothing of it; the tray stays shut.
        (reply, events) = await ExecuteAsync(line, """{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-0"}}""");
        Assert.True(reply.TryGetProperty("return", out _));
        Assert.Empty(events);
        Assert.True((await CdAsync(line)).GetProperty("locked").GetBoolean());

        (reply, events) = await ExecuteAsync(line, """{"execute":"eject","arguments":{"id":"ide0-1-0","force":true}}""");
        Assert.True(reply.TryGetProperty("return", out _), reply.GetRawText());
        Assert.Single(events);
        var cd = await CdAsync(line);
        Assert.False(cd.GetProperty("locked").GetBoolean());
        Assert.True(cd.GetProperty("tray_open").GetBoolean());
        Assert.False(cd.TryGetProperty("inserted", out _));
    }

    /// <summary>The persona on <paramref name="devices"/> (images in the test's folder) and a negotiated connection.</summary>
    private async Task<(QemuEmulator Emulator, Line Line)> StartAsync(string[] devices)
    {
        var socket = Path.Combine(_dir, "qmp.sock");
        string[] args = ["--qemu", "7.2", "-machine", "pc-i440fx-7.2", "-nodefaults", .. devices, "-qmp", $"unix:{socket},server=on,wait=off"];
        return await Qemu72InProcess.StartAsync(args, socket);
    }

    /// <summary>Sends a request; gives its reply and the events before it and the <paramref name="after"/> events that follow.</summary>
    private static async Task<(JsonElement Reply, List<JsonElement> Events)> ExecuteAsync(Line line, string request, int after = 0)
    {
        await line.SendAsync(request + "\r\n");
        var events = new List<JsonElement>();
        JsonElement? reply = null;
        while (reply is null || after > 0)
        {
            var message = JsonDocument.Parse(await line.ReadLineAsync()).RootElement.Clone();
            if (!message.TryGetProperty("event", out _))
            {
                reply = message;
                continue;
            }

            events.Add(message);
            after -= reply is null ? 0 : 1;
        }

        return (reply.Value, events);
    }

    /// <summary>A DEVICE_TRAY_MOVED's drive name, device id and tray state.</summary>
    private static (string?, string?, bool) Tray(JsonElement message)
    {
        Assert.Equal("DEVICE_TRAY_MOVED", message.GetProperty("event").GetString());
        var data = message.GetProperty("data");
        return (data.GetProperty("device").GetString(), data.GetProperty("id").GetString(), data.GetProperty("tray-open").GetBoolean());
    }

    /// <summary>A JOB_STATUS_CHANGE as its status, any other event as its name.</summary>
    private static string Name(JsonElement message) =>
        message.GetProperty("event").GetString() is "JOB_STATUS_CHANGE" ? message.GetProperty("data").GetProperty("status").GetString()! : message.GetProperty("event").GetString()!;

    private static string? Desc(JsonElement reply) => reply.TryGetProperty("error", out var error) ? error.GetProperty("desc").GetString() : reply.GetRawText();

    /// <summary>query-named-block-nodes by node name: each node's backing node (the first below it) and its backing file name.</summary>
    private static async Task<Dictionary<string, (string? Backing, string? BackingFile)>> NodesAsync(Line line)
    {
        var nodes = (await ExecuteAsync(line, """{"execute":"query-named-block-nodes"}""")).Reply.GetProperty("return").EnumerateArray().ToList();
        var byFile = nodes.Where(n => n.GetProperty("drv").GetString() != "file").ToDictionary(n => n.GetProperty("node-name").GetString()!);
        return byFile.ToDictionary(
            n => n.Key,
            n => (n.Value.TryGetProperty("backing_file", out var backing) ? byFile.Values.Where(b => b.GetProperty("file").GetString() == backing.GetString()).Select(b => b.GetProperty("node-name").GetString()).FirstOrDefault() : null,
                n.Value.GetProperty("image").TryGetProperty("backing-filename", out var name) ? name.GetString() : null));
    }

    private static async Task<JsonElement> CdAsync(Line line) =>
        (await ExecuteAsync(line, """{"execute":"query-block"}""")).Reply.GetProperty("return").EnumerateArray().Single(b => b.GetProperty("qdev").GetString() == "ide0-1-0" || b.GetProperty("qdev").GetString()!.EndsWith("/ide0-1-0", StringComparison.Ordinal));
}
