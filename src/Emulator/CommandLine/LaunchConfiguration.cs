using System.Collections.Immutable;
using System.Text.Json;

namespace Qmp.Emulator.CommandLine;

/// <summary>
/// The machine a QEMU 7.2 command line describes, as launchers (libvirt 9.0, QEMU's python
/// <c>QEMUMachine</c>) write it: read once by <see cref="Qemu72CommandLine.Parse(string[], TextWriter)"/>,
/// immutable, for the 7.2 persona to build its state from. Option strings are kept as QEMU's
/// JSON (<see cref="JsonElement"/>, which cannot change): a key=value option becomes the same
/// object its JSON form gives, with every value a string as QEMU's keyval visitor sees it (read
/// them with <see cref="OptionValues"/>, which takes <c>on</c> and <c>true</c> alike).
/// </summary>
public sealed record LaunchConfiguration
{
    /// <summary><c>-name guest=NAME</c> (or <c>-name NAME</c>); null when not given.</summary>
    public string? Name { get; init; }

    /// <summary><c>-name ...,debug-threads=on</c>.</summary>
    public bool DebugThreads { get; init; }

    /// <summary><c>-uuid</c>, lower case; null when not given (QEMU then reports all zeros).</summary>
    public string? Uuid { get; init; }

    /// <summary>Guest RAM in bytes (<c>-m</c>; QEMU's default 128 MiB).</summary>
    public long MemoryBytes { get; init; } = 128L << 20;

    public SmpTopology Smp { get; init; } = new(1, 1, 1, 1, 1, 1);

    /// <summary>The CPU model (<c>-cpu</c>; the machine's default <c>qemu64</c> when not given).</summary>
    public string CpuModel { get; init; } = "qemu64";

    /// <summary>The machine type as given (<c>-machine TYPE</c>, an alias kept as written); <c>pc-i440fx-7.2</c> when not given.</summary>
    public string MachineType { get; init; } = "pc-i440fx-7.2";

    /// <summary>The machine type's own name: <see cref="MachineType"/> with an alias resolved (<c>pc</c> is <c>pc-i440fx-7.2</c>).</summary>
    public string MachineTypeName { get; init; } = "pc-i440fx-7.2";

    /// <summary><c>-machine</c>'s other properties (<c>usb=off</c>, <c>memory-backend=pc.ram</c>, ...), as given.</summary>
    public ImmutableDictionary<string, string> MachineProperties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The accelerators to try, in order (<c>-accel tcg</c>, <c>-machine accel=kvm:tcg</c>); <c>tcg</c> by default.</summary>
    public ImmutableArray<string> Accelerators { get; init; } = ["tcg"];

    /// <summary><c>-S</c>: the machine starts paused (prelaunch).</summary>
    public bool StartPaused { get; init; }

    /// <summary><c>-no-shutdown</c>: a guest shutdown stops the machine instead of ending the process.</summary>
    public bool NoShutdown { get; init; }

    public bool NoDefaults { get; init; }

    public bool NoUserConfig { get; init; }

    /// <summary><c>-display TYPE</c> (<c>-nographic</c> is <c>none</c>); null when not given.</summary>
    public string? Display { get; init; }

    public bool NoGraphic { get; init; }

    /// <summary><c>-daemonize</c>: detach once the monitors listen and the pidfile is written.</summary>
    public bool Daemonize { get; init; }

    /// <summary><c>-pidfile FILE</c>, as given (the program creates it, see Confinement/PidFile).</summary>
    public string? PidFile { get; init; }

    /// <summary><c>-overcommit mem-lock=on</c>.</summary>
    public bool MemLock { get; init; }

    /// <summary><c>-sandbox on,...</c>: recorded, nothing is enforced (the emulator spawns nothing).</summary>
    public ImmutableDictionary<string, string> Sandbox { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary><c>-msg timestamp=on</c>.</summary>
    public bool MessageTimestamps { get; init; }

    /// <summary><c>-rtc</c>'s properties (<c>base=utc</c>, ...).</summary>
    public ImmutableDictionary<string, string> Rtc { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary><c>-boot</c>'s properties (<c>strict=on</c>, <c>order=c</c>, ...).</summary>
    public ImmutableDictionary<string, string> Boot { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary><c>-global DRIVER.PROPERTY=VALUE</c>, in order.</summary>
    public ImmutableArray<GlobalProperty> Globals { get; init; } = [];

    /// <summary><c>-chardev</c>, in order; <c>-qmp</c> adds one named <c>compat_monitorN</c> as QEMU does.</summary>
    public ImmutableArray<ChardevConfiguration> Chardevs { get; init; } = [];

    /// <summary><c>-mon</c> and <c>-qmp</c>, in order.</summary>
    public ImmutableArray<MonitorConfiguration> Monitors { get; init; } = [];

    /// <summary><c>-blockdev</c> nodes, children before their parents (an inline child gets QEMU's <c>#blockNNN</c> name).</summary>
    public ImmutableArray<BlockNodeConfiguration> BlockNodes { get; init; } = [];

    /// <summary><c>-device</c>, in order.</summary>
    public ImmutableArray<DeviceConfiguration> Devices { get; init; } = [];

    /// <summary><c>-object</c>, in order (each has <c>qom-type</c> and <c>id</c>).</summary>
    public ImmutableArray<JsonElement> Objects { get; init; } = [];

    /// <summary><c>-netdev</c>, in order (each has <c>type</c> and <c>id</c>).</summary>
    public ImmutableArray<JsonElement> Netdevs { get; init; } = [];

    /// <summary><c>-audiodev</c>, in order (each has <c>driver</c> and <c>id</c>).</summary>
    public ImmutableArray<JsonElement> Audiodevs { get; init; } = [];

    /// <summary>Options QEMU 7.2 accepts that change nothing the emulator serves (<c>-vga none</c>, <c>-serial</c>, ...), as given.</summary>
    public ImmutableArray<string> Ignored { get; init; } = [];

    /// <summary>The emulator's own <c>--data-dir</c>, if given among the arguments.</summary>
    public string? DataDir { get; init; }

    /// <summary>The emulator's own <c>--image-dir</c>s, in order.</summary>
    public ImmutableArray<string> ImageDirs { get; init; } = [];

    /// <summary>The block node named <paramref name="nodeName"/>, or null.</summary>
    public BlockNodeConfiguration? FindNode(string nodeName) => BlockNodes.FirstOrDefault(n => n.NodeName == nodeName);

    /// <summary>The device whose id is <paramref name="id"/>, or null.</summary>
    public DeviceConfiguration? FindDevice(string id) => Devices.FirstOrDefault(d => d.Id == id);
}

/// <summary><c>-smp</c> as QEMU 7.2 completes it (missing members computed, sockets preferred).</summary>
public sealed record SmpTopology(int Cpus, int MaxCpus, int Sockets, int Dies, int Cores, int Threads);

/// <summary><c>-global DRIVER.PROPERTY=VALUE</c>.</summary>
public sealed record GlobalProperty(string Driver, string Property, string Value);

/// <summary>
/// A <c>-chardev</c>: its backend and options as given. For a <c>socket</c> with <c>fd=N</c> the
/// launcher passed a socket it already bound and listens on (libvirt): <see cref="Fd"/>.
/// </summary>
public sealed record ChardevConfiguration(string Id, string Backend, ImmutableDictionary<string, string> Options)
{
    /// <summary>The inherited descriptor of <c>fd=N</c>, or null.</summary>
    public int? Fd => Options.TryGetValue("fd", out var fd) && int.TryParse(fd, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary><c>path=</c> of a unix socket, or null.</summary>
    public string? Path => Options.GetValueOrDefault("path");

    /// <summary>Whether it listens (<c>server=on</c>, or the old <c>server</c>).</summary>
    public bool Server => Options.TryGetValue("server", out var server) && OptionValues.IsOn(server);

    /// <summary>Whether a listening chardev waits for a client before the machine starts (QEMU's default: yes).</summary>
    public bool Wait => !Options.TryGetValue("wait", out var wait) || OptionValues.IsOn(wait);
}

/// <summary>A monitor: <c>-mon chardev=ID,mode=control</c> (QMP) or <c>readline</c> (HMP); <c>-qmp</c> is one in control mode.</summary>
public sealed record MonitorConfiguration(string? Id, string Chardev, string Mode, bool Pretty);

/// <summary>
/// A block node from <c>-blockdev</c>: its node name, driver, options (QEMU's BlockdevOptions as
/// JSON), the node it sits on (<c>file</c>) and, for an image, its sizes as QEMU reports them in
/// <c>query-named-block-nodes</c> (<c>image.virtual-size</c>, <c>image.actual-size</c>).
/// </summary>
public sealed record BlockNodeConfiguration(string NodeName, string Driver, JsonElement Options)
{
    /// <summary>The node named by <c>file</c>, or null for a protocol node.</summary>
    public string? File { get; init; }

    /// <summary>The host file of a <c>file</c> node, as given; null otherwise.</summary>
    public string? Filename { get; init; }

    /// <summary>The guest-visible size: the qcow2 header's, a raw image's file length, a null driver's <c>size</c>.</summary>
    public long VirtualSize { get; init; }

    /// <summary>The host file's length under the node (as the brief has it; QEMU reports allocated bytes).</summary>
    public long ActualSize { get; init; }

    public bool ReadOnly => OptionValues.GetBool(Options, "read-only") ?? false;

    /// <summary>Whether the launcher named it (<c>node-name</c>) rather than QEMU (<c>#blockNNN</c>).</summary>
    public bool Named => !NodeName.StartsWith('#');
}

/// <summary>
/// A <c>-device</c>: driver, id (QOM path <c>/machine/peripheral/ID</c>, or
/// <c>/machine/peripheral-anon/device[N]</c> without one), its properties as JSON, and the block
/// node its <c>drive</c> names (checked to exist).
/// </summary>
public sealed record DeviceConfiguration(string Driver, string? Id, JsonElement Properties, string QomPath)
{
    /// <summary>The block node of <c>drive=</c>, or null.</summary>
    public string? Drive => OptionValues.GetString(Properties, "drive");

    public string? Bus => OptionValues.GetString(Properties, "bus");

    public string? Addr => OptionValues.GetString(Properties, "addr");

    /// <summary>The <c>netdev=</c> it is connected to, or null.</summary>
    public string? Netdev => OptionValues.GetString(Properties, "netdev");

    public long? BootIndex => OptionValues.GetInt64(Properties, "bootindex");

    /// <summary>
    /// The path <c>query-block</c> reports as <c>qdev</c> for a disk on this device: a virtio-pci proxy's
    /// backend child (<c>.../virtio-backend</c>), else the device itself.
    /// </summary>
    public string BlockQdevPath => Driver.StartsWith("virtio-", StringComparison.Ordinal) && Driver.EndsWith("-pci", StringComparison.Ordinal) ? QomPath + "/virtio-backend" : QomPath;
}
