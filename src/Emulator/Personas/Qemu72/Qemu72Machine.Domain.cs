using System.Globalization;
using System.Text.Json;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// What libvirt 9.0 asks of a running domain, at start and on every reconnect (libvirt-notes.md "Starting a
/// domain", "Every later verb"): answered from the shared machine state in QEMU 7.2's reply shapes.
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>The vCPUs' QOM type: <c>-cpu MODEL</c>'s (QEMU 7.2's default for the pc machines is qemu64).</summary>
    private string CpuType => (Vm.Launch?.CpuModel.Split(',')[0] ?? "qemu64") + "-x86_64-cpu";

    /// <summary>The migration capabilities in QEMU 7.2's order (the recorded list); their state is the machine's.</summary>
    private IReadOnlyList<string> MigrationCapabilityNames { get; set; } = [];

    /// <summary>Seeds the machine's migration capabilities with 7.2's (all off, as recorded).</summary>
    private void InitMigrationCapabilities()
    {
        var names = new List<string>();
        foreach (var capability in Catalogue.Exchanges("query-migrate-capabilities")[0].Return!.Value.EnumerateArray())
        {
            var name = capability.GetProperty("capability").GetString()!;
            names.Add(name);
            Vm.MigrationCapabilities.TryAdd(name, capability.GetProperty("state").GetBoolean());
        }

        MigrationCapabilityNames = names;
    }

    public override ValueTask<IReadOnlyList<QueryMigrateCapabilitiesResult>> QueryMigrateCapabilitiesAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryMigrateCapabilitiesResult>>([.. MigrationCapabilityNames.Select(n => new QueryMigrateCapabilitiesResult
            {
                Capability = new QueryMigrateCapabilitiesResultCapability(n),
                State = Vm.MigrationCapabilities.GetValueOrDefault(n),
            })]);
        }
    }

    public override ValueTask MigrateSetCapabilitiesAsync(MigrateSetCapabilitiesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (Vm.Migration.Status is "setup" or "active")
            {
                throw QmpException.Generic("There's a migration process in progress");
            }

            foreach (var capability in arguments.Capabilities)
            {
                Vm.MigrationCapabilities[capability.Capability.Value] = capability.State;
            }
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<QueryChardevResult>> QueryChardevAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryChardevResult>>([.. Vm.Chardevs.Values.Select(c => new QueryChardevResult { Label = c.Id, Filename = c.Filename, FrontendOpen = c.Busy })]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryHotpluggableCpusResult>> QueryHotpluggableCpusAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU lists the possible CPUs highest socket first; a plugged one names its QOM path.
            return Done<IReadOnlyList<QueryHotpluggableCpusResult>>([.. Enumerable.Range(0, Vm.MaxCpus).Reverse().Select(i => new QueryHotpluggableCpusResult
            {
                Type = CpuType,
                VcpusCount = 1,
                Props = CpuProps(i),
                QomPath = Vm.OnlineCpus.Contains(i) ? CpuPath(i) : null,
            })]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryCpusFastResult>> QueryCpusFastAsync(QmpSession session, CancellationToken cancellationToken)
    {
        var threads = ThreadIds();
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryCpusFastResult>>([.. Vm.OnlineCpus.Select(i => new QueryCpusFastResult.X8664
            {
                CpuIndex = i,
                QomPath = CpuPath(i),
                ThreadId = threads[i % threads.Count],
                Props = CpuProps(i),
            })]);
        }
    }

    public override ValueTask<IReadOnlyList<QomListResult>> QomListAsync(QomListArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Path == "/machine/peripheral")
            {
                return Done<IReadOnlyList<QomListResult>>([
                    new QomListResult { Name = "type", Type = "string" },
                    .. Vm.Devices.Where(d => d.Id is not null).Select(d => new QomListResult { Name = d.Id!, Type = $"child<{d.Driver}>" }),
                ]);
            }

            if (CpuAt(arguments.Path) is not null)
            {
                return Done<IReadOnlyList<QomListResult>>([
                    new QomListResult { Name = "type", Type = "string" },
                    new QomListResult { Name = "realized", Type = "bool" },
                    new QomListResult { Name = "unavailable-features", Type = "strList" },
                    new QomListResult { Name = "filtered-features", Type = "X86CPUFeatureWordInfo" },
                ]);
            }

            throw QemuMachine.DeviceNotFound(arguments.Path);
        }
    }

    public override ValueTask<JsonElement> QomGetAsync(QomGetArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (CpuAt(arguments.Path) is null)
            {
                throw QemuMachine.DeviceNotFound(arguments.Path);
            }

            // TCG's qemu64 model lacks nothing it asks for.
            return Done(arguments.Property switch
            {
                "type" => JsonSerializer.SerializeToElement(CpuType, EmulatorJsonContext.Default.String),
                "realized" => JsonSerializer.SerializeToElement(true, EmulatorJsonContext.Default.Boolean),
                "unavailable-features" or "filtered-features" => JsonSerializer.SerializeToElement(Array.Empty<string>(), EmulatorJsonContext.Default.StringArray),
                _ => throw QmpException.Generic($"Property '{CpuType}.{arguments.Property}' not found"),
            });
        }
    }

    public override ValueTask<IReadOnlyList<QueryIothreadsResult>> QueryIothreadsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        var threads = ThreadIds();
        lock (Gate)
        {
            var n = 0;
            return Done<IReadOnlyList<QueryIothreadsResult>>([.. Vm.Objects.Values.Where(o => o.Type == "iothread").Select(o => new QueryIothreadsResult
            {
                Id = o.Id,
                ThreadId = threads[n++ % threads.Count],
                PollMaxNs = 32768,
                PollGrow = 0,
                PollShrink = 0,
                AioMaxBatch = 0,
            })]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryNamedBlockNodesResult>> QueryNamedBlockNodesAsync(QueryNamedBlockNodesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // Every node of the graph, backing nodes too (flat or not: the emulator keeps no implicit nodes).
            return Done<IReadOnlyList<QueryNamedBlockNodesResult>>([.. BlockNodes().Select(n => NodeInfo(n.Drive, n.Image, arguments.Flat == true))]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryBlockResult>> QueryBlockAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryBlockResult>>([.. Vm.Drives.Select(d => new QueryBlockResult
            {
                // A disk whose medium is a -blockdev node has no drive name: QEMU reports "" and the qdev path.
                Device = DriveName(d),
                Qdev = QdevOf(d),
                Type = "unknown",
                Removable = d.Removable,
                Locked = d.Locked,
                TrayOpen = d.Removable ? d.TrayOpen : null,
                IoStatus = new QueryBlockResultIoStatus(d.IoStatus),
                Inserted = d.Image is { } image ? NodeInfo(d, image) : null,
            })]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryBlockstatsResult>> QueryBlockstatsAsync(QueryBlockstatsArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.QueryNodes == true)
            {
                // Every node, oldest first (QEMU's bdrv_next_node), each with its file child's as "parent" and no backing.
                return Done<IReadOnlyList<QueryBlockstatsResult>>([.. BlockNodes().Reverse().Select(n => NodeStats(n.Image, n.Image == n.Drive?.Image ? n.Drive : null, blockLevel: false))]);
            }

            return Done<IReadOnlyList<QueryBlockstatsResult>>([.. Vm.Drives.Select(d => (d.Image is { } image ? NodeStats(image, d, blockLevel: true) : new QueryBlockstatsResult { Stats = Stats(d) }) with
            {
                Device = DriveName(d),
                Qdev = QdevOf(d),
            })]);
        }
    }

    /// <summary>A node's statistics as bdrv_query_bds_stats gives them: its file child's as <c>parent</c>, its backing's at the device level.</summary>
    private QueryBlockstatsResult NodeStats(BlockImage image, Drive? drive, bool blockLevel) => new()
    {
        NodeName = NodeName(image),
        Stats = Stats(drive),
        DriverSpecific = image.Format == "file" ? new QueryBlockstatsResultDriverSpecific.File { Data = new() { DiscardNbOk = 0, DiscardNbFailed = 0, DiscardBytesOk = 0 } } : null,
        Parent = ProtocolNode(image) is { } file ? NodeStats(file, null, blockLevel: false) : null,
        Backing = blockLevel && image.Backing is { } backing ? NodeStats(backing, null, blockLevel) : null,
    };

    /// <summary>TCG has no statistics provider (only KVM has): nothing, as QEMU 7.2 on TCG answers.</summary>
    public override ValueTask<IReadOnlyList<QueryStatsResult>> QueryStatsAsync(QueryStatsArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryStatsResult>>([]);

    public override ValueTask<IReadOnlyList<QueryStatsSchemasResult>> QueryStatsSchemasAsync(QueryStatsSchemasArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryStatsSchemasResult>>([]);

    /// <summary>
    /// The balloon of a <c>virtio-balloon-pci</c> device: the shared machine's. QEMU 7.2 looks for the device before it
    /// checks the size (2.1 the other way round): DeviceNotActive first without one.
    /// </summary>
    public override ValueTask BalloonAsync(BalloonArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.BalloonPresent || !Vm.Devices.Any(d => d.Driver == "virtio-balloon-pci"))
            {
                throw new QmpException(QmpErrorClass.DeviceNotActive, "No balloon device has been activated");
            }
        }

        return _services.BalloonAsync(new Qmp.Emulator.Qemu.BalloonArguments { Value = arguments.Value }, session, cancellationToken);
    }

    public override async ValueTask<QueryBalloonResult> QueryBalloonAsync(QmpSession session, CancellationToken cancellationToken) =>
        new() { Actual = (await _services.QueryBalloonAsync(session, cancellationToken).ConfigureAwait(false)).Actual };

    /// <summary>No dirty-rate measurement was ever started.</summary>
    public override ValueTask<QueryDirtyRateResult> QueryDirtyRateAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryDirtyRateResult
        {
            Status = new QueryDirtyRateResultStatus("unstarted"),
            StartTime = 0,
            CalcTime = 0,
            SamplePages = 0,
            Mode = new CalcDirtyRateArgumentsMode("page-sampling"),
        });

    public override ValueTask SystemPowerdownAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // POWERDOWN before the reply; a running guest answers the ACPI button by shutting down, later
            // (after the reply), and with -no-shutdown the VM stops in "shutdown". A machine from a QEMU command
            // line runs no guest code (its disks hold whatever the launcher gave): nothing answers the button,
            // as QEMU with a disk without an operating system (libvirt then keeps the domain running).
            Vm.EmitNow(s => s.EmitPowerdown());
            if (Vm.RunState == "running" && Vm.Launch is null)
            {
                Vm.RunState = "shutdown";
                Vm.Emit(s => s.EmitShutdown(true, ShutdownDataReason.GuestShutdown));
                Vm.Emit(s => s.EmitStop());
            }
        }

        return Done();
    }

    /// <summary>
    /// The block nodes this persona reports: each drive's image and its backing chain, with the drive the top
    /// node backs. The seam for the -blockdev graph of a launcher's command line, which will fill the same list.
    /// </summary>
    private IEnumerable<(Drive? Drive, BlockImage Image)> BlockNodes()
    {
        // Every node reachable from a drive or added by QMP, through backing and file children.
        var all = new List<(Drive? Drive, BlockImage Image)>();
        var seen = new HashSet<BlockImage>(ReferenceEqualityComparer.Instance);
        var roots = Vm.Drives.Where(d => d.Image is not null).Select(d => (Drive: (Drive?)d, Image: d.Image!)).Concat(Vm.Blockdev.Nodes.Select(n => (Drive: (Drive?)null, Image: n)));
        foreach (var (drive, top) in roots)
        {
            for (var image = top; image is not null && seen.Add(image); image = image.Backing)
            {
                all.Add((image == top ? drive : null, image));
                if (ProtocolNode(image) is { } file && seen.Add(file))
                {
                    all.Add((null, file));
                }
            }
        }

        // Newest first, as QEMU's list of named nodes: the command line's in its order, then QMP's in the order made.
        var launch = Vm.Launch?.BlockNodes ?? [];
        return all.OrderByDescending(n => _createdAt.TryGetValue(n.Image, out var at) ? launch.Length + at : LaunchIndex(launch, n.Image.NodeName));

        static int LaunchIndex(System.Collections.Immutable.ImmutableArray<CommandLine.BlockNodeConfiguration> launch, string? name)
        {
            for (var i = 0; i < launch.Length; i++)
            {
                if (launch[i].NodeName == name)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private readonly Dictionary<string, BlockImage> _protocolNodes = new(StringComparer.Ordinal);

    /// <summary>
    /// The protocol node a command line's format node sits on (<c>"file": "libvirt-1-storage"</c>): QEMU lists it
    /// as a node of its own, driver <c>file</c>, its size the host file's. Null for a node without one.
    /// </summary>
    private BlockImage? ProtocolNode(BlockImage image)
    {
        if (image.File is { } child)
        {
            return child;
        }

        if (Vm.Launch is not { } launch || image.NodeName is not { } name || launch.FindNode(name)?.File is not { } fileName
            || launch.FindNode(fileName) is not { } file)
        {
            return null;
        }

        if (!_protocolNodes.TryGetValue(fileName, out var node))
        {
            node = ProtocolImage(file, file.Filename ?? image.Filename);
            _protocolNodes[fileName] = node;
        }

        return node;
    }

    /// <summary>A command line's protocol node (<c>file</c>, <c>host_device</c>) as an image: its size is the host file's.</summary>
    private static BlockImage ProtocolImage(CommandLine.BlockNodeConfiguration file, string filename) => new()
    {
        Filename = filename,
        Format = file.Driver,
        VirtualSize = SectorLength(Math.Max(file.ActualSize, file.VirtualSize)),
        ActualSize = file.ActualSize,
        NodeName = file.NodeName,
    };

    /// <summary>A file node's size as QEMU reports it: the file's length rounded up to whole 512-byte sectors (bdrv_getlength).</summary>
    private static long SectorLength(long length) => (length + 511) & ~511L;

    /// <summary>A node's name; QEMU names a node nobody named <c>#blockNNN</c>.</summary>
    private string NodeName(BlockImage image)
    {
        if (image.NodeName is { } name)
        {
            return name;
        }

        var index = BlockNodes().Select(n => n.Image).TakeWhile(i => i != image).Count();
        return "#block" + (index + 1).ToString("D3", CultureInfo.InvariantCulture);
    }

    /// <summary>A node as bdrv_block_device_info describes it; <paramref name="flat"/> walks no backing chain (depth 0, no backing-image).</summary>
    private QueryNamedBlockNodesResult NodeInfo(Drive? drive, BlockImage image, bool flat = false)
    {
        var throttle = drive?.Throttle ?? default;
        var depth = 0;
        for (var below = flat ? null : image.Backing; below is not null; below = below.Backing)
        {
            depth++;
        }

        return new QueryNamedBlockNodesResult
        {
            File = image.Filename,
            NodeName = NodeName(image),
            Ro = drive?.ReadOnly ?? image.ReadOnly,
            Drv = image.Format,
            BackingFile = image.Backing?.Filename,
            BackingFileDepth = depth,
            Encrypted = image.Encrypted,
            DetectZeroes = new QueryNamedBlockNodesResultDetectZeroes(drive?.DetectZeroes ?? "off"),
            Bps = throttle.Bps,
            BpsRd = throttle.BpsRd,
            BpsWr = throttle.BpsWr,
            Iops = throttle.Iops,
            IopsRd = throttle.IopsRd,
            IopsWr = throttle.IopsWr,
            Image = ImageInfo(image, flat),
            DirtyBitmaps = DirtyBitmapInfo(image),
            Cache = new QueryNamedBlockNodesResultCache { Writeback = true, Direct = false, NoFlush = false },
            WriteThreshold = 0,
        };
    }

    private static QueryNamedBlockNodesResultImage ImageInfo(BlockImage image, bool flat = false) => new()
    {
        Filename = image.Filename,
        Format = image.Format,
        DirtyFlag = false,
        ActualSize = image.ActualSize,
        VirtualSize = image.VirtualSize,
        ClusterSize = image.Format == "qcow2" ? 65536 : null,
        BackingFilename = image.Backing?.Filename ?? image.HeaderBackingFile,
        FullBackingFilename = image.Backing?.Filename ?? image.HeaderBackingFile,
        BackingFilenameFormat = image.Backing?.Format ?? image.HeaderBackingFormat,
        FormatSpecific = image.Format == "qcow2" ? s_qcow2Specific : null,
        BackingImage = !flat && image.Backing is { } backing ? ImageInfo(backing) : null,
    };

    /// <summary>What QEMU 7.2 reports of a qcow2 v3 image as qemu-img 7.2 and the emulator write it.</summary>
    private static readonly QueryNamedBlockNodesResultImageFormatSpecific s_qcow2Specific = new QueryNamedBlockNodesResultImageFormatSpecific.Qcow2
    {
        Data = new()
        {
            Data = new()
            {
                Compat = "1.1",
                CompressionType = new BlockdevCreateArgumentsOptionsQcow2CompressionType("zlib"),
                LazyRefcounts = false,
                RefcountBits = 16,
                Corrupt = false,
                ExtendedL2 = false,
            },
        },
    };

    private static QueryBlockstatsResultStats Stats(Drive? drive) => new()
    {
        RdBytes = drive?.RdBytes ?? 0,
        WrBytes = drive?.WrBytes ?? 0,
        UnmapBytes = 0,
        RdOperations = drive?.RdOperations ?? 0,
        WrOperations = drive?.WrOperations ?? 0,
        FlushOperations = drive?.FlushOperations ?? 0,
        UnmapOperations = 0,
        RdTotalTimeNs = 0,
        WrTotalTimeNs = 0,
        FlushTotalTimeNs = 0,
        UnmapTotalTimeNs = 0,
        WrHighestOffset = drive?.WrHighestOffset ?? 0,
        RdMerged = 0,
        WrMerged = 0,
        UnmapMerged = 0,
        FailedRdOperations = 0,
        FailedWrOperations = 0,
        FailedFlushOperations = 0,
        FailedUnmapOperations = 0,
        InvalidRdOperations = 0,
        InvalidWrOperations = 0,
        InvalidFlushOperations = 0,
        InvalidUnmapOperations = 0,
        AccountInvalid = drive is not null,
        AccountFailed = drive is not null,
        TimedStats = [],
    };

    /// <summary>
    /// blk_get_attached_dev_id: the id of the device a drive is attached to, else its QOM path (a virtio disk's drive is
    /// its unnamed backend's), or null.
    /// </summary>
    private string? QdevOf(Drive drive)
    {
        if (Vm.Launch?.Devices.FirstOrDefault(d => (d.Drive ?? d.QomPath) == drive.Id) is { } configured)
        {
            return configured.BlockQdevPath != configured.QomPath ? configured.BlockQdevPath : configured.Id ?? configured.QomPath;
        }

        var device = Vm.Devices.FirstOrDefault(d => d.Id is not null
            && d.Properties.TryGetValue("drive", out var value) && value.ValueKind == JsonValueKind.String && value.GetString() == drive.Id);
        return device is null ? null : $"/machine/peripheral/{device.Id}" + (device.Driver.StartsWith("virtio-blk", StringComparison.Ordinal) ? "/virtio-backend" : "");
    }

    private static QueryCpusFastResultProps CpuProps(int index) => new() { CoreId = 0, ThreadId = 0, SocketId = index };

    /// <summary>QEMU's path of vCPU <paramref name="index"/>, built with the machine: /machine/unattached/device[N].</summary>
    private static string CpuPath(int index) => $"/machine/unattached/device[{index}]";

    private int? CpuAt(string path)
    {
        foreach (var cpu in Vm.OnlineCpus)
        {
            if (path == CpuPath(cpu))
            {
                return cpu;
            }
        }

        return null;
    }

    /// <summary>The process's real thread ids, main thread first (libvirt pins and reads /proc/PID/task/TID of these).</summary>
    private static List<long> ThreadIds()
    {
        var ids = new List<long>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (long.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    ids.Add(id);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        ids.Sort();
        return ids.Count > 0 ? ids : [Environment.ProcessId];
    }
}
