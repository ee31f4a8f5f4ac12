using Qmp.Emulator.CommandLine;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using static Qmp.Emulator.QemuMachine;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// QEMU 7.2's job API over the shared <see cref="BlockGraph"/>: <c>blockdev-create</c> and <c>blockdev-mirror</c> jobs,
/// moved through job.c's statuses with a JOB_STATUS_CHANGE for each, in the order QEMU 7.2 sends them (measured
/// side by side, tests/Emulator.Tests/Qemu72BlockTests.cs): created and running before the command's reply; a
/// creation then waiting, pending, concluded; a mirror ready (BLOCK_JOB_READY) once it has copied, then on
/// job-complete or a soft block-job-cancel waiting, pending, BLOCK_JOB_COMPLETED, concluded; on a forced cancel
/// aborting, BLOCK_JOB_CANCELLED, concluded; null when dismissed (at once with auto-dismiss). A job the client
/// pauses stops at once (standby from ready, paused from running) and goes back on job-resume, both before the
/// reply. The emulator copies nothing, so a job's work is done as soon as the command has replied.
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask BlockdevCreateAsync(BlockdevCreateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var options = AsJson(arguments.Options, BlockdevCreateArgumentsOptions.Write);
        lock (Gate)
        {
            CheckNewJobId(arguments.JobId);
            var driver = OptionValues.GetString(options, "driver");
            var size = OptionValues.GetInt64(options, "size") ?? 0;
            BlockImage file;
            if (driver == "qcow2")
            {
                file = ChildNode(options, "file") ?? throw QmpException.Generic("Parameter 'file' is missing");
                if (file.Format != "file")
                {
                    throw QmpException.Generic($"The emulator creates a qcow2 image in a file node; '{file.NodeName}' is a {file.Format} node");
                }
            }
            else if (driver == "file")
            {
                file = new BlockImage { Filename = OptionValues.GetString(options, "filename")!, Format = "file" };
            }
            else
            {
                throw QmpException.Generic("Driver does not support blockdev-create");
            }

            if (size < 0)
            {
                throw QmpException.Generic($"Could not create '{file.Filename}': Invalid argument");
            }

            var job = StartJob(new Job { Id = arguments.JobId, Type = "create", AutoDismiss = false, Len = 1, Target = file, Retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.JobId)) });
            try
            {
                CreateImage(options, file, size);
                job.Offset = 1;
                Succeed(job);
            }
            catch (QmpException e)
            {
                job.Error = e.Description;
                Abort(job, now: false);
            }
        }

        return Done();
    }

    public override ValueTask BlockdevMirrorAsync(BlockdevMirrorArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var source = FindNode(arguments.Device) ?? NamedDrive(arguments.Device)?.Image
                ?? throw QmpException.Generic($"Cannot find device='{arguments.Device}' nor node-name='{arguments.Device}'");
            var target = FindNode(arguments.Target) ?? throw QmpException.Generic($"Cannot find device='{arguments.Target}' nor node-name='{arguments.Target}'");
            if (Vm.Blockdev.Jobs.Any(j => Active(j) && j.Source == source))
            {
                // A mirror puts its filter node above its source: the source is no root any more.
                throw QmpException.Generic("Need a root block node");
            }

            var id = arguments.JobId ?? source.NodeName ?? arguments.Device;
            CheckNewJobId(id);
            if (Vm.Blockdev.Jobs.FirstOrDefault(j => Active(j) && (j.Holds(source) || j.Holds(target))) is { } busy)
            {
                throw QmpException.Generic($"Node '{(busy.Holds(source) ? arguments.Device : arguments.Target)}' is busy: block device is in use by block job: {busy.Type}");
            }

            if (target == source || source.Chain().Contains(target))
            {
                throw QmpException.Generic($"Can't mirror node into itself");
            }

            if (target.VirtualSize != source.VirtualSize)
            {
                throw QmpException.Generic("Source and target image have different sizes");
            }

            var job = StartJob(new Job
            {
                Id = id,
                Type = "mirror",
                AutoFinalize = arguments.AutoFinalize ?? true,
                AutoDismiss = arguments.AutoDismiss ?? true,
                Len = source.VirtualSize,
                Speed = arguments.Speed ?? 0,
                Source = source,
                Target = target,
                Retained = Vm.Retain(VirtualMachine.RetainedCost(id)),
            });

            // Nothing to copy: the mirror converges at once, once the command has replied.
            job.Offset = job.Len;
            Transition(job, "ready", now: false);
            Vm.Emit(s => s.EmitBlockJobReady(new BlockJobCompletedDataType(job.Type), job.Id, job.Len, job.Offset, job.Speed));
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<QueryJobsResult>> QueryJobsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryJobsResult>>([.. Vm.Blockdev.Jobs.Select(j => new QueryJobsResult
            {
                Id = j.Id,
                Type = new BlockJobCompletedDataType(j.Type),
                Status = new QueryBlockJobsResultStatus(j.Status),
                CurrentProgress = j.Offset,
                TotalProgress = j.Len,
                Error = j.Error,
            })]);
        }
    }

    public override ValueTask<IReadOnlyList<QueryBlockJobsResult>> QueryBlockJobsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryBlockJobsResult>>([.. Vm.Blockdev.Jobs.Where(j => j.IsBlockJob).Select(j => new QueryBlockJobsResult
            {
                Type = j.Type,
                Device = j.Id,
                Len = j.Len,
                Offset = j.Offset,
                Busy = false,
                Paused = j.UserPaused,
                Speed = j.Speed,
                IoStatus = new QueryBlockResultIoStatus("ok"),
                Ready = j.Status is "ready" or "standby",
                Status = new QueryBlockJobsResultStatus(j.Status),
                AutoFinalize = j.AutoFinalize,
                AutoDismiss = j.AutoDismiss,
                Error = j.Error,
            })]);
        }
    }

    public override ValueTask JobDismissAsync(JobDismissArguments arguments, QmpSession session, CancellationToken cancellationToken) => Dismiss(FindJob(arguments.Id));

    public override ValueTask BlockJobDismissAsync(BlockJobDismissArguments arguments, QmpSession session, CancellationToken cancellationToken) => Dismiss(FindBlockJob(arguments.Id));

    private ValueTask Dismiss(Func<Job> find)
    {
        lock (Gate)
        {
            var job = find();
            Verb(job, "dismiss", "concluded");
            Transition(job, "null", now: true);
        }

        return Done();
    }

    public override ValueTask JobFinalizeAsync(JobFinalizeArguments arguments, QmpSession session, CancellationToken cancellationToken) => Finalize(FindJob(arguments.Id));

    public override ValueTask BlockJobFinalizeAsync(BlockJobFinalizeArguments arguments, QmpSession session, CancellationToken cancellationToken) => Finalize(FindBlockJob(arguments.Id));

    private ValueTask Finalize(Func<Job> find)
    {
        lock (Gate)
        {
            var job = find();
            Verb(job, "finalize", "pending");
            Finish(job, now: true);
        }

        return Done();
    }

    public override ValueTask JobCompleteAsync(JobCompleteArguments arguments, QmpSession session, CancellationToken cancellationToken) => Complete(FindJob(arguments.Id));

    public override ValueTask BlockJobCompleteAsync(BlockJobCompleteArguments arguments, QmpSession session, CancellationToken cancellationToken) => Complete(FindBlockJob(arguments.Device));

    private ValueTask Complete(Func<Job> find)
    {
        lock (Gate)
        {
            var job = find();
            Verb(job, "complete", "ready", "standby");
            job.Pivot = true;
            if (job.UserPaused)
            {
                // A paused mirror takes the request but acts on it only when resumed.
                job.CompleteWhenResumed = true;
            }
            else
            {
                Succeed(job);
            }
        }

        return Done();
    }

    /// <summary>job-cancel cancels by force (job_user_cancel with force).</summary>
    public override ValueTask JobCancelAsync(JobCancelArguments arguments, QmpSession session, CancellationToken cancellationToken) => Cancel(FindJob(arguments.Id), force: true);

    /// <summary>block-job-cancel: a ready mirror without <c>force</c> ends as completed, leaving its copy (no pivot).</summary>
    public override ValueTask BlockJobCancelAsync(BlockJobCancelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var force = arguments.Force ?? false;
        return Cancel(() =>
        {
            var job = FindBlockJob(arguments.Device)();
            if (job.UserPaused && !force)
            {
                throw QmpException.Generic($"The block job for device '{arguments.Device}' is currently paused");
            }

            return job;
        }, force);
    }

    private ValueTask Cancel(Func<Job> find, bool force)
    {
        lock (Gate)
        {
            var job = find();
            Verb(job, "cancel", "created", "running", "paused", "ready", "standby", "waiting", "pending", "aborting");
            if (job.UserPaused)
            {
                // A cancel (always forced here) lifts the client's pause; the job wakes and ends before the reply.
                job.UserPaused = false;
                Transition(job, job.Status == "standby" ? "ready" : "running", now: true);
                job.Cancelled = true;
                Abort(job, now: true);
                return Done();
            }

            if (job.Status is "waiting" or "aborting")
            {
                // Already on its way out: QEMU ignores the request.
                return Done();
            }

            // A ready mirror or active commit cancelled softly completes, leaving the copy (no pivot).
            if (!force && job.Status == "ready")
            {
                Succeed(job);
            }
            else
            {
                job.Cancelled = true;
                Abort(job, now: false);
            }
        }

        return Done();
    }

    public override ValueTask JobPauseAsync(JobPauseArguments arguments, QmpSession session, CancellationToken cancellationToken) => Pause(FindJob(arguments.Id));

    public override ValueTask BlockJobPauseAsync(BlockJobPauseArguments arguments, QmpSession session, CancellationToken cancellationToken) => Pause(FindBlockJob(arguments.Device));

    /// <summary>job_user_pause: the job stops at its next pause point, which the emulator's jobs reach at once.</summary>
    private ValueTask Pause(Func<Job> find)
    {
        lock (Gate)
        {
            var job = find();
            Verb(job, "pause", "created", "running", "paused", "ready", "standby");
            if (job.UserPaused)
            {
                throw QmpException.Generic("Job is already paused");
            }

            job.UserPaused = true;
            Transition(job, job.Status is "ready" or "standby" ? "standby" : "paused", now: true);
        }

        return Done();
    }

    public override ValueTask JobResumeAsync(JobResumeArguments arguments, QmpSession session, CancellationToken cancellationToken) => Resume(FindJob(arguments.Id));

    public override ValueTask BlockJobResumeAsync(BlockJobResumeArguments arguments, QmpSession session, CancellationToken cancellationToken) => Resume(FindBlockJob(arguments.Device));

    /// <summary>job_user_resume: back to ready or running before the reply; a completion asked for meanwhile goes on after it.</summary>
    private ValueTask Resume(Func<Job> find)
    {
        lock (Gate)
        {
            var job = find();
            if (!job.UserPaused)
            {
                throw QmpException.Generic("Can't resume a job that was not paused");
            }

            Verb(job, "resume", "created", "running", "paused", "ready", "standby");
            job.UserPaused = false;
            Transition(job, job.Status == "standby" ? "ready" : "running", now: true);
            if (job.CompleteWhenResumed)
            {
                job.CompleteWhenResumed = false;
                Succeed(job);
            }
        }

        return Done();
    }

    /// <summary>block_job_set_speed: the verb's states first, then the value; query-block-jobs and the events carry it.</summary>
    public override ValueTask BlockJobSetSpeedAsync(BlockJobSetSpeedArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var job = FindBlockJob(arguments.Device)();
            Verb(job, "set-speed", "created", "running", "paused", "ready", "standby");
            job.Speed = CheckSpeed(arguments.Speed);
        }

        return Done();
    }

    private static long CheckSpeed(long? speed) =>
        speed is < 0 ? throw QmpException.Generic("Parameter 'speed' expects a non-negative value") : speed ?? 0;

    private Func<Job> FindJob(string id) => () => Vm.Blockdev.FindJob(id) ?? throw QmpException.Generic("Job not found");

    private Func<Job> FindBlockJob(string id) => () => Vm.Blockdev.Jobs.FirstOrDefault(j => j.Id == id && j.IsBlockJob)
        ?? throw new QmpException(QmpErrorClass.DeviceNotActive, $"Block job '{id}' not found");

    /// <summary>job.c's verb table: the states a verb is allowed in, else QEMU's error.</summary>
    private static void Verb(Job job, string verb, params string[] allowed)
    {
        if (!allowed.Contains(job.Status))
        {
            throw QmpException.Generic($"Job '{job.Id}' in state '{job.Status}' cannot accept command verb '{verb}'");
        }
    }

    private void CheckNewJobId(string id)
    {
        if (!OptionText.IsIdentifier(id))
        {
            throw QmpException.Generic($"Invalid job ID '{id}'");
        }

        if (Vm.Blockdev.FindJob(id) is not null)
        {
            throw QmpException.Generic($"Job ID '{id}' already in use");
        }
    }

    /// <summary>A new job: created, then running, both before the command's reply.</summary>
    private Job StartJob(Job job)
    {
        Vm.Blockdev.Jobs.Add(job);
        Transition(job, "created", now: true);
        Transition(job, "running", now: true);
        return job;
    }

    /// <summary>Its work done: waiting, pending (BLOCK_JOB_PENDING when the client finalizes it), then finalized unless the client finalizes it.</summary>
    private void Succeed(Job job)
    {
        Transition(job, "waiting", now: false);
        Transition(job, "pending", now: false);
        if (!job.AutoFinalize && job.IsBlockJob)
        {
            var (type, id) = (job.Type, job.Id);
            Vm.Emit(s => s.EmitBlockJobPending(new BlockJobCompletedDataType(type), id));
        }

        if (job.AutoFinalize)
        {
            Finish(job, now: false);
        }
    }

    /// <summary>
    /// Finalized: a mirror or an active commit being completed pivots the drive to its target, a commit or a stream
    /// drops what it merged; BLOCK_JOB_COMPLETED; concluded.
    /// </summary>
    private void Finish(Job job, bool now)
    {
        if (job.Pivot && job.Source is { } source && job.Target is { } target)
        {
            ChangeGraph(() =>
            {
                foreach (var drive in Vm.Drives.Where(d => d.Image == source))
                {
                    drive.Image = target;
                }
            });
        }

        job.Completed?.Invoke();

        if (job.IsBlockJob)
        {
            Send(now, s => s.EmitBlockJobCompleted(new BlockJobCompletedDataType(job.Type), job.Id, job.Len, job.Offset, job.Speed));
        }

        Conclude(job, now);
    }

    /// <summary>Failed or cancelled: aborting, BLOCK_JOB_CANCELLED (a cancelled block job), concluded.</summary>
    private void Abort(Job job, bool now)
    {
        Transition(job, "aborting", now);
        if (job.IsBlockJob && job.Cancelled)
        {
            var (type, id, len, offset, speed) = (job.Type, job.Id, job.Len, job.Offset, job.Speed);
            Send(now, s => s.EmitBlockJobCancelled(new BlockJobCompletedDataType(type), id, len, offset, speed));
        }

        Conclude(job, now);
    }

    private void Conclude(Job job, bool now)
    {
        Transition(job, "concluded", now);
        if (job.AutoDismiss)
        {
            Transition(job, "null", now);
        }
    }

    /// <summary>Moves a job to <paramref name="status"/> with its JOB_STATUS_CHANGE, before the reply (<paramref name="now"/>) or after it; null removes it.</summary>
    private void Transition(Job job, string status, bool now)
    {
        job.Status = status;
        if (status == "null" && Vm.Blockdev.Jobs.Remove(job))
        {
            Vm.Release(job.Retained);
        }

        var id = job.Id;
        Send(now, s => s.EmitJobStatusChange(id, new QueryBlockJobsResultStatus(status)));
    }

    private void Send(bool now, Action<QmpServer> emit)
    {
        if (now)
        {
            Vm.EmitNow(emit);
        }
        else
        {
            Vm.Emit(emit);
        }
    }
}
