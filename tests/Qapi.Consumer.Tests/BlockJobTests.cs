#if QEMU72_CLIENT
using Qapi.Consumer.Qemu72;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>
/// A real block job on QEMU 7.2 through the generated 7.2 client: a qcow2 target added with
/// <c>blockdev-add</c>, <c>blockdev-backup</c> of the machine's disk into it, and the job's life as
/// typed events: every JOB_STATUS_CHANGE in the order QEMU sends them, and BLOCK_JOB_COMPLETED with
/// the job's length, offset and type.
/// </summary>
public sealed class BlockJobTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Kept in a field so the class compiles whether or not the client was generated (without it,
    // the tests skip and never write: an unread primary-constructor parameter is CS9113).
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    [Qemu72Fact]
    public async Task A_backup_job_reports_its_status_changes_and_its_completion_as_typed_events()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        // The target: a second image of the disk's size (RealQemu's disk is 64 MiB).
        var target = Path.Combine(Path.GetDirectoryName(qemu.Socket)!, "backup.qcow2");
        using (var img = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("qemu-img") { ArgumentList = { "create", "-q", "-f", "qcow2", target, "64M" } })!)
        {
            await img.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, img.ExitCode);
        }
        await client.BlockdevAddAsync(new BlockdevOptions.Qcow2
        {
            NodeName = "backup-target",
            Data = new() { File = new BlockdevOptions.File { Data = new() { Filename = target } } },
        }, timeout.Token);

        // Both subscribed before the command: QEMU sends the first status changes before its reply.
        var events = client.ReadEventsAsync([JobStatusChangeEvent.WireName, BlockJobCompletedEvent.WireName], timeout.Token);
        var completion = client.WaitForEventAsync<BlockJobCompletedEvent>(e => e.Device == "backup0", TimeSpan.FromSeconds(60), timeout.Token);
        await client.BlockdevBackupAsync(new BlockdevBackup
        {
            JobId = "backup0",
            Device = "disk0",
            Target = "backup-target",
            Sync = MirrorSyncMode.Full,
        }, timeout.Token);

        var seen = new List<string>();
        await foreach (var e in events)
        {
            switch (e)
            {
                case JobStatusChangeEvent change:
                    Assert.Equal("backup0", change.Id);
                    seen.Add(change.Status.Value);
                    break;
                case BlockJobCompletedEvent done:
                    seen.Add($"{BlockJobCompletedEvent.WireName} {done.Device}");
                    break;
                default:
                    Assert.Fail($"unexpected event {e.EventName}");
                    break;
            }
            // With auto-finalize and auto-dismiss (the defaults) the job ends in 'null'.
            if (e is JobStatusChangeEvent { Status: var status } && status == JobStatus.Null)
            {
                break;
            }
        }
        _output.WriteLine("QEMU 7.2 sent: " + string.Join(", ", seen));

        // As QEMU 7.2 sends them: attaching the target drains the disk, pausing and resuming the
        // new job before blockdev-backup returns; the job then waits for its transaction, is
        // pending, completes, concludes and is dismissed.
        Assert.Equal(["created", "running", "paused", "running", "waiting", "pending", "BLOCK_JOB_COMPLETED backup0", "concluded", "null"], seen);

        var completed = await completion;
        Assert.Equal(JobType.Backup, completed.Type);
        Assert.Equal("backup0", completed.Device);
        Assert.Equal(64L << 20, completed.Len);
        Assert.Equal(completed.Len, completed.Offset);
        Assert.Equal(0, completed.Speed);
        Assert.Null(completed.Error);

        // Dismissed: no job is left, and the target can go.
        Assert.Empty(await client.QueryBlockJobsAsync(timeout.Token));
        await client.BlockdevDelAsync("backup-target", timeout.Token);
#else
        await Task.CompletedTask;
#endif
    }
}
