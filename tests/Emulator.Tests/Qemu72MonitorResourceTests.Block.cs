using System.Text.Json;

namespace Qmp.Emulator.Tests;

public sealed partial class Qemu72MonitorResourceTests
{
    [Fact]
    public async Task Block_exports_are_kept_by_their_own_id()
    {
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;
        Assert.Equal("return", await RunAsync(client, new Step("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f0"}""")));
        Assert.Equal("return", await RunAsync(client, new Step("nbd-server-start", """{"addr":{"type":"unix","data":{"path":"nbd.sock"}}}""")));
        Assert.Equal("return", await RunAsync(client, new Step("block-export-add", """{"type":"nbd","id":"exp0","node-name":"f0"}""")));
        var exports = await client.ExecuteAsync("query-block-exports");
        Assert.Equal("""[{"id":"exp0","node-name":"f0","shutting-down":false,"type":"nbd"}]""", Sorted(exports));
        Assert.Equal("return", await RunAsync(client, new Step("block-export-del", """{"id":"exp0"}""")));
        Assert.Equal("[]", JsonSerializer.Serialize(await client.ExecuteAsync("query-block-exports")));
    }

    [Fact]
    public async Task Block_resize_grows_no_file_and_what_it_sizes_stays_capped_by_the_creatable_size()
    {
        // QEMU grows a raw file when its node is resized; the emulator writes nothing, and a copy of the node later
        // meets the bound every image the emulator creates has (docs/security.md: no limit of block_resize's own).
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;
        var disk = Path.Combine(started.Work, "disk.raw");
        Assert.Equal("return", await RunAsync(client, new Step("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f0"}""")));
        Assert.Equal("return", await RunAsync(client, new Step("blockdev-add", """{"driver":"raw","file":"f0","node-name":"r0"}""")));
        Assert.Equal("return", await RunAsync(client, new Step("block_resize", """{"node-name":"r0","size":9223372035781033984}""")));
        Assert.Equal(65536, new FileInfo(disk).Length);
        Assert.Equal(
            "GenericError: Could not create 'copy.qcow2': File too large",
            await RunAsync(client, new Step("drive-backup", """{"job-id":"j","device":"r0","target":"copy.qcow2","format":"qcow2","sync":"full"}""")));
        Assert.False(File.Exists(Path.Combine(started.Work, "copy.qcow2")));
        Assert.Empty(Directory.GetFiles(started.Work, ".qmp-*.tmp"));
    }

    [QemuFact]
    public async Task Blockdev_nodes_that_no_device_takes_are_named_nodes_as_in_qemu_7_2_side_by_side()
    {
        // A machine with no disk, only -blockdev nodes: the monitor owns them, lists them and finds them by name.
        Step[] steps =
        [
            new("query-named-block-nodes", """{"flat":true}""", Value: true),
            new("blockdev-add", """{"driver":"raw","file":"f0","node-name":"r0"}"""),
            new("block-dirty-bitmap-add", """{"node":"r0","name":"b"}"""),
            new("nbd-server-start", """{"addr":{"type":"unix","data":{"path":"nbd.sock"}}}"""),
            new("block-export-add", """{"type":"nbd","id":"e1","node-name":"r0"}"""),
            new("blockdev-del", """{"node-name":"r0"}"""),
            new("block-export-del", """{"id":"e1"}"""),
            new("nbd-server-stop"),
            new("blockdev-del", """{"node-name":"f0"}"""),
            new("blockdev-del", """{"node-name":"r0"}"""),
            new("blockdev-del", """{"node-name":"f0"}"""),
            new("query-named-block-nodes", """{"flat":true}""", Value: true),
        ];
        static string[] Nodes(string work) =>
        [
            "-blockdev", $$"""{"driver":"file","filename":"{{Path.Combine(work, "disk.raw")}}","node-name":"f0"}""",
            "-blockdev", """{"driver":"raw","file":"f0","node-name":"r0"}""",
        ];
        var (qemu, _) = await SideBySideAsync(steps, Nodes);
        Assert.Equal("return []", qemu.Replies[^1]);
    }

    [QemuFact]
    public async Task Device_del_finds_a_device_by_its_path_as_qemu_7_2_does_side_by_side()
    {
        // A device without an id has only its path. QEMU, with no guest to acknowledge, leaves the device pending;
        // the persona's guest acknowledges at once, so each device is deleted once here.
        Step[] steps =
        [
            new("device_del", """{"id":"/machine/peripheral-anon/device[0]"}"""),
            new("device_del", """{"id":"/machine/peripheral/ser0"}"""),
            new("device_del", """{"id":"/machine/nothere"}"""),
            new("device_del", """{"id":"/machine/peripheral/nothere"}"""),
            new("device_del", """{"id":"device[0]"}"""),
            new("device_del", """{"id":""}"""),
            new("device_del", """{"id":"/machine/peripheral"}"""),
            new("device_del", """{"id":"/machine"}"""),
            new("device_del", """{"id":"/objects"}"""),
            new("object-add", """{"qom-type":"iothread","id":"io1"}"""),
            new("device_del", """{"id":"/objects/io1"}"""),
            new("device_del", """{"id":"/objects/io2"}"""),
            new("device_del", """{"id":"/machine/peripheral-anon/device[1]"}"""),
        ];
        static string[] Devices(string work) =>
        [
            "-device", "virtio-balloon-pci",
            "-device", """{"driver":"virtio-serial-pci","id":"ser0"}""",
        ];
        var (qemu, _) = await SideBySideAsync(steps, Devices);
        Assert.Equal("return", qemu.Replies[0]);
    }

    [QemuFact]
    public async Task A_disk_unplugged_leaves_its_blockdev_nodes_to_the_monitor_as_qemu_7_2_does_side_by_side()
    {
        // libvirt's detach: device_del, DEVICE_DELETED, then blockdev-del of the nodes. A SCSI disk goes without a guest's
        // help in QEMU too; its -blockdev nodes, and the bitmap on them, stay until blockdev-del.
        Step[] steps =
        [
            new("block-dirty-bitmap-add", """{"node":"libvirt-1-format","name":"b"}"""),
            new("device_del", """{"id":"scsi0-0-0-0"}""", Event: "DEVICE_DELETED"),
            new("query-named-block-nodes", """{"flat":true}""", Value: true),
            new("block-dirty-bitmap-add", """{"node":"libvirt-1-format","name":"b"}"""),
            new("block-dirty-bitmap-remove", """{"node":"libvirt-1-format","name":"b"}"""),
            new("blockdev-del", """{"node-name":"libvirt-1-storage"}"""),
            new("blockdev-del", """{"node-name":"libvirt-1-format"}"""),
            new("blockdev-del", """{"node-name":"libvirt-1-storage"}"""),
            new("query-named-block-nodes", """{"flat":true}""", Value: true),
        ];
        static string[] ScsiDisk(string work) =>
        [
            "-blockdev", $$"""{"driver":"file","filename":"{{Path.Combine(work, "disk.raw")}}","node-name":"libvirt-1-storage"}""",
            "-blockdev", """{"node-name":"libvirt-1-format","driver":"raw","file":"libvirt-1-storage"}""",
            "-device", """{"driver":"virtio-scsi-pci","id":"scsi0"}""",
            "-device", """{"driver":"scsi-hd","bus":"scsi0.0","drive":"libvirt-1-format","id":"scsi0-0-0-0"}""",
        ];
        var (qemu, _) = await SideBySideAsync(steps, ScsiDisk);
        Assert.Equal("GenericError: Bitmap already exists: b", qemu.Replies[3]);
        Assert.Equal("return []", qemu.Replies[^1]);
    }

    [Fact]
    public async Task Bitmap_names_are_bounded_as_qemu_7_2_bounds_them()
    {
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;
        Assert.Equal("return", await RunAsync(client, new Step("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f0"}""")));
        var longName = new string('b', 1024);
        Assert.Equal("GenericError: Bitmap name too long: " + longName, await RunAsync(client, new Step("block-dirty-bitmap-add", JsonSerializer.Serialize(new { node = "f0", name = longName }))));
        Assert.Equal("return", await RunAsync(client, new Step("block-dirty-bitmap-add", JsonSerializer.Serialize(new { node = "f0", name = longName[1..] }))));
    }
}
