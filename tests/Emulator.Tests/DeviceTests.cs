using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

public sealed class DeviceTests
{
    [Fact]
    public async Task Device_add_and_del_with_pci_and_qom()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("device_add", """{"driver": "e1000", "id": "net1", "mac": "52:54:00:00:00:01"}""");
        await vm.FailsWith("device_add", """{"driver": "e1000", "id": "net1"}""", "Duplicate ID 'net1' for device");
        await vm.FailsWith("device_add", """{"driver": "warp-drive", "id": "x"}""", "Parameter 'driver' expects a driver name");
        await vm.FailsWith("device_add", """{"driver": "e1000", "id": "y", "bogus": 1}""", "Property 'e1000.bogus' not found");
        var devices = (await vm.Run("query-pci"))[0].GetProperty("devices");
        Assert.Contains(devices.EnumerateArray(), d => d.GetProperty("qdev_id").GetString() == "net1");
        Assert.Contains((await vm.Run("qom-list", """{"path": "/machine/peripheral"}""")).EnumerateArray(), p => p.GetProperty("name").GetString() == "net1");
        Assert.Equal("52:54:00:00:00:01", (await vm.Run("qom-get", """{"path": "/machine/peripheral/net1", "property": "mac"}""")).GetString());
        Assert.Equal("pc-i440fx-2.1-machine", (await vm.Run("qom-get", """{"path": "/machine", "property": "type"}""")).GetString());
        await vm.FailsWith("qom-get", """{"path": "/machine", "property": "nope"}""", "Property '.nope' not found");
        await vm.FailsWith("qom-list", """{"path": "/nowhere"}""", "Device '/nowhere' not found", QmpErrorClass.DeviceNotFound);
        await vm.Run("qom-set", """{"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": 5}""");
        Assert.Equal(5, (await vm.Run("qom-get", """{"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval"}""")).GetInt32());
        await vm.Run("device_del", """{"id": "net1"}""");
        var deleted = await vm.Next("DEVICE_DELETED");
        Assert.Equal("/machine/peripheral/net1", deleted.Data!.Value.GetProperty("path").GetString());
        await vm.FailsWith("device_del", """{"id": "net1"}""", "Device 'net1' not found", QmpErrorClass.DeviceNotFound);
        Assert.Contains((await vm.Run("qom-list-types", """{"implements": "pci-device"}""")).EnumerateArray(), t => t.GetProperty("name").GetString() == "e1000");
        Assert.Contains((await vm.Run("device-list-properties", """{"typename": "e1000"}""")).EnumerateArray(), p => p.GetProperty("name").GetString() == "mac");
        await vm.FailsWith("device-list-properties", """{"typename": "nope"}""", "Device 'nope' not found", QmpErrorClass.DeviceNotFound);
    }

    [Fact]
    public async Task Objects_netdevs_links_and_filters()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("object-add", """{"qom-type": "iothread", "id": "io0"}""");
        await vm.FailsWith("object-add", """{"qom-type": "iothread", "id": "io0"}""", "attempt to add duplicate property 'io0' to object (type 'container')");
        await vm.FailsWith("object-add", """{"qom-type": "nope", "id": "x"}""", "invalid class name");
        Assert.Equal("io0", (await vm.Run("query-iothreads"))[0].GetProperty("id").GetString());
        await vm.Run("object-del", """{"id": "io0"}""");
        await vm.FailsWith("object-del", """{"id": "io0"}""", "object id not found");
        await vm.Run("netdev_add", """{"type": "user", "id": "n1"}""");
        await vm.FailsWith("netdev_add", """{"type": "user", "id": "n1"}""", "Duplicate ID 'n1' for netdev");
        await vm.FailsWith("netdev_add", """{"type": "carrier", "id": "n2"}""", "Parameter 'type' expects a netdev backend type");
        await vm.Run("netdev_del", """{"id": "n1"}""");
        await vm.FailsWith("netdev_del", """{"id": "n1"}""", "Device 'n1' not found", QmpErrorClass.DeviceNotFound);
        await vm.Run("set_link", """{"name": "e1000.0", "up": false}""");
        await vm.Run("set_link", """{"name": "net0", "up": true}""");
        await vm.FailsWith("set_link", """{"name": "nic9", "up": true}""", "Device 'nic9' not found", QmpErrorClass.DeviceNotFound);
        var filter = (await vm.Run("query-rx-filter", """{"name": "net0"}"""))[0];
        Assert.Equal("52:54:00:12:34:56", filter.GetProperty("main-mac").GetString());
        await vm.FailsWith("query-rx-filter", """{"name": "zz"}""", "Parameter 'name' expects net client name");
    }

    /// <summary>
    /// object-add keeps props as given, however deep the request nests them within the server's limit: the
    /// generated record is written back to JSON as deep (System.Text.Json's default, 64 levels, was an
    /// undefined error past it). One helper for both personas (QemuMachine.AsJson).
    /// </summary>
    [Fact]
    public async Task Object_add_keeps_props_nested_deeper_than_64_levels()
    {
        await using var vm = await TestVm.StartAsync();
        var deep = new string('[', 100) + new string(']', 100);
        using var arguments = System.Text.Json.JsonDocument.Parse("{\"qom-type\": \"iothread\", \"id\": \"io-deep\", \"props\": {\"x\": " + deep + "}}", new() { MaxDepth = 128 });
        await vm.Client.ExecuteAsync("object-add", arguments.RootElement);
        Assert.Equal("io-deep", (await vm.Run("query-iothreads"))[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Cpus_balloon_memory_hotplug()
    {
        var machine = MachineDescription.Default();
        machine.MaxCpus = 4;
        machine.MemorySlots = 2;
        await using var vm = await TestVm.StartAsync(machine);
        await vm.Run("cpu-add", """{"id": 2}""");
        await vm.FailsWith("cpu-add", """{"id": 2}""", "Unable to add CPU: 2, it already exists");
        await vm.FailsWith("cpu-add", """{"id": 4}""", "Unable to add CPU: 4, max allowed: 3");
        Assert.Equal(2, (await vm.Run("query-cpus")).GetArrayLength());
        await vm.Run("cpu", """{"index": 2}""");
        Assert.True((await vm.Run("query-cpus"))[1].GetProperty("current").GetBoolean());
        await vm.FailsWith("cpu", """{"index": 1}""", "Parameter 'index' expects a CPU number");
        await vm.Run("balloon", """{"value": 67108864}""");
        Assert.Equal(67108864, (await vm.Next("BALLOON_CHANGE")).Data!.Value.GetProperty("actual").GetInt64());
        Assert.Equal(67108864, (await vm.Run("query-balloon")).GetProperty("actual").GetInt64());
        await vm.FailsWith("balloon", """{"value": 0}""", "Parameter 'target' expects a size");
        await vm.Run("object-add", """{"qom-type": "memory-backend-ram", "id": "mem1", "props": {"size": 134217728}}""");
        await vm.Run("device_add", """{"driver": "pc-dimm", "id": "d1", "memdev": "mem1"}""");
        await vm.Next("ACPI_DEVICE_OST");
        var dimm = (await vm.Run("query-memory-devices"))[0];
        Assert.Equal("d1", dimm.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal(134217728, (await vm.Run("query-memdev"))[0].GetProperty("size").GetInt64());
        Assert.Equal("d1", (await vm.Run("query-acpi-ospm-status"))[0].GetProperty("device").GetString());
        await vm.FailsWith("object-del", """{"id": "mem1"}""", "object 'mem1' is in use, can not be deleted");
    }

    [Fact]
    public async Task Without_a_balloon_device_the_balloon_is_not_active()
    {
        var machine = MachineDescription.Default();
        machine.Balloon = false;
        await using var vm = await TestVm.StartAsync(machine);
        await vm.FailsWith("query-balloon", null, "No balloon device has been activated", QmpErrorClass.DeviceNotActive);
    }

    [Fact]
    public async Task Balloon_change_is_throttled_to_one_per_second_keeping_the_last_value()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("balloon", """{"value": 100663296}""");
        Assert.Equal(100663296, (await vm.Next("BALLOON_CHANGE")).Data!.Value.GetProperty("actual").GetInt64());

        // Within the second: held back, and the later value replaces the earlier one.
        await vm.Run("balloon", """{"value": 83886080}""");
        await vm.Run("balloon", """{"value": 67108864}""");
        Assert.DoesNotContain("BALLOON_CHANGE", await vm.Drain());

        vm.Time.Advance(TimeSpan.FromSeconds(1));
        var held = await vm.Next("BALLOON_CHANGE");
        Assert.Equal(67108864, held.Data!.Value.GetProperty("actual").GetInt64());
        Assert.DoesNotContain("BALLOON_CHANGE", await vm.Drain());

        // A second after that, the next change goes out at once.
        vm.Time.Advance(TimeSpan.FromSeconds(1));
        await vm.Run("balloon", """{"value": 50331648}""");
        Assert.Equal(50331648, (await vm.Next("BALLOON_CHANGE")).Data!.Value.GetProperty("actual").GetInt64());
    }
}
