using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using Qmp.Emulator.Catalogues;
using Qmp.Emulator.Confinement;

namespace Qmp.Emulator.CommandLine;

/// <summary>
/// QEMU 7.2's command line (qemu-system-x86_64) as launchers write it, read into a
/// <see cref="LaunchConfiguration"/>. It reads in QEMU's three steps, so that a line with one
/// mistake is refused with the line QEMU prints: every option is looked up first (<c>invalid
/// option</c>, <c>requires an argument</c>), then each option's text is read in order (keyval,
/// QemuOpts or JSON), then the machine is put together in the order QEMU's qemu_init builds it
/// (machine type and -smp, chardevs, accelerator, objects and netdevs, CPU model, block nodes,
/// monitors, devices). A refusal is one line, QEMU's words with the option as written before them
/// when QEMU names it; libvirt shows a dying emulator's last log line as its error.
/// </summary>
public static partial class Qemu72CommandLine
{
    /// <summary>QEMU 7.2 x86_64 options that take no argument.</summary>
    private static readonly NameSet s_flags = new(
        "S", "async-teardown", "audio-help", "daemonize", "enable-kvm", "enable-sync-profile", "full-screen", "h", "help",
        "mem-prealloc", "no-acpi", "no-fd-bootchk", "no-hpet", "no-reboot", "no-shutdown", "no-user-config", "nodefaults",
        "nographic", "old-param", "only-migratable", "portrait", "preconfig", "s", "semihosting", "singlestep", "snapshot",
        "usb", "version", "win2k-hack", "xen-attach", "xen-domid-restrict");

    /// <summary>QEMU 7.2 x86_64 options that take one argument.</summary>
    private static readonly NameSet s_withArgument = new(
        "D", "L", "M", "accel", "acpitable", "action", "add-fd", "append", "audio", "audiodev", "bios", "blockdev", "boot",
        "cdrom", "chardev", "chroot", "compat", "cpu", "d", "debugcon", "device", "dfilter", "display", "drive", "dtb",
        "dump-vmstate", "echr", "fda", "fdb", "fsdev", "fw_cfg", "g", "gdb", "global", "hda", "hdb", "hdc", "hdd", "icount",
        "incoming", "initrd", "iscsi", "k", "kernel", "loadvm", "m", "machine", "mem-path", "mon", "monitor", "msg",
        "mtdblock", "name", "net", "netdev", "nic", "numa", "object", "option-rom", "overcommit", "parallel", "pflash",
        "pidfile", "plugin", "prom-env", "qmp", "qmp-pretty", "qtest", "qtest-log", "readconfig", "rotate", "rtc", "runas",
        "sandbox", "sd", "seed", "semihosting-config", "serial", "set", "smbios", "smp", "spice", "tpmdev", "trace", "usbdevice",
        "uuid", "vga", "virtfs", "vnc", "watchdog-action", "xen-domid");

    /// <summary>The emulator's own options that may stand among QEMU's (each takes a value).</summary>
    private static readonly NameSet s_emulatorOptions = new("--data-dir", "--image-dir", "--data-dir-quota", "--max-clients", "--qemu");

    /// <summary>BlockdevDriver of QEMU 7.2's schema (this build's).</summary>
    private static readonly NameSet s_blockDrivers = new(
        "blkdebug", "blklogwrites", "blkreplay", "blkverify", "bochs", "cloop", "compress", "copy-before-write", "copy-on-read",
        "dmg", "file", "snapshot-access", "ftp", "ftps", "gluster", "host_cdrom", "host_device", "http", "https", "io_uring",
        "iscsi", "luks", "nbd", "nfs", "null-aio", "null-co", "nvme", "parallels", "preallocate", "qcow", "qcow2", "qed",
        "quorum", "raw", "rbd", "replication", "ssh", "throttle", "vdi", "vhdx", "vmdk", "vpc", "vvfat");

    /// <summary>Protocol drivers that read a host file by <c>filename</c>.</summary>
    private static readonly NameSet s_fileDrivers = new("file", "host_device", "host_cdrom");

    /// <summary>Format and filter drivers whose <c>file</c> member is required.</summary>
    private static readonly NameSet s_needFile = new(
        "bochs", "cloop", "compress", "copy-before-write", "copy-on-read", "dmg", "luks", "parallels", "preallocate", "qcow",
        "qcow2", "qed", "raw", "vdi", "vhdx", "vmdk", "vpc", "blklogwrites", "blkreplay");

    private static readonly NameSet s_chardevBackends = new(
        "null", "socket", "udp", "msmouse", "wctablet", "vc", "ringbuf", "memory", "file", "pipe", "pty", "stdio", "serial",
        "tty", "parallel", "parport", "spicevmc", "spiceport", "qemu-vdagent", "dbus", "braille", "testdev");

    /// <summary>The keys -chardev takes (QEMU 7.2's qemu_chardev_opts besides id and backend), whatever the backend.</summary>
    private static readonly NameSet s_chardevKeys = new(
        "chardev", "path", "host", "port", "fd", "localaddr", "localport", "to", "ipv4", "ipv6", "wait", "server", "delay",
        "nodelay", "reconnect", "telnet", "tn3270", "tls-creds", "tls-authz", "websocket", "width", "height", "cols", "rows",
        "mux", "signal", "name", "debug", "size", "append", "logfile", "logappend", "mouse", "clipboard", "tight", "abstract");

    private static readonly NameSet s_netdevTypes = new(
        "user", "tap", "l2tpv3", "socket", "stream", "dgram", "vde", "bridge", "hubport", "vhost-user", "vhost-vdpa");

    private static readonly NameSet s_audioDrivers = new(
        "none", "alsa", "coreaudio", "dbus", "dsound", "jack", "oss", "pa", "sdl", "sndio", "spice", "wav");

    private static readonly NameSet s_displayTypes = new("none", "gtk", "sdl", "curses", "egl-headless", "dbus", "spice-app", "vnc");

    /// <summary>
    /// Reads <paramref name="args"/> (QEMU's options, and the emulator's own <c>--data-dir</c>,
    /// <c>--image-dir</c>, <c>--data-dir-quota</c>, <c>--max-clients</c>, <c>--qemu</c>). Null when QEMU
    /// 7.2 would refuse the line: then one line, <c>qmp-emulator: </c> and QEMU's words, went to <paramref name="error"/>.
    /// </summary>
    public static LaunchConfiguration? Parse(string[] args, TextWriter error) => Parse(args, error, "qmp-emulator");

    /// <summary>Whether <paramref name="args"/> ask for QEMU 7.2 (<c>--qemu 7.2</c>).</summary>
    public static bool IsRequested(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--qemu" && args[i + 1] == "7.2")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>As <see cref="Parse(string[], TextWriter)"/>, the refusal naming <paramref name="program"/> (QEMU prints its argv[0]).</summary>
    public static LaunchConfiguration? Parse(string[] args, TextWriter error, string program)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return new Reader(args).Read();
        }
        catch (QemuOptionException e)
        {
            error.WriteLine($"{program}: {e.Message}");
            return null;
        }
    }

    /// <summary>One option as written (<c>-m</c> or <c>--m</c>) with its argument.</summary>
    private sealed record Option(string Name, string Written, string? Value)
    {
        /// <summary>QEMU's location prefix: the option and its argument as written.</summary>
        public string Where => Value is null ? Written : $"{Written} {Value}";

        public QemuOptionException Refuse(string message) => new($"{Where}: {message}");
    }

    private sealed record PendingBlockdev(Option Option, JsonObject Options);

    private sealed record PendingDevice(Option Option, JsonObject Properties);

    private sealed record PendingChardev(Option? Option, string Id, string Backend, Dictionary<string, string> Options);

    private sealed record PendingMonitor(Option Option, string? Id, string Chardev, string Mode, bool Pretty);

    private sealed partial class Reader(string[] args)
    {
        private readonly List<PendingBlockdev> _blockdevs = [];
        private readonly List<PendingDevice> _devices = [];
        private readonly List<PendingChardev> _chardevs = [];
        private readonly List<PendingMonitor> _monitors = [];
        private readonly List<(Option Option, JsonObject Value)> _objects = [];
        private readonly List<(Option Option, JsonObject Value)> _netdevs = [];
        private readonly List<JsonObject> _audiodevs = [];
        private readonly List<GlobalProperty> _globals = [];
        private readonly List<string> _ignored = [];
        private readonly List<string> _imageDirs = [];
        private LaunchConfiguration _config = new();
        private Dictionary<string, string>? _smp;
        private Option? _accelOption;
        private Option? _machineOption;
        private int _compatMonitors;
        private bool _machineAccel;

        public LaunchConfiguration Read()
        {
            foreach (var option in LookUp())
            {
                ReadOption(option);
            }

            return Build();
        }

        /// <summary>QEMU's first pass: every option must exist and have its argument before anything is read.</summary>
        private List<Option> LookUp()
        {
            if (args.Length > CommandLineLimits.MaxArguments)
            {
                throw new QemuOptionException($"too many arguments ({args.Length}; the emulator reads at most {CommandLineLimits.MaxArguments})");
            }

            var options = new List<Option>();
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                if (s_emulatorOptions.Contains(arg))
                {
                    var value = i + 1 < args.Length ? args[++i] : throw new QemuOptionException($"{arg}: requires an argument");
                    options.Add(new Option(arg, arg, value));
                    continue;
                }

                if (!arg.StartsWith('-') || arg.Length < 2)
                {
                    // QEMU takes a lone argument as -hda's image; the emulator serves no IDE disk from it.
                    options.Add(new Option("hda", arg, arg));
                    continue;
                }

                var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
                if (s_flags.Contains(name))
                {
                    options.Add(new Option(name, arg, null));
                }
                else if (s_withArgument.Contains(name))
                {
                    if (i + 1 >= args.Length)
                    {
                        throw new QemuOptionException($"{arg}: requires an argument");
                    }

                    options.Add(new Option(name, arg, args[++i]));
                }
                else
                {
                    throw new QemuOptionException($"{arg}: invalid option");
                }
            }

            foreach (var option in options)
            {
                if (option.Value is { Length: > CommandLineLimits.MaxOptionLength } value)
                {
                    throw new QemuOptionException($"{option.Written}: argument of {value.Length} characters (the emulator reads at most {CommandLineLimits.MaxOptionLength})");
                }
            }

            return options;
        }

        /// <summary>QEMU's second pass: each option's text, in order.</summary>
        private void ReadOption(Option o)
        {
            var value = o.Value ?? "";
            try
            {
                switch (o.Name)
                {
                    case "--data-dir":
                        _config = _config with { DataDir = value };
                        break;
                    case "--image-dir":
                        _imageDirs.Add(value);
                        break;
                    case "--data-dir-quota" or "--max-clients" or "--qemu":
                        break;
                    case "S":
                        _config = _config with { StartPaused = true };
                        break;
                    case "no-shutdown":
                        _config = _config with { NoShutdown = true };
                        break;
                    case "no-user-config":
                        _config = _config with { NoUserConfig = true };
                        break;
                    case "nodefaults":
                        _config = _config with { NoDefaults = true };
                        break;
                    case "nographic":
                        _config = _config with { NoGraphic = true };
                        break;
                    case "daemonize":
                        _config = _config with { Daemonize = true };
                        break;
                    case "pidfile":
                        _config = _config with { PidFile = value };
                        break;
                    case "name":
                        ReadName(value);
                        break;
                    case "uuid":
                        if (!UuidPattern().IsMatch(value))
                        {
                            throw new QemuOptionException("failed to parse UUID string: wrong format");
                        }

                        _config = _config with { Uuid = value.ToLowerInvariant() };
                        break;
                    case "m":
                        ReadMemory(value);
                        break;
                    case "smp":
                        // Applied with the machine's properties (QEMU reports its errors without the option).
                        _smp = OptionText.ParseOpts(value, "cpus");
                        break;
                    case "cpu":
                        _config = _config with { CpuModel = value.Split(',')[0] };
                        break;
                    case "machine" or "M":
                        ReadMachine(o, value);
                        break;
                    case "accel":
                        ReadAccel(o, value);
                        break;
                    case "overcommit":
                        {
                            var opts = Checked(OptionText.ParseOpts(value, null), "mem-lock", "cpu-pm");
                            _config = _config with { MemLock = opts.TryGetValue("mem-lock", out var memLock) && OptionText.ParseBool("mem-lock", memLock) };
                            if (opts.TryGetValue("cpu-pm", out var cpuPm))
                            {
                                OptionText.ParseBool("cpu-pm", cpuPm);
                            }

                            break;
                        }

                    case "sandbox":
                        ReadSandbox(value);
                        break;
                    case "msg":
                        {
                            var opts = Checked(OptionText.ParseOpts(value, null), "timestamp", "guest-name");
                            if (opts.TryGetValue("guest-name", out var guestName))
                            {
                                OptionText.ParseBool("guest-name", guestName);
                            }

                            _config = _config with { MessageTimestamps = opts.TryGetValue("timestamp", out var stamp) && OptionText.ParseBool("timestamp", stamp) };
                            break;
                        }

                    case "rtc":
                        _config = _config with { Rtc = Checked(OptionText.ParseOpts(value, null), "base", "clock", "driftfix").ToImmutableDictionary() };
                        break;
                    case "boot":
                        _config = _config with { Boot = Checked(OptionText.ParseOpts(value, "order"), "order", "once", "menu", "splash", "splash-time", "reboot-timeout", "strict").ToImmutableDictionary() };
                        break;
                    case "display":
                        {
                            var type = value.Split(',', '=')[0];
                            if (!s_displayTypes.Contains(type))
                            {
                                throw new QemuOptionException($"Parameter 'type' does not accept value '{type}'");
                            }

                            _config = _config with { Display = type };
                            break;
                        }

                    case "global":
                        ReadGlobal(value);
                        break;
                    case "chardev":
                        ReadChardev(o, value);
                        break;
                    case "mon":
                        ReadMonitor(o, value);
                        break;
                    case "qmp" or "qmp-pretty":
                        ReadQmp(o, value);
                        break;
                    case "blockdev":
                        ReadBlockdev(o, value);
                        break;
                    case "device":
                        Count(_devices.Count, CommandLineLimits.MaxDevices);
                        _devices.Add(new PendingDevice(o, OptionText.ParseEither(value, "driver", keyval: false)));
                        CheckOptsId(o, _devices[^1].Properties);
                        break;
                    case "object":
                        Count(_objects.Count, CommandLineLimits.MaxBackends);
                        _objects.Add((o, ReadBackend(value, "qom-type", keyval: true)));
                        break;
                    case "netdev":
                        Count(_netdevs.Count, CommandLineLimits.MaxBackends);
                        _netdevs.Add((o, ReadBackend(value, "type", keyval: true, s_netdevTypes)));
                        break;
                    case "audiodev":
                        Count(_audiodevs.Count, CommandLineLimits.MaxBackends);
                        _audiodevs.Add(ReadBackend(value, "driver", keyval: true, s_audioDrivers));
                        break;
                    default:
                        // Accepted by QEMU 7.2; nothing the emulator serves changes (-vga none, -serial, -drive, ...).
                        _ignored.Add(o.Where);
                        break;
                }
            }
            catch (QemuOptionException e) when (!e.Message.StartsWith(o.Where + ":", StringComparison.Ordinal) && !Unprefixed(e))
            {
                throw o.Refuse(e.Message);
            }
        }

        private static void Count(int count, int limit)
        {
            if (count >= limit)
            {
                throw new QemuOptionException($"more than {limit} of this option (the emulator's limit)");
            }
        }

        /// <summary>QEMU's messages that carry no location (reported after the options were read).</summary>
        private static bool Unprefixed(QemuOptionException e) => e is UnlocatedException;

        private void ReadName(string value)
        {
            var opts = Checked(OptionText.ParseOpts(value, "guest"), "guest", "process", "debug-threads");
            _config = _config with
            {
                Name = opts.GetValueOrDefault("guest"),
                DebugThreads = opts.TryGetValue("debug-threads", out var threads) && OptionText.ParseBool("debug-threads", threads),
            };
        }

        private void ReadMemory(string value)
        {
            var opts = Checked(OptionText.ParseOpts(value, "size"), "size", "slots", "maxmem");
            if (opts.TryGetValue("size", out var size))
            {
                var bytes = OptionText.ParseSize(size, 'M') ?? throw new QemuOptionException("Parameter 'size' expects a non-negative number below 2^64");

                // As QEMU's set_memory_options: 0 is the default size, and RAM comes in 8 KiB pages.
                bytes = bytes == 0 ? 128UL << 20 : Math.Min(bytes, long.MaxValue - 8191);
                _config = _config with { MemoryBytes = (long)((bytes + 8191) & ~8191UL) };
            }

            if (opts.TryGetValue("slots", out var slots) && !ulong.TryParse(slots, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new QemuOptionException("Parameter 'slots' expects a number");
            }

            if (opts.TryGetValue("maxmem", out var maxmem) && OptionText.ParseSize(maxmem, 'B') is null)
            {
                throw new QemuOptionException("Parameter 'maxmem' expects a non-negative number below 2^64");
            }
        }

        private void ReadMachine(Option o, string value)
        {
            _machineOption = o;
            var opts = OptionText.ParseOpts(value, "type");
            var type = opts.GetValueOrDefault("type") ?? _config.MachineType;
            opts.Remove("type");
            if (opts.Remove("accel", out var accel))
            {
                _machineAccel = true;
                _config = _config with { Accelerators = [.. accel.Split(':')] };
            }

            _config = _config with { MachineType = type, MachineProperties = _config.MachineProperties.SetItems(opts) };
        }

        private void ReadAccel(Option o, string value)
        {
            var opts = OptionText.ParseOpts(value, "accel");
            var accel = opts.GetValueOrDefault("accel") ?? throw new QemuOptionException("Parameter 'accel' is missing");
            if (accel is not ("tcg" or "kvm" or "qtest" or "xen"))
            {
                throw new QemuOptionException($"invalid accelerator {accel}");
            }

            if (accel == "tcg")
            {
                foreach (var key in opts.Keys.Where(k => k is not ("accel" or "thread" or "tb-size" or "split-wx")))
                {
                    throw new QemuOptionException($"Property 'tcg-accel.{key}' not found");
                }
            }

            // Each -accel is one accelerator to try, in order (libvirt writes one).
            _config = _config with { Accelerators = _accelOption is null ? [accel] : _config.Accelerators.Add(accel) };
            _accelOption = o;
        }

        private void ReadSandbox(string value)
        {
            var opts = Checked(OptionText.ParseOpts(value, "enable"), "enable", "obsolete", "elevateprivileges", "spawn", "resourcecontrol");
            if (opts.TryGetValue("enable", out var enable))
            {
                OptionText.ParseBool("enable", enable);
            }

            foreach (var (key, allowed) in new[] { ("obsolete", "allow deny"), ("elevateprivileges", "allow deny children"), ("spawn", "allow deny"), ("resourcecontrol", "allow deny") })
            {
                if (opts.TryGetValue(key, out var setting) && !allowed.Split(' ').Contains(setting))
                {
                    throw new QemuOptionException($"invalid argument for {key}");
                }
            }

            _config = _config with { Sandbox = opts.ToImmutableDictionary() };
        }

        /// <summary><c>-global DRIVER.PROPERTY=VALUE</c> or <c>-global driver=D,property=P,value=V</c>, as QEMU's qemu_global_option.</summary>
        private void ReadGlobal(string value)
        {
            Count(_globals.Count, CommandLineLimits.MaxBackends);
            var dotted = GlobalPattern().Match(value);
            if (dotted.Success)
            {
                _globals.Add(new GlobalProperty(dotted.Groups[1].Value, dotted.Groups[2].Value, dotted.Groups[3].Value));
                return;
            }

            var opts = OptionText.ParseOpts(value, null);
            var bare = OptionText.Split(value, null).FirstOrDefault(p => p.Value is null && !p.Key.StartsWith("no", StringComparison.Ordinal));
            if (bare.Key is not null)
            {
                throw new QemuOptionException($"Invalid parameter '{bare.Key}'");
            }

            Checked(opts, "driver", "property", "value");
            _globals.Add(new GlobalProperty(opts.GetValueOrDefault("driver", ""), opts.GetValueOrDefault("property", ""), opts.GetValueOrDefault("value", "")));
        }

        private void ReadChardev(Option o, string value)
        {
            Count(_chardevs.Count, CommandLineLimits.MaxBackends);
            var opts = OptionText.ParseOpts(value, "backend");

            // QemuOpts checks the id, then every key against -chardev's one list (any backend's keys are accepted,
            // and ignored by the others); the backend and a missing id are looked at later.
            if (opts.TryGetValue("id", out var given))
            {
                CheckIdentifier(given);
            }

            foreach (var key in opts.Keys.Where(k => k is not "id" and not "backend" && !s_chardevKeys.Contains(k)))
            {
                throw new QemuOptionException($"Invalid parameter '{key}'");
            }

            if (!opts.Remove("id", out var id))
            {
                throw new QemuOptionException("chardev: no id specified");
            }
            var backend = opts.GetValueOrDefault("backend", "");
            opts.Remove("backend");
            if (!s_chardevBackends.Contains(backend))
            {
                throw new QemuOptionException($"'{backend}' is not a valid char driver name");
            }

            if (backend == "socket" && !opts.ContainsKey("path") && !opts.ContainsKey("host") && !opts.ContainsKey("port"))
            {
                var fd = opts.GetValueOrDefault("fd", "");
                if (!int.TryParse(fd, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw new QemuOptionException($"Unable to parse FD number {fd}");
                }
            }

            _chardevs.Add(new PendingChardev(o, id, backend, opts));
        }

        private void ReadMonitor(Option o, string value)
        {
            Count(_monitors.Count, CommandLineLimits.MaxBackends);
            var opts = OptionText.ParseOpts(value, "chardev");
            var mode = opts.GetValueOrDefault("mode", "readline");
            if (mode is not ("readline" or "control"))
            {
                throw new QemuOptionException($"Parameter 'mode' does not accept value '{mode}'");
            }

            var chardev = opts.GetValueOrDefault("chardev") ?? throw new QemuOptionException("Parameter 'chardev' is missing");
            var pretty = opts.TryGetValue("pretty", out var p) && OptionText.ParseBool("pretty", p);
            if (opts.TryGetValue("id", out var id))
            {
                CheckIdentifier(id);
            }

            _monitors.Add(new PendingMonitor(o, id, chardev, mode, pretty));
        }

        /// <summary>
        /// <c>-qmp unix:PATH,server=on,wait=off</c> (or <c>tcp:HOST:PORT,...</c>, <c>stdio</c>, ...): QEMU's
        /// qemu_chr_parse_compat makes a chardev <c>compat_monitorN</c> and a control monitor on it.
        /// </summary>
        private void ReadQmp(Option o, string value)
        {
            Count(_chardevs.Count, CommandLineLimits.MaxBackends);
            var id = $"compat_monitor{_compatMonitors++}";
            Dictionary<string, string> opts;
            string backend;
            if (value.StartsWith("unix:", StringComparison.Ordinal))
            {
                backend = "socket";
                opts = OptionText.ParseOpts(value[5..], "path");
            }
            else if (value.StartsWith("tcp:", StringComparison.Ordinal) || value.StartsWith("telnet:", StringComparison.Ordinal))
            {
                backend = "socket";
                var rest = value[(value.IndexOf(':', StringComparison.Ordinal) + 1)..];
                var address = rest.Split(',')[0];
                var colon = address.LastIndexOf(':');
                if (colon < 0)
                {
                    throw new QemuOptionException($"parse error: {value}");
                }

                opts = OptionText.ParseOpts(rest.Length > address.Length ? rest[(address.Length + 1)..] : "", null);
                opts.Remove("");
                opts["host"] = address[..colon];
                opts["port"] = address[(colon + 1)..];
            }
            else if (value is "stdio" or "null" or "pty" or "vc" or "msmouse" or "braille" or "testdev")
            {
                backend = value;
                opts = [];
            }
            else
            {
                throw new QemuOptionException($"'{value}' is not a valid char driver");
            }

            foreach (var key in opts.Keys.Where(k => k is not ("path" or "host" or "port" or "server" or "wait" or "to" or "ipv4" or "ipv6" or "nodelay" or "telnet" or "reconnect")))
            {
                throw new QemuOptionException($"Invalid parameter '{key}'");
            }

            _chardevs.Add(new PendingChardev(null, id, backend, opts));
            _monitors.Add(new PendingMonitor(o, null, id, "control", o.Name == "qmp-pretty"));
        }

        private void ReadBlockdev(Option o, string value)
        {
            var options = OptionText.ParseEither(value, "driver", keyval: true);
            CheckBlockdevSyntax(options, keyval: !value.StartsWith('{'));
            _blockdevs.Add(new PendingBlockdev(o, options));
        }

        /// <summary>What QEMU's BlockdevOptions visitor refuses while reading the option: the driver and its required members, boolean members' types.</summary>
        private static void CheckBlockdevSyntax(JsonObject options, bool keyval)
        {
            var driver = options["driver"] ?? throw new QemuOptionException("Parameter 'driver' is missing");
            var name = driver.GetValueKind() == JsonValueKind.String ? driver.GetValue<string>() : driver.ToJsonString();
            if (!s_blockDrivers.Contains(name))
            {
                throw new QemuOptionException($"Parameter 'driver' does not accept value '{name}'");
            }

            foreach (var member in new[] { "read-only", "auto-read-only", "force-share" })
            {
                CheckMember(options, member, JsonValueKind.True, keyval);
            }

            foreach (var member in new[] { "node-name", "filename", "discard", "cache" })
            {
                CheckMember(options, member, JsonValueKind.String, keyval);
            }

            foreach (var member in new[] { "size", "offset" })
            {
                CheckMember(options, member, JsonValueKind.Number, keyval);
            }

            if (s_fileDrivers.Contains(name) && options["filename"] is null)
            {
                throw new QemuOptionException("Parameter 'filename' is missing");
            }

            if (s_needFile.Contains(name))
            {
                switch (options["file"])
                {
                    case null:
                        throw new QemuOptionException("Parameter 'file' is missing");
                    case JsonObject child:
                        CheckBlockdevSyntax(child, keyval);
                        break;
                    case JsonValue reference when reference.GetValueKind() == JsonValueKind.String:
                        break;
                    default:
                        throw new QemuOptionException("Invalid parameter type for 'file', expected: BlockdevRef");
                }
            }
        }

        /// <summary>
        /// A member's type as QEMU's visitors check it: in JSON its kind (<c>Invalid parameter type for
        /// 'x', expected: boolean</c>), in key=value form its text (<c>Parameter 'x' expects 'on' or 'off'</c>)
        /// and never an object (<c>Parameters 'x.*' are unexpected</c>). <paramref name="kind"/> True means boolean.
        /// </summary>
        private static void CheckMember(JsonObject options, string member, JsonValueKind kind, bool keyval)
        {
            if (options[member] is not { } value)
            {
                if (options.ContainsKey(member))
                {
                    throw new QemuOptionException($"Invalid parameter type for '{member}', expected: {TypeName(kind)}");
                }

                return;
            }

            if (keyval && value is JsonObject)
            {
                throw new QemuOptionException($"Parameters '{member}.*' are unexpected");
            }

            if (keyval && value.GetValueKind() == JsonValueKind.String)
            {
                var text = value.GetValue<string>();
                if (kind == JsonValueKind.True)
                {
                    OptionText.ParseBool(member, text);
                }
                else if (kind == JsonValueKind.Number && !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    throw new QemuOptionException($"Parameter '{member}' expects integer");
                }

                return;
            }

            var actual = value.GetValueKind();
            var fits = kind switch
            {
                JsonValueKind.True => actual is JsonValueKind.True or JsonValueKind.False,
                JsonValueKind.Number => actual == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
                _ => actual == kind,
            };
            if (!fits)
            {
                throw new QemuOptionException($"Invalid parameter type for '{member}', expected: {TypeName(kind)}");
            }
        }

        private static string TypeName(JsonValueKind kind) => kind switch
        {
            JsonValueKind.True => "boolean",
            JsonValueKind.Number => "integer",
            _ => "string",
        };

        /// <summary>-object, -netdev, -audiodev: the type member and an id are required; a type QEMU does not know is refused.</summary>
        private static JsonObject ReadBackend(string value, string typeKey, bool keyval, NameSet? types = null)
        {
            var options = OptionText.ParseEither(value, typeKey, keyval);
            var type = options[typeKey] ?? throw new QemuOptionException($"Parameter '{typeKey}' is missing");
            var name = type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : type.ToJsonString();
            if (types is not null ? !types.Contains(name) : !s_qomTypes.Value.Contains(name))
            {
                throw new QemuOptionException($"Parameter '{typeKey}' does not accept value '{name}'");
            }

            if (!options.ContainsKey("id"))
            {
                throw new QemuOptionException("Parameter 'id' is missing");
            }

            CheckMember(options, "id", JsonValueKind.String, keyval && !value.StartsWith('{'));
            return options;
        }

        /// <summary>A QemuOpts form's id must be an identifier (QEMU checks it when reading the option).</summary>
        private static void CheckOptsId(Option o, JsonObject properties)
        {
            if (properties["id"] is { } id && id.GetValueKind() == JsonValueKind.String)
            {
                CheckIdentifier(id.GetValue<string>());
            }
            else if (properties["id"] is not null && !(o.Value ?? "").StartsWith('{'))
            {
                throw new QemuOptionException("Parameter 'id' expects an identifier");
            }
        }

        private static void CheckIdentifier(string id)
        {
            if (!OptionText.IsIdentifier(id))
            {
                throw new QemuOptionException("Parameter 'id' expects an identifier");
            }
        }

        /// <summary>QemuOpts with a fixed set of keys: another is QEMU's <c>Invalid parameter 'KEY'</c>.</summary>
        private static Dictionary<string, string> Checked(Dictionary<string, string> opts, params string[] keys)
        {
            foreach (var key in opts.Keys.Where(k => !keys.Contains(k)))
            {
                throw new QemuOptionException($"Invalid parameter '{key}'");
            }

            return opts;
        }

        [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
        private static partial Regex UuidPattern();

        [GeneratedRegex("^([^.=]+)\\.([^=]+)=(.*)$", RegexOptions.Singleline)]
        private static partial Regex GlobalPattern();
    }

    /// <summary>A refusal QEMU prints without the option's location (it is found after all options were read).</summary>
    private sealed class UnlocatedException(string message) : QemuOptionException(message);

    /// <summary>A tiny ordinal set, built once.</summary>
    private sealed class NameSet(params string[] items)
    {
        private readonly HashSet<string> _items = new(items, StringComparer.Ordinal);

        public bool Contains(string item) => _items.Contains(item);
    }

    /// <summary>Every QOM type name of QEMU 7.2 (the recorded catalogue): what -object's qom-type may name.</summary>
    private static readonly Lazy<HashSet<string>> s_qomTypes = new(() => CatalogueNames("qom-list-types", a => a is null, "name"));

    /// <summary>Concrete device types (qom-list-types implements=device, not abstract): what -device's driver may name.</summary>
    private static readonly Lazy<HashSet<string>> s_deviceTypes = new(() => CatalogueNames(
        "qom-list-types", a => a is { } args && args.TryGetProperty("implements", out _) && !args.TryGetProperty("abstract", out _), "name"));

    /// <summary>Machine type names and aliases (query-machines).</summary>
    private static readonly Lazy<HashSet<string>> s_machineTypes = new(() =>
    {
        var names = CatalogueNames("query-machines", _ => true, "name");
        names.UnionWith(CatalogueNames("query-machines", _ => true, "alias"));
        return names;
    });

    /// <summary>CPU models (query-cpu-definitions).</summary>
    private static readonly Lazy<HashSet<string>> s_cpuModels = new(() => CatalogueNames("query-cpu-definitions", _ => true, "name"));

    private static HashSet<string> CatalogueNames(string command, Func<JsonElement?, bool> arguments, string member)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var exchange in QemuCatalogue.Qemu72.Exchanges(command).Where(e => arguments(e.Arguments) && e.Return is { ValueKind: JsonValueKind.Array }))
        {
            foreach (var entry in exchange.Return!.Value.EnumerateArray())
            {
                if (entry.TryGetProperty(member, out var name) && name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        return names;
    }

    /// <summary>The maximum CPUs of a machine type (query-machines' cpu-max), by name or alias.</summary>
    private static (string Name, int CpuMax) MachineCpuMax(string type)
    {
        foreach (var exchange in QemuCatalogue.Qemu72.Exchanges("query-machines").Where(e => e.Return is { ValueKind: JsonValueKind.Array }))
        {
            foreach (var entry in exchange.Return!.Value.EnumerateArray())
            {
                if (entry.GetProperty("name").GetString() == type || (entry.TryGetProperty("alias", out var alias) && alias.GetString() == type))
                {
                    return (entry.GetProperty("name").GetString()!, entry.GetProperty("cpu-max").GetInt32());
                }
            }
        }

        return (type, 1);
    }

    /// <summary>Whether descriptor <paramref name="fd"/> is open and a socket (libvirt's <c>fd=N</c>).</summary>
    private static bool IsSocket(int fd) =>
        Interop.IsSupported && Interop.Stat(new SafeFileHandle(fd, ownsHandle: false), "", out var status) == 0 && status.Type == Interop.S_IFSOCK;
}
