using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

public sealed class BlockJobTests
{
    private static MachineDescription WithBacking()
    {
        var m = MachineDescription.Default();
        m.Drives![0].Backing = [new ImageDescription { Filename = "mid.qcow2" }, new ImageDescription { Filename = "base.qcow2" }];
        return m;
    }

    [Fact]
    public async Task Stream_progresses_at_its_speed_and_completes()
    {
        await using var vm = await TestVm.StartAsync(WithBacking());
        await vm.Run("block-stream", """{"device": "ide0-hd0", "speed": 1073741824}""");
        await vm.FailsWith("block-stream", """{"device": "ide0-hd0"}""", "Device 'ide0-hd0' is in use");
        vm.Advance(TimeSpan.FromSeconds(2));
        var job = (await vm.Run("query-block-jobs"))[0];
        Assert.Equal("stream", job.GetProperty("type").GetString());
        Assert.InRange(job.GetProperty("offset").GetInt64(), 1L << 30, 3L << 30);
        Assert.Equal(10L << 30, job.GetProperty("len").GetInt64());
        vm.Advance(TimeSpan.FromSeconds(9));
        var done = await vm.Next("BLOCK_JOB_COMPLETED");
        Assert.Equal(10L << 30, done.Data!.Value.GetProperty("offset").GetInt64());
        Assert.Empty((await vm.Run("query-block-jobs")).EnumerateArray());
        var block = (await vm.Run("query-block"))[0].GetProperty("inserted");
        Assert.Equal(0, block.GetProperty("backing_file_depth").GetInt32());
    }

    [Fact]
    public async Task Commit_merges_the_top_into_the_base()
    {
        await using var vm = await TestVm.StartAsync(WithBacking());
        await vm.FailsWith("block-commit", """{"device": "ide0-hd0", "top": "disk.qcow2"}""", "Top image as the active layer is currently unsupported");
        await vm.FailsWith("block-commit", """{"device": "ide0-hd0", "top": "nope.qcow2"}""", "Top image file nope.qcow2 not found");
        await vm.Run("block-commit", """{"device": "ide0-hd0", "top": "mid.qcow2"}""");
        vm.Advance(TimeSpan.FromSeconds(11));
        await vm.Next("BLOCK_JOB_COMPLETED");
        Assert.Equal("base.qcow2", (await vm.Run("query-block"))[0].GetProperty("inserted").GetProperty("backing_file").GetString());
    }

    [Fact]
    public async Task Jobs_pause_resume_set_speed_and_cancel()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("block-job-pause", """{"device": "ide0-hd0"}""", "No active block job on device 'ide0-hd0'", QmpErrorClass.DeviceNotActive);
        await vm.FailsWith("drive-backup", """{"device": "ide0-hd0", "target": "b.img", "sync": "sometimes"}""", "Invalid parameter 'sync'");
        await vm.Run("drive-backup", """{"device": "ide0-hd0", "target": "b.img", "sync": "full", "speed": 1048576}""");
        await vm.Run("block-job-pause", """{"device": "ide0-hd0"}""");
        vm.Advance(TimeSpan.FromSeconds(5));
        var job = (await vm.Run("query-block-jobs"))[0];
        Assert.True(job.GetProperty("paused").GetBoolean());
        Assert.Equal(0, job.GetProperty("offset").GetInt64());
        await vm.FailsWith("block-job-cancel", """{"device": "ide0-hd0"}""", "The block job for device 'ide0-hd0' is currently paused");
        await vm.Run("block-job-resume", """{"device": "ide0-hd0"}""");
        await vm.Run("block-job-set-speed", """{"device": "ide0-hd0", "speed": 2097152}""");
        await vm.FailsWith("block-job-set-speed", """{"device": "ide0-hd0", "speed": -1}""", "Invalid parameter 'speed'");
        vm.Advance(TimeSpan.FromSeconds(1));
        job = (await vm.Run("query-block-jobs"))[0];
        Assert.Equal(2097152, job.GetProperty("speed").GetInt64());
        Assert.InRange(job.GetProperty("offset").GetInt64(), 1048576, 3145728);
        await vm.FailsWith("block-job-complete", """{"device": "ide0-hd0"}""", "The active block job for device 'ide0-hd0' cannot be completed");
        await vm.Run("block-job-cancel", """{"device": "ide0-hd0"}""");
        var cancelled = await vm.Next("BLOCK_JOB_CANCELLED");
        Assert.Equal("backup", cancelled.Data!.Value.GetProperty("type").GetString());
        await vm.FailsWith("block-job-cancel", """{"device": "ide0-hd0"}""", "No active block job on device 'ide0-hd0'", QmpErrorClass.DeviceNotActive);
    }

    [Fact]
    public async Task Mirror_becomes_ready_and_completes_onto_its_target()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("drive-mirror", """{"device": "ide0-hd0", "target": "m.qcow2", "sync": "full", "mode": "existing"}""", "Could not open 'm.qcow2': No such file or directory");
        await vm.FailsWith("drive-mirror", """{"device": "ide0-hd0", "target": "m.qcow2", "sync": "full", "granularity": 1000}""", "Parameter 'granularity' expects power of 2");
        await vm.Run("drive-mirror", """{"device": "ide0-hd0", "target": "m.qcow2", "sync": "full"}""");
        await vm.FailsWith("block-job-complete", """{"device": "ide0-hd0"}""", "The active block job for device 'ide0-hd0' cannot be completed");
        await vm.FailsWith("eject", """{"device": "ide0-hd0"}""", "Device 'ide0-hd0' is in use");
        vm.Advance(TimeSpan.FromSeconds(11));
        await vm.Next("BLOCK_JOB_READY");
        Assert.Single((await vm.Run("query-block-jobs")).EnumerateArray());
        await vm.Run("block-job-complete", """{"device": "ide0-hd0"}""");
        await vm.Next("BLOCK_JOB_COMPLETED");
        Assert.Equal("m.qcow2", (await vm.Run("query-block"))[0].GetProperty("inserted").GetProperty("file").GetString());
    }

    [Fact]
    public async Task Cancelling_a_ready_mirror_reports_it_completed()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("drive-mirror", """{"device": "ide0-hd0", "target": "m.qcow2", "sync": "top", "speed": 0}""");
        vm.Advance(TimeSpan.FromSeconds(11));
        await vm.Next("BLOCK_JOB_READY");
        await vm.Run("block-job-cancel", """{"device": "ide0-hd0"}""");
        await vm.Next("BLOCK_JOB_COMPLETED");
        Assert.Equal("disk.qcow2", (await vm.Run("query-block"))[0].GetProperty("inserted").GetProperty("file").GetString());
    }
}
