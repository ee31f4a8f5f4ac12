namespace Qmp.Emulator.Tests;

public sealed partial class Qemu72MonitorResourceTests
{
    [Fact]
    public async Task Object_ids_are_bounded_and_a_device_without_id_is_anonymous()
    {
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;
        var longId = new string('a', EmulatorLimits.MaxIdBytes + 1);
        Assert.Equal("GenericError: Parameter 'id' expects at most 1024 bytes", await RunAsync(client, new Step("object-add", "{\"qom-type\":\"iothread\",\"id\":\"" + longId + "\"}")));
        Assert.Equal("GenericError: Parameter 'id' expects an identifier", await RunAsync(client, new Step("object-add", """{"qom-type":"iothread","id":"1bad"}""")));

        // QEMU 7.2 takes a device without id (QOM's /machine/peripheral-anon/device[N]); PCI lists it without a qdev id.
        Assert.Equal("return", await RunAsync(client, new Step("device_add", """{"driver":"e1000"}""")));
        Assert.Equal("return", await RunAsync(client, new Step("device_add", """{"driver":"e1000"}""")));
        var pci = await client.ExecuteAsync("query-pci");
        Assert.Equal(2, pci[0].GetProperty("devices").EnumerateArray().Count(d => d.GetProperty("qdev_id").GetString() == "" && d.GetProperty("id").GetProperty("device").GetInt64() == 0x100e));
    }
}
