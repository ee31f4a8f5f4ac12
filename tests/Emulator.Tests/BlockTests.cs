using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

public sealed class BlockTests
{
    private static JsonElement Drive(JsonElement blocks, string id) => blocks.EnumerateArray().Single(b => b.GetProperty("device").GetString() == id);

    private static MachineDescription WithCdrom(bool locked, string? medium = "cd.iso")
    {
        var m = MachineDescription.Default();
        m.Drives![1] = new DriveDescription { Id = "ide1-cd0", Media = "cdrom", File = medium, Format = "raw", Size = 700L << 20, Locked = locked };
        m.Images = [new ImageDescription { Filename = "other.iso", Format = "raw", Size = 1L << 30 }, new ImageDescription { Filename = "secret.qcow2", Encrypted = true, Password = "pw" }];
        return m;
    }

    [Fact]
    public async Task Default_machine_has_QEMUs_drives()
    {
        await using var vm = await TestVm.StartAsync();
        var blocks = await vm.Run("query-block");
        Assert.Equal(["ide0-hd0", "ide1-cd0", "floppy0", "sd0"], blocks.EnumerateArray().Select(b => b.GetProperty("device").GetString()!));
        var hd = Drive(blocks, "ide0-hd0");
        Assert.False(hd.GetProperty("removable").GetBoolean());
        Assert.Equal("qcow2", hd.GetProperty("inserted").GetProperty("drv").GetString());
        var cd = Drive(blocks, "ide1-cd0");
        Assert.True(cd.GetProperty("removable").GetBoolean());
        Assert.False(cd.TryGetProperty("inserted", out _));
        Assert.Equal(4, (await vm.Run("query-blockstats")).GetArrayLength());
    }

    [Fact]
    public async Task Eject_honours_the_lock_and_force_and_moves_the_tray()
    {
        await using var vm = await TestVm.StartAsync(WithCdrom(locked: true));
        await vm.FailsWith("eject", """{"device": "ide1-cd0"}""", "Device 'ide1-cd0' is locked");
        await vm.FailsWith("eject", """{"device": "ide0-hd0"}""", "Device 'ide0-hd0' is not removable");
        await vm.FailsWith("eject", """{"device": "ide9"}""", "Device 'ide9' not found", QmpErrorClass.DeviceNotFound);
        await vm.Run("eject", """{"device": "ide1-cd0", "force": true}""");
        var moved = await vm.Next("DEVICE_TRAY_MOVED");
        Assert.Equal("ide1-cd0", moved.Data!.Value.GetProperty("device").GetString());
        Assert.True(moved.Data!.Value.GetProperty("tray-open").GetBoolean());
        var cd = Drive(await vm.Run("query-block"), "ide1-cd0");
        Assert.True(cd.GetProperty("tray_open").GetBoolean());
        Assert.False(cd.GetProperty("locked").GetBoolean());
        Assert.False(cd.TryGetProperty("inserted", out _));
    }

    [Fact]
    public async Task Change_checks_the_medium_and_closes_the_tray()
    {
        await using var vm = await TestVm.StartAsync(WithCdrom(locked: false));
        // Outside the data dir nothing says whether a file exists; inside, a missing one is reported as QEMU does.
        await vm.FailsWith("change", """{"device": "ide1-cd0", "target": "/no/such.iso"}""", "Could not open '/no/such.iso': Permission denied");
        await vm.FailsWith("change", """{"device": "ide1-cd0", "target": "no-such.iso"}""", "Could not open 'no-such.iso': No such file or directory");
        await vm.FailsWith("change", """{"device": "ide1-cd0", "target": "other.iso", "arg": "bogus"}""", "Invalid block format 'bogus'");
        var real = Path.Combine(vm.DataDir, "real.iso");
        await File.WriteAllBytesAsync(real, new byte[4096]);
        await vm.Run("change", JsonSerializer.Serialize(new { device = "ide1-cd0", target = real }));
        Assert.Equal(real, Drive(await vm.Run("query-block"), "ide1-cd0").GetProperty("inserted").GetProperty("file").GetString());
        await vm.Run("change", """{"device": "ide1-cd0", "target": "other.iso"}""");
        Assert.Equal(["DEVICE_TRAY_MOVED", "DEVICE_TRAY_MOVED"], (await vm.Drain()).Take(2));
    }

    [Fact]
    public async Task Encrypted_images_need_their_password()
    {
        await using var vm = await TestVm.StartAsync(WithCdrom(locked: false));
        var error = await vm.Fails("change", """{"device": "ide1-cd0", "target": "secret.qcow2"}""");
        Assert.Equal(QmpErrorClass.DeviceEncrypted, error.ErrorClass);
        Assert.Equal("'ide1-cd0' (secret.qcow2) is encrypted", error.Description);
        await vm.Run("stop");
        Assert.Equal(QmpErrorClass.DeviceEncrypted, (await vm.Fails("cont")).ErrorClass);
        await vm.FailsWith("block_passwd", """{"device": "ide1-cd0", "password": "wrong"}""", "Password incorrect");
        await vm.FailsWith("block_passwd", """{"device": "ide0-hd0", "password": "x"}""", "Device 'ide0-hd0' is not encrypted");
        await vm.Run("block_passwd", """{"device": "ide1-cd0", "password": "pw"}""");
        await vm.Run("cont");
        Assert.Equal("running", await vm.Status());
    }

    [Fact]
    public async Task Resize_and_throttle_are_reflected_in_query_block()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("block_resize", """{"device": "ide0-hd0", "size": 21474836480}""");
        await vm.FailsWith("block_resize", """{"device": "ide0-hd0", "size": 1048576}""", "this feature or command is not currently supported");
        await vm.FailsWith("block_resize", """{"device": "ide1-cd0", "size": 1048576}""", "Device 'ide1-cd0' has no medium");
        await vm.Run("block_set_io_throttle", """{"device": "ide0-hd0", "bps": 1000000, "bps_rd": 0, "bps_wr": 0, "iops": 0, "iops_rd": 0, "iops_wr": 0, "bps_max": 8000000}""");
        await vm.FailsWith("block_set_io_throttle", """{"device": "ide0-hd0", "bps": 1, "bps_rd": 1, "bps_wr": 0, "iops": 0, "iops_rd": 0, "iops_wr": 0}""", "bps/iops/max total values and read/write values cannot be used at the same time");
        var inserted = Drive(await vm.Run("query-block"), "ide0-hd0").GetProperty("inserted");
        Assert.Equal(1000000, inserted.GetProperty("bps").GetInt64());
        Assert.Equal(8000000, inserted.GetProperty("bps_max").GetInt64());
        Assert.Equal(21474836480, inserted.GetProperty("image").GetProperty("virtual-size").GetInt64());
    }

    [Fact]
    public async Task Internal_snapshots_are_listed_under_the_image()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("blockdev-snapshot-internal-sync", """{"device": "ide0-hd0", "name": "snap0"}""");
        await vm.FailsWith("blockdev-snapshot-internal-sync", """{"device": "ide0-hd0", "name": "snap0"}""", "Snapshot with name 'snap0' already exists on device 'ide0-hd0'");
        var snapshots = Drive(await vm.Run("query-block"), "ide0-hd0").GetProperty("inserted").GetProperty("image").GetProperty("snapshots");
        Assert.Equal("snap0", snapshots[0].GetProperty("name").GetString());
        var deleted = await vm.Run("blockdev-snapshot-delete-internal-sync", """{"device": "ide0-hd0", "name": "snap0"}""");
        Assert.Equal("1", deleted.GetProperty("id").GetString());
        await vm.FailsWith("blockdev-snapshot-delete-internal-sync", """{"device": "ide0-hd0", "name": "snap0"}""", "Snapshot with id '(null)' and name 'snap0' does not exist on device 'ide0-hd0'");
        await vm.FailsWith("blockdev-snapshot-delete-internal-sync", """{"device": "ide0-hd0"}""", "Parameter 'id or name' is missing");
    }

    [Fact]
    public async Task External_snapshot_grows_the_backing_chain()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("blockdev-snapshot-sync", """{"device": "ide0-hd0", "snapshot-file": "overlay.qcow2", "snapshot-node-name": "top"}""");
        var inserted = Drive(await vm.Run("query-block"), "ide0-hd0").GetProperty("inserted");
        Assert.Equal("overlay.qcow2", inserted.GetProperty("file").GetString());
        Assert.Equal("disk.qcow2", inserted.GetProperty("backing_file").GetString());
        Assert.Equal(1, inserted.GetProperty("backing_file_depth").GetInt32());
        Assert.Equal("top", (await vm.Run("query-named-block-nodes"))[0].GetProperty("node-name").GetString());
        await vm.FailsWith("blockdev-snapshot-sync", """{"device": "ide0-hd0", "snapshot-file": "missing.qcow2", "mode": "existing"}""", "Could not open 'missing.qcow2': No such file or directory");
    }

    [Fact]
    public async Task Transaction_is_all_or_nothing()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("transaction", """
            {"actions": [
              {"type": "blockdev-snapshot-sync", "data": {"device": "ide0-hd0", "snapshot-file": "a.qcow2"}},
              {"type": "blockdev-snapshot-internal-sync", "data": {"device": "ide0-hd0", "name": "s"}},
              {"type": "abort", "data": {}}]}
            """, "Transaction aborted using Abort action");
        var inserted = Drive(await vm.Run("query-block"), "ide0-hd0").GetProperty("inserted");
        Assert.Equal("disk.qcow2", inserted.GetProperty("file").GetString());
        Assert.False(inserted.GetProperty("image").TryGetProperty("snapshots", out _));
        await vm.FailsWith("transaction", """{"actions": [{"type": "drive-backup", "data": {"device": "ide0-hd0", "target": "b.img", "sync": "full"}}, {"type": "blockdev-snapshot-sync", "data": {"device": "nope", "snapshot-file": "x"}}]}""", "Device 'nope' not found", QmpErrorClass.DeviceNotFound);
        Assert.Empty((await vm.Run("query-block-jobs")).EnumerateArray());
        await vm.Run("transaction", """{"actions": [{"type": "blockdev-snapshot-sync", "data": {"device": "ide0-hd0", "snapshot-file": "a.qcow2"}}, {"type": "drive-backup", "data": {"device": "ide0-hd0", "target": "b.img", "sync": "full"}}]}""");
        Assert.Equal("a.qcow2", Drive(await vm.Run("query-block"), "ide0-hd0").GetProperty("inserted").GetProperty("file").GetString());
        Assert.Equal("backup", (await vm.Run("query-block-jobs"))[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Blockdev_add_needs_an_id_and_an_existing_file()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("blockdev-add", """{"options": {"driver": "qcow2", "file": {"driver": "file", "filename": "x.qcow2"}}}""", "Block device needs an ID");
        await vm.FailsWith("blockdev-add", """{"options": {"driver": "qcow2", "id": "d1", "file": {"driver": "file", "filename": "x.qcow2"}}}""", "Could not open 'x.qcow2': No such file or directory");
        var file = Path.Combine(vm.DataDir, "x.qcow2");
        await File.WriteAllBytesAsync(file, new byte[] { (byte)'Q', (byte)'F', (byte)'I', 0xfb, 0, 0, 0, 3 });
        await vm.Run("blockdev-add", JsonSerializer.Serialize(new { options = new Dictionary<string, object> { ["driver"] = "qcow2", ["id"] = "d1", ["node-name"] = "n1", ["file"] = new { driver = "file", filename = file } } }));
        Assert.Equal("qcow2", Drive(await vm.Run("query-block"), "d1").GetProperty("inserted").GetProperty("drv").GetString());
        Assert.Equal("n1", (await vm.Run("query-named-block-nodes"))[0].GetProperty("node-name").GetString());
    }
}
