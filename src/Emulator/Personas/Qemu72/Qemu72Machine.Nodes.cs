using System.Text.Json;
using System.Text.Json.Nodes;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using static Qmp.Emulator.QemuMachine;
using Qemu21 = Qmp.Emulator.Qemu;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// Block commands beside the graph and its jobs (Qemu72Machine.Block.cs, .Jobs.cs): throttling, resizing, dirty
/// bitmaps, internal snapshots and NBD exports. Each finds its backend or node as QEMU 7.2 does, with its words; what
/// the emulator does not model on a node that exists says so.
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>The dirty bitmaps of each node by name; a bitmap here only counts (the guest writes nothing).</summary>
    private readonly Dictionary<BlockImage, Dictionary<string, DirtyBitmap>> _bitmaps = new(ReferenceEqualityComparer.Instance);

    private sealed class DirtyBitmap
    {
        public bool Enabled { get; set; } = true;

        public long Retained { get; init; }

        /// <summary>Bytes per bit: as given, else QEMU's default for these images (their 64 KiB clusters, or 64 KiB).</summary>
        public long Granularity { get; init; } = 65536;

        public bool Persistent { get; init; }
    }

    /// <summary>QEMU's qmp_get_blk: a BlockBackend by drive name or by its device's id.</summary>
    private Drive FindBackend(string? device, string? id)
    {
        if ((device is null) == (id is null))
        {
            throw QmpException.Generic("Need exactly one of 'device' and 'id'");
        }

        if (id is not null)
        {
            // find_device_state: an id is a path below /machine/peripheral (or one from the root); blk_by_dev: a virtio PCI
            // disk's drive is its virtio-backend child's, the proxy has none.
            const string Backend = "/virtio-backend";
            var path = DevicePath(id);
            var proxy = path.EndsWith(Backend, StringComparison.Ordinal) ? path[..^Backend.Length] : null;
            var plugged = Vm.Devices.FirstOrDefault(d => d.Id is not null && "/machine/peripheral/" + d.Id == (proxy ?? path));
            var virtio = plugged is not null && plugged.Driver.StartsWith("virtio-", StringComparison.Ordinal) && plugged.Driver.EndsWith("-pci", StringComparison.Ordinal);
            if (plugged is null || (proxy is not null && !virtio))
            {
                throw DeviceNotFound(id);
            }

            var attached = virtio != (proxy is not null) ? null
                : plugged.Properties.TryGetValue("drive", out var drive) && drive.ValueKind == JsonValueKind.String ? drive.GetString()
                : path; // an empty CD-ROM's drive is known by its device's path
            return Vm.Drives.FirstOrDefault(d => d.Id == attached) ?? throw QmpException.Generic("Device does not have a block device backend");
        }

        return NamedDrive(device!) ?? throw DeviceNotFound(device!);
    }

    /// <summary>
    /// blk_by_name: the drive of that name. A drive of the command line's devices has none (QEMU's anonymous BlockBackend:
    /// its medium is a -blockdev node, or it is an empty CD-ROM); the persona knows it by its node's name or device's path.
    /// </summary>
    private Drive? NamedDrive(string name) => Vm.Drives.FirstOrDefault(d => d.Id == name && DriveName(d).Length > 0);

    /// <summary>blk_name: a drive's name as query-block and events give it, "" for a command line device's drive.</summary>
    private string DriveName(Drive drive) => Vm.Launch is { } launch && (launch.FindNode(drive.Id) is not null || drive.Id.StartsWith('/')) ? "" : drive.Id;

    /// <summary>QEMU's bdrv_lookup_bs: a drive's medium by its name, else a node by its node name.</summary>
    private BlockImage FindDeviceOrNode(string? device, string? nodeName) =>
        (device is null ? null : NamedDrive(device)?.Image)
        ?? (nodeName is null ? null : FindNode(nodeName))
        ?? throw QmpException.Generic($"Cannot find device='{device}' nor node-name='{nodeName}'");

    public override ValueTask BlockSetIoThrottleAsync(BlockSetIoThrottleArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        string device;
        lock (Gate)
        {
            var drive = FindBackend(arguments.Device, arguments.Id);
            if (drive.Image is null)
            {
                throw QmpException.Generic("Device has no medium");
            }

            device = drive.Id;
        }

        // The limits and their checks are the shared machine's.
        var a = arguments;
        return _services.BlockSetIoThrottleAsync(
            new Qemu21.BlockSetIoThrottleArguments
            {
                Device = device,
                Bps = a.Bps,
                BpsRd = a.BpsRd,
                BpsWr = a.BpsWr,
                Iops = a.Iops,
                IopsRd = a.IopsRd,
                IopsWr = a.IopsWr,
                BpsMax = a.BpsMax,
                BpsRdMax = a.BpsRdMax,
                BpsWrMax = a.BpsWrMax,
                IopsMax = a.IopsMax,
                IopsRdMax = a.IopsRdMax,
                IopsWrMax = a.IopsWrMax,
                IopsSize = a.IopsSize,
            },
            session,
            cancellationToken);
    }

    /// <summary>Latency histograms: the emulator's disks take no time, so setting the boundaries changes nothing visible.</summary>
    public override ValueTask BlockLatencyHistogramSetAsync(BlockLatencyHistogramSetArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBackend(null, arguments.Id);
        }

        return Done();
    }

    /// <summary>QEMU 7.2's BDRV_MAX_LENGTH: the largest size a node may have, INT64_MAX aligned down to 1 GiB.</summary>
    private const long MaxNodeLength = long.MaxValue & ~((1L << 30) - 1);

    /// <summary>
    /// A node's new virtual size, checked as QEMU 7.2's qmp_block_resize and bdrv_co_truncate check it. The emulator
    /// writes nothing (QEMU grows a raw file): the size is the machine's, and reaches the disk only through a later
    /// copy or creation, which the emulator's image bounds cap (docs/security.md).
    /// </summary>
    public override ValueTask BlockResizeAsync(BlockResizeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = FindDeviceOrNode(arguments.Device, arguments.NodeName);
            var size = arguments.Size;
            if (size < 0)
            {
                throw QmpException.Generic("Parameter 'size' expects a >0 size");
            }

            // bdrv_op_is_blocked(RESIZE): a job holding the node refuses with QERR_DEVICE_IN_USE, which names the
            // device argument and so reads "(null)" (glibc's printf of a null string) when a node name was given.
            if (Vm.Blockdev.Jobs.Any(j => Active(j) && j.Holds(node)))
            {
                throw QmpException.Generic($"Device '{arguments.Device ?? "(null)"}' is in use");
            }

            if (node.ReadOnly)
            {
                throw QmpException.Generic("Image is read-only");
            }

            if (size > MaxNodeLength)
            {
                throw QmpException.Generic(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"offset({size}) exceeds maximum({MaxNodeLength})"));
            }

            if (node.Format == "qcow2" && size % 512 != 0)
            {
                throw QmpException.Generic("The new size must be a multiple of 512");
            }

            node.VirtualSize = size;
        }

        return Done();
    }

    public override ValueTask BlockdevSnapshotSyncAsync(BlockdevSnapshotSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(arguments.Device, arguments.NodeName);
        }

        return _services.BlockdevSnapshotSyncAsync(
            new Qemu21.BlockdevSnapshotSyncArguments { Device = arguments.Device, NodeName = arguments.NodeName, SnapshotFile = arguments.SnapshotFile, SnapshotNodeName = arguments.SnapshotNodeName, Format = arguments.Format, Mode = arguments.Mode?.Value },
            session,
            cancellationToken);
    }

    public override ValueTask ChangeBackingFileAsync(ChangeBackingFileArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(arguments.Device, arguments.Device);
        }

        throw NotModelled("rewriting a backing file name");
    }

    /// <summary>The graph as QEMU's debugging command draws it: each drive's BlockBackend and every node, with their children.</summary>
    public override ValueTask<XDebugQueryBlockGraphResult> XDebugQueryBlockGraphAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var ids = new Dictionary<object, long>(ReferenceEqualityComparer.Instance);
            var nodes = new List<XDebugQueryBlockGraphResultNodes>();
            var edges = new List<XDebugQueryBlockGraphResultEdges>();
            long Id(object o, string type, string name)
            {
                if (!ids.TryGetValue(o, out var id))
                {
                    ids[o] = id = ids.Count + 1;
                    nodes.Add(new XDebugQueryBlockGraphResultNodes { Id = id, Type = new XDebugQueryBlockGraphResultNodesType(type), Name = name });
                }

                return id;
            }

            void Edge(long parent, long child, string name) =>
                edges.Add(new XDebugQueryBlockGraphResultEdges { Parent = parent, Child = child, Name = name, Perm = [], SharedPerm = [] });

            foreach (var drive in Vm.Drives.Where(d => d.Image is not null))
            {
                Edge(Id(drive, "block-backend", drive.Id), Id(drive.Image!, "block-driver", NodeName(drive.Image!)), "root");
            }

            foreach (var (_, image) in BlockNodes())
            {
                var id = Id(image, "block-driver", NodeName(image));
                if (image.Backing is { } backing)
                {
                    Edge(id, Id(backing, "block-driver", NodeName(backing)), "backing");
                }

                if (ProtocolNode(image) is { } file)
                {
                    Edge(id, Id(file, "block-driver", NodeName(file)), "file");
                }
            }

            return Done(new XDebugQueryBlockGraphResult { Nodes = nodes, Edges = edges });
        }
    }

    // Dirty bitmaps.

    /// <summary>QEMU 7.2's qmp_block_dirty_bitmap_add and bdrv_create_dirty_bitmap: their checks, order and words.</summary>
    public override ValueTask BlockDirtyBitmapAddAsync(BlockDirtyBitmapAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments.Name.Length == 0)
        {
            throw QmpException.Generic("Bitmap name cannot be empty");
        }

        lock (Gate)
        {
            var node = FindDeviceOrNode(arguments.Node, arguments.Node);

            // A uint32: the reader refuses anything past 2^32 - 1.
            if (arguments.Granularity is { } granularity && (granularity < 512 || (granularity & (granularity - 1)) != 0))
            {
                throw QmpException.Generic("Granularity must be power of 2 and at least 512");
            }

            var bitmaps = _bitmaps.TryGetValue(node, out var existing) ? existing : _bitmaps[node] = new(StringComparer.Ordinal);
            if (bitmaps.ContainsKey(arguments.Name))
            {
                throw QmpException.Generic($"Bitmap already exists: {arguments.Name}");
            }

            // BDRV_BITMAP_MAX_NAME_SIZE: 1023 bytes.
            if (System.Text.Encoding.UTF8.GetByteCount(arguments.Name) > 1023)
            {
                throw QmpException.Generic($"Bitmap name too long: {arguments.Name}");
            }

            // Charged to the machine's client-state budget, released with the bitmap.
            bitmaps[arguments.Name] = new DirtyBitmap
            {
                Enabled = arguments.Disabled != true,
                Granularity = arguments.Granularity ?? 65536,
                Persistent = arguments.Persistent == true,
                Retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Name)),
            };
        }

        return Done();
    }

    /// <summary>A node's bitmaps as query-named-block-nodes lists them, newest first (nothing is ever dirty); null for none.</summary>
    private List<QueryNamedBlockNodesResultDirtyBitmaps>? DirtyBitmapInfo(BlockImage node) =>
        _bitmaps.GetValueOrDefault(node) is { Count: > 0 } bitmaps
            ? [.. bitmaps.Reverse().Select(b => new QueryNamedBlockNodesResultDirtyBitmaps
            {
                Name = b.Key,
                Count = 0,
                Granularity = b.Value.Granularity,
                Recording = b.Value.Enabled,
                Busy = false,
                Persistent = b.Value.Persistent,
            })]
            : null;

    /// <summary>
    /// QEMU frees a node's dirty bitmaps with the node: once no list or chain reaches a node, its bitmaps go and give
    /// back what they were charged.
    /// </summary>
    private void DropBitmapsOfGoneNodes()
    {
        if (_bitmaps.Count == 0)
        {
            return;
        }

        var live = new HashSet<BlockImage>(GraphNodes(), ReferenceEqualityComparer.Instance);
        foreach (var node in _bitmaps.Keys.Where(n => !live.Contains(n)).ToList())
        {
            foreach (var bitmap in _bitmaps[node].Values)
            {
                Vm.Release(bitmap.Retained);
            }

            _bitmaps.Remove(node);
        }
    }

    public override ValueTask BlockDirtyBitmapRemoveAsync(BlockDirtyBitmapRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var (node, bitmap) = FindBitmap(arguments.Node, arguments.Name);
            _bitmaps[node].Remove(arguments.Name);
            Vm.Release(bitmap.Retained);
        }

        return Done();
    }

    /// <summary>Nothing is ever dirty: clearing changes nothing.</summary>
    public override ValueTask BlockDirtyBitmapClearAsync(BlockDirtyBitmapRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBitmap(arguments.Node, arguments.Name);
        }

        return Done();
    }

    public override ValueTask BlockDirtyBitmapEnableAsync(BlockDirtyBitmapRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBitmap(arguments.Node, arguments.Name).Bitmap.Enabled = true;
        }

        return Done();
    }

    public override ValueTask BlockDirtyBitmapDisableAsync(BlockDirtyBitmapRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBitmap(arguments.Node, arguments.Name).Bitmap.Enabled = false;
        }

        return Done();
    }

    public override ValueTask BlockDirtyBitmapMergeAsync(BlockDirtyBitmapMergeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBitmap(arguments.Node, arguments.Target);
            foreach (var source in arguments.Bitmaps)
            {
                if (source.Object is { } other)
                {
                    FindBitmap(other.Node, other.Name);
                }
                else
                {
                    FindBitmap(arguments.Node, source.String!);
                }
            }
        }

        return Done();
    }

    /// <summary>The bits themselves are not modelled (no guest writes them).</summary>
    public override ValueTask<XDebugBlockDirtyBitmapSha256Result> XDebugBlockDirtyBitmapSha256Async(BlockDirtyBitmapRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindBitmap(arguments.Node, arguments.Name);
        }

        throw NotModelled("the bits of a dirty bitmap");
    }

    /// <summary>QEMU's block_dirty_bitmap_lookup: the node by name, then its bitmap, in QEMU's words.</summary>
    private (BlockImage Node, DirtyBitmap Bitmap) FindBitmap(string nodeName, string name)
    {
        var node = Vm.Drives.FirstOrDefault(d => d.Id == nodeName)?.Image ?? FindNode(nodeName) ?? throw QmpException.Generic($"Node '{nodeName}' not found");
        return _bitmaps.GetValueOrDefault(node)?.GetValueOrDefault(name) is { } bitmap ? (node, bitmap) : throw QmpException.Generic($"Dirty bitmap '{name}' not found");
    }

    // Node options and placement.
    public override ValueTask BlockdevReopenAsync(BlockdevReopenArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            foreach (var options in arguments.Options)
            {
                var name = options.NodeName ?? throw QmpException.Generic("node-name not specified");
                if (FindNode(name) is null)
                {
                    throw QmpException.Generic($"Cannot find node named '{name}'");
                }
            }
        }

        throw NotModelled("reopening a node with new options");
    }

    public override ValueTask XBlockdevAmendAsync(XBlockdevAmendArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(null, arguments.NodeName);
        }

        throw NotModelled("amending an image's options");
    }

    /// <summary>The threshold is kept per node as QEMU keeps it; the guest writes nothing, so it never fires.</summary>
    public override ValueTask BlockSetWriteThresholdAsync(BlockSetWriteThresholdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _ = FindNode(arguments.NodeName) ?? throw QmpException.Generic($"Device '{arguments.NodeName}' not found");
        }

        return Done();
    }

    public override ValueTask XBlockdevChangeAsync(XBlockdevChangeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(arguments.Parent, arguments.Parent);
        }

        throw NotModelled("adding or removing a quorum child");
    }

    public override ValueTask XBlockdevSetIothreadAsync(XBlockdevSetIothreadArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _ = FindNode(arguments.NodeName) ?? throw QmpException.Generic($"Failed to find node with node-name='{arguments.NodeName}'");
        }

        throw NotModelled("moving a node to another iothread");
    }

    // Internal snapshots: the shared machine's, once 7.2 has found the device.
    public override ValueTask BlockdevSnapshotInternalSyncAsync(BlockdevSnapshotInternalSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(arguments.Device, arguments.Device);
        }

        return _services.BlockdevSnapshotInternalSyncAsync(new Qemu21.BlockdevSnapshotInternalSyncArguments { Device = arguments.Device, Name = arguments.Name }, session, cancellationToken);
    }

    public override async ValueTask<BlockdevSnapshotDeleteInternalSyncResult> BlockdevSnapshotDeleteInternalSyncAsync(BlockdevSnapshotDeleteInternalSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            FindDeviceOrNode(arguments.Device, arguments.Device);
        }

        var deleted = await _services.BlockdevSnapshotDeleteInternalSyncAsync(
            new Qemu21.BlockdevSnapshotDeleteInternalSyncArguments { Device = arguments.Device, Id = arguments.Id, Name = arguments.Name }, session, cancellationToken).ConfigureAwait(false);
        return Read(AsJson(deleted, Qemu21.BlockdevSnapshotDeleteInternalSyncResult.Write), BlockdevSnapshotDeleteInternalSyncResult.Read);
    }

    // NBD: the shared machine's server (it listens and greets); the exports are the persona's, by id as 7.2 keeps them.

    /// <summary>Block exports (block-export-add, nbd-server-add), newest first as QEMU lists them, each charged to the client-state budget.</summary>
    private readonly List<BlockExport> _exports = [];

    private sealed record BlockExport(string Id, string Name, BlockImage Node, long Retained);

    public override ValueTask NbdServerStartAsync(NbdServerStartArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var addr = AsJson(arguments.Addr, NbdServerStartArgumentsAddr.Write);
        var request = new JsonObject { ["addr"] = JsonNode.Parse(addr.GetRawText()) };
        return _services.NbdServerStartAsync(Parse(request.ToJsonString(), Qemu21.NbdServerStartArguments.Read), session, cancellationToken);
    }

    /// <summary>QEMU 7.2's qmp_nbd_server_add: the device or node, then an export whose id and name are <c>name</c> (the device by default).</summary>
    public override ValueTask NbdServerAddAsync(NbdServerAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = FindDeviceOrNode(arguments.Device, arguments.Device);
            var name = arguments.Name ?? arguments.Device;

            // nbd-server-add quietly exports a read-only node read-only.
            Export(name, NodeName(node), node.ReadOnly ? false : arguments.Writable, name);
        }

        return Done();
    }

    public override ValueTask BlockExportAddAsync(BlockExportAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var type = arguments.Type.Value;
            if (type != "nbd")
            {
                // QEMU 7.2 has vhost-user-blk and FUSE exports (a socket server, a mount): not modelled, once found.
                CheckExportId(arguments.Id);
                _ = FindNode(arguments.NodeName) ?? throw QmpException.Generic($"Cannot find device='' nor node-name='{arguments.NodeName}'");
                throw NotModelled($"{type} exports");
            }

            var members = AsJson(arguments, BlockExportAddArguments.Write);
            var name = members.TryGetProperty("name", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString()! : arguments.NodeName;
            Export(arguments.Id, arguments.NodeName, arguments.Writable, name);
        }

        return Done();
    }

    /// <summary>QEMU 7.2's blk_exp_add and nbd_export_create, their checks in their order. Under the machine lock.</summary>
    private void Export(string id, string nodeName, bool? writable, string name)
    {
        CheckExportId(id);
        var node = FindNode(nodeName) ?? throw QmpException.Generic($"Cannot find device='' nor node-name='{nodeName}'");
        if (writable == true && node.ReadOnly)
        {
            throw QmpException.Generic("Cannot export read-only node as writable");
        }

        if (_services.NbdEndPoint is null)
        {
            throw QmpException.Generic("NBD server not running");
        }

        // NBD_MAX_STRING_SIZE: an export name is at most 4096 bytes.
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 4096)
        {
            throw QmpException.Generic($"export name '{name}' too long");
        }

        if (_exports.Any(e => e.Name == name))
        {
            throw QmpException.Generic($"NBD server already has export named '{name}'");
        }

        _exports.Insert(0, new BlockExport(id, name, node, Vm.Retain(VirtualMachine.RetainedCost(id, name))));
    }

    private void CheckExportId(string id)
    {
        if (!QemuMachine.IsWellFormedId(id))
        {
            throw QmpException.Generic("Invalid block export id");
        }

        if (_exports.Any(e => e.Id == id))
        {
            throw QmpException.Generic($"Block export id '{id}' is already in use");
        }
    }

    public override ValueTask NbdServerRemoveAsync(NbdServerRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken) => Unexport(arguments.Name);

    public override ValueTask BlockExportDelAsync(BlockExportDelArguments arguments, QmpSession session, CancellationToken cancellationToken) => Unexport(arguments.Id);

    private ValueTask Unexport(string id)
    {
        lock (Gate)
        {
            var export = _exports.Find(e => e.Id == id) ?? throw QmpException.Generic($"Export '{id}' is not found");
            Remove(export);
        }

        return Done();
    }

    /// <summary>Stopping the server ends every NBD export, as QEMU 7.2's nbd_server_stop does.</summary>
    public override async ValueTask NbdServerStopAsync(QmpSession session, CancellationToken cancellationToken)
    {
        if (_services.NbdEndPoint is null)
        {
            throw QmpException.Generic("NBD server not running");
        }

        await _services.NbdServerStopAsync(session, cancellationToken).ConfigureAwait(false);
        lock (Gate)
        {
            foreach (var export in _exports.ToList())
            {
                Remove(export);
            }
        }
    }

    /// <summary>An export ends: BLOCK_EXPORT_DELETED before the reply, as QEMU 7.2 sends it when no client holds the export.</summary>
    private void Remove(BlockExport export)
    {
        _exports.Remove(export);
        Vm.Release(export.Retained);
        Vm.EmitNow(s => s.EmitBlockExportDeleted(export.Id));
    }

    public override ValueTask<IReadOnlyList<QueryBlockExportsResult>> QueryBlockExportsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryBlockExportsResult>>([.. _exports.Select(e => new QueryBlockExportsResult
            {
                Id = e.Id,
                Type = new BlockExportAddArgumentsType("nbd"),
                NodeName = NodeName(e.Node),
                ShuttingDown = false,
            })]);
        }
    }
}
