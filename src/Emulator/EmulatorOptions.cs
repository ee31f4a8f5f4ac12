using Microsoft.Extensions.Logging;

namespace Qmp.Emulator;

/// <summary>How to start a <see cref="QemuEmulator"/>; mirrors <c>qemu-system-x86_64</c>'s options.</summary>
public sealed class EmulatorOptions
{
    /// <summary>
    /// Which QEMU the emulator is (<c>--qemu VERSION</c>): <see cref="Qemu21"/> (the default: QEMU 2.1's schema,
    /// protocol and machine) or <see cref="Qemu72"/> (<c>qemu-system-x86_64</c> 7.2 on TCG as libvirt probes it:
    /// its recorded schema and catalogues, QEMU's modern QMP). Both serve the same machine state.
    /// </summary>
    public string Qemu { get; init; } = Qemu21;

    /// <summary>The QEMU 2.1 persona.</summary>
    public const string Qemu21 = "2.1";

    /// <summary>The QEMU 7.2 persona.</summary>
    public const string Qemu72 = "7.2";

    /// <summary>
    /// The QEMU 7.2 persona with the machine and monitors a QEMU 7.2 command line describes, read as
    /// <c>qmp-emulator --qemu 7.2 ARGS</c> reads it: the line a launcher under test writes, in a test.
    /// <code>
    /// await using var qemu = await QemuEmulator.StartAsync(EmulatorOptions.FromQemuCommandLine(
    ///     "-machine", "pc", "-m", "64", "-blockdev", $"driver=file,filename={image},node-name=disk0",
    ///     "-device", "virtio-blk-pci,drive=disk0,id=virtio-disk0", "-qmp", $"unix:{socket},server=on,wait=off"));
    /// </code>
    /// <c>-pidfile</c> and <c>-daemonize</c> concern a process and are not applied in-process.
    /// </summary>
    /// <exception cref="ArgumentException">QEMU 7.2 would refuse the line: the message is its words.</exception>
    public static EmulatorOptions FromQemuCommandLine(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var error = new StringWriter();
        var launch = CommandLine.Qemu72CommandLine.Parse(arguments, error, "qemu-system-x86_64")
            ?? throw new ArgumentException(error.ToString().TrimEnd(), nameof(arguments));
        return EmulatorProgram.FromLaunch(launch, arguments).Options;
    }

    /// <summary>
    /// The accelerators to try in order, as QEMU's <c>-machine accel=kvm:tcg</c> or repeated <c>-accel</c> name them;
    /// empty is QEMU's default (<c>tcg</c> first). The emulator runs no guest code: this only decides what
    /// <c>query-kvm</c> answers (enabled when <c>kvm</c> comes before <c>tcg</c> and <c>/dev/kvm</c> opens read-write).
    /// Read by the QEMU 7.2 persona.
    /// </summary>
    public IReadOnlyList<string> Accelerators { get; init; } = [];

    /// <summary><c>-qmp</c> addresses, each a separate monitor: <c>unix:PATH,server,nowait</c> or <c>tcp:HOST:PORT,server,nowait</c>.</summary>
    public IReadOnlyList<string> Qmp { get; init; } = [];

    /// <summary>
    /// Inherited socket descriptors that are monitors (<c>-chardev socket,id=ID,fd=N -mon chardev=ID,mode=control</c>):
    /// a listening socket is served like a <c>server</c> address, a connected one is one session.
    /// </summary>
    public IReadOnlyList<int> QmpFds { get; init; } = [];

    /// <summary>Clients each monitor serves at a time (<c>--max-clients N</c>); 1, as QEMU: a second client waits for the first to leave.</summary>
    public int MaxClients { get; init; } = 1;

    /// <summary><c>-S</c>: start in <c>prelaunch</c> and wait for <c>cont</c>.</summary>
    public bool StartPaused { get; init; }

    /// <summary><c>-name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>-uuid</c>.</summary>
    public string? Uuid { get; init; }

    /// <summary><c>-smp N</c>; null takes the machine description's (1 by default).</summary>
    public int? Cpus { get; init; }

    /// <summary><c>-smp N,maxcpus=M</c>.</summary>
    public int? MaxCpus { get; init; }

    /// <summary><c>-m SIZE</c> in bytes; null takes the machine description's (128 MiB by default).</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The virtual hardware (<c>--machine FILE</c>); null is QEMU 2.1's default PC with a disk and a CD-ROM.</summary>
    public MachineDescription? Machine { get; init; }

    /// <summary>
    /// The machine a QEMU 7.2 command line describes (<c>--qemu 7.2</c>: -blockdev, -device, -chardev, -cpu, ...);
    /// when set, it is the hardware instead of <see cref="Machine"/> (no 2.1 default drives, NICs or balloon).
    /// </summary>
    public CommandLine.LaunchConfiguration? Launch { get; init; }

    /// <summary>Where commands may write files (<c>--data-dir</c>); without it every file-writing command is refused.</summary>
    public string? DataDir { get; init; }

    /// <summary>
    /// Bytes commands may write into <see cref="DataDir"/> in all (<c>--data-dir-quota SIZE</c>; 0: no quota):
    /// <see cref="EmulatorLimits.DefaultDataDirQuota"/> by default. Whatever the quota, no write leaves the
    /// filesystem with less than 1 GiB (or 5% of a smaller one) free. Past either: "No space left on device".
    /// </summary>
    public long DataDirQuota { get; init; } = EmulatorLimits.DefaultDataDirQuota;

    /// <summary>
    /// Directories existing images are also read from (<c>--image-dir DIR</c>, repeatable): after the data dir,
    /// in this order, with the same confinement; nothing is ever written into them.
    /// </summary>
    public IReadOnlyList<string> ImageDirs { get; init; } = [];

    /// <summary>The clock of block jobs, migration and event timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often jobs and migration advance (in the options' clock).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public ILogger? Logger { get; init; }
}
