using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Qmp.Emulator.CommandLine;

namespace Qmp.Emulator.Tests.CommandLine;

/// <summary>QEMU 7.2's command line, as libvirt 9.0 and QEMU's python QEMUMachine write it, read into the machine it describes.</summary>
public sealed class Qemu72CommandLineTests : IDisposable
{
    private const string Uuid = "6d8f1f7e-3c5a-4b8e-9a51-2f3c1d0e9b77";
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-argv72-").FullName;
    private readonly Socket _monitor;

    public Qemu72CommandLineTests()
    {
        // The listening socket libvirt binds and passes as fd=N.
        _monitor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _monitor.Bind(new UnixDomainSocketEndPoint(Path.Combine(_dir, "monitor.sock")));
        _monitor.Listen();
        File.WriteAllBytes(Image, QemuMachine.Qcow2Image(10L << 30, null));
        File.WriteAllBytes(Path.Combine(_dir, "master-key.aes"), new byte[32]);
    }

    private string Image => Path.Combine(_dir, "disk.qcow2");

    private int MonitorFd => (int)_monitor.Handle;

    public void Dispose()
    {
        _monitor.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>libvirt 9.0's command line for a domain with one qcow2 disk on virtio (../shared/reference/libvirt-notes.md).</summary>
    private string[] LibvirtLine(bool keyval = false) =>
    [
        "-name", "guest=vm1,debug-threads=on", "-S",
        "-object", keyval ? $"secret,id=masterKey0,format=raw,file={_dir}/master-key.aes" : $$"""{"qom-type":"secret","id":"masterKey0","format":"raw","file":"{{_dir}}/master-key.aes"}""",
        "-machine", "pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram", "-accel", "tcg", "-cpu", "qemu64", "-m", "64",
        "-object", keyval ? "memory-backend-ram,id=pc.ram,size=67108864" : """{"qom-type":"memory-backend-ram","id":"pc.ram","size":67108864}""",
        "-overcommit", "mem-lock=off", "-smp", "1,sockets=1,cores=1,threads=1", "-uuid", Uuid, "-display", "none",
        "-no-user-config", "-nodefaults", "-chardev", $"socket,id=charmonitor,fd={MonitorFd},server=on,wait=off",
        "-mon", "chardev=charmonitor,id=monitor,mode=control", "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on",
        "-blockdev", keyval
            ? $"driver=file,filename={Image},node-name=libvirt-1-storage,auto-read-only=on,discard=unmap"
            : $$"""{"driver":"file","filename":"{{Image}}","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", keyval
            ? "node-name=libvirt-1-format,read-only=off,driver=qcow2,file=libvirt-1-storage"
            : """{"node-name":"libvirt-1-format","read-only":false,"driver":"qcow2","file":"libvirt-1-storage"}""",
        "-device", keyval
            ? "virtio-blk-pci,bus=pci.0,addr=0x2,drive=libvirt-1-format,id=virtio-disk0,bootindex=1"
            : """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"libvirt-1-format","id":"virtio-disk0","bootindex":1}""",
        "-audiodev", keyval ? "none,id=audio1" : """{"id":"audio1","driver":"none"}""",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-msg", "timestamp=on",
    ];

    private static LaunchConfiguration Parse(params string[] args)
    {
        var error = new StringWriter();
        var config = Qemu72CommandLine.Parse(args, error);
        Assert.True(config is not null, error.ToString());
        Assert.Equal("", error.ToString());
        return config!;
    }

    [Fact]
    public void Libvirt_9_0s_domain_line_gives_its_machine()
    {
        var config = Parse(LibvirtLine());

        Assert.Equal("vm1", config.Name);
        Assert.True(config.DebugThreads);
        Assert.True(config.StartPaused);
        Assert.Equal("pc-i440fx-7.2", config.MachineType);
        Assert.Equal("off", config.MachineProperties["usb"]);
        Assert.Equal("pc.ram", config.MachineProperties["memory-backend"]);
        Assert.Equal<string>(["tcg"], config.Accelerators);
        Assert.Equal("qemu64", config.CpuModel);
        Assert.Equal(64L << 20, config.MemoryBytes);
        Assert.Equal(new SmpTopology(1, 1, 1, 1, 1, 1), config.Smp);
        Assert.Equal(Uuid, config.Uuid);
        Assert.Equal("none", config.Display);
        Assert.True(config.NoUserConfig && config.NoDefaults && config.NoShutdown && config.MessageTimestamps);
        Assert.False(config.MemLock);
        Assert.Equal("utc", config.Rtc["base"]);
        Assert.Equal("on", config.Boot["strict"]);
        Assert.Equal("deny", config.Sandbox["spawn"]);

        // The monitor: QMP on the socket libvirt already listens on.
        var chardev = Assert.Single(config.Chardevs);
        Assert.Equal(("charmonitor", "socket", MonitorFd, true, false), (chardev.Id, chardev.Backend, chardev.Fd, chardev.Server, chardev.Wait));
        Assert.Equal(new MonitorConfiguration("monitor", "charmonitor", "control", false), Assert.Single(config.Monitors));

        // The block graph: node names from -blockdev, sizes from the file and its qcow2 header.
        Assert.Equal(["libvirt-1-storage", "libvirt-1-format"], config.BlockNodes.Select(n => n.NodeName));
        var storage = config.FindNode("libvirt-1-storage")!;
        Assert.Equal(("file", Image, null), (storage.Driver, storage.Filename, storage.File));
        Assert.Equal(new FileInfo(Image).Length, storage.ActualSize);
        var format = config.FindNode("libvirt-1-format")!;
        Assert.Equal(("qcow2", "libvirt-1-storage", false), (format.Driver, format.File, format.ReadOnly));
        Assert.Equal(10L << 30, format.VirtualSize);
        Assert.Equal(new FileInfo(Image).Length, format.ActualSize);

        // The disk: its id under /machine/peripheral, query-block's qdev path, and the node its drive names.
        var disk = Assert.Single(config.Devices);
        Assert.Equal(("virtio-blk-pci", "virtio-disk0", "/machine/peripheral/virtio-disk0", "/machine/peripheral/virtio-disk0/virtio-backend"),
            (disk.Driver, disk.Id, disk.QomPath, disk.BlockQdevPath));
        Assert.Equal(("libvirt-1-format", "pci.0", "0x2", 1L), (disk.Drive, disk.Bus, disk.Addr, disk.BootIndex));

        Assert.Equal(["masterKey0", "pc.ram"], config.Objects.Select(o => OptionValues.GetString(o, "id")));
        Assert.Equal(67108864L, OptionValues.GetInt64(config.Objects[1], "size"));
        Assert.Equal("audio1", OptionValues.GetString(Assert.Single(config.Audiodevs), "id"));
    }

    /// <summary>What the configuration says, read through the typed accessors (as the persona reads it).</summary>
    private static string Summary(LaunchConfiguration c) => string.Join("\n",
    [
        $"{c.Name} {c.DebugThreads} {c.Uuid} {c.MemoryBytes} {c.Smp} {c.CpuModel} {c.MachineType} {string.Join(',', c.Accelerators)} {c.StartPaused} {c.NoShutdown} {c.Display}",
        .. c.MachineProperties.OrderBy(p => p.Key).Select(p => $"machine {p.Key}={p.Value}"),
        .. c.Chardevs.Select(ch => $"chardev {ch.Id} {ch.Backend} {ch.Fd} {ch.Path} {ch.Server} {ch.Wait}"),
        .. c.Monitors.Select(m => $"monitor {m}"),
        .. c.BlockNodes.Select(n => $"node {n.NodeName} {n.Driver} {n.File} {n.Filename} {n.VirtualSize} {n.ActualSize} {n.ReadOnly} {OptionValues.GetBool(n.Options, "auto-read-only")}"),
        .. c.Devices.Select(d => $"device {d.Driver} {d.Id} {d.QomPath} {d.Drive} {d.Bus} {d.Addr} {d.BootIndex} {d.Netdev}"),
        .. c.Objects.Select(o => $"object {OptionValues.GetString(o, "qom-type")} {OptionValues.GetString(o, "id")} {OptionValues.GetInt64(o, "size")}"),
        .. c.Netdevs.Select(n => $"netdev {OptionValues.GetString(n, "type")} {OptionValues.GetString(n, "id")}"),
        .. c.Audiodevs.Select(a => $"audiodev {OptionValues.GetString(a, "driver")} {OptionValues.GetString(a, "id")}"),
    ]);

    public static TheoryData<string> AcceptedLines => ["libvirt", "libvirt-keyval", "libvirt-defaults", "probe", "qemumachine"];

    /// <summary>A line both read; the monitor on stdio, so that QEMU can be told to quit.</summary>
    private string[] AcceptedLine(string name) => name switch
    {
        "libvirt" => StdioMonitor(LibvirtLine()),
        "libvirt-keyval" => StdioMonitor(LibvirtLine(keyval: true)),
        "libvirt-defaults" =>
        [
            "-machine", "pc-i440fx-7.2,usb=off", "-nodefaults", "-display", "none", "-qmp", "stdio",
            "-netdev", """{"type":"user","id":"hostnet0"}""",
            "-device", """{"driver":"piix3-usb-uhci","id":"usb","bus":"pci.0","addr":"0x1.0x2"}""",
            "-device", """{"driver":"ide-cd","bus":"ide.0","unit":0,"id":"ide0-0-0"}""",
            "-device", """{"driver":"virtio-net-pci","netdev":"hostnet0","id":"net0","mac":"52:54:00:12:34:56","bus":"pci.0","addr":"0x3"}""",
            "-device", """{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x4"}""",
        ],
        "probe" => ["-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", "none,accel=kvm:tcg", "-qmp", "stdio"],
        _ => ["-display", "none", "-vga", "none", "-chardev", "stdio,id=mon", "-mon", "chardev=mon,mode=control", "-machine", "pc"],
    };

    private string[] StdioMonitor(string[] line) =>
        [.. line.Select(a => a == $"socket,id=charmonitor,fd={MonitorFd},server=on,wait=off" ? "stdio,id=charmonitor" : a)];

    [Theory]
    [MemberData(nameof(AcceptedLines))]
    public void The_emulator_reads_the_lines_QEMU_accepts(string name) => Parse(AcceptedLine(name));

    [QemuTheory]
    [MemberData(nameof(AcceptedLines))]
    public async Task QEMU_7_2_accepts_the_same_lines(string name)
    {
        var start = new ProcessStartInfo(Executables.Qemu!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var arg in AcceptedLine(name))
        {
            start.ArgumentList.Add(arg);
        }

        using var qemu = Process.Start(start)!;
        var stderr = qemu.StandardError.ReadToEndAsync();
        var stdout = qemu.StandardOutput.ReadToEndAsync();
        await qemu.StandardInput.WriteAsync("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n");
        qemu.StandardInput.Close();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds));
        await qemu.WaitForExitAsync(patience.Token);
        Assert.True(qemu.ExitCode == 0, await stderr);
        Assert.Contains("host-qmp-quit", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Libvirts_JSON_options_and_their_key_value_forms_give_the_same_machine()
    {
        var json = Parse(LibvirtLine());
        var keyval = Parse(LibvirtLine(keyval: true));
        Assert.Equal(Summary(json), Summary(keyval));
        Assert.Contains("node libvirt-1-format qcow2 libvirt-1-storage", Summary(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Libvirts_default_devices_are_read_with_their_netdev_and_anonymous_paths()
    {
        var config = Parse(
            "-machine", "pc-i440fx-7.2,usb=off", "-nodefaults",
            "-netdev", """{"type":"user","id":"hostnet0"}""",
            "-device", """{"driver":"piix3-usb-uhci","id":"usb","bus":"pci.0","addr":"0x1.0x2"}""",
            "-device", """{"driver":"ide-cd","bus":"ide.0","unit":0,"id":"ide0-0-0"}""",
            "-device", """{"driver":"virtio-net-pci","netdev":"hostnet0","id":"net0","mac":"52:54:00:12:34:56","bus":"pci.0","addr":"0x3"}""",
            "-device", """{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x4"}""",
            "-device", "virtio-serial-pci");
        Assert.Equal(["/machine/peripheral/usb", "/machine/peripheral/ide0-0-0", "/machine/peripheral/net0", "/machine/peripheral/balloon0", "/machine/peripheral-anon/device[0]"],
            config.Devices.Select(d => d.QomPath));
        Assert.Equal("hostnet0", config.FindDevice("net0")!.Netdev);
        Assert.Equal("/machine/peripheral/ide0-0-0", config.FindDevice("ide0-0-0")!.BlockQdevPath);
        Assert.Equal("user", OptionValues.GetString(Assert.Single(config.Netdevs), "type"));
    }

    [Fact]
    public void A_netdev_a_device_names_must_exist()
    {
        var error = new StringWriter();
        Assert.Null(Qemu72CommandLine.Parse(["-device", "virtio-net-pci,netdev=nosuch,id=n"], error));
        Assert.Equal("qmp-emulator: -device virtio-net-pci,netdev=nosuch,id=n: Property 'virtio-net-pci.netdev' can't find value 'nosuch'\n", error.ToString());
    }

    [Fact]
    public async Task The_inherited_monitor_socket_stays_open_and_listening_after_the_line_is_read()
    {
        _ = Parse(LibvirtLine());
        _ = Parse("-chardev", $"socket,id=c,fd={MonitorFd},server=on,wait=off", "-mon", "chardev=c,mode=control");

        // libvirt connects once, to the socket it passed: it must still accept.
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(_dir, "monitor.sock")));
        using var accepted = await _monitor.AcceptAsync();
        Assert.True(accepted.Connected);
    }

    [Fact]
    public void The_capability_probes_line_is_read()
    {
        var config = Parse(
            "-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", "none,accel=kvm:tcg",
            "-qmp", $"unix:{_dir}/qmp.monitor,server=on,wait=off", "-pidfile", $"{_dir}/qmp.pid", "-daemonize");
        Assert.Equal("none", config.MachineType);
        Assert.Equal<string>(["kvm", "tcg"], config.Accelerators);
        Assert.True(config.Daemonize && config.NoGraphic && config.StartPaused);
        Assert.Equal($"{_dir}/qmp.pid", config.PidFile);
        var chardev = Assert.Single(config.Chardevs);
        Assert.Equal(("compat_monitor0", "socket", $"{_dir}/qmp.monitor", true, false), (chardev.Id, chardev.Backend, chardev.Path, chardev.Server, chardev.Wait));
        Assert.Equal(new MonitorConfiguration(null, "compat_monitor0", "control", false), Assert.Single(config.Monitors));
    }

    [Fact]
    public void The_old_server_nowait_spelling_reads_as_server_on_wait_off()
    {
        var old = Parse("-qmp", $"unix:{_dir}/q.sock,server,nowait");
        var now = Parse("-qmp", $"unix:{_dir}/q.sock,server=on,wait=off");
        Assert.Equal(Summary(now), Summary(old));
        Assert.True(old.Chardevs[0].Server);
        Assert.False(old.Chardevs[0].Wait);
    }

    /// <summary>
    /// QEMU 7.2's python QEMUMachine (python/qemu/machine/machine.py, _base_args) passes <c>-display none
    /// -vga none</c> and a monitor chardev on the socket it listens on (<c>path=</c>), later ones a
    /// connected socket pair's end (<c>fd=N</c>); <c>-machine</c> when one was set. Both give one control
    /// monitor on the chardev <c>mon</c>.
    /// </summary>
    [Fact]
    public void QEMUMachines_default_arguments_in_both_forms_give_one_control_monitor()
    {
        var byPath = Parse("-display", "none", "-vga", "none", "-chardev", $"socket,id=mon,path={_dir}/qemu-1-monitor.sock",
            "-mon", "chardev=mon,mode=control", "-machine", "pc");
        var byFd = Parse("-display", "none", "-vga", "none", "-chardev", $"socket,id=mon,fd={MonitorFd}",
            "-mon", "chardev=mon,mode=control", "-machine", "pc");
        foreach (var config in new[] { byPath, byFd })
        {
            Assert.Equal(new MonitorConfiguration(null, "mon", "control", false), Assert.Single(config.Monitors));
            Assert.False(config.Chardevs[0].Server);
            Assert.Equal<string>(["-vga none"], config.Ignored);
            Assert.Equal(("pc", "pc-i440fx-7.2"), (config.MachineType, config.MachineTypeName));
            Assert.Equal(128L << 20, config.MemoryBytes);
        }

        Assert.Equal($"{_dir}/qemu-1-monitor.sock", byPath.Chardevs[0].Path);
        Assert.Equal(MonitorFd, byFd.Chardevs[0].Fd);
    }

    [Theory]
    [InlineData("64", 64L << 20)]
    [InlineData("size=64M", 64L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("2048k", 2L << 20)]
    [InlineData("64,slots=4,maxmem=1G", 64L << 20)]
    [InlineData("0", 128L << 20)]
    [InlineData("1001k", 126L * 8192)]
    public void Memory_is_MiB_or_a_suffixed_size(string value, long bytes) => Assert.Equal(bytes, Parse("-m", value).MemoryBytes);

    [Theory]
    [InlineData("4", 4, 4, 1, 4, 1)]
    [InlineData("2,sockets=2", 2, 2, 2, 1, 1)]
    [InlineData("2,maxcpus=8", 2, 8, 1, 8, 1)]
    [InlineData("sockets=2,cores=2,threads=2", 8, 8, 2, 2, 2)]
    [InlineData("cpus=4,threads=2", 4, 4, 1, 2, 2)]
    public void Smp_is_completed_as_QEMU_7_2_does(string value, int cpus, int max, int sockets, int cores, int threads) =>
        Assert.Equal(new SmpTopology(cpus, max, sockets, 1, cores, threads), Parse("-smp", value).Smp);

    [Fact]
    public void Key_value_options_escape_commas_and_nest_dotted_keys()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a,b.img"), new byte[8192]);
        var config = Parse(
            "-blockdev", $"driver=raw,node-name=disk,file.driver=file,file.filename={_dir}/a,,b.img,file.aio=threads",
            "-global", "isa-fdc.driveA=", "-global", "driver=cfi.pflash01,property=secure,value=on");
        var raw = config.FindNode("disk")!;
        var file = config.FindNode(raw.File!)!;
        Assert.StartsWith("#block", file.NodeName, StringComparison.Ordinal);
        Assert.False(file.Named);
        Assert.Equal($"{_dir}/a,b.img", file.Filename);
        Assert.Equal("threads", OptionValues.GetString(raw.Options.GetProperty("file"), "aio"));
        Assert.Equal((8192L, 8192L), (raw.VirtualSize, raw.ActualSize));
        Assert.Equal<GlobalProperty>([new GlobalProperty("isa-fdc", "driveA", ""), new GlobalProperty("cfi.pflash01", "secure", "on")], config.Globals);
    }

    [Fact]
    public void A_null_driver_has_the_size_it_is_given()
    {
        var config = Parse("-blockdev", """{"driver":"null-co","node-name":"n0","size":1048576}""");
        Assert.Equal(1L << 20, config.FindNode("n0")!.VirtualSize);
    }

    [Fact]
    public void The_configuration_cannot_be_changed_through_its_JSON()
    {
        var config = Parse(LibvirtLine());
        var options = config.FindNode("libvirt-1-format")!.Options;
        Assert.Equal(JsonValueKind.Object, options.ValueKind);
        Assert.Equal("qcow2", OptionValues.GetString(options, "driver"));

        // A JsonElement is a read-only view; the record's members are init-only and its arrays immutable.
        Assert.IsType<System.Collections.Immutable.ImmutableArray<BlockNodeConfiguration>>(config.BlockNodes);
    }

    [Fact]
    public void The_emulators_own_options_may_stand_among_QEMUs()
    {
        var config = Parse("--qemu", "7.2", "--data-dir", _dir, "--image-dir", "/tmp", "--max-clients", "2", "-S");
        Assert.Equal(_dir, config.DataDir);
        Assert.Equal<string>(["/tmp"], config.ImageDirs);
        Assert.True(config.StartPaused);
        Assert.True(Qemu72CommandLine.IsRequested(["-S", "--qemu", "7.2"]));
        Assert.False(Qemu72CommandLine.IsRequested(["-S", "--qemu"]));
    }

    [Fact]
    public async Task The_program_refuses_a_7_2_line_in_QEMUs_words_before_starting()
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, await EmulatorProgram.RunAsync(["--qemu", "7.2", "-blockdev", "node-name=x"]));
        }
        finally
        {
            Console.SetError(saved);
        }

        // Other tests may write to the console meanwhile: the line is looked for, not the whole output.
        Assert.Contains("qmp-emulator: -blockdev node-name=x: Parameter 'driver' is missing\n", error.ToString(), StringComparison.Ordinal);
    }
}
