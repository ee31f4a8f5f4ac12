using System.Net.Sockets;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>
/// <c>qmp-emulator --qemu 7.2</c> with libvirt 9.0's domain line (../shared/reference/libvirt-notes.md): the options
/// come from QEMU 7.2's command line alone (the monitor on the socket libvirt passed as fd=N, -S, -name, -uuid,
/// -m, -smp, -cpu, -pidfile, -daemonize) and the persona serves the machine the line describes, every block reply
/// agreeing with its -blockdev node names and -device ids.
/// </summary>
public sealed class Qemu72LaunchTests : IDisposable
{
    private const string Uuid = "6d8f1f7e-3c5a-4b8e-9a51-2f3c1d0e9b77";
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-launch72-").FullName;

    public Qemu72LaunchTests() => File.WriteAllBytes(Image, QemuMachine.Qcow2Image(64L << 20, null));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Image => Path.Combine(_dir, "disk.qcow2");

    private string[] LibvirtLine(int monitorFd, params string[] more) =>
    [
        "--qemu", "7.2",
        "-name", "guest=vm1,debug-threads=on", "-S",
        "-machine", "pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram", "-accel", "tcg", "-cpu", "Haswell", "-m", "64",
        "-object", """{"qom-type":"memory-backend-ram","id":"pc.ram","size":67108864}""",
        "-overcommit", "mem-lock=off", "-smp", "2,sockets=2,cores=1,threads=1", "-uuid", Uuid, "-display", "none",
        "-no-user-config", "-nodefaults", "-chardev", $"socket,id=charmonitor,fd={monitorFd},server=on,wait=off",
        "-mon", "chardev=charmonitor,id=monitor,mode=control", "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on",
        "-blockdev", $$"""{"driver":"file","filename":"{{Image}}","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"libvirt-1-format","read-only":false,"driver":"qcow2","file":"libvirt-1-storage"}""",
        "-device", """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"libvirt-1-format","id":"virtio-disk0","bootindex":1}""",
        "-device", """{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x3"}""",
        "-audiodev", """{"id":"audio1","driver":"none"}""",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-msg", "timestamp=on",
        .. more,
    ];

    private static EmulatorProgram.CommandLine Read(string[] args) => Qemu72InProcess.Read(args);

    [Fact]
    public void The_options_come_from_qemu_7_2s_command_line()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(_dir, "monitor.sock")));
        listener.Listen();
        var fd = (int)listener.Handle;
        var line = Read(LibvirtLine(fd, "-pidfile", Path.Combine(_dir, "vm1.pid"), "-daemonize", "--max-clients", "3"));
        var options = line.Options;
        Assert.Equal(EmulatorOptions.Qemu72, options.Qemu);
        Assert.Equal([fd], options.QmpFds);
        Assert.Empty(options.Qmp);
        Assert.True(options.StartPaused);
        Assert.Equal(("vm1", Uuid, 64L << 20, 2, 2, 3), (options.Name, options.Uuid, options.MemoryBytes, options.Cpus, options.MaxCpus, options.MaxClients));
        Assert.Equal(["tcg"], options.Accelerators);
        Assert.Equal((Path.Combine(_dir, "vm1.pid"), true), (line.PidFile, line.Daemonize));
        Assert.Equal("Haswell", options.Launch!.CpuModel);

        // -qmp and a -chardev path are monitors as well; a readline -mon is not a QMP monitor.
        var paths = Read(["--qemu", "7.2", "-qmp", $"unix:{_dir}/a.sock,server=on,wait=off", "-chardev", $"socket,id=m1,path={_dir}/b.sock,server=on,wait=off",
            "-mon", "chardev=m1,mode=control", "-chardev", $"socket,id=h,path={_dir}/c.sock,server=on,wait=off", "-mon", "chardev=h,mode=readline"]).Options;
        Assert.Equal([$"unix:{_dir}/a.sock,server=on,wait=off", $"unix:{_dir}/b.sock,server=on,wait=off"], paths.Qmp);
    }

    [Fact]
    public async Task The_persona_serves_the_machine_of_the_command_line()
    {
        var socketPath = Path.Combine(_dir, "monitor.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen();
        var options = Read(LibvirtLine((int)listener.Handle)).Options;

        // The emulator takes the inherited descriptor over (and closes it): this object must not close it again.
        await using var emulator = await QemuEmulator.StartAsync(options);
        listener.SafeHandle.SetHandleAsInvalid();
        await using var line = await Line.ConnectAsync(socketPath);
        await line.NegotiateAsync();
        async Task<JsonElement> Run(string request)
        {
            await line.SendAsync(request.Insert(request.Length - 1, ",\"id\":\"x\"") + "\r\n");
            var reply = JsonDocument.Parse(await line.ReadLineAsync(), new JsonDocumentOptions { MaxDepth = 2048 }).RootElement.Clone();
            Assert.True(reply.TryGetProperty("return", out var value), $"{request}: {reply}");
            return value;
        }

        Assert.Equal("prelaunch", (await Run("""{"execute":"query-status"}""")).GetProperty("status").GetString());
        Assert.Equal("vm1", (await Run("""{"execute":"query-name"}""")).GetProperty("name").GetString());
        Assert.Equal(Uuid, (await Run("""{"execute":"query-uuid"}""")).GetProperty("UUID").GetString());

        var chardev = Assert.Single((await Run("""{"execute":"query-chardev"}""")).EnumerateArray());
        Assert.Equal(("charmonitor", $"unix:{socketPath},server=on", true),
            (chardev.GetProperty("label").GetString(), chardev.GetProperty("filename").GetString(), chardev.GetProperty("frontend-open").GetBoolean()));

        var cpus = (await Run("""{"execute":"query-hotpluggable-cpus"}""")).EnumerateArray().ToList();
        Assert.Equal(2, cpus.Count);
        Assert.All(cpus, c => Assert.Equal("Haswell-x86_64-cpu", c.GetProperty("type").GetString()));

        var peripheral = await Run("""{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}""");
        Assert.Equal(["type string", "virtio-disk0 child<virtio-blk-pci>", "balloon0 child<virtio-balloon-pci>"],
            peripheral.EnumerateArray().Select(p => $"{p.GetProperty("name").GetString()} {p.GetProperty("type").GetString()}"));

        var block = Assert.Single((await Run("""{"execute":"query-block"}""")).EnumerateArray());
        Assert.Equal(("", "/machine/peripheral/virtio-disk0/virtio-backend", false, "ok"),
            (block.GetProperty("device").GetString(), block.GetProperty("qdev").GetString(), block.GetProperty("removable").GetBoolean(), block.GetProperty("io-status").GetString()));
        var inserted = block.GetProperty("inserted");
        Assert.Equal(("libvirt-1-format", "qcow2", Image, false), (inserted.GetProperty("node-name").GetString(), inserted.GetProperty("drv").GetString(), inserted.GetProperty("file").GetString(), inserted.GetProperty("ro").GetBoolean()));
        Assert.Equal(64L << 20, inserted.GetProperty("image").GetProperty("virtual-size").GetInt64());

        var size = new FileInfo(Image).Length;
        var nodes = (await Run("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""")).EnumerateArray()
            .Select(n => $"{n.GetProperty("node-name").GetString()} {n.GetProperty("drv").GetString()} {n.GetProperty("image").GetProperty("virtual-size").GetInt64()} {n.GetProperty("image").GetProperty("actual-size").GetInt64()}");
        Assert.Equal([$"libvirt-1-format qcow2 {64L << 20} {size}", $"libvirt-1-storage file {(size + 511) / 512 * 512} {size}"], nodes);

        var stats = (await Run("""{"execute":"query-blockstats","arguments":{"query-nodes":true}}""")).EnumerateArray().Select(s => s.GetProperty("node-name").GetString());
        Assert.Equal(["libvirt-1-storage", "libvirt-1-format"], stats);
        var byDevice = Assert.Single((await Run("""{"execute":"query-blockstats"}""")).EnumerateArray());
        Assert.Equal(("/machine/peripheral/virtio-disk0/virtio-backend", "libvirt-1-format"), (byDevice.GetProperty("qdev").GetString(), byDevice.GetProperty("node-name").GetString()));

        // The balloon of the -device virtio-balloon-pci (libvirt sets its target at start).
        Assert.Equal(64L << 20, (await Run("""{"execute":"query-balloon"}""")).GetProperty("actual").GetInt64());
        await Run("""{"execute":"balloon","arguments":{"value":67108864}}""");
    }
}
