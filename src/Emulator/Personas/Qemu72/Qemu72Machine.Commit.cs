using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// QEMU 7.2's <c>block-commit</c> and <c>block-stream</c> on the persona's block graph, with blockdev.c's checks in
/// their order and words. A commit of the active layer runs as a mirror into the base (ready, BLOCK_JOB_READY, then
/// job-complete pivots the drive to the base; a soft cancel leaves it); a commit of an intermediate layer and a stream
/// complete on their own (waiting, pending, BLOCK_JOB_COMPLETED, concluded) and then drop the nodes they merged from
/// the chain: the overlay of the commit's top, or the streamed node, backs onto the base. The nodes dropped stay
/// nodes of their own while the monitor owns them (QMP's or the command line's), as QEMU's. The emulator's images
/// hold no written clusters, so nothing is copied and no file is written (QEMU would also rewrite the overlay's
/// backing file name in its header; the persona reports the new name).
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask BlockCommitAsync(BlockCommitArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var root = CommitRoot(a.Device);
            CheckNotBlocked(root);

            // The active layer unless the client names another.
            var top = root;
            if (a.TopNode is not null && a.Top is not null)
            {
                throw QmpException.Generic("'top-node' and 'top' are mutually exclusive");
            }

            if (a.TopNode is { } topNode)
            {
                top = NodeByName(topNode);
                if (!root.Chain().Contains(top))
                {
                    throw QmpException.Generic($"'{topNode}' is not in this backing file chain");
                }
            }
            else if (a.Top is { } topFile && root.Filename != topFile)
            {
                top = BackingImage(root, topFile) ?? throw QmpException.Generic($"Top image file {topFile} not found");
            }

            if (a.BaseNode is not null && a.Base is not null)
            {
                throw QmpException.Generic("'base-node' and 'base' are mutually exclusive");
            }

            BlockImage baseImage;
            if (a.BaseNode is { } baseNode)
            {
                baseImage = NodeByName(baseNode);
                if (!top.Chain().Contains(baseImage))
                {
                    throw QmpException.Generic($"'{baseNode}' is not in this backing file chain");
                }
            }
            else if (a.Base is { } baseFile)
            {
                baseImage = BackingImage(top, baseFile) ?? throw QmpException.Generic($"Can't find '{baseFile}' in the backing chain");
            }
            else
            {
                // bdrv_find_base: the bottom of the chain (the top itself when it has no backing).
                baseImage = top.Chain().Last();
            }

            // Every node from the top to the base is a commit target (BLOCK_OP_TYPE_COMMIT_TARGET).
            var merged = Between(top, baseImage);
            foreach (var node in merged.Prepend(top).Append(baseImage))
            {
                CheckNotBlocked(node);
            }

            if (top == baseImage)
            {
                throw QmpException.Generic("cannot commit an image into itself");
            }

            if (top == root)
            {
                if (a.BackingFile is not null)
                {
                    throw QmpException.Generic("'backing-file' specified, but 'top' is the active layer");
                }

                // commit_active_start: a mirror of the active layer into its base, named after the device.
                var job = StartBlockJob("commit", a.JobId, root, a.AutoFinalize, a.AutoDismiss, a.Speed, source: top, target: baseImage, nodes: merged);
                Transition(job, "ready", now: false);
                Vm.Emit(s => s.EmitBlockJobReady(new BlockJobCompletedDataType(job.Type), job.Id, job.Len, job.Offset, job.Speed));
            }
            else
            {
                var overlay = root.Chain().First(i => i.Backing == top);
                CheckNotBlocked(overlay);
                var job = StartBlockJob(
                    "commit", a.JobId, root, a.AutoFinalize, a.AutoDismiss, a.Speed, source: top, target: baseImage, nodes: [root, .. merged],
                    len: top.VirtualSize, completed: () => Rebase(overlay, baseImage, a.BackingFile));
                job.Offset = job.Len;
                Succeed(job);
            }
        }

        return Done();
    }

    public override ValueTask BlockStreamAsync(BlockStreamArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            if (a.Base is not null && a.BaseNode is not null)
            {
                throw QmpException.Generic("'base' and 'base-node' cannot be specified at the same time");
            }

            if (a.Base is not null && a.Bottom is not null)
            {
                throw QmpException.Generic("'base' and 'bottom' cannot be specified at the same time");
            }

            if (a.Bottom is not null && a.BaseNode is not null)
            {
                throw QmpException.Generic("'bottom' and 'base-node' cannot be specified at the same time");
            }

            var node = FindDeviceOrNode(a.Device, a.Device);
            BlockImage? baseImage = null;
            if (a.Base is { } baseFile)
            {
                baseImage = BackingImage(node, baseFile) ?? throw QmpException.Generic($"Can't find '{baseFile}' in the backing chain");
            }

            if (a.BaseNode is { } baseNode)
            {
                baseImage = NodeByName(baseNode);
                if (baseImage == node || !node.Chain().Contains(baseImage))
                {
                    throw QmpException.Generic($"Node '{baseNode}' is not a backing image of '{a.Device}'");
                }
            }

            if (a.Bottom is { } bottomNode)
            {
                var bottom = NodeByName(bottomNode);
                if (!node.Chain().Contains(bottom))
                {
                    throw QmpException.Generic($"Node '{bottomNode}' is not in a chain starting from '{a.Device}'");
                }

                baseImage = bottom.Backing;
            }

            // Every node from the device's down to the base (not the base itself) is streamed into it.
            var streamed = Between(node, baseImage).Prepend(node).ToList();
            foreach (var image in streamed)
            {
                CheckNotBlocked(image);
            }

            if (baseImage is null && a.BackingFile is not null)
            {
                throw QmpException.Generic("backing file specified, but streaming the entire chain");
            }

            var job = StartBlockJob(
                "stream", a.JobId, node, a.AutoFinalize, a.AutoDismiss, a.Speed, source: node, target: null, nodes: streamed,
                len: node.VirtualSize, completed: () => Rebase(node, baseImage, a.BackingFile));
            job.Offset = job.Len;
            Succeed(job);
        }

        return Done();
    }

    /// <summary>
    /// qmp_get_root_bs as block-commit uses it: the drive's medium or the node, which must have no parent node; a name
    /// that is neither is DeviceNotFound (libvirt probes for it, blockdev.c says so).
    /// </summary>
    private BlockImage CommitRoot(string device)
    {
        // A named drive without a medium is not found either (bdrv_lookup_bs fails on it before looking at node names).
        var drive = NamedDrive(device);
        var node = drive is null ? FindNode(device) : drive.Image;
        if (node is null)
        {
            throw QemuMachine.DeviceNotFound(device);
        }

        if (!IsRoot(node))
        {
            throw QmpException.Generic("Need a root block node");
        }

        return node;
    }

    /// <summary>bdrv_is_root_node: no node sits on it (as a backing or file child, or a job's filter).</summary>
    private bool IsRoot(BlockImage node) =>
        !GraphNodes().Any(n => n.Backing == node || n.File == node) && !Vm.Blockdev.Jobs.Any(j => Active(j) && j.Source == node);

    /// <summary>bdrv_op_is_blocked: a job that uses the node blocks it, named by its drive or its node name.</summary>
    private void CheckNotBlocked(BlockImage node)
    {
        if (Vm.Blockdev.Jobs.FirstOrDefault(j => Active(j) && j.Holds(node)) is { } busy)
        {
            throw QmpException.Generic($"Node '{DeviceOrNodeName(node)}' is busy: block device is in use by block job: {busy.Type}");
        }
    }

    /// <summary>bdrv_get_device_or_node_name: the drive's name when a named drive has it as its medium, else its node name.</summary>
    private string DeviceOrNodeName(BlockImage node) => DeviceName(node) is { Length: > 0 } name ? name : NodeName(node);

    /// <summary>bdrv_get_device_name: the name of the drive whose medium it is; "" for a -blockdev node (its drive has none).</summary>
    private string DeviceName(BlockImage node) => Vm.Drives.FirstOrDefault(d => d.Image == node) is { } drive ? DriveName(drive) : "";

    /// <summary>bdrv_lookup_bs(NULL, name): a node by its node name only.</summary>
    private BlockImage NodeByName(string name) => FindNode(name) ?? throw QmpException.Generic($"Cannot find device='' nor node-name='{name}'");

    /// <summary>bdrv_find_backing_image: the image below <paramref name="node"/> whose file name is <paramref name="filename"/>.</summary>
    private static BlockImage? BackingImage(BlockImage node, string filename) =>
        node.Backing?.Chain().FirstOrDefault(i => i.Filename == filename);

    /// <summary>The nodes strictly between <paramref name="top"/> and <paramref name="bottom"/> (the whole chain below when null).</summary>
    private static List<BlockImage> Between(BlockImage top, BlockImage? bottom) =>
        [.. top.Backing?.Chain().TakeWhile(i => i != bottom) ?? []];

    /// <summary>
    /// block_job_create for block-commit and block-stream: the job's id (the one given, else the name of
    /// <paramref name="device"/>'s drive) checked first, then the job made with the client's auto-finalize and
    /// auto-dismiss (both true when not given) and charged. A bad speed drops the job QEMU has already created (its two
    /// status changes, its charge given back); else created and running before the reply.
    /// </summary>
    private Job StartBlockJob(
        string type, string? jobId, BlockImage device, bool? autoFinalize, bool? autoDismiss, long? speed,
        BlockImage source, BlockImage? target, IReadOnlyList<BlockImage> nodes, long len = 0, Action? completed = null)
    {
        var id = jobId ?? DeviceName(device);
        CheckNewJobId(id);
        var job = new Job
        {
            Id = id,
            Type = type,
            AutoFinalize = autoFinalize ?? true,
            AutoDismiss = autoDismiss ?? true,
            Len = len,
            Source = source,
            Target = target,
            Nodes = nodes,
            Completed = completed,
            Retained = Vm.Retain(VirtualMachine.RetainedCost(id)),
        };
        if (speed is < 0)
        {
            Vm.Blockdev.Jobs.Add(job);
            Transition(job, "created", now: true);
            Transition(job, "null", now: true);
            CheckSpeed(speed);
        }

        job.Speed = speed ?? 0;
        return StartJob(job);
    }

    /// <summary>
    /// The end of a commit or a stream (bdrv_drop_intermediate, bdrv_set_backing_hd): <paramref name="overlay"/> backs onto
    /// <paramref name="baseImage"/> (nothing for a whole chain streamed), and its header names the base's file, or the
    /// <c>backing-file</c> the client gave.
    /// </summary>
    private void Rebase(BlockImage overlay, BlockImage? baseImage, string? backingFile) => ChangeGraph(() =>
    {
        overlay.Backing = baseImage;
        overlay.HeaderBackingFile = baseImage is null ? null : backingFile ?? baseImage.Filename;
        overlay.HeaderBackingFormat = baseImage?.Format;
    });
}
