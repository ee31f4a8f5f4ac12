namespace Qmp.Runtime.Tests;

/// <summary><see cref="QmpEvent.GetTyped{T}"/>: one read per event, shared by every caller with the same reader on any thread.</summary>
public class QmpEventTypedTests
{
    private sealed record Typed(string Name, int Seq);

    private sealed class CountingReader
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Typed Read(QmpEvent e)
        {
            Interlocked.Increment(ref _reads);
            return new Typed(e.Name, e.Data!.Value.GetProperty("seq").GetInt32());
        }
    }

    [Fact]
    public async Task Three_callers_on_three_threads_share_one_read_of_each_event()
    {
        const int Events = 2000;
        var events = Enumerable.Range(0, Events)
            .Select(i => new QmpEvent("DEVICE_DELETED", TestExtensions.Json("{\"seq\": " + i + "}"), DateTimeOffset.UnixEpoch))
            .ToArray();
        var first = new CountingReader();
        var second = new CountingReader();
        Func<QmpEvent, Typed> read = first.Read;

        // Three subscribers reading the same events at once, as the client's typed subscribers do.
        var seen = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => events.Select(e => e.GetTyped(read)).ToArray()))).Within();
        Assert.Equal(Events, first.Reads);
        for (var i = 0; i < Events; i++)
        {
            Assert.Equal(i, seen[0][i].Seq);
            Assert.Same(seen[0][i], seen[1][i]);
            Assert.Same(seen[0][i], seen[2][i]);

            // An equal delegate (a new one for the same method and target) finds the same read.
            Assert.Same(seen[0][i], events[i].GetTyped<Typed>(first.Read));
        }

        Assert.Equal(Events, first.Reads);

        // One reader is kept per event, the first: another reads at every call and leaves it be.
        var other = events.Select(e => e.GetTyped<Typed>(second.Read)).ToArray();
        Assert.Equal(seen[0], other);
        Assert.NotSame(seen[0][0], other[0]);
        Assert.Equal(Events, second.Reads);
        Assert.NotSame(other[0], events[0].GetTyped<Typed>(second.Read));
        Assert.Equal(Events + 1, second.Reads);
        Assert.Same(seen[0][0], events[0].GetTyped(read));
        Assert.Equal(Events, first.Reads);
    }

    [Fact]
    public void A_copy_made_with_with_reads_anew_and_a_reader_that_throws_is_tried_again()
    {
        var reader = new CountingReader();
        var e = new QmpEvent("STOP", TestExtensions.Json("{\"seq\": 1}"), DateTimeOffset.UnixEpoch);
        Assert.Equal(new Typed("STOP", 1), e.GetTyped<Typed>(reader.Read));

        // The copy's name and data may differ: what was read of the original is not carried over.
        var copy = e with { Name = "RESUME", Data = TestExtensions.Json("{\"seq\": 2}") };
        Assert.Equal(new Typed("RESUME", 2), copy.GetTyped<Typed>(reader.Read));
        Assert.Equal(new Typed("STOP", 1), e.GetTyped<Typed>(reader.Read));
        Assert.Equal(2, reader.Reads);

        var failures = 0;
        Typed FailOnce(QmpEvent qmpEvent) => ++failures == 1 ? throw new InvalidOperationException("once") : new Typed(qmpEvent.Name, 0);
        var fresh = new QmpEvent("STOP", null, DateTimeOffset.UnixEpoch);
        Assert.Throws<InvalidOperationException>(() => fresh.GetTyped<Typed>(FailOnce));
        Assert.Equal(new Typed("STOP", 0), fresh.GetTyped<Typed>(FailOnce));
        Assert.Same(fresh.GetTyped<Typed>(FailOnce), fresh.GetTyped<Typed>(FailOnce));
        Assert.Equal(2, failures);
        Assert.Throws<InvalidOperationException>(() => fresh.GetTyped<Typed>(_ => null!));
    }
}
