using System.Text.Json;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

/// <summary>
/// The emulated machine's state. One lock (<see cref="Gate"/>) guards all of it; commands, the clock
/// tick and the in-process API take it. Events go out through the QMP server's typed Emit helpers.
/// </summary>
public sealed class VirtualMachine
{
    internal const long MiB = 1024 * 1024;

    private readonly List<Action<QmpServer>> _deferred = [];
    private bool _deferring;

    internal VirtualMachine(EmulatorOptions options)
    {
        Launch = options.Launch;
        var description = Launch is { } launch ? CommandLine.LaunchMachine.Describe(launch) : options.Machine ?? MachineDescription.Default();
        Time = options.TimeProvider;
        DataDir = options.DataDir is null ? null : Path.GetFullPath(options.DataDir);
        Files = options.DataDir is null ? null : Confinement.DataDirectory.Open(options.DataDir, quota: new Confinement.WriteQuota(options.DataDirQuota));
        Images = new Confinement.ImageDirectories(Files, options.ImageDirs.Select(d => Confinement.DataDirectory.Open(d, readOnly: true)).ToList());
        HasImageDirs = options.ImageDirs.Count > 0;
        Name = options.Name ?? description.Name;
        Uuid = options.Uuid ?? description.Uuid ?? "00000000-0000-0000-0000-000000000000";
        Cpus = options.Cpus ?? description.Cpus ?? 1;
        MaxCpus = Math.Max(Cpus, options.MaxCpus ?? description.MaxCpus ?? Cpus);
        RamSize = options.MemoryBytes ?? description.Memory ?? 128 * MiB;
        MemorySlots = description.MemorySlots ?? 0;
        MaxMemory = description.MaxMemory ?? RamSize;
        Kvm = description.Kvm ?? true;
        BalloonPresent = description.Balloon ?? true;
        BalloonActual = RamSize;
        RunState = options.StartPaused ? "prelaunch" : "running";
        Display.VncEnabled = description.Vnc ?? true;
        Display.SpiceEnabled = description.Spice ?? true;
        for (var i = 0; i < Cpus; i++)
        {
            OnlineCpus.Add(i);
        }

        foreach (var d in description.Drives ?? [])
        {
            AddDrive(CreateDrive(d));
        }

        if (Launch is not null)
        {
            // The images' allocated sizes as the command line read them (the 2.1 description has only virtual sizes).
            foreach (var image in _drives.SelectMany(d => d.Image?.Chain() ?? []))
            {
                if (image.NodeName is { } node && Launch.FindNode(node) is { } config)
                {
                    image.ActualSize = config.ActualSize > 0 ? config.ActualSize : config.File is { } file ? Launch.FindNode(file)?.ActualSize ?? 0 : 0;
                }
            }

            var monitorChardevs = Launch.Monitors.Select(m => m.Chardev).ToHashSet(StringComparer.Ordinal);
            foreach (var chardev in Launch.Chardevs)
            {
                var monitor = monitorChardevs.Contains(chardev.Id);
                Chardevs[chardev.Id] = new Chardev
                {
                    Id = chardev.Id,
                    Backend = chardev.Backend,
                    Filename = CommandLine.LaunchMachine.ChardevFilename(chardev, connected: monitor),
                    Ring = chardev.Backend is "ringbuf" or "memory" ? new RingBuffer((int)Math.Min(OptionSize(chardev), 1 << 20)) : null,
                    Busy = monitor,
                };
            }
        }

        foreach (var image in description.Images ?? [])
        {
            VirtualFiles[image.Filename] = image;
        }

        var slot = 0;
        foreach (var builtin in new[] { "i440FX", "PIIX3", "piix3-ide", "PIIX4_PM", "VGA" })
        {
            Devices.Add(new Device { Driver = builtin, BuiltIn = true, Index = NextDeviceIndex(peripheral: false), PciSlot = builtin is "piix3-ide" or "PIIX4_PM" ? 1 : slot++, PciFunction = builtin == "piix3-ide" ? 1 : builtin == "PIIX4_PM" ? 3 : 0 });
        }

        foreach (var nic in description.Nics ?? [])
        {
            var netdev = nic.Netdev ?? "hub0port0";
            Nics.Add(new Nic { Id = nic.Id, Model = nic.Model, Mac = nic.Mac ?? $"52:54:00:12:34:{0x56 + Nics.Count:x2}", Netdev = netdev });
            if (!Netdevs.ContainsKey(netdev))
            {
                Netdevs[netdev] = new Netdev { Id = netdev, Type = nic.Netdev is null ? "hubport" : "user" };
            }

            Devices.Add(new Device { Driver = nic.Model, Id = nic.Id, PciSlot = NextPciSlot(), BuiltIn = true });
        }

        if (BalloonPresent && Launch is null)
        {
            Devices.Add(new Device { Driver = "virtio-balloon-pci", Id = "balloon0", PciSlot = NextPciSlot(), BuiltIn = true });
        }

        foreach (var device in description.Devices ?? [])
        {
            Devices.Add(new Device
            {
                Driver = device.Driver,
                Id = device.Id,
                Index = device.Id is null ? NextDeviceIndex(peripheral: true) : 0,
                Properties = device.Properties ?? [],
                PciSlot = Catalog.IsPci(device.Driver) ? NextPciSlot() : -1,
                BuiltIn = false,
            });
        }

        foreach (var c in description.Chardevs ?? [])
        {
            Chardevs[c.Id] = new Chardev
            {
                Id = c.Id,
                Backend = c.Backend,
                Filename = c.Backend switch { "pty" => "pty:/dev/pts/0", "socket" => "disconnected:unix:" + c.Path + ",server", _ => c.Backend },
                Ring = c.Backend is "ringbuf" or "memory" ? new RingBuffer((int)(c.Size ?? 65536)) : null,
                Busy = c.Id is "serial0" or "monitor" or "parallel0",
            };
        }
    }

    /// <summary>The ringbuf size of a command line's chardev (QEMU's default 64 KiB).</summary>
    private static long OptionSize(CommandLine.ChardevConfiguration chardev) =>
        chardev.Options.TryGetValue("size", out var size) && long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 65536;

    /// <summary>The QEMU 7.2 command line the machine was built from, or null (a machine description's).</summary>
    internal CommandLine.LaunchConfiguration? Launch { get; }

    /// <summary>The lock that guards all state.</summary>
    internal Lock Gate { get; } = new();

    internal TimeProvider Time { get; }
    internal string? DataDir { get; }

    /// <summary>The data dir's handle: every file a command reads or writes goes through it.</summary>
    internal Confinement.DataDirectory? Files { get; }

    /// <summary>Where existing images are read from: the data dir, then each <c>--image-dir</c>.</summary>
    internal Confinement.ImageDirectories Images { get; }

    /// <summary>Whether <c>--image-dir</c> was given (images are then confined, with or without a data dir).</summary>
    internal bool HasImageDirs { get; }
    internal QmpServer? Server { get; set; }
    internal Action? QuitRequested { get; set; }

    internal string RunState { get; set; }
    internal string? Name { get; }
    internal string Uuid { get; }
    internal int Cpus { get; }
    internal int MaxCpus { get; }
    internal SortedSet<int> OnlineCpus { get; } = [];
    internal long RamSize { get; }
    internal int MemorySlots { get; }
    internal long MaxMemory { get; }
    internal bool Kvm { get; }
    internal bool BalloonPresent { get; }
    internal long BalloonActual { get; set; }
    internal int NmiCount { get; set; }
    internal bool XenDirtyLog { get; set; }

    private List<Drive> _drives = [];
    private Dictionary<string, Drive>? _drivesById;

    /// <summary>The drives in creation order; add and remove them with <see cref="AddDrive"/> and <see cref="RemoveDrive"/>, which keep the index by id.</summary>
    internal IReadOnlyList<Drive> Drives => _drives;

    internal void AddDrive(Drive drive)
    {
        _drives.Add(drive);
        _drivesById = null;
    }

    internal void RemoveDrive(string id)
    {
        foreach (var drive in _drives.Where(d => d.Id == id))
        {
            Release(drive.Retained);
        }

        _drives.RemoveAll(d => d.Id == id);
        _drivesById = null;
    }

    /// <summary>The first drive named <paramref name="id"/>: an index rebuilt after a change, so a transaction's actions each look it up in O(1).</summary>
    internal Drive? FindDrive(string id)
    {
        if (_drivesById is null)
        {
            _drivesById = new Dictionary<string, Drive>(StringComparer.Ordinal);
            foreach (var drive in _drives)
            {
                _drivesById.TryAdd(drive.Id, drive);
            }
        }

        return _drivesById.GetValueOrDefault(id);
    }

    internal Dictionary<string, BlockJob> Jobs { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>The block nodes QMP added (blockdev-add) and the jobs of QEMU's job API (the 7.2 persona's).</summary>
    internal BlockGraph Blockdev { get; } = new();
    internal Dictionary<string, ImageDescription> VirtualFiles { get; private set; } = new(StringComparer.Ordinal);
    internal List<Nic> Nics { get; } = [];
    internal Dictionary<string, Netdev> Netdevs { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, Chardev> Chardevs { get; } = new(StringComparer.Ordinal);
    internal List<Device> Devices { get; } = [];
    internal Dictionary<string, QomObject> Objects { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, Dictionary<string, JsonElement>> QomValues { get; } = new(StringComparer.Ordinal);
    internal Dictionary<long, FdSet> FdSets { get; } = [];
    internal MigrationState Migration { get; } = new();
    internal Dictionary<string, bool> MigrationCapabilities { get; } = new(StringComparer.Ordinal)
    {
        ["xbzrle"] = false,
        ["rdma-pin-all"] = false,
        ["auto-converge"] = false,
        ["zero-blocks"] = false,
    };
    internal long MigrationCacheSize { get; set; } = 64 * MiB;
    internal long MigrationSpeed { get; set; } = 32 * MiB;
    internal double MigrationDowntime { get; set; } = 0.3;
    internal DisplayState Display { get; } = new();
    internal List<(string Device, string Slot, string SlotType, long Source, long Status)> AcpiOst { get; } = [];

    /// <summary>
    /// Bytes of client state the machine keeps (<see cref="EmulatorLimits.MaxRetainedBytes"/>): charged by
    /// <see cref="Retain"/> when a command adds something, given back by <see cref="Release"/> when it goes.
    /// What the machine description built is not counted, except its snapshots (which clients may delete).
    /// </summary>
    internal long RetainedBytes { get; private set; }

    /// <summary>Charges <paramref name="bytes"/> of client state, or refuses when the machine would pass its budget.</summary>
    internal long Retain(long bytes)
    {
        CheckRoom(bytes);
        RetainedBytes += bytes;
        return bytes;
    }

    /// <summary>Refuses, as <see cref="Retain"/> would, when <paramref name="bytes"/> more would pass the budget; charges nothing.</summary>
    internal void CheckRoom(long bytes)
    {
        if (bytes > EmulatorLimits.MaxRetainedBytes - RetainedBytes)
        {
            throw QmpException.Generic($"The emulator already holds {RetainedBytes} bytes of client state (ids, names, properties, ring buffers, snapshots); {bytes} more would pass the most it may hold, {EmulatorLimits.MaxRetainedBytes}");
        }
    }

    internal void Release(long bytes) => RetainedBytes -= bytes;

    /// <summary>What an entry naming these texts counts: their UTF-8 bytes and <see cref="EmulatorLimits.RetainedEntryBytes"/>.</summary>
    internal static long RetainedCost(params ReadOnlySpan<string?> texts)
    {
        long bytes = EmulatorLimits.RetainedEntryBytes;
        foreach (var text in texts)
        {
            bytes += text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);
        }

        return bytes;
    }

    /// <summary>What properties count: each name and its JSON text.</summary>
    internal static long RetainedCost(IReadOnlyDictionary<string, JsonElement> properties)
    {
        long bytes = 0;
        foreach (var (name, value) in properties)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(name) + System.Text.Encoding.UTF8.GetByteCount(value.GetRawText());
        }

        return bytes;
    }

    /// <summary>Refuses before a target is made when remembering its name would pass the budget (so no file is left behind by a refusal).</summary>
    internal void CheckRoomForVirtualFile(string filename)
    {
        if (!VirtualFiles.ContainsKey(filename))
        {
            CheckRoom(RetainedCost(filename));
        }
    }

    /// <summary>
    /// Remembers a file the machine made (a backup, mirror or snapshot target), so that a later
    /// <c>mode: existing</c> finds it; a name not seen before is charged as client state (without a data
    /// dir nothing bounds these names otherwise), a name made again costs nothing more.
    /// </summary>
    internal void AddVirtualFile(ImageDescription file)
    {
        if (!VirtualFiles.ContainsKey(file.Filename))
        {
            Retain(RetainedCost(file.Filename));
        }

        VirtualFiles[file.Filename] = file;
    }

    /// <summary>An internal snapshot's charge: its name and the entry.</summary>
    internal static long RetainedCost(InternalSnapshot snapshot) => RetainedCost(snapshot.Name);

    /// <summary>Forgets the <c>qom-set</c> values of <paramref name="path"/> (its device or object is gone), giving back their bytes.</summary>
    internal void RemoveQomValues(string path)
    {
        if (QomValues.Remove(path, out var values))
        {
            foreach (var (name, value) in values)
            {
                Release(RetainedCost(path, name, value.GetRawText()));
            }
        }
    }

    /// <summary>The current run state, as <c>query-status</c> reports it.</summary>
    public string Status
    {
        get
        {
            lock (Gate)
            {
                return RunState;
            }
        }
    }

    /// <summary>The run states only a reset leaves (qemu_system_reset then pauses the machine, as QEMU's runstate table says).</summary>
    internal static bool NeedsReset(string runState) => runState is "internal-error" or "shutdown" or "guest-panicked";

    /// <summary>
    /// The run state after <c>system_reset</c> (each persona sends its own RESET first): a machine that needed the reset
    /// is paused, a suspended guest runs again, any other state stays. Called under <see cref="Gate"/>.
    /// </summary>
    internal void ResetRunState()
    {
        if (NeedsReset(RunState))
        {
            RunState = "paused";
        }
        else if (RunState == "suspended")
        {
            RunState = "running";
        }
    }

    /// <summary>The guest suspends to RAM (S3): <c>suspended</c>, SUSPEND; <c>system_wakeup</c> resumes it.</summary>
    public void GuestSuspend()
    {
        lock (Gate)
        {
            if (RunState == "running")
            {
                RunState = "suspended";
                Emit(s => s.EmitSuspend());
            }
        }
    }

    /// <summary>The guest panics: <c>guest-panicked</c>, GUEST_PANICKED {action: pause}.</summary>
    public void GuestPanic()
    {
        lock (Gate)
        {
            RunState = "guest-panicked";
            Emit(s => s.EmitGuestPanicked("pause"));
        }
    }

    /// <summary>The guest locks or unlocks a removable drive's tray.</summary>
    public void GuestLockTray(string device, bool locked)
    {
        lock (Gate)
        {
            var drive = Drives.FirstOrDefault(d => d.Id == device) ?? throw new ArgumentException($"no drive {device}", nameof(device));
            drive.Locked = locked;
        }
    }

    internal Drive CreateDrive(DriveDescription d)
    {
        BlockImage? image = null;
        if (d.File is not null)
        {
            image = new BlockImage
            {
                Filename = d.File,
                Format = d.Format,
                VirtualSize = d.Size,
                ActualSize = Math.Min(d.Size, 200 * MiB),
                Encrypted = d.Encrypted,
                Password = d.Password,
                NodeName = d.NodeName,
            };
            var below = image;
            foreach (var b in d.Backing ?? [])
            {
                below.Backing = new BlockImage { Filename = b.Filename, Format = b.Format, VirtualSize = b.Size, ActualSize = Math.Min(b.Size, 200 * MiB), NodeName = b.NodeName, ReadOnly = b.ReadOnly };
                below = below.Backing;
            }

            var n = 0;
            foreach (var name in d.Snapshots ?? [])
            {
                n++;
                var snapshot = new InternalSnapshot(n.ToString(System.Globalization.CultureInfo.InvariantCulture), name, 0, 1_400_000_000 + n, 0, n, 0);
                image.Snapshots = image.Snapshots.Add(snapshot);

                // Counted (unchecked) so that deleting one gives back what it charged.
                RetainedBytes += RetainedCost(snapshot);
            }
        }

        var removable = d.Removable ?? d.Media is "cdrom" or "floppy" or "sd";
        return new Drive
        {
            Id = d.Id,
            Media = d.Media,
            Removable = removable,
            Locked = d.Locked,
            ReadOnly = d.ReadOnly || d.Media == "cdrom",
            Image = image,
        };
    }

    private int _unattachedDevices;
    private int _anonymousDevices;

    /// <summary>The next <c>device[N]</c> of /machine/unattached (built with the machine) or /machine/peripheral-anon (device_add).</summary>
    internal int NextDeviceIndex(bool peripheral) => peripheral ? _anonymousDevices++ : _unattachedDevices++;

    internal int NextPciSlot()
    {
        var slot = 0;
        while (Devices.Any(d => d.PciSlot == slot))
        {
            slot++;
        }

        return slot;
    }

    /// <summary>
    /// Emits an event QEMU raises for the command itself: STOP (do_vm_stop), RESUME (vm_start),
    /// DEVICE_TRAY_MOVED (the tray callback), and RESET, POWERDOWN, WAKEUP and quit's SHUTDOWN, which
    /// QEMU 7.2's main loop raises while the command's dispatch waits. Every client gets it before the
    /// command's reply, as from QEMU 7.2 (QEMU 2.1 sent the main-loop ones after the reply).
    /// </summary>
    internal void EmitNow(Action<QmpServer> emit)
    {
        if (_deferring)
        {
            _deferred.Add(emit);
            return;
        }

        if (Server is { } server)
        {
            emit(server);
        }
    }

    /// <summary>
    /// Emits an event a job or the guest raises: at commit time inside a transaction; during a command,
    /// once the command's reply is queued (the guest reacts later than the command returns); otherwise
    /// (a job or the guest on the clock) now. Events QEMU raises for the command itself go through
    /// <see cref="EmitNow"/>.
    /// </summary>
    internal void Emit(Action<QmpServer> emit)
    {
        if (_deferring)
        {
            _deferred.Add(emit);
            return;
        }

        if (Server is { } server)
        {
            if (QmpSession.Current is { } session)
            {
                session.AfterReply(() => emit(server));
            }
            else
            {
                emit(server);
            }
        }
    }

    /// <summary>QEMU 2.1 sends these at most once a second; the last one of a burst is kept.</summary>
    internal static readonly IReadOnlySet<string> s_throttledEvents = new HashSet<string>(StringComparer.Ordinal)
    {
        "RTC_CHANGE", "WATCHDOG", "BALLOON_CHANGE", "QUORUM_REPORT_BAD", "QUORUM_FAILURE", "VSERPORT_CHANGE",
    };

    internal static readonly TimeSpan s_throttleInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, EventThrottle> _throttles = new(StringComparer.Ordinal);

    /// <summary>
    /// Emits an event the way QEMU 2.1's monitor_protocol_event_throttle does for the events it
    /// rate-limits: the first goes out at once; one that comes within a second of the last one sent
    /// waits for the second to end, and a later one replaces it, so a burst ends with its final state.
    /// <paramref name="key"/> tells apart the throttle's instances (VSERPORT_CHANGE's id), else the name.
    /// </summary>
    internal void Emit(string name, Action<QmpServer> emit, string? key = null)
    {
        if (!s_throttledEvents.Contains(name))
        {
            Emit(emit);
            return;
        }

        key = key is null ? name : name + "/" + key;
        lock (_throttles)
        {
            if (!_throttles.TryGetValue(key, out var throttle))
            {
                _throttles[key] = throttle = new EventThrottle();
            }

            var now = Time.GetUtcNow();
            if (throttle.Pending is not null)
            {
                throttle.Pending = emit;
                return;
            }

            if (throttle.LastSent is { } last && now - last < s_throttleInterval)
            {
                throttle.Pending = emit;
                // The timer's callback is nobody's command: it must not inherit this one's session.
                using (ExecutionContext.SuppressFlow())
                {
                    throttle.Timer = Time.CreateTimer(_ => SendPending(throttle), null, last + s_throttleInterval - now, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            throttle.LastSent = now;
        }

        Emit(emit);
    }

    private void SendPending(EventThrottle throttle)
    {
        Action<QmpServer>? emit;
        lock (_throttles)
        {
            emit = throttle.Pending;
            throttle.Pending = null;
            throttle.LastSent = Time.GetUtcNow();
            throttle.Timer?.Dispose();
            throttle.Timer = null;
        }

        if (emit is not null && Server is { } server)
        {
            emit(server);
        }
    }

    private sealed class EventThrottle
    {
        public DateTimeOffset? LastSent { get; set; }

        public Action<QmpServer>? Pending { get; set; }

        public ITimer? Timer { get; set; }
    }

    /// <summary>Runs <paramref name="body"/> all or nothing: on an exception the block state is restored and no event is sent.</summary>
    internal void Atomically(Action body)
    {
        var drives = Drives.Select(d => d.Clone()).ToList();
        var jobs = Jobs.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal);
        var files = new Dictionary<string, ImageDescription>(VirtualFiles, StringComparer.Ordinal);
        var retained = RetainedBytes;
        _deferring = true;
        try
        {
            body();
        }
        catch
        {
            _drives = drives;
            _drivesById = null;
            Jobs = jobs;
            VirtualFiles = files;
            RetainedBytes = retained;
            _deferred.Clear();
            throw;
        }
        finally
        {
            _deferring = false;
        }

        var events = _deferred.ToList();
        _deferred.Clear();
        foreach (var e in events)
        {
            Emit(e);
        }
    }

    internal long Milliseconds(long fromTimestamp) => (long)Time.GetElapsedTime(fromTimestamp).TotalMilliseconds;

    /// <summary>Guest RAM contents: a deterministic pattern (emulated memory is never written by QMP).</summary>
    public static byte MemoryByte(long address) => (byte)((address >> 12) ^ address ^ 0x5a);

    internal static void FillMemory(long address, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = MemoryByte(address + i);
        }
    }
}
