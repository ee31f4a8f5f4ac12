namespace Qmp.Samples.Tests;

public sealed class FleetSampleTests
{
    /// <summary>
    /// samples/Fleet, non-interactively: three emulators polled for six rounds; the first is restarted
    /// after round two, and its client must come back by reconnecting, the others untouched.
    /// </summary>
    [Fact]
    public async Task Fleet_polls_every_vm_and_reconnects_the_one_that_restarted()
    {
        var (exit, output) = await SampleTests.RunAsync("Fleet", "--vms", "3", "--rounds", "6", "--interval", "200", "--concurrency", "2", "--restart-after", "2", "--plain");
        Assert.True(exit == 0, output);
        Assert.Contains("started 3 reference emulators", output, StringComparison.Ordinal);
        Assert.Contains("round 1: 3/3 ok", output, StringComparison.Ordinal);
        Assert.Contains("round 6: 3/3 ok", output, StringComparison.Ordinal);
        Assert.Matches(@"vm0: running, \d+ polls, \d+ failures, 1 reconnects", output);
        Assert.Contains("vm1: running, 6 polls, 0 failures, 0 reconnects", output, StringComparison.Ordinal);
        Assert.Contains("vm2: running, 6 polls, 0 failures, 0 reconnects", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fleet_rejects_unknown_arguments()
    {
        var (exit, output) = await SampleTests.RunAsync("Fleet", "--bogus");
        Assert.Equal(2, exit);
        Assert.Contains("usage: Fleet", output, StringComparison.Ordinal);
    }
}
