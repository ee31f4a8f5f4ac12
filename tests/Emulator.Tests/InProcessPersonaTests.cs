using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

/// <summary>The <c>Qmp.Emulator</c> package in a user's test: either persona in-process, the 7.2 one from the QEMU line a launcher writes.</summary>
public sealed class InProcessPersonaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-inproc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(EmulatorOptions.Qemu21, 2, 1)]
    [InlineData(EmulatorOptions.Qemu72, 7, 2)]
    public async Task Either_persona_starts_in_process(string qemu, int major, int minor)
    {
        var socket = Path.Combine(_dir, "qmp.sock");
        await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qemu = qemu, Qmp = [$"unix:{socket},server=on,wait=off"] });
        await using var client = await QmpClient.ConnectAsync("unix:" + socket);
        Assert.Equal((major, minor), (client.Greeting.Version.Major, client.Greeting.Version.Minor));
        Assert.Equal("running", (await client.ExecuteAsync("query-status")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_7_2_persona_serves_the_machine_of_a_QEMU_command_line()
    {
        var image = Path.Combine(_dir, "disk.qcow2");
        await File.WriteAllBytesAsync(image, QemuMachine.Qcow2Image(64L << 20, null));
        var socket = Path.Combine(_dir, "qmp.sock");
        await using var emulator = await QemuEmulator.StartAsync(EmulatorOptions.FromQemuCommandLine(
            "-machine", "pc", "-accel", "tcg", "-m", "64", "-nodefaults", "-display", "none", "-S",
            "-blockdev", $"driver=file,filename={image},node-name=file0",
            "-blockdev", "driver=qcow2,file=file0,node-name=disk0",
            "-device", "virtio-blk-pci,drive=disk0,id=virtio-disk0",
            "-qmp", $"unix:{socket},server=on,wait=off"));
        await using var client = await QmpClient.ConnectAsync("unix:" + socket);
        Assert.Equal(7, client.Greeting.Version.Major);
        Assert.Equal("prelaunch", (await client.ExecuteAsync("query-status")).GetProperty("status").GetString());
        var block = (await client.ExecuteAsync("query-block")).EnumerateArray().Single();
        Assert.Equal("/machine/peripheral/virtio-disk0/virtio-backend", block.GetProperty("qdev").GetString());
        Assert.Equal(64L << 20, block.GetProperty("inserted").GetProperty("image").GetProperty("virtual-size").GetInt64());
    }

    [Fact]
    public void A_line_QEMU_7_2_refuses_is_refused_in_its_words()
    {
        var refused = Assert.Throws<ArgumentException>(() => EmulatorOptions.FromQemuCommandLine("-blockdev", "node-name=x"));
        Assert.StartsWith("qemu-system-x86_64: -blockdev node-name=x: Parameter 'driver' is missing", refused.Message, StringComparison.Ordinal);
    }
}
