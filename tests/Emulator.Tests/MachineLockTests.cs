using Qmp.Emulator.Model;

namespace Qmp.Emulator.Tests;

/// <summary>
/// No request holds the machine lock for long (issue 20, item 5): what a transaction's actions look up
/// is indexed, a transaction has at most <see cref="EmulatorLimits.MaxTransactionActions"/> actions, and
/// SIGTERM never waits on the lock. Costs are proven by counting, never by timing.
/// </summary>
public class MachineLockTests
{
    private static string InternalSnapshots(int count, int from = 0) =>
        "{\"actions\":[" + string.Join(",", Enumerable.Range(from, count).Select(i =>
            $"{{\"type\":\"blockdev-snapshot-internal-sync\",\"data\":{{\"device\":\"ide0-hd0\",\"name\":\"s{i}\"}}}}")) + "]}";

    private static async Task<int> SnapshotCount(TestVm vm)
    {
        var block = await vm.Run("query-block");
        var drive = block.EnumerateArray().Single(d => d.GetProperty("device").GetString() == "ide0-hd0");
        return drive.GetProperty("inserted").GetProperty("image").TryGetProperty("snapshots", out var snapshots) ? snapshots.GetArrayLength() : 0;
    }

    [Fact]
    public async Task A_transaction_of_more_than_1024_actions_is_refused_whole()
    {
        // QEMU 7.2 sets no number (5,000 'abort' actions answer "Transaction aborted using Abort
        // action"); the emulator refuses past its cap in the words of QEMU's other bounds.
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("transaction", InternalSnapshots(EmulatorLimits.MaxTransactionActions + 1), "Parameter 'actions' expects at most 1024 actions");
        Assert.Equal(0, await SnapshotCount(vm));

        // At the cap it runs, numbering the snapshots as QEMU does; the client is served after.
        await vm.Run("transaction", InternalSnapshots(EmulatorLimits.MaxTransactionActions));
        Assert.Equal(EmulatorLimits.MaxTransactionActions, await SnapshotCount(vm));
        await vm.Run("transaction", InternalSnapshots(2, from: EmulatorLimits.MaxTransactionActions));
        var block = await vm.Run("query-block");
        var last = block[0].GetProperty("inserted").GetProperty("image").GetProperty("snapshots").EnumerateArray().Last();
        Assert.Equal("1026", last.GetProperty("id").GetString());
        Assert.Equal("running", await vm.Status());
    }

    /// <summary>Counts the name comparisons a snapshot table makes.</summary>
    private sealed class CountingComparer : IEqualityComparer<string>
    {
        public long Calls { get; private set; }

        public bool Equals(string? x, string? y)
        {
            Calls++;
            return string.Equals(x, y, StringComparison.Ordinal);
        }

        public int GetHashCode(string obj)
        {
            Calls++;
            return StringComparer.Ordinal.GetHashCode(obj);
        }
    }

    [Fact]
    public void Creating_a_snapshot_costs_the_same_whatever_the_table_holds()
    {
        // What blockdev-snapshot-internal-sync looks up per action: the name (unique?) and the next id.
        // The walk of the whole table this replaces made 30,000 creations O(n²): ~450 million comparisons.
        const int N = 30_000;
        var names = new CountingComparer();
        var table = new SnapshotTable(names);
        long before = 0;
        long mostForOne = 0;
        for (var i = 0; i < N; i++)
        {
            var name = "snapshot-" + i;
            Assert.False(table.ContainsName(name));
            var id = table.MaxId + 1;
            table = table.Add(new InternalSnapshot(id.ToString(System.Globalization.CultureInfo.InvariantCulture), name, 0, 0, 0, 0, 0));
            mostForOne = Math.Max(mostForOne, names.Calls - before);
            before = names.Calls;
        }

        Assert.Equal(N, table.Count);
        Assert.Equal(N, table.MaxId);
        Assert.True(table.ContainsName("snapshot-0"));
        Assert.True(mostForOne <= 8, $"one creation made {mostForOne} name comparisons");
        Assert.True(names.Calls <= 8L * N, $"{N} creations made {names.Calls} name comparisons");

        // Deleting keeps the indexes: the name is free again, the next id is one above the largest left.
        var lastOne = table.Last();
        table = table.Remove(lastOne);
        Assert.False(table.ContainsName(lastOne.Name));
        Assert.Equal(N - 1, table.MaxId);
    }

    [Fact]
    public async Task Nbd_server_start_resolves_its_host_outside_the_machine_lock()
    {
        // Issue 20, item 16: a name that takes long to resolve must not hold every other monitor back.
        await using var vm = await TestVm.StartAsync();
        var heldWhileResolving = new List<bool>();
        vm.Emulator.Machine.ResolveHost = host =>
        {
            heldWhileResolving.Add(vm.Emulator.Vm.Gate.IsHeldByCurrentThread);
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
        };

        await vm.FailsWith(
            "nbd-server-start",
            "{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"slow.example\",\"port\":\"10809\"}}}",
            "address resolution failed for slow.example:10809: Name or service not known");
        Assert.Equal([false], heldWhileResolving);

        // A name that resolves: the server starts on what the resolver said.
        vm.Emulator.Machine.ResolveHost = host =>
        {
            heldWhileResolving.Add(vm.Emulator.Vm.Gate.IsHeldByCurrentThread);
            return [System.Net.IPAddress.Loopback];
        };
        await vm.Run("nbd-server-start", "{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"localhost.example\",\"port\":\"0\"}}}");
        Assert.Equal([false, false], heldWhileResolving);
        Assert.Equal(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)vm.Emulator.Machine.NbdEndPoint!).Address);
    }

    [Fact]
    public async Task Sigterm_does_not_wait_on_a_command_holding_the_machine_lock()
    {
        await using var vm = await TestVm.StartAsync();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // A command that holds the lock as long as it likes: a thread of the test's, inside the lock.
        var holder = new Thread(() =>
        {
            lock (vm.Emulator.Vm.Gate)
            {
                holding.Set();
                release.Wait();
            }
        });
        holder.Start();
        try
        {
            Assert.True(holding.Wait(TimeSpan.FromSeconds(60)));

            // Another monitor's command waits for the lock meanwhile.
            var waiting = vm.Client.ExecuteAsync("query-status");

            // SIGTERM's handler, as Program's SignalWatcher calls it: it returns, SHUTDOWN goes out, the
            // emulator ends (Exited) and disposes, all while the lock is still held.
            await Task.Run(vm.Emulator.TerminateOnSignal).WaitAsync(TimeSpan.FromSeconds(60));
            await vm.Emulator.Exited.WaitAsync(TimeSpan.FromSeconds(60));
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                Assert.Equal("SHUTDOWN", (await vm.Events.Reader.ReadAsync(bound.Token)).Name);
            }

            await vm.Emulator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(holder.IsAlive, "the lock was released before the emulator ended");

            // The waiting command never ran: its connection closed with the emulator.
            await Assert.ThrowsAnyAsync<Exception>(() => waiting.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }
}
