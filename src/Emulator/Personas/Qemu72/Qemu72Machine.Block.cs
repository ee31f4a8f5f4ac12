using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Qmp.Emulator.CommandLine;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using static Qmp.Emulator.QemuMachine;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// The block graph as QMP changes it (what libvirt 9.0 sends for an external snapshot and a block copy,
/// libvirt-notes.md): <c>blockdev-add</c> of <c>file</c>, <c>qcow2</c> and <c>raw</c> nodes, <c>blockdev-del</c>,
/// <c>blockdev-create</c> writing a real qcow2 image (a job: Qemu72Machine.Jobs.cs), and <c>blockdev-snapshot</c>
/// alone or in a <c>transaction</c>. Nodes live in <see cref="BlockGraph"/> beside the drives' chains; files are
/// opened by the rules of <see cref="QmpImageFiles"/>. Errors are QEMU 7.2's words.
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>QEMU's node names are at most 31 characters (BlockDriverState.node_name[32]).</summary>
    private const int MaxNodeName = 31;

    /// <summary>How much of a qcow2 file is read for its header and backing file name (both lie in the first cluster).</summary>
    private const int Qcow2HeaderBytes = 64 * 1024;

    private QmpImageFiles? _files;


    private QmpImageFiles Files => _files ??= QmpImageFiles.For(Vm);

    public override ValueTask BlockdevAddAsync(BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var options = AsJson(arguments, BlockdevAddArguments.Write);
        lock (Gate)
        {
            var name = CheckNewNodeName(OptionValues.GetString(options, "node-name"));
            var node = OpenNode(options, name);
            _retainedNodes[node] = Vm.Retain(VirtualMachine.RetainedCost(name, node.Filename));
            Vm.Blockdev.Nodes.Add(node);
            Created(node);
        }

        return Done();
    }

    private readonly Dictionary<BlockImage, long> _retainedNodes = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A -blockdev node that no -device takes and no other node sits on is still QEMU's: the monitor owns it until
    /// blockdev-del, query-named-block-nodes lists it and commands find it by name (an export of a machine that has
    /// no disk, as a storage daemon would make). Its children come with it.
    /// </summary>
    private void AddUnattachedLaunchNodes()
    {
        if (Vm.Launch is not { } launch)
        {
            return;
        }

        var below = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in launch.BlockNodes)
        {
            if (node.File is { } file)
            {
                below.Add(file);
            }

            if (OptionValues.GetString(node.Options, "backing") is { } backing)
            {
                below.Add(backing);
            }
        }

        var attached = GraphNodes().Select(n => n.NodeName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var node in launch.BlockNodes)
        {
            if (!below.Contains(node.NodeName) && !attached.Contains(node.NodeName))
            {
                Vm.Blockdev.Nodes.Add(LaunchImage(launch, node));
            }
        }
    }

    /// <summary>A command line node as an image, with its backing chain (its file child is found by <see cref="ProtocolNode"/>).</summary>
    private static BlockImage LaunchImage(LaunchConfiguration launch, BlockNodeConfiguration node)
    {
        BlockImage? top = null, above = null;
        foreach (var n in (IEnumerable<BlockNodeConfiguration>)[node, .. LaunchMachine.Chain(launch, node)])
        {
            var filename = LaunchMachine.FileOf(launch, n) ?? n.NodeName;
            var image = n.File is null ? ProtocolImage(n, filename)
                : new BlockImage { Filename = filename, Format = n.Driver, VirtualSize = n.VirtualSize, ActualSize = n.ActualSize, NodeName = n.NodeName };
            image.ReadOnly = n.ReadOnly;
            top ??= image;
            if (above is not null)
            {
                above.Backing = image;
            }

            above = image;
        }

        return top!;
    }

    /// <summary>When each node QMP made was made (blockdev-add's, blockdev-change-medium's unnamed ones): QEMU lists nodes newest first.</summary>
    private readonly Dictionary<BlockImage, long> _createdAt = new(ReferenceEqualityComparer.Instance);

    private long _nodesCreated;

    private void Created(BlockImage node) => _createdAt[node] = _nodesCreated++;

    /// <summary>A node name QEMU would take for a new node, or its error.</summary>
    private string CheckNewNodeName(string? name)
    {
        if (name is null)
        {
            throw QmpException.Generic("'node-name' must be specified for the root node");
        }

        if (!OptionText.IsIdentifier(name))
        {
            throw QmpException.Generic($"Invalid node-name: '{name}'");
        }

        if (name.Length > MaxNodeName)
        {
            throw QmpException.Generic("Node name too long");
        }

        if (FindNode(name) is not null)
        {
            throw QmpException.Generic($"Duplicate nodes with node-name='{name}'");
        }

        if (NamedDrive(name) is not null)
        {
            throw QmpException.Generic($"node-name={name} is conflicting with a device id");
        }

        return name;
    }

    private BlockImage OpenNode(JsonElement options, string name)
    {
        var driver = OptionValues.GetString(options, "driver")!;
        var readOnly = OptionValues.GetBool(options, "read-only") ?? false;
        return driver switch
        {
            "file" => OpenFileNode(OptionValues.GetString(options, "filename")!, name, readOnly),
            "qcow2" or "raw" => OpenFormatNode(options, driver, name, readOnly),
            _ => throw QmpException.Generic($"The emulator opens block nodes of the drivers file, qcow2 and raw, not '{driver}'"),
        };
    }

    private BlockImage OpenFileNode(string filename, string name, bool readOnly)
    {
        var length = Guard(filename, () => Files.Length(filename));
        return new BlockImage { Filename = filename, Format = "file", VirtualSize = SectorLength(length), ActualSize = length, NodeName = name, ReadOnly = readOnly };
    }

    private BlockImage OpenFormatNode(JsonElement options, string driver, string name, bool readOnly)
    {
        var file = ChildNode(options, "file") ?? throw QmpException.Generic("A block device must be specified for \"file\"");
        var image = new BlockImage { Filename = file.Filename, Format = driver, NodeName = name, File = file, ActualSize = file.ActualSize, ReadOnly = readOnly };
        if (driver == "raw")
        {
            image.VirtualSize = file.VirtualSize;
            return image;
        }

        var header = Guard(file.Filename, () => Files.Head(file.Filename, Qcow2HeaderBytes));
        image.VirtualSize = Qcow2Header.VirtualSize(header, out var refusal) ?? throw QmpException.Generic(refusal);
        (image.HeaderBackingFile, image.HeaderBackingFormat) = Qcow2Backing(header);

        // "backing": null opens none and a node name puts that node under it. Without the member QEMU would open the
        // header's backing file; the emulator leaves the chain as the client builds it.
        if (options.TryGetProperty("backing", out var backing) && backing.ValueKind == JsonValueKind.String)
        {
            image.Backing = ChildNode(options, "backing");
            QemuMachine.CheckChainDepth(name, image.Depth);
        }

        return image;
    }

    /// <summary>The backing file name (header bytes 8-19) and the backing format extension (0xe2792aca) of a qcow2 header.</summary>
    private static (string? File, string? Format) Qcow2Backing(byte[] header)
    {
        string? file = null, format = null;
        var offset = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
        var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        if (offset > 0 && size > 0 && offset + size <= (ulong)header.Length)
        {
            file = Encoding.UTF8.GetString(header, (int)offset, (int)size);
        }

        // Header extensions follow the header: version 3 says its length, version 2's is 72 bytes.
        var at = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) >= 3 && header.Length >= 104 ? (long)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(100)) : 72;
        while (at + 8 <= header.Length)
        {
            var type = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan((int)at));
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan((int)at + 4));
            if (type == 0 || at + 8 + length > header.Length)
            {
                break;
            }

            if (type == 0xe2792aca)
            {
                format = Encoding.UTF8.GetString(header, (int)at + 8, (int)length);
            }

            at += 8 + ((length + 7) & ~7L);
        }

        return (file, format);
    }

    /// <summary>The node a member names (a reference; an inline definition is refused), or null when absent.</summary>
    private BlockImage? ChildNode(JsonElement options, string member)
    {
        if (!options.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw QmpException.Generic($"The emulator takes \"{member}\" as a node name, not a definition");
        }

        var reference = value.GetString()!;
        return FindNode(reference) ?? throw QmpException.Generic($"Cannot find device='{reference}' nor node-name='{reference}'");
    }

    /// <summary>A file operation, with QEMU's <c>Could not open 'NAME': REASON</c> when it fails.</summary>
    private static T Guard<T>(string filename, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (IOException e)
        {
            throw FileError("open", filename, e);
        }
    }

    /// <summary>The node by that name: one QMP added, one of a drive's chain, or a command line's protocol node.</summary>
    private BlockImage? FindNode(string name)
    {
        foreach (var image in GraphNodes())
        {
            if (image.NodeName == name)
            {
                return image;
            }
        }

        return null;
    }

    /// <summary>
    /// Every node once, in no particular order (<see cref="BlockNodes"/> gives QEMU's order, at a sort's cost): each
    /// drive's chain and each node QMP added, through backing and file children. One pass, so a lookup costs the
    /// graph's size and a client's thousand blockdev-adds cost a thousand passes, not a thousand sorts.
    /// </summary>
    private IEnumerable<BlockImage> GraphNodes()
    {
        var seen = new HashSet<BlockImage>(ReferenceEqualityComparer.Instance);
        foreach (var top in Vm.Drives.Select(d => d.Image).OfType<BlockImage>().Concat(Vm.Blockdev.Nodes))
        {
            for (var image = top; image is not null && seen.Add(image); image = image.Backing)
            {
                yield return image;
                if (ProtocolNode(image) is { } file && seen.Add(file))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>
    /// Runs a change of the graph (a pivot, a commit, a medium removed) and keeps each node of the command line that
    /// leaves every chain: QEMU's monitor owns a -blockdev node until blockdev-del (<paramref name="deleted"/>), so it stays
    /// a node of its own, with its backing, listed where the command line put it. Nodes QMP added are listed anyway; a
    /// -drive's own nodes go, and a node that goes takes its dirty bitmaps with it.
    /// </summary>
    private void ChangeGraph(Action change, BlockImage? deleted = null)
    {
        var launched = Vm.Launch is { } launch ? GraphNodes().Where(n => n != deleted && n.NodeName is { } name && launch.FindNode(name) is not null).ToList() : [];
        change();
        KeepLaunchedNodes(launched);
        DropBitmapsOfGoneNodes();
    }

    private void KeepLaunchedNodes(List<BlockImage> launched)
    {
        if (launched.Count == 0)
        {
            return;
        }

        var reachable = new HashSet<BlockImage>(GraphNodes(), ReferenceEqualityComparer.Instance);
        foreach (var node in launched)
        {
            if (!reachable.Contains(node))
            {
                Vm.Blockdev.Nodes.Add(node);
                foreach (var below in node.Chain())
                {
                    reachable.Add(below);
                    if (ProtocolNode(below) is { } file)
                    {
                        reachable.Add(file);
                    }
                }
            }
        }
    }

    public override ValueTask BlockdevDelAsync(BlockdevDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = FindNode(arguments.NodeName) ?? throw QmpException.Generic($"Failed to find node with node-name='{arguments.NodeName}'");
            // A device's, a job's or an export's BlockBackend on it (bdrv_has_blk), else another node's reference to it.
            if (Vm.Drives.Any(d => d.Image == node) || Vm.Blockdev.Jobs.Any(j => Active(j) && j.Holds(node)) || _exports.Any(e => e.Node == node))
            {
                throw QmpException.Generic($"Node {arguments.NodeName} is in use");
            }

            if (!Vm.Blockdev.Nodes.Contains(node) || InUse(node))
            {
                throw QmpException.Generic($"Block device {arguments.NodeName} is in use");
            }

            // The command line's file node under it stays the monitor's.
            ChangeGraph(() => Vm.Blockdev.Nodes.Remove(node), deleted: node);
            _createdAt.Remove(node);
            if (_retainedNodes.Remove(node, out var retained))
            {
                Vm.Release(retained);
            }
        }

        return Done();
    }

    /// <summary>Whether another node sits on it (file or backing), a drive's chain holds it, or a job uses it.</summary>
    private bool InUse(BlockImage node) =>
        GraphNodes().Any(n => n.File == node || n.Backing == node)
        || Vm.Drives.Any(d => d.Image?.Chain().Contains(node) == true)
        || Vm.Blockdev.Jobs.Any(j => Active(j) && j.Holds(node));

    /// <summary>Whether a job still holds its nodes (until it concludes).</summary>
    private static bool Active(Job job) => job.Status is not ("concluded" or "null");

    public override ValueTask BlockdevSnapshotAsync(BlockdevSnapshotArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Snapshot(PrepareSnapshot(arguments.Node, arguments.Overlay));
        }

        return Done();
    }

    /// <summary>
    /// <c>transaction</c>: every action is checked before any is applied, so it is all or nothing as QEMU's. The
    /// emulator's actions are <c>blockdev-snapshot</c> (libvirt's external snapshot); others are refused whole.
    /// </summary>
    public override ValueTask TransactionAsync(TransactionArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        EmulatorLimits.CheckTransactionActions(arguments.Actions.Count);
        lock (Gate)
        {
            var prepared = new List<(Drive, BlockImage, BlockImage)>();
            foreach (var action in arguments.Actions)
            {
                var json = AsJson(action, TransactionArgumentsActions.Write);
                var type = OptionValues.GetString(json, "type");
                if (type != "blockdev-snapshot")
                {
                    throw QmpException.Generic($"The emulator's transaction takes blockdev-snapshot actions, not '{type}'");
                }

                var data = json.GetProperty("data");
                var snapshot = PrepareSnapshot(OptionValues.GetString(data, "node")!, OptionValues.GetString(data, "overlay")!);
                if (prepared.Any(p => p.Item2 == snapshot.Item2 || p.Item3 == snapshot.Item3))
                {
                    throw QmpException.Generic($"Node '{OptionValues.GetString(data, "node")}' is busy: block device is in use by another operation");
                }

                prepared.Add(snapshot);
            }

            foreach (var snapshot in prepared)
            {
                Snapshot(snapshot);
            }
        }

        return Done();
    }

    /// <summary>blockdev-snapshot's checks (external_snapshot_prepare): the node is a drive's top, the overlay a free node without backing.</summary>
    private (Drive, BlockImage, BlockImage) PrepareSnapshot(string nodeName, string overlayName)
    {
        var node = FindNode(nodeName) ?? throw QmpException.Generic($"Cannot find device='{nodeName}' nor node-name='{nodeName}'");
        var overlay = FindNode(overlayName) ?? throw QmpException.Generic($"Cannot find device='{overlayName}' nor node-name='{overlayName}'");
        var drive = Vm.Drives.FirstOrDefault(d => d.Image == node) ?? throw QmpException.Generic($"Node '{nodeName}' is not attached to a device; the emulator snapshots a drive's top node");
        if (overlay.Format == "file")
        {
            throw QmpException.Generic($"The overlay '{overlayName}' does not support backing images");
        }

        if (Vm.Drives.Any(d => d.Image?.Chain().Contains(overlay) == true) || InUse(overlay))
        {
            throw QmpException.Generic($"The overlay '{overlayName}' is already in use");
        }

        if (overlay.Backing is not null)
        {
            throw QmpException.Generic($"The overlay '{overlayName}' already has a backing image");
        }

        QemuMachine.CheckChainDepth(drive, node.Depth + 1);
        return (drive, node, overlay);
    }

    /// <summary>The overlay goes on top of the drive, the old node below it, read-only from now on.</summary>
    private static void Snapshot((Drive Drive, BlockImage Node, BlockImage Overlay) snapshot)
    {
        snapshot.Overlay.Backing = snapshot.Node;
        snapshot.Node.ReadOnly = true;
        snapshot.Drive.Image = snapshot.Overlay;
    }

    /// <summary>
    /// What blockdev-create writes: qcow2 (a header, refcounts and L1 as qemu-img 7.2 lays them out, with the backing
    /// file and its format) or file (a sparse file of the size) into the file node's file, by <see cref="QmpImageFiles"/>'
    /// rules. The file node then reports the new length.
    /// </summary>
    private void CreateImage(JsonElement options, BlockImage file, long size)
    {
        var driver = OptionValues.GetString(options, "driver")!;
        var backingFile = OptionValues.GetString(options, "backing-file");
        var backing = driver != "qcow2" || backingFile is null ? null : new BlockImage { Filename = backingFile, Format = OptionValues.GetString(options, "backing-fmt") ?? "raw" };
        file.ActualSize = WriteImage(file.Filename, driver, size, backing);
        file.VirtualSize = SectorLength(file.ActualSize);
    }

    /// <summary>
    /// Writes a new image of <paramref name="format"/> (qcow2 over <paramref name="backing"/>, or raw: a sparse file)
    /// by <see cref="QmpImageFiles"/>' rules, with QEMU's <c>Could not create</c> words; gives the file's length.
    /// </summary>
    private long WriteImage(string filename, string format, long size, BlockImage? backing)
    {
        QemuMachine.CheckCreatableSize(filename, size);
        byte[] bytes = [];
        if (format == "qcow2")
        {
            if (backing is not null && Encoding.UTF8.GetByteCount(backing.Filename) > 1023)
            {
                throw QmpException.Generic("Backing file name too long");
            }

            bytes = QemuMachine.Qcow2Image(size, backing);
        }

        var length = format == "qcow2" ? bytes.Length : size;
        try
        {
            Files.Write(filename, bytes, length);
        }
        catch (IOException e)
        {
            throw FileError("create", filename, e);
        }

        return length;
    }
}
