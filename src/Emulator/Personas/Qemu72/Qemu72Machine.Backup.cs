using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// QEMU 7.2's backup jobs: <c>blockdev-backup</c> into a node the client added, and <c>drive-backup</c> into a file it
/// names, which the persona creates (qcow2 or raw, by <see cref="Confinement.QmpImageFiles"/>' rules) as QEMU's
/// drive_backup_prepare does. Events as QEMU 7.2 sends them (tests/Emulator.Tests/Qemu72BlockTests.cs): created,
/// running, then paused and running again as the command's drained section ends, all before the reply; then waiting,
/// pending, BLOCK_JOB_COMPLETED, concluded. A <c>sync: none</c> backup copies only what the guest overwrites, so it
/// runs until it is cancelled. The emulator's images hold no written clusters, so a <c>top</c> backup has nothing to
/// copy (its length is 0, as QEMU's on a fresh overlay).
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask BlockdevBackupAsync(BlockdevBackupArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var source = FindDeviceOrNode(arguments.Device, arguments.Device);
            var target = FindDeviceOrNode(arguments.Target, arguments.Target);
            StartBackup(new Backup(arguments.JobId, arguments.Device, source, arguments.Target, target, arguments.Sync.Value, arguments.Bitmap, arguments.Speed, arguments.AutoFinalize, arguments.AutoDismiss));
        }

        return Done();
    }

    /// <summary>
    /// drive-backup: the target file is created first (mode absolute-paths: the source's format and size, backed by
    /// what the sync leaves out) or opened (mode existing), then the backup runs as blockdev-backup's.
    /// </summary>
    public override ValueTask DriveBackupAsync(DriveBackupArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var source = FindDeviceOrNode(arguments.Device, arguments.Device);
            var existing = arguments.Mode?.Value == "existing";
            var format = arguments.Format ?? (existing ? null : source.Format);
            var sync = arguments.Sync.Value;
            if (sync == "top" && source.Backing is null)
            {
                // Nothing below the top: QEMU backs up the whole image.
                sync = "full";
            }

            var target = existing ? OpenBackupTarget(arguments.Target, format) : CreateBackupTarget(arguments.Target, format!, source, sync);
            StartBackup(new Backup(arguments.JobId, arguments.Device, source, arguments.Target, target, sync, arguments.Bitmap, arguments.Speed, arguments.AutoFinalize, arguments.AutoDismiss));
        }

        return Done();
    }

    private BlockImage CreateBackupTarget(string filename, string format, BlockImage source, string sync)
    {
        if (format is not ("qcow2" or "raw"))
        {
            throw QmpException.Generic(s_knownFormats.Contains(format) ? $"The emulator creates qcow2 and raw images, not '{format}'" : $"Unknown file format '{format}'");
        }

        // As bdrv_img_create: the new image backs onto what the sync leaves out (the source for none, its backing for top).
        var backing = sync switch { "none" => source, "top" => source.Backing, _ => null };
        var length = WriteImage(filename, format, source.VirtualSize, format == "qcow2" ? backing : null);
        return new BlockImage { Filename = filename, Format = format, VirtualSize = source.VirtualSize, ActualSize = length, Backing = backing };
    }

    /// <summary>mode existing: the file is opened (qcow2 by its header, else raw) by the same rules as blockdev-add's.</summary>
    private BlockImage OpenBackupTarget(string filename, string? format)
    {
        var header = Guard(filename, () => Files.Head(filename, Qcow2HeaderBytes));
        if (format is not null and not ("qcow2" or "raw"))
        {
            throw QmpException.Generic(s_knownFormats.Contains(format) ? $"The emulator opens qcow2 and raw images, not '{format}'" : $"Unknown driver '{format}'");
        }

        var qcow2 = format == "qcow2" || (format is null && header.AsSpan().StartsWith(Qcow2Header.Magic));
        var size = qcow2
            ? Qcow2Header.VirtualSize(header, out var refusal) ?? throw QmpException.Generic(refusal)
            : Guard(filename, () => Files.Length(filename));
        return new BlockImage { Filename = filename, Format = qcow2 ? "qcow2" : "raw", VirtualSize = size };
    }

    /// <summary>Image formats QEMU 7.2 knows, which the emulator refuses in its own words rather than as unknown.</summary>
    private static readonly string[] s_knownFormats = ["qcow", "qed", "vmdk", "vdi", "vpc", "vhdx", "cloop", "dmg", "bochs", "parallels", "luks", "file", "host_device", "host_cdrom", "nbd", "iscsi", "rbd", "quorum", "blkdebug", "blkverify", "null-co", "null-aio", "nvme", "ssh", "throttle", "copy-on-read", "compress", "replication", "preallocate", "snapshot-access"];

    /// <summary>What a backup command asked for, its nodes found.</summary>
    private sealed record Backup(string? JobId, string Device, BlockImage Source, string TargetName, BlockImage Target, string Sync, string? Bitmap, long? Speed, bool? AutoFinalize, bool? AutoDismiss);

    /// <summary>do_backup_common and backup_job_create's checks in their order, then the job (block_job_create).</summary>
    private void StartBackup(Backup backup)
    {
        if (backup.Sync is "incremental" or "bitmap")
        {
            throw QmpException.Generic(backup.Bitmap is null ? $"must provide a valid bitmap name for '{backup.Sync}' sync mode" : $"Bitmap '{backup.Bitmap}' could not be found");
        }

        if (backup.Bitmap is not null)
        {
            throw QmpException.Generic($"Bitmap '{backup.Bitmap}' could not be found");
        }

        if (backup.Target == backup.Source)
        {
            throw QmpException.Generic("Source and target cannot be the same");
        }

        if (backup.Target.VirtualSize != backup.Source.VirtualSize)
        {
            throw QmpException.Generic("Source and target image have different sizes");
        }

        if (Vm.Blockdev.Jobs.FirstOrDefault(j => Active(j) && (j.Holds(backup.Source) || j.Holds(backup.Target))) is { } busy)
        {
            var name = busy.Holds(backup.Source) ? backup.Device : backup.TargetName;
            throw QmpException.Generic($"Node '{name}' is busy: block device is in use by block job: {busy.Type}");
        }

        // Without a job-id the job takes the device's BlockBackend name: a -drive's id, else none at all.
        var id = backup.JobId ?? DeviceName(backup.Source);
        CheckNewJobId(id);
        var job = new Job
        {
            Id = id,
            Type = "backup",
            AutoFinalize = backup.AutoFinalize ?? true,
            AutoDismiss = backup.AutoDismiss ?? true,
            Len = backup.Sync == "top" ? 0 : backup.Source.VirtualSize,
            Source = backup.Source,
            Target = backup.Target,
            Retained = Vm.Retain(VirtualMachine.RetainedCost(id)),
        };
        if (backup.Speed is < 0)
        {
            // The job exists before its speed is set: QEMU creates it, then drops it (job_early_fail).
            Vm.Blockdev.Jobs.Add(job);
            Transition(job, "created", now: true);
            Transition(job, "null", now: true);
            CheckSpeed(backup.Speed);
        }

        job.Speed = backup.Speed ?? 0;
        StartJob(job);

        // The transaction's drained section pauses the new job and resumes it as it ends, before the reply.
        Transition(job, "paused", now: true);
        Transition(job, "running", now: true);
        if (backup.Sync != "none")
        {
            job.Offset = job.Len;
            Succeed(job);
        }
    }
}
