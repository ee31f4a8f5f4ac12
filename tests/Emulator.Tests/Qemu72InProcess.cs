using Qmp.Emulator.CommandLine;
using Qmp.Emulator.Model;

namespace Qmp.Emulator.Tests;

/// <summary>The 7.2 persona in this process: its command line read as qmp-emulator reads it, and its block images.</summary>
internal static class Qemu72InProcess
{
    /// <summary>Reads <paramref name="args"/> as <c>qmp-emulator</c> does; a line it refuses fails the test with the refusal.</summary>
    public static EmulatorProgram.CommandLine Read(string[] args)
    {
        var error = new StringWriter();
        var launch = Qemu72CommandLine.Parse(args, error);
        Assert.True(launch is not null, error.ToString());
        return EmulatorProgram.FromLaunch(launch!, args);
    }

    /// <summary>libvirt's one-disk line: a file node on <paramref name="image"/>, a qcow2 node on it, and a virtio-blk disk on that.</summary>
    public static string[] OneDisk(string image) =>
    [
        "-blockdev", $$"""{"driver":"file","filename":"{{image}}","node-name":"libvirt-1-storage"}""",
        "-blockdev", """{"node-name":"libvirt-1-format","driver":"qcow2","file":"libvirt-1-storage"}""",
        "-device", """{"driver":"virtio-blk-pci","drive":"libvirt-1-format","id":"virtio-disk0"}""",
    ];

    /// <summary>The persona started from <paramref name="args"/>, and a negotiated connection to its <paramref name="socket"/>.</summary>
    public static async Task<(QemuEmulator Emulator, Line Line)> StartAsync(string[] args, string socket)
    {
        var emulator = await QemuEmulator.StartAsync(Read(args).Options);
        var line = await Line.ConnectAsync(socket);
        await line.NegotiateAsync();
        return (emulator, line);
    }

    /// <summary>
    /// The images the commit, stream and removable-media sessions use, in <paramref name="dir"/>: an empty 64 MiB qcow2
    /// disk.qcow2, a chain base.qcow2 &lt;- mid.qcow2 &lt;- top.qcow2, and two 1 MiB raw images cd.iso and cd2.iso.
    /// </summary>
    public static void PlantBlockImages(string dir)
    {
        File.WriteAllBytes(Path.Combine(dir, "disk.qcow2"), QemuMachine.Qcow2Image(64L << 20, null));
        BlockImage? below = null;
        foreach (var name in new[] { "base", "mid", "top" })
        {
            var file = Path.Combine(dir, name + ".qcow2");
            File.WriteAllBytes(file, QemuMachine.Qcow2Image(64L << 20, below));
            below = new BlockImage { Filename = file, Format = "qcow2" };
        }

        foreach (var name in new[] { "cd.iso", "cd2.iso" })
        {
            using var iso = File.Create(Path.Combine(dir, name));
            iso.SetLength(1L << 20);
        }
    }
}
