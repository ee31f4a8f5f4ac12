namespace Qmp.Emulator.Tests;

public sealed partial class Qemu72MonitorResourceTests
{
    [Fact]
    public async Task A_tap_takes_its_descriptor_from_getfd_and_closes_it_with_the_netdev()
    {
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;
        var passed = Path.Combine(started.Target.Directory, "tap-stand-in");
        await RunAsync(client, new Step("getfd", """{"fdname":"t1"}""", Fd: true), passed);
        Assert.Equal("return", await RunAsync(client, new Step("netdev_add", """{"type":"tap","id":"n1","fd":"t1"}""")));

        // Taken, as QEMU takes it: the name is gone, the descriptor stays open in the emulator until netdev_del.
        Assert.Equal("GenericError: File descriptor named 't1' not found", await RunAsync(client, new Step("closefd", """{"fdname":"t1"}""")));
        Assert.Equal(1, OpenedBy(started.Target, passed));
        Assert.Equal("return", await RunAsync(client, new Step("netdev_del", """{"id":"n1"}""")));
        Assert.Equal(0, OpenedBy(started.Target, passed));

        // A name never passed, and a number (one of the emulator's own descriptors), are refused; nothing is recorded.
        Assert.Equal("GenericError: File descriptor named 'nothere' has not been found", await RunAsync(client, new Step("netdev_add", """{"type":"tap","id":"n2","fds":"nothere"}""")));
        Assert.Equal("GenericError: n2: Can't use file descriptor 0: Bad file descriptor", await RunAsync(client, new Step("netdev_add", """{"type":"socket","id":"n2","fd":"0"}""")));
        Assert.Equal("DeviceNotFound: Device 'n2' not found", await RunAsync(client, new Step("netdev_del", """{"id":"n2"}""")));
    }
}
