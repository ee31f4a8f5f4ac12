using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Qmp.Emulator;
using Qmp.Emulator.Confinement;

return await EmulatorProgram.RunAsync(args).ConfigureAwait(false);

/// <summary>The <c>qmp-emulator</c> command line: QEMU's options for QMP, run state and size.</summary>
internal static class EmulatorProgram
{
    internal const string Usage = """
        usage: qmp-emulator [options]
          --qemu VERSION          which QEMU to be: 2.1 (the default) or 7.2 (qemu-system-x86_64 7.2 on
                                  TCG: its recorded schema and catalogues, QEMU's modern QMP)
          -qmp unix:PATH,server,nowait | tcp:HOST:PORT,server,nowait   a QMP monitor (repeatable);
                                  without 'server' it connects to PATH (QEMU's client mode)
          -chardev socket,id=ID,path=PATH|fd=N|host=H,port=P[,server=on|off][,wait=off]
          -mon chardev=ID,mode=control   a QMP monitor on that chardev (QEMU's launchers use these)
          -S                      start paused (prelaunch) until 'cont'
          -name NAME              the guest name (query-name)
          -uuid UUID              the machine UUID (query-uuid)
          -smp N[,maxcpus=M]      CPUs
          -m SIZE                 RAM, in MiB or with a suffix (K, M, G)
          -pidfile FILE           write the process id to FILE, locked, as QEMU (removed at exit);
                                  a link, FIFO or other non-regular file there is refused
          -daemonize              detach once the monitors listen and the pidfile is written
          -no-shutdown, -display, -vga, -nographic, -nodefaults, -no-user-config, -machine, ...
                                  QEMU 2.1's other options are accepted; those that would change the
                                  hardware (-drive, -device, ...) are ignored with a warning
          --machine FILE          a JSON description of the virtual hardware
          --data-dir DIR          where commands may write files (screendump, memsave, dump-guest-memory)
                                  and read images (change, blockdev-add)
          --data-dir-quota SIZE   bytes (K, M, G, T suffixes) commands may write into --data-dir in all
                                  (default 4G; 0: no quota); no write leaves the filesystem with less
                                  than 1G (or 5% of a smaller one) free
          --image-dir DIR         also read images from DIR, never written (repeatable; a relative
                                  name is looked for in --data-dir, then each --image-dir in order)
          --max-clients N         clients each monitor serves at a time (default 1, as QEMU)
        """;

    /// <summary>QEMU 2.1 options that change nothing in the emulator (display, defaults, machine type, ...): value taken, ignored.</summary>
    private static readonly HashSet<string> s_ignoredWithValue = new(StringComparer.Ordinal)
    {
        "display", "vga", "k", "boot", "cpu", "rtc", "global", "L", "bios", "msg",
        "serial", "parallel", "D", "d", "icount", "watchdog", "watchdog-action", "sandbox",
        "runas", "chroot", "mem-path", "realtime", "readconfig", "writeconfig", "option-rom",
        "soundhw", "balloon", "echr", "g", "trace", "qtest", "qtest-log", "incoming",
        "loadvm", "gdb", "tb-size", "smbios", "acpitable", "prom-env",
    };

    /// <summary>QEMU 2.1 options that would add hardware or backends: accepted, ignored, and said so.</summary>
    private static readonly HashSet<string> s_warnedWithValue = new(StringComparer.Ordinal)
    {
        "drive", "device", "netdev", "net", "hda", "hdb", "hdc", "hdd", "cdrom", "fda", "fdb", "sd", "pflash",
        "mtdblock", "usbdevice", "object", "numa", "kernel", "initrd", "append", "dtb", "vnc", "spice",
        "monitor", "add-fd", "fsdev", "virtfs", "iscsi", "tpmdev", "set",
    };

    /// <summary>QEMU 2.1 flags that change nothing here.</summary>
    private static readonly HashSet<string> s_ignoredFlags = new(StringComparer.Ordinal)
    {
        "no-shutdown", "nodefaults", "nographic", "no-user-config", "nodefconfig", "no-reboot",
        "no-kvm", "no-hpet", "no-acpi", "snapshot", "full-screen", "sdl", "curses", "s", "usb", "localtime",
        "win2k-hack", "no-fd-bootchk", "no-quit", "no-frame", "alt-grab", "ctrl-grab", "enable-fips",
        "semihosting", "old-param", "singlestep", "no-kvm-irqchip", "no-kvm-pit-reinjection",
        "xen-attach", "mem-prealloc",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        EmulatorOptions? options;
        CommandLine? line;
        try
        {
            // --qemu 7.2: QEMU 7.2's command line (CommandLine/), refused in QEMU's words before anything starts;
            // the machine, monitors and process options all come from it.
            if (Qmp.Emulator.CommandLine.Qemu72CommandLine.IsRequested(args))
            {
                if (args.Any(a => a is "-h" or "--help" or "-help"))
                {
                    Console.WriteLine(Usage);
                    return 0;
                }

                if (Qmp.Emulator.CommandLine.Qemu72CommandLine.Parse(args, Console.Error) is not { } launch)
                {
                    return 1;
                }

                line = FromLaunch(launch, args);
            }
            else
            {
                line = Parse(args, Console.Error);
            }

            options = line?.Options;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync("qmp-emulator: " + ex.Message).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 1;
        }

        if (line is null || options is null)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var daemonChild = line.Daemonize && Environment.GetEnvironmentVariable(DaemonChildVariable) is not null;
        if (line.Daemonize && !daemonChild)
        {
            return await DaemonizeAsync(args).ConfigureAwait(false);
        }

        if (daemonChild)
        {
            // As QEMU's os_daemonize: a session of its own (no controlling terminal, not in the
            // launcher's process group), and umask 027.
            _ = Interop.NewSession();
            _ = Interop.SetUmask(0b000_010_111);
        }

        // As QEMU, the pidfile comes first: a second emulator given the same file stops here, before it
        // touches any socket.
        PidFile? pidFile;
        try
        {
            pidFile = line.PidFile is null ? null : PidFile.Create(line.PidFile);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync("qmp-emulator: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        using (pidFile)
        {
            return await RunEmulatorAsync(options, daemonChild).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the emulator and serves until <c>quit</c> or a signal; 1 when it cannot start.</summary>
    private static async Task<int> RunEmulatorAsync(EmulatorOptions options, bool daemonChild)
    {
        QemuEmulator emulator;
        try
        {
            emulator = await QemuEmulator.StartAsync(options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            // As QEMU fails at startup: one line naming what could not be opened (or the address that cannot be one).
            await Console.Error.WriteLineAsync("qmp-emulator: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        await using (emulator.ConfigureAwait(false))
        {
            using var signals = new SignalWatcher(emulator);
            foreach (var endPoint in emulator.EndPoints)
            {
                await Console.Error.WriteLineAsync($"qmp-emulator: QMP on {endPoint}").ConfigureAwait(false);
            }

            if (daemonChild && !DetachFromLauncher())
            {
                return 1;
            }

            await emulator.Exited.ConfigureAwait(false);
            if (signals.Received is { } signal)
            {
                await Console.Error.WriteLineAsync($"qmp-emulator: terminating on signal {signal}").ConfigureAwait(false);
            }
        }

        return 0;
    }

    private const string DaemonChildVariable = "QMP_EMULATOR_DAEMON_CHILD";

    /// <summary>
    /// -daemonize, as QEMU's launching parent: runs the emulator as a child and returns 0 once the child
    /// reports its monitors listening and its pidfile written, and has let go of the pipes to this process
    /// (libvirt waits for this process to exit and for its stderr to reach end of file). What the child
    /// prints until then is passed on to this process's stderr; a child that fails first makes this fail.
    /// </summary>
    private static async Task<int> DaemonizeAsync(string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            // Run by the dotnet host (a native or apphost build is its own ProcessPath): the same assembly again.
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(EmulatorProgram).Assembly.GetName().Name + ".dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[DaemonChildVariable] = "1";
        using var child = Process.Start(start)!;
        child.StandardInput.Close();
        using var stderr = Console.OpenStandardError();
        var forwarded = child.StandardError.BaseStream.CopyToAsync(stderr);
        var ready = await child.StandardOutput.ReadLineAsync().ConfigureAwait(false);

        // The child closes its end of both pipes when it puts /dev/null over its descriptors (or exits).
        await forwarded.ConfigureAwait(false);
        if (ready == "ready")
        {
            return 0;
        }

        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode == 0 ? 1 : child.ExitCode;
    }

    /// <summary>
    /// The daemon's side, as QEMU's os_setup_post: tells the launcher it is ready, then puts /dev/null over
    /// descriptors 0, 1 and 2 and over every copy of them (.NET's runtime and Console keep duplicates of
    /// the standard descriptors), so it holds nothing of the launcher's, whose stderr then reaches its end.
    /// </summary>
    private static bool DetachFromLauncher()
    {
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        Console.Error.Flush();
        var launchers = new HashSet<(ulong Device, ulong Inode)>();
        for (var fd = 0; fd <= 2; fd++)
        {
            if (Interop.Stat(new SafeFileHandle(fd, ownsHandle: false), "", out var stream) == 0)
            {
                launchers.Add((stream.Device, stream.Inode));
            }
        }

        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                && (fd <= 2 || (Interop.Stat(new SafeFileHandle(fd, ownsHandle: false), "", out var open) == 0 && launchers.Contains((open.Device, open.Inode))))
                && Interop.DuplicateOnto(devNull, fd) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>SIGTERM, SIGINT, SIGHUP: as QEMU, SHUTDOWN to every monitor, then exit 0 (QEMU's message is printed on the way out).</summary>
    private sealed class SignalWatcher : IDisposable
    {
        private readonly List<PosixSignalRegistration> _registrations = [];
        private int _received;

        public SignalWatcher(QemuEmulator emulator)
        {
            foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, 15), (PosixSignal.SIGINT, 2), (PosixSignal.SIGHUP, 1) })
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (Interlocked.CompareExchange(ref _received, number, 0) == 0)
                    {
                        emulator.TerminateOnSignal();
                    }
                }));
            }
        }

        public int? Received => _received == 0 ? null : _received;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }
    }

    /// <summary>The parsed command line: the emulator's options plus what the program itself does.</summary>
    internal sealed record CommandLine(EmulatorOptions Options, string? PidFile, bool Daemonize);

    /// <summary>Reads QEMU-style options; null when only help was asked for.</summary>
    internal static EmulatorOptions? Parse(string[] args) => Parse(args, TextWriter.Null)?.Options;

    /// <summary>Reads QEMU-style options (<c>-opt</c> or <c>--opt</c>); null when only help was asked for. Warnings go to <paramref name="warnings"/>.</summary>
    internal static CommandLine? Parse(string[] args, TextWriter warnings)
    {
        var qmp = new List<string>();
        var fds = new List<int>();
        var chardevs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var monitors = new List<(string Chardev, string Option)>();
        bool paused = false, daemonize = false;
        string? name = null, uuid = null, machineFile = null, dataDir = null, pidFile = null;
        var imageDirs = new List<string>();
        var qemu = EmulatorOptions.Qemu21;
        var accelerators = new List<string>();
        int? cpus = null, maxCpus = null;
        var maxClients = 1;
        var dataDirQuota = EmulatorLimits.DefaultDataDirQuota;
        long? memory = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];

            // The emulator's own long options, then QEMU's (which accepts -opt and --opt alike).
            switch (arg)
            {
                case "--machine":
                    machineFile = Value();
                    continue;
                case "--data-dir":
                    dataDir = Value();
                    continue;
                case "--image-dir":
                    imageDirs.Add(Value());
                    continue;
                case "--qemu":
                    qemu = Value();
                    if (qemu is not (EmulatorOptions.Qemu21 or EmulatorOptions.Qemu72))
                    {
                        throw new FormatException($"--qemu {qemu}: not emulated (2.1 or 7.2)");
                    }

                    continue;
                case "--data-dir-quota":
                    dataDirQuota = ParseBytes(Value());
                    continue;
                case "--max-clients":
                    maxClients = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    if (maxClients < 1)
                    {
                        throw new FormatException("--max-clients: at least 1");
                    }

                    continue;
                case "-h" or "--help" or "-help":
                    return null;
            }

            if (!arg.StartsWith('-') || arg.Length < 2)
            {
                // QEMU takes a lone argument as the first hard disk image.
                warnings.WriteLine($"qmp-emulator: {arg}: disk image ignored (describe drives with --machine FILE)");
                continue;
            }

            var option = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            switch (option)
            {
                case "qmp":
                    qmp.Add(Value());
                    break;
                case "chardev":
                    {
                        var properties = SplitOptions(Value(), "backend");
                        if (!properties.TryGetValue("id", out var id))
                        {
                            throw new FormatException($"{arg}: Parameter 'id' is missing");
                        }

                        chardevs[id] = properties;
                        break;
                    }

                case "mon":
                    {
                        var value = Value();
                        var properties = SplitOptions(value, "chardev");
                        var mode = properties.GetValueOrDefault("mode", "readline");
                        var chardev = properties.TryGetValue("chardev", out var c) ? c : throw new FormatException($"{arg}: Parameter 'chardev' is missing");
                        if (mode == "control")
                        {
                            monitors.Add((chardev, $"{arg} {value}"));
                        }
                        else
                        {
                            warnings.WriteLine($"qmp-emulator: -mon chardev={chardev},mode={mode}: only mode=control (QMP) is served; ignored");
                        }

                        break;
                    }

                case "S":
                    paused = true;
                    break;
                case "machine" or "M":
                    // Only its accelerators matter here (query-kvm): -machine TYPE,accel=kvm:tcg.
                    if (SplitOptions(Value(), "type").TryGetValue("accel", out var accel))
                    {
                        accelerators.AddRange(accel.Split(':'));
                    }

                    break;
                case "accel":
                    accelerators.Add(SplitOptions(Value(), "accel")["accel"]);
                    break;
                case "enable-kvm":
                    accelerators.Add("kvm");
                    break;
                case "daemonize":
                    daemonize = true;
                    break;
                case "pidfile":
                    pidFile = Value();
                    break;
                case "name":
                    name = Value().Split(',')[0].Replace("guest=", "", StringComparison.Ordinal);
                    break;
                case "uuid":
                    uuid = Value();
                    if (!Guid.TryParse(uuid, out _))
                    {
                        throw new FormatException($"Fail to parse UUID string. Wrong format.");
                    }

                    break;
                case "smp":
                    foreach (var part in Value().Split(','))
                    {
                        if (part.StartsWith("maxcpus=", StringComparison.Ordinal))
                        {
                            maxCpus = int.Parse(part[8..], CultureInfo.InvariantCulture);
                        }
                        else if (part.StartsWith("cpus=", StringComparison.Ordinal))
                        {
                            cpus = int.Parse(part[5..], CultureInfo.InvariantCulture);
                        }
                        else if (!part.Contains('=', StringComparison.Ordinal))
                        {
                            cpus = int.Parse(part, CultureInfo.InvariantCulture);
                        }
                    }

                    break;
                case "m":
                    memory = ParseSize(Value().Split(',')[0].Replace("size=", "", StringComparison.Ordinal));
                    break;
                default:
                    if (s_ignoredFlags.Contains(option))
                    {
                        break;
                    }

                    if (s_ignoredWithValue.Contains(option))
                    {
                        Value();
                        break;
                    }

                    if (s_warnedWithValue.Contains(option))
                    {
                        warnings.WriteLine($"qmp-emulator: {arg} {Value()}: ignored (the emulator's hardware comes from --machine FILE)");
                        break;
                    }

                    // QEMU 2.1's words for an option it does not know.
                    throw new FormatException($"{arg}: invalid option");
            }

            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{arg}: requires an argument");
        }

        foreach (var (id, option) in monitors)
        {
            if (!chardevs.TryGetValue(id, out var chardev))
            {
                throw new FormatException($"{option}: chardev \"{id}\" not found");
            }

            AddMonitor(id, chardev, qmp, fds);
        }

        var options = new EmulatorOptions
        {
            Qemu = qemu,
            Accelerators = accelerators,
            Qmp = qmp,
            QmpFds = fds,
            MaxClients = maxClients,
            StartPaused = paused,
            Name = name,
            Uuid = uuid,
            Cpus = cpus,
            MaxCpus = maxCpus,
            MemoryBytes = memory,
            Machine = machineFile is null ? null : MachineDescription.Load(machineFile),
            DataDir = dataDir,
            DataDirQuota = dataDirQuota,
            ImageDirs = imageDirs,
        };
        return new CommandLine(options, pidFile, daemonize);
    }

    /// <summary>
    /// The emulator's options from a QEMU 7.2 command line: its control monitors (an inherited listening fd,
    /// a unix or TCP address, stdio), -S, -name, -uuid, -m, -smp, accelerators, and the machine itself
    /// (<see cref="EmulatorOptions.Launch"/>); the emulator's own --max-clients and --data-dir-quota.
    /// </summary>
    internal static CommandLine FromLaunch(Qmp.Emulator.CommandLine.LaunchConfiguration launch, string[] args)
    {
        var qmp = new List<string>();
        var fds = new List<int>();
        foreach (var monitor in launch.Monitors)
        {
            if (monitor.Mode != "control")
            {
                continue;
            }

            var chardev = launch.Chardevs.First(c => c.Id == monitor.Chardev);
            AddMonitor(chardev.Id, new Dictionary<string, string>(chardev.Options) { ["backend"] = chardev.Backend }, qmp, fds);
        }

        var maxClients = 1;
        var dataDirQuota = EmulatorLimits.DefaultDataDirQuota;
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--max-clients")
            {
                maxClients = int.Parse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture);
                if (maxClients < 1)
                {
                    throw new FormatException("--max-clients: at least 1");
                }
            }
            else if (args[i] == "--data-dir-quota")
            {
                dataDirQuota = ParseBytes(args[i + 1]);
            }
        }

        var options = new EmulatorOptions
        {
            Qemu = EmulatorOptions.Qemu72,
            Launch = launch,
            Accelerators = launch.Accelerators,
            Qmp = qmp,
            QmpFds = fds,
            MaxClients = maxClients,
            StartPaused = launch.StartPaused,
            Name = launch.Name,
            Uuid = launch.Uuid,
            Cpus = launch.Smp.Cpus,
            MaxCpus = launch.Smp.MaxCpus,
            MemoryBytes = launch.MemoryBytes,
            DataDir = launch.DataDir,
            DataDirQuota = dataDirQuota,
            ImageDirs = launch.ImageDirs,
        };
        return new CommandLine(options, launch.PidFile, launch.Daemonize);
    }

    /// <summary>A <c>-mon mode=control</c> on a chardev: its socket as a -qmp address, an inherited fd, or stdio.</summary>
    private static void AddMonitor(string id, Dictionary<string, string> chardev, List<string> qmp, List<int> fds)
    {
        var backend = chardev.GetValueOrDefault("backend", "");
        if (backend == "stdio")
        {
            qmp.Add("stdio");
            return;
        }

        if (backend != "socket")
        {
            throw new FormatException($"-chardev {backend},id={id}: only 'socket' and 'stdio' chardevs can carry a monitor here");
        }

        var server = chardev.TryGetValue("server", out var s) && s is "" or "on" or "yes" or "true";
        var flags = server ? ",server=on,wait=off" : "";
        if (chardev.TryGetValue("fd", out var fd))
        {
            fds.Add(int.Parse(fd, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        else if (chardev.TryGetValue("path", out var path))
        {
            qmp.Add("unix:" + path.Replace(",", ",,", StringComparison.Ordinal) + flags);
        }
        else if (chardev.TryGetValue("port", out var port))
        {
            qmp.Add($"tcp:{chardev.GetValueOrDefault("host", "")}:{port}{flags}");
        }
        else
        {
            throw new FormatException($"-chardev socket,id={id}: chardev: socket: no address given (path=, host=/port= or fd=)");
        }
    }

    /// <summary>QEMU's option string: <c>first,key=value,flag,...</c> (<c>,,</c> is a comma); a bare first item is <paramref name="implied"/>.</summary>
    private static Dictionary<string, string> SplitOptions(string text, string implied)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ',' && i + 1 < text.Length && text[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else if (text[i] == ',')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }

        parts.Add(current.ToString());
        for (var i = 0; i < parts.Count; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                result[parts[i][..eq]] = parts[i][(eq + 1)..];
            }
            else if (i == 0)
            {
                result[implied] = parts[i];
            }
            else if (parts[i].StartsWith("no", StringComparison.Ordinal) && parts[i] != "nowait")
            {
                result[parts[i][2..]] = "off";
            }
            else if (parts[i] == "nowait")
            {
                result["wait"] = "off";
            }
            else
            {
                result[parts[i]] = "on";
            }
        }

        return result;
    }

    /// <summary>A size in bytes: a bare number is bytes; K, M, G, T suffixes (binary).</summary>
    internal static long ParseBytes(string text) => ParseSize(text.Length > 0 && char.IsAsciiDigit(text[^1]) ? text + "B" : text);

    /// <summary>QEMU's -m: a bare number is MiB; K, M, G, T suffixes.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0)
        {
            throw new FormatException("empty size");
        }

        var suffix = char.ToUpperInvariant(text[^1]);
        var multiplier = suffix switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, 'B' => 1, _ => 0 };
        var digits = multiplier == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"invalid size '{text}'");
        }

        return checked(value * (multiplier == 0 ? 1L << 20 : multiplier));
    }
}
