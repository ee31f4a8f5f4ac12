#if QEMU72_CLIENT
using Qapi.Consumer.Qemu72;
using Qmp.Runtime.Introspection;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>
/// The client generated from QEMU 7.2's QAPI schema checks it against a real QEMU 7.2 (Debian's
/// x86_64 build): compatible, with the parts under an 'if' this build left out listed by condition,
/// as <c>qmp-codegen compat</c> reports them (LiveIntrospectionTests).
/// </summary>
public sealed class SchemaCheckTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Kept in a field so the class compiles whether or not the client was generated (without it,
    // the tests skip and never write: an unread primary-constructor parameter is CS9113).
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    [Qemu72Fact]
    public async Task The_7_2_client_is_compatible_with_7_2_and_lists_what_this_build_left_out()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        var report = await client.CheckSchemaAsync(timeout.Token);
        var text = report.ToString();
        _output.WriteLine(text);
        Assert.True(report.IsCompatible, text);
        Assert.Equal(37, report.Differences.Count);
        Assert.All(report.Differences, d => Assert.NotNull(d.Condition));
        Assert.Equal(["CONFIG_BLKIO", "CONFIG_COCOA", "CONFIG_VMNET", "TARGET_ARM", "TARGET_S390X"],
            report.Differences.Select(d => d.Condition!).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(report.Differences, d => d.Kind == SchemaDifferenceKind.CommandMissing && d.Name == "query-gic-capabilities" && d.Condition == "TARGET_ARM");
        Assert.StartsWith("QMP schema: client 220 commands, 52 events;", text, StringComparison.Ordinal);
        Assert.Contains("Compatible: 37 difference(s), 0 breaking, 37 under conditions this build lacks.", text, StringComparison.Ordinal);
        Assert.Contains("  if TARGET_S390X (3):\n    query-cpu-model-comparison, query-cpu-model-baseline, dump-skeys\n", text, StringComparison.Ordinal);
        Assert.Contains("    blockdev-add/arg-type/+io_uring (BlockdevOptions): the client may send it\n", text, StringComparison.Ordinal);
#else
        await Task.CompletedTask;
#endif
    }
}
