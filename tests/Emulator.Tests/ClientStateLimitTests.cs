using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

/// <summary>
/// What clients leave behind is bounded (issue 20, item 8): ids and names have lengths, and everything a
/// machine keeps for its clients counts against <see cref="EmulatorLimits.MaxRetainedBytes"/>.
/// </summary>
public class ClientStateLimitTests
{
    private static string Chardev(string id, long? ringSize = null) =>
        JsonSerializer.Serialize(new { id, backend = ringSize is { } size ? (object)new { type = "ringbuf", data = new { size } } : new { type = "null", data = new { } } });

    [Fact]
    public async Task Huge_chardev_ids_are_refused_and_nothing_is_kept()
    {
        // The attack: chardev-add with 48 MiB ids (QEMU 7.2 accepts any id here, even "bad id" or a
        // 100,000-byte one, and keeps it). The emulator refuses past 1024 bytes, in QEMU's words for bounds.
        await using var vm = await TestVm.StartAsync();
        var before = vm.Emulator.Vm.RetainedBytes;
        var chardevs = vm.Emulator.Vm.Chardevs.Count;
        string huge = new('a', 48 << 20);
        for (var i = 0; i < 3; i++)
        {
            await vm.FailsWith("chardev-add", Chardev(huge + i), "Parameter 'id' expects at most 1024 bytes");
        }

        await vm.FailsWith("chardev-add", Chardev(new string('b', EmulatorLimits.MaxIdBytes + 1)), "Parameter 'id' expects at most 1024 bytes");
        Assert.Equal(before, vm.Emulator.Vm.RetainedBytes);
        Assert.Equal(chardevs, vm.Emulator.Vm.Chardevs.Count);

        // At the limit it is served, and charged; removing it gives everything back.
        string longest = new('c', EmulatorLimits.MaxIdBytes);
        await vm.Run("chardev-add", Chardev(longest));
        Assert.Equal(before + EmulatorLimits.MaxIdBytes + "null".Length + EmulatorLimits.RetainedEntryBytes, vm.Emulator.Vm.RetainedBytes);
        await vm.Run("chardev-remove", JsonSerializer.Serialize(new { id = longest }));
        Assert.Equal(before, vm.Emulator.Vm.RetainedBytes);
    }

    [Fact]
    public async Task Device_and_netdev_ids_are_identifiers_as_in_qemu()
    {
        // QEMU 7.2: device_add {"driver": "virtio-net-pci", "id": "bad id"} and netdev_add {"type": "user",
        // "id": "bad id"} answer {"class": "GenericError", "desc": "Parameter 'id' expects an identifier"};
        // "1abc" too (an id starts with a letter). A 300-byte device id is accepted.
        await using var vm = await TestVm.StartAsync();
        foreach (var id in new[] { "bad id", "1abc", "" })
        {
            await vm.FailsWith("device_add", JsonSerializer.Serialize(new { driver = "virtio-net-pci", id }), "Parameter 'id' expects an identifier");
            await vm.FailsWith("netdev_add", JsonSerializer.Serialize(new { type = "user", id }), "Parameter 'id' expects an identifier");
        }

        await vm.Run("netdev_add", JsonSerializer.Serialize(new { type = "user", id = "n-1.x_" + new string('n', 300) }));
        await vm.FailsWith("netdev_add", JsonSerializer.Serialize(new { type = "user", id = "n" + new string('n', EmulatorLimits.MaxIdBytes) }), "Parameter 'id' expects at most 1024 bytes");
    }

    [Fact]
    public async Task A_machine_keeps_at_most_its_budget_of_client_state_and_serves_a_fresh_client_after()
    {
        await using var vm = await TestVm.StartAsync();
        var before = vm.Emulator.Vm.RetainedBytes;

        // Ring buffers count at their full size: 1 MiB each until the 64 MiB budget is spent, then smaller
        // ones down to 1 byte fill what is left.
        var added = new List<string>();
        QmpException? refusal = null;
        for (long size = 1 << 20; size >= 1; size /= 2)
        {
            while (true)
            {
                var id = "ring" + added.Count;
                try
                {
                    await vm.Run("chardev-add", Chardev(id, size));
                    added.Add(id);
                }
                catch (QmpException ex)
                {
                    refusal ??= ex;
                    break;
                }

                Assert.True(vm.Emulator.Vm.RetainedBytes <= EmulatorLimits.MaxRetainedBytes, $"{vm.Emulator.Vm.RetainedBytes} bytes kept");
            }

            if (size == 1 << 20)
            {
                Assert.InRange(added.Count, 60, 63);
            }
        }

        Assert.NotNull(refusal);
        Assert.Matches("^The emulator already holds \\d+ bytes of client state \\(ids, names, properties, ring buffers, snapshots\\); \\d+ more would pass the most it may hold, 67108864$", refusal.Description);
        Assert.InRange(EmulatorLimits.MaxRetainedBytes - vm.Emulator.Vm.RetainedBytes, 0, 300);

        // Anything else a client names is refused as well while the budget is spent.
        var full = await vm.Fails("blockdev-snapshot-internal-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", name = new string('s', 300) }));
        Assert.StartsWith("The emulator already holds ", full.Description, StringComparison.Ordinal);
        full = await vm.Fails("device_add", "{\"driver\":\"virtio-net-pci\",\"id\":\"nic1\",\"mac\":\"52:54:00:12:34:99\"}");
        Assert.StartsWith("The emulator already holds ", full.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(vm.Emulator.Vm.Devices, d => d.Id == "nic1");

        // The client leaves; a fresh one is served, and removing what was added gives the budget back.
        await vm.Client.DisposeAsync();
        await using var fresh = await QmpClient.ConnectAsync($"unix:{vm.Socket}");
        foreach (var id in added)
        {
            await fresh.ExecuteAsync("chardev-remove", TestVm.Json(JsonSerializer.Serialize(new { id })));
        }

        Assert.Equal(before, vm.Emulator.Vm.RetainedBytes);
        await fresh.ExecuteAsync("blockdev-snapshot-internal-sync", TestVm.Json(JsonSerializer.Serialize(new { device = "ide0-hd0", name = new string('s', 300) })));
    }

    [Fact]
    public async Task Snapshots_are_charged_given_back_and_named_in_255_bytes_as_in_qemu()
    {
        // QEMU 7.2 keeps 255 bytes of an internal snapshot's name (a 65,536-byte name is listed with 255),
        // after checking that the whole name is new: two long names sharing 255 bytes make two snapshots.
        await using var vm = await TestVm.StartAsync();
        var before = vm.Emulator.Vm.RetainedBytes;
        await vm.Run("blockdev-snapshot-internal-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", name = new string('n', 65536) }));
        await vm.Run("blockdev-snapshot-internal-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", name = new string('n', 65535) }));
        await vm.Run("blockdev-snapshot-internal-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", name = new string('\u00e9', 200) }));
        var block = await vm.Run("query-block");
        var names = block[0].GetProperty("inserted").GetProperty("image").GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
        Assert.Equal([new string('n', 255), new string('n', 255), new string('\u00e9', 127)], names);
        Assert.Equal(before + (3 * EmulatorLimits.RetainedEntryBytes) + 255 + 255 + 254, vm.Emulator.Vm.RetainedBytes);

        // A transaction that fails gives back what its actions charged.
        await vm.FailsWith("transaction", "{\"actions\":[{\"type\":\"blockdev-snapshot-internal-sync\",\"data\":{\"device\":\"ide0-hd0\",\"name\":\"t\"}},{\"type\":\"abort\",\"data\":{}}]}", "Transaction aborted using Abort action");
        Assert.Equal(before + (3 * EmulatorLimits.RetainedEntryBytes) + 255 + 255 + 254, vm.Emulator.Vm.RetainedBytes);

        foreach (var id in new[] { "1", "2", "3" })
        {
            await vm.Run("blockdev-snapshot-delete-internal-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", id }));
        }

        Assert.Equal(before, vm.Emulator.Vm.RetainedBytes);
    }

    [Fact]
    public async Task A_node_that_goes_gives_back_what_its_dirty_bitmaps_were_charged()
    {
        // QEMU frees a node's bitmaps with the node; the 7.2 persona kept their charge after blockdev-del, so adding
        // and deleting a node with a bitmap, over and over, spent the machine's budget.
        using var folder = new TempFolder("qmp-bitmaps72-");
        var socket = Path.Combine(folder.Path, "qmp.sock");
        File.WriteAllBytes(Path.Combine(folder.Path, "disk.qcow2"), QemuMachine.Qcow2Image(64L << 20, null));
        folder.Write("extra.raw", "");
        var (emulator, line) = await Qemu72InProcess.StartAsync(
        [
            "--qemu", "7.2", .. Qemu72InProcess.OneDisk(Path.Combine(folder.Path, "disk.qcow2")),
            "-qmp", $"unix:{socket},server=on,wait=off",
        ], socket);
        await using var _ = emulator;
        await using var __ = line;

        async Task Run(string command, string arguments)
        {
            await line.SendAsync($$"""{"execute":"{{command}}","arguments":{{arguments}}}""" + "\r\n");
            var reply = await line.ReadLineAsync();
            Assert.True(reply == "{\"return\": {}}", $"{command} {arguments}: {reply}");
        }

        var before = emulator.Vm.RetainedBytes;
        for (var i = 0; i < 3; i++)
        {
            await Run("blockdev-add", $$"""{"driver":"file","filename":"{{Path.Combine(folder.Path, "extra.raw")}}","node-name":"f9"}""");
            await Run("block-dirty-bitmap-add", """{"node":"f9","name":"b9"}""");
            await Run("block-dirty-bitmap-add", JsonSerializer.Serialize(new { node = "f9", name = new string('b', 1000) }));
            Assert.True(emulator.Vm.RetainedBytes > before + 1000, $"{emulator.Vm.RetainedBytes} bytes held");
            await Run("blockdev-del", """{"node-name":"f9"}""");
            Assert.Equal(before, emulator.Vm.RetainedBytes);
        }

        // A bitmap on a node that stays is kept, and so is its charge.
        await Run("block-dirty-bitmap-add", """{"node":"libvirt-1-format","name":"kept"}""");
        var held = emulator.Vm.RetainedBytes;
        Assert.True(held > before);
        await Run("blockdev-add", $$"""{"driver":"file","filename":"{{Path.Combine(folder.Path, "extra.raw")}}","node-name":"f9"}""");
        await Run("blockdev-del", """{"node-name":"f9"}""");
        Assert.Equal(held, emulator.Vm.RetainedBytes);
        await Run("block-dirty-bitmap-remove", """{"node":"libvirt-1-format","name":"kept"}""");
        Assert.Equal(before, emulator.Vm.RetainedBytes);
    }

    [Fact]
    public async Task Node_names_are_at_most_31_bytes_as_in_qemu()
    {
        // QEMU 7.2: blockdev-snapshot-sync with a 40-byte snapshot-node-name answers "Node name too long".
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("blockdev-snapshot-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", snapshot_file = "s1.qcow2", snapshot_node_name = new string('n', 40) }).Replace('_', '-'), "Node name too long");
        await vm.Run("blockdev-snapshot-sync", JsonSerializer.Serialize(new { device = "ide0-hd0", snapshot_file = "s1.qcow2", snapshot_node_name = new string('n', 31) }).Replace('_', '-'));
    }

    [Fact]
    public async Task Send_key_keeps_only_the_last_few_combinations()
    {
        await using var vm = await TestVm.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await vm.Run("send-key", "{\"keys\":[{\"type\":\"number\",\"data\":" + i + "}]}");
        }

        Assert.Equal(Enumerable.Range(84, 16).Select(i => "0x" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)), vm.Emulator.Vm.Display.KeysSent);
    }
    [Fact]
    public async Task Backup_targets_of_a_machine_without_data_dir_are_charged()
    {
        // The attack: without --data-dir no file is made, but the machine remembers every target it "wrote"
        // (so a later mode: existing finds it). drive-backup with a fresh 1 MiB name, block-job-cancel, again:
        // each round left a megabyte behind, uncharged, without end. Now each new name is charged as state.
        await using var vm = await TestVm.StartAsync(dataDir: false);
        var before = vm.Emulator.Vm.RetainedBytes;
        QmpException? refusal = null;
        var rounds = 0;
        for (; rounds < 80 && refusal is null; rounds++)
        {
            var target = rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) + new string('t', 1 << 20);
            try
            {
                await vm.Run("drive-backup", JsonSerializer.Serialize(new { device = "ide0-hd0", target, sync = "full", format = "raw" }));
            }
            catch (QmpException ex)
            {
                refusal = ex;
                break;
            }

            await vm.Run("block-job-cancel", "{\"device\":\"ide0-hd0\"}");
            Assert.True(vm.Emulator.Vm.RetainedBytes - before >= (long)(rounds + 1) << 20, $"{vm.Emulator.Vm.RetainedBytes - before} bytes charged for {rounds + 1} targets");
        }

        Assert.NotNull(refusal);
        Assert.StartsWith("The emulator already holds ", refusal.Description, StringComparison.Ordinal);
        Assert.InRange(rounds, 50, 64);
        Assert.True(vm.Emulator.Vm.RetainedBytes <= EmulatorLimits.MaxRetainedBytes);
    }

    [Fact]
    public async Task Descriptor_names_and_fd_set_notes_are_at_most_1024_bytes()
    {
        // The attack: getfd and add-fd each keep a descriptor (up to 1024 for the process) and with it a name
        // or an opaque note of any length: 1024 notes of 48 MiB were 48 GiB kept. Both are ids now.
        await using var vm = await TestVm.StartAsync();
        string huge = new('f', 4 << 20);
        var refused = await Assert.ThrowsAsync<QmpException>(() => vm.RunWithFd("getfd", JsonSerializer.Serialize(new { fdname = huge })));
        Assert.Equal("Parameter 'fdname' expects at most 1024 bytes", refused.Description);
        refused = await Assert.ThrowsAsync<QmpException>(() => vm.RunWithFd("add-fd", "{\"fdset-id\": 3, \"opaque\": \"" + huge + "\"}"));
        Assert.Equal("Parameter 'opaque' expects at most 1024 bytes", refused.Description);
        Assert.DoesNotContain(3L, vm.Emulator.Vm.FdSets.Keys);
        await vm.FailsWith("closefd", JsonSerializer.Serialize(new { fdname = huge }), $"File descriptor named '{huge}' not found");

        // At the limit both are served.
        string longest = new('g', EmulatorLimits.MaxIdBytes);
        await vm.RunWithFd("getfd", JsonSerializer.Serialize(new { fdname = longest }));
        await vm.Run("closefd", JsonSerializer.Serialize(new { fdname = longest }));
        await vm.RunWithFd("add-fd", "{\"fdset-id\": 3, \"opaque\": \"" + longest + "\"}");
    }

    [Fact]
    public async Task Add_client_lists_only_the_last_few_connections()
    {
        // The attack: getfd then add_client, again and again. The descriptor is let go at once, but each
        // round left an entry in query-vnc's (or query-spice's) list, without end. The last 16 are kept.
        await using var vm = await TestVm.StartAsync();
        for (var i = 0; i < 40; i++)
        {
            await vm.RunWithFd("getfd", "{\"fdname\": \"c\"}");
            await vm.Run("add_client", "{\"protocol\": \"vnc\", \"fdname\": \"c\"}");
            await vm.RunWithFd("getfd", "{\"fdname\": \"c\"}");
            await vm.Run("add_client", "{\"protocol\": \"spice\", \"fdname\": \"c\"}");
        }

        Assert.Equal(16, vm.Emulator.Vm.Display.VncClients.Count);
        Assert.Equal(16, vm.Emulator.Vm.Display.SpiceChannels.Count);
        var clients = (await vm.Run("query-vnc")).GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("service").GetString()).ToList();
        Assert.Equal(Enumerable.Range(50401 + 40 - 16, 16).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)), clients);
    }
}
