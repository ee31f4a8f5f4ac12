using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    /// <summary>What "unlimited" (speed 0) means for the emulated disk: 1 GiB/s.</summary>
    internal const long UnlimitedSpeed = 1L << 30;

    private long _lastTick = -1;

    /// <summary>Advances block jobs and migration to the clock's now; the emulator's timer calls it.</summary>
    public void Tick()
    {
        lock (Gate)
        {
            var now = Vm.Time.GetTimestamp();
            var seconds = _lastTick < 0 ? 0 : Vm.Time.GetElapsedTime(_lastTick, now).TotalSeconds;
            _lastTick = now;
            TickJobs(seconds);
            TickMigration(seconds);
        }
    }

    private void TickJobs(double seconds)
    {
        foreach (var job in Vm.Jobs.Values.ToList())
        {
            if (job.Paused || (job.Ready && job.Offset >= job.Len))
            {
                continue;
            }

            job.Offset = Math.Min(job.Len, job.Offset + (seconds * (job.Speed == 0 ? UnlimitedSpeed : job.Speed)));
            if (job.Offset < job.Len)
            {
                continue;
            }

            if (job.Type == "mirror")
            {
                if (!job.Ready)
                {
                    job.Ready = true;
                    var (type, device, len, speed) = (job.Type, job.Device, job.Len, job.Speed);
                    Vm.Emit(s => s.EmitBlockJobReady(type, device, len, len, speed));
                }

                continue;
            }

            FinishJob(job);
        }
    }

    private void FinishJob(BlockJob job)
    {
        Vm.Jobs.Remove(job.Device);
        var drive = Vm.FindDrive(job.Device);
        if (drive is not null)
        {
            job.OnComplete?.Invoke(drive);
            drive.WrBytes += job.Len;
            drive.WrOperations += Math.Max(1, job.Len / 65536);
            drive.WrHighestOffset = Math.Max(drive.WrHighestOffset, job.Len);
        }

        var (type, device, len, speed) = (job.Type, job.Device, job.Len, job.Speed);
        Vm.Emit(s => s.EmitBlockJobCompleted(type, device, len, len, speed));
    }

    public override ValueTask<IReadOnlyList<BlockJobInfo>> QueryBlockJobsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<BlockJobInfo>>(Vm.Jobs.Values.Select(j => new BlockJobInfo
            {
                Type = j.Type,
                Device = j.Device,
                Len = j.Len,
                Offset = (long)j.Offset,
                Busy = !j.Paused && !(j.Ready && j.Offset >= j.Len),
                Paused = j.Paused,
                Speed = j.Speed,
                IoStatus = "ok",
            }).ToList());
        }
    }

    private Drive DriveForNewJob(string device)
    {
        var drive = FindDrive(device);
        if (drive.Image is null)
        {
            throw Generic($"Device '{device}' has no medium");
        }

        if (Vm.Jobs.ContainsKey(device))
        {
            throw Generic($"Device '{device}' is in use");
        }

        return drive;
    }

    private static long CheckSpeed(long? speed) => speed is < 0 ? throw InvalidParameter("speed") : speed ?? 0;

    private void AddJob(BlockJob job) => Vm.Jobs[job.Device] = job;

    public override ValueTask BlockStreamAsync(BlockStreamArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = DriveForNewJob(a.Device);
            var image = drive.Image!;
            BlockImage? baseImage = null;
            if (a.Base is not null)
            {
                baseImage = image.Backing?.Chain().FirstOrDefault(i => i.Filename == a.Base) ?? throw Generic($"Base '{a.Base}' not found");
            }

            if (a.OnError is not null and not ("report" or "ignore" or "enospc" or "stop"))
            {
                throw InvalidParameter("on-error");
            }

            AddJob(new BlockJob
            {
                Type = "stream",
                Device = a.Device,
                Len = image.VirtualSize,
                Speed = CheckSpeed(a.Speed),
                OnComplete = d =>
                {
                    if (d.Image is { } top)
                    {
                        top.Backing = baseImage;
                    }
                },
            });
        }

        return Done();
    }

    public override ValueTask BlockCommitAsync(BlockCommitArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = DriveForNewJob(a.Device);
            var active = drive.Image!;
            var top = active.Chain().FirstOrDefault(i => i.Filename == a.Top) ?? throw Generic($"Top image file {a.Top} not found");
            if (top == active)
            {
                throw Generic("Top image as the active layer is currently unsupported");
            }

            var below = top.Backing?.Chain().ToList() ?? [];
            var baseImage = a.Base is null ? below.LastOrDefault() : below.FirstOrDefault(i => i.Filename == a.Base);
            if (baseImage is null)
            {
                throw Generic($"Base '{a.Base ?? "(null)"}' not found");
            }

            AddJob(new BlockJob
            {
                Type = "commit",
                Device = a.Device,
                Len = top.VirtualSize,
                Speed = CheckSpeed(a.Speed),
                OnComplete = d =>
                {
                    var above = d.Image?.Chain().FirstOrDefault(i => i.Backing == top);
                    if (above is not null)
                    {
                        above.Backing = baseImage;
                    }
                },
            });
        }

        return Done();
    }

    public override ValueTask DriveBackupAsync(DriveBackupArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            if (a.OnSourceError is not null and not ("report" or "ignore" or "enospc" or "stop") || a.OnTargetError is not null and not ("report" or "ignore" or "enospc" or "stop"))
            {
                throw InvalidParameter(a.OnSourceError is not null and not ("report" or "ignore" or "enospc" or "stop") ? "on-source-error" : "on-target-error");
            }

            StartBackup(a.Device, a.Target, a.Sync, CheckSpeed(a.Speed), a.Mode, a.Format);
        }

        return Done();
    }

    private void StartBackup(string device, string target, string sync, long speed, string? mode, string? format)
    {
        var drive = DriveForNewJob(device);
        var source = drive.Image!;
        PrepareTarget(target, sync, mode, ref format, source);
        AddJob(new BlockJob { Type = "backup", Device = device, Len = source.VirtualSize, Speed = CheckSpeed(speed) });
    }

    private void PrepareTarget(string target, string sync, string? mode, ref string? format, BlockImage source)
    {
        if (sync is not ("full" or "top" or "none"))
        {
            throw InvalidParameter("sync");
        }

        mode ??= "absolute-paths";
        if (mode is not ("existing" or "absolute-paths"))
        {
            throw InvalidParameter("mode");
        }

        format ??= mode == "existing" && Vm.VirtualFiles.TryGetValue(target, out var existing) ? existing.Format : source.Format;
        if (!s_blockFormats.Contains(format))
        {
            throw Generic($"Invalid block format '{format}'");
        }

        if (mode == "existing" && MissingFile(target) is { } missing)
        {
            throw missing;
        }

        Vm.CheckRoomForVirtualFile(target);
        if (mode == "absolute-paths")
        {
            // As QEMU: the new target backs onto what the sync leaves out (nothing for full).
            CreateImageFile(target, format, source.VirtualSize, sync switch { "top" => source.Backing, "none" => source, _ => null });
        }

        Vm.AddVirtualFile(new ImageDescription { Filename = target, Format = format, Size = source.VirtualSize });
    }

    public override ValueTask DriveMirrorAsync(DriveMirrorArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = DriveForNewJob(a.Device);
            var source = drive.Image!;
            if (a.Granularity is { } g && (g < 512 || g > 64 * VirtualMachine.MiB))
            {
                throw InvalidParameterValue("granularity", "a value in range [512B, 64MB]");
            }

            if (a.Granularity is { } p && (p & (p - 1)) != 0)
            {
                throw InvalidParameterValue("granularity", "power of 2");
            }

            if (a.BufSize is < 0)
            {
                throw InvalidParameter("buf-size");
            }

            if (a.OnSourceError is not null and not ("report" or "ignore" or "enospc" or "stop") || a.OnTargetError is not null and not ("report" or "ignore" or "enospc" or "stop"))
            {
                throw InvalidParameter(a.OnSourceError is not null and not ("report" or "ignore" or "enospc" or "stop") ? "on-source-error" : "on-target-error");
            }

            if (a.Sync == "none")
            {
                CheckChainDepth(drive, source.Depth + 1);
            }

            var format = a.Format;
            PrepareTarget(a.Target, a.Sync, a.Mode, ref format, source);
            var sync = a.Sync;
            var target = a.Target;
            var nodeName = a.NodeName;
            AddJob(new BlockJob
            {
                Type = "mirror",
                Device = a.Device,
                Len = source.VirtualSize,
                Speed = CheckSpeed(a.Speed),
                OnComplete = d =>
                {
                    var old = d.Image;
                    d.Image = new BlockImage
                    {
                        Filename = target,
                        Format = format!,
                        VirtualSize = old?.VirtualSize ?? 0,
                        ActualSize = old?.ActualSize ?? 0,
                        NodeName = nodeName,
                        Backing = sync switch { "top" => old?.Backing, "none" => old, _ => null },
                    };
                },
            });
        }

        return Done();
    }

    private BlockJob FindJob(string device) =>
        Vm.Jobs.TryGetValue(device, out var job) ? job : throw new QmpException(QmpErrorClass.DeviceNotActive, $"No active block job on device '{device}'");

    public override ValueTask BlockJobSetSpeedAsync(BlockJobSetSpeedArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var job = FindJob(a.Device);
            job.Speed = CheckSpeed(a.Speed);
        }

        return Done();
    }

    public override ValueTask BlockJobCancelAsync(BlockJobCancelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var job = FindJob(a.Device);
            if (job.Paused && a.Force != true)
            {
                throw Generic($"The block job for device '{a.Device}' is currently paused");
            }

            Vm.Jobs.Remove(job.Device);
            var (type, device, len, offset, speed) = (job.Type, job.Device, job.Len, (long)job.Offset, job.Speed);
            if (job.Ready)
            {
                // A synchronized mirror that is cancelled leaves a point-in-time copy: QEMU reports it COMPLETED.
                Vm.Emit(s => s.EmitBlockJobCompleted(type, device, len, offset, speed));
            }
            else
            {
                Vm.Emit(s => s.EmitBlockJobCancelled(type, device, len, offset, speed));
            }
        }

        return Done();
    }

    public override ValueTask BlockJobPauseAsync(BlockJobPauseArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            FindJob(a.Device).Paused = true;
        }

        return Done();
    }

    public override ValueTask BlockJobResumeAsync(BlockJobResumeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            FindJob(a.Device).Paused = false;
        }

        return Done();
    }

    public override ValueTask BlockJobCompleteAsync(BlockJobCompleteArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var job = FindJob(a.Device);
            if (job.Type != "mirror" || job.Paused || !job.Ready)
            {
                throw Generic($"The active block job for device '{a.Device}' cannot be completed");
            }

            FinishJob(job);
        }

        return Done();
    }
}
