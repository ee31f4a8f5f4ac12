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
            var attached = Vm.Devices.FirstOrDefault(d => d.Id == id) is { } plugged
                && plugged.Properties.TryGetValue("drive", out var drive) && drive.ValueKind == JsonValueKind.String ? drive.GetString()
                : Vm.Launch?.Devices.FirstOrDefault(d => d.Id == id)?.Drive;
            if (attached is null)
            {
                throw Vm.Devices.Any(d => d.Id == id) || Vm.Launch?.Devices.Any(d => d.Id == id) == true
                    ? QmpException.Generic("Device does not have a block device backend")
                    : new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{id}' not found");
            }

            return Vm.Drives.FirstOrDefault(d => d.Id == attached) ?? throw QmpException.Generic("Device does not have a block device backend");
        }

        return Vm.Drives.FirstOrDefault(d => d.Id == device) ?? throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{device}' not found");
    }

    /// <summary>QEMU's bdrv_lookup_bs: a drive's medium by its name, else a node by its node name.</summary>
    private BlockImage FindDeviceOrNode(string? device, string? nodeName) =>
        (device is null ? null : Vm.Drives.FirstOrDefault(d => d.Id == device)?.Image)
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

    /// <summary>A node's new virtual size (the image file keeps its header; the size is the machine's).</summary>
    public override ValueTask BlockResizeAsync(BlockResizeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = FindDeviceOrNode(arguments.Device, arguments.NodeName);
            if (arguments.Size < 0)
            {
                throw QmpException.Generic("Parameter 'size' expects a >0 size");
            }

            node.VirtualSize = arguments.Size;
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
    public override ValueTask BlockDirtyBitmapAddAsync(BlockDirtyBitmapAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = FindDeviceOrNode(arguments.Node, arguments.Node);
            if (arguments.Granularity is { } granularity && (granularity < 512 || granularity > (1L << 31) || (granularity & (granularity - 1)) != 0))
            {
                throw QmpException.Generic("Granularity must be power of 2 between 512 and 2^31");
            }

            var bitmaps = _bitmaps.TryGetValue(node, out var existing) ? existing : _bitmaps[node] = new(StringComparer.Ordinal);
            if (bitmaps.ContainsKey(arguments.Name))
            {
                throw QmpException.Generic($"Bitmap already exists: {arguments.Name}");
            }

            // Charged to the machine's client-state budget, released with the bitmap.
            bitmaps[arguments.Name] = new DirtyBitmap { Enabled = arguments.Disabled != true, Retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Name)) };
        }

        return Done();
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

    // NBD: the shared machine's server; an export is a drive's medium under the drive's name.
    public override ValueTask NbdServerStartAsync(NbdServerStartArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var addr = AsJson(arguments.Addr, NbdServerStartArgumentsAddr.Write);
        var request = new JsonObject { ["addr"] = JsonNode.Parse(addr.GetRawText()) };
        return _services.NbdServerStartAsync(Parse(request.ToJsonString(), Qemu21.NbdServerStartArguments.Read), session, cancellationToken);
    }

    public override ValueTask NbdServerAddAsync(NbdServerAddArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Export(arguments.Device, arguments.Device, arguments.Writable, session, cancellationToken);

    public override ValueTask BlockExportAddAsync(BlockExportAddArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        arguments.Type.Value == "nbd" ? Export(null, arguments.NodeName, arguments.Writable, session, cancellationToken) : throw QmpException.Generic($"Invalid parameter '{arguments.Type.Value}'");

    private ValueTask Export(string? device, string nodeName, bool? writable, QmpSession session, CancellationToken cancellationToken)
    {
        string drive;
        lock (Gate)
        {
            var node = FindDeviceOrNode(device, nodeName);
            if (_services.NbdEndPoint is null)
            {
                throw QmpException.Generic("NBD server not running");
            }

            drive = Vm.Drives.FirstOrDefault(d => d.Image == node)?.Id ?? throw NotModelled("exporting a node no drive uses");
        }

        return _services.NbdServerAddAsync(new Qemu21.NbdServerAddArguments { Device = drive, Writable = writable }, session, cancellationToken);
    }

    public override ValueTask NbdServerRemoveAsync(NbdServerRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken) => Unexport(arguments.Name);

    public override ValueTask BlockExportDelAsync(BlockExportDelArguments arguments, QmpSession session, CancellationToken cancellationToken) => Unexport(arguments.Id);

    private ValueTask Unexport(string name)
    {
        lock (Gate)
        {
            var drive = Vm.Drives.FirstOrDefault(d => d.Exported && d.Id == name) ?? throw QmpException.Generic($"Export '{name}' is not found");
            drive.Exported = false;
        }

        return Done();
    }

    public override ValueTask NbdServerStopAsync(QmpSession session, CancellationToken cancellationToken)
    {
        if (_services.NbdEndPoint is null)
        {
            throw QmpException.Generic("NBD server not running");
        }

        return _services.NbdServerStopAsync(session, cancellationToken);
    }

    public override ValueTask<IReadOnlyList<QueryBlockExportsResult>> QueryBlockExportsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryBlockExportsResult>>([.. Vm.Drives.Where(d => d.Exported && d.Image is not null).Select(d => new QueryBlockExportsResult
            {
                Id = d.Id,
                Type = new BlockExportAddArgumentsType("nbd"),
                NodeName = NodeName(d.Image!),
                ShuttingDown = false,
            })]);
        }
    }
}
