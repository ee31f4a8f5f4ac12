using System.Text;
using Qmp.Runtime.Introspection;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>
/// Issue 20 item 4: the check's memory grows with the answer, not with its square. Measured in
/// bytes allocated (deterministic, unlike time); the time and peak figures are the benchmarks'
/// (tests/Benchmarks, SchemaCheckHostile).
/// </summary>
public class HostileSchemaCheckTests
{
    private const int Links = 6000;

    [Fact]
    public void A_6000_type_chain_is_checked_in_memory_linear_in_the_answer()
    {
        var client = Encoding.UTF8.GetBytes(HostileSchema.Client(Links));
        var server = Encoding.UTF8.GetBytes(HostileSchema.Server(Links));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = SchemaCompatibilityReport.Compare(SchemaInfoReader.Read(client), SchemaInfoReader.Read(server));
        var text = report.ToString();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Reading both schemas alone takes some 20 MB; the old walk, which stored every pair's whole
        // path and each difference's, took gigabytes.
        Assert.True(allocated < 200_000_000, $"reading, checking and printing allocated {allocated:N0} bytes for a {server.Length:N0}-byte answer");
        // Each link differs twice (c missing, s added), each difference once.
        Assert.Equal(2 * Links, report.Differences.Count);
        Assert.False(report.IsCompatible);
        Assert.Equal("chain/ret-type" + string.Concat(Enumerable.Repeat("/next", 3)) + "/c",
            report.Differences.First(d => d.ClientType == "Link3" && d.Kind == SchemaDifferenceKind.MemberMissing).Path);
    }

    [Fact]
    public void A_chain_whose_recursive_member_is_crossed_pairs_each_type_a_bounded_number_of_times()
    {
        // Client type i meets server types i, i+1, ... n-1: pairing everything met makes n*n/2 pairs.
        const int N = 300;
        var report = SchemaCompatibilityReport.Compare(
            SchemaInfoReader.Read(Encoding.UTF8.GetBytes(HostileSchema.Client(N))),
            SchemaInfoReader.Read(Encoding.UTF8.GetBytes(HostileSchema.Server(N, crossed: true))));
        Assert.InRange(report.Alignment.Pairs.Count, N, 4 * N);
        Assert.InRange(report.Differences.Count, 1, 8 * N);
    }
}
