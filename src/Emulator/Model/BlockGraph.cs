namespace Qmp.Emulator.Model;

/// <summary>
/// The block graph's nodes that QMP added with <c>blockdev-add</c> (newest last; QEMU lists them newest first),
/// beside the drives' chains (<see cref="VirtualMachine.Drives"/>), and the jobs of QEMU's job API
/// (<c>blockdev-create</c>, <c>blockdev-mirror</c>) with their status as QEMU's job.c moves it. A node added by QMP
/// that becomes part of a drive's chain (an overlay, a mirror's pivot) stays listed here until <c>blockdev-del</c>.
/// </summary>
internal sealed class BlockGraph
{
    /// <summary>Nodes added by QMP, in the order they were added.</summary>
    public List<BlockImage> Nodes { get; } = [];

    /// <summary>Jobs in the order they were created (query-jobs lists them so).</summary>
    public List<Job> Jobs { get; } = [];

    public Job? FindJob(string id) => Jobs.FirstOrDefault(j => j.Id == id);
}

/// <summary>
/// A job of QEMU's job API: its type (<c>create</c>, <c>mirror</c>, <c>backup</c>), its status (JobStatus), the
/// block job members when it is one, and for a mirror or a backup its source and target nodes.
/// </summary>
internal sealed class Job
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public string Status { get; set; } = "created";

    public bool AutoFinalize { get; init; } = true;

    public bool AutoDismiss { get; init; } = true;

    public long Len { get; set; }

    public long Offset { get; set; }

    public long Speed { get; set; }

    /// <summary>Why it failed (query-jobs' <c>error</c>), or null.</summary>
    public string? Error { get; set; }

    /// <summary>Whether it is a block job (query-block-jobs lists it, BLOCK_JOB_* events follow it): not blockdev-create, amend or the snapshot-* jobs.</summary>
    public bool IsBlockJob => Type is "commit" or "stream" or "mirror" or "backup";

    /// <summary>A mirror's or a backup's source node (the image it copies); a commit's top, a stream's node: the node its filter sits on.</summary>
    public BlockImage? Source { get; init; }

    /// <summary>A mirror's or a backup's target node; a commit's base.</summary>
    public BlockImage? Target { get; init; }

    /// <summary>The other nodes it blocks (a commit's or a stream's chain between its ends), as block_job_add_bdrv.</summary>
    public IReadOnlyList<BlockImage> Nodes { get; init; } = [];

    /// <summary>What it changes in the graph when it completes (a commit or a stream drops the nodes it merged), or null.</summary>
    public Action? Completed { get; init; }

    /// <summary>Whether it uses <paramref name="node"/> (its op blockers are on it).</summary>
    public bool Holds(BlockImage node) => Source == node || Target == node || Nodes.Contains(node);

    /// <summary>Whether it ends by pivoting to its target (job-complete) rather than leaving the copy (a soft cancel).</summary>
    public bool Pivot { get; set; }

    /// <summary>Whether it was cancelled by force (it ends aborting, with BLOCK_JOB_CANCELLED).</summary>
    public bool Cancelled { get; set; }

    /// <summary>Whether the client paused it (job-pause): it sits in paused or standby until job-resume.</summary>
    public bool UserPaused { get; set; }

    /// <summary>Whether job-complete came while it was paused: it completes when resumed.</summary>
    public bool CompleteWhenResumed { get; set; }

    /// <summary>The client state it charged.</summary>
    public long Retained { get; init; }
}
