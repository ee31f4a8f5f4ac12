using Qmp.Codegen.Hx;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Hx;

/// <summary>
/// The whole schema model the .hx front end builds from QEMU 2.1's files (schema/*.hx), printed by
/// <see cref="SchemaPrinter"/> without docs: every named type, member, nesting, optionality and wire
/// type, so any change of inference shows as a diff in <c>Hx/qemu-2.1.model</c>.
/// Set QMP_UPDATE_GOLDEN=1 to rewrite it, then review the diff.
/// </summary>
public class ModelGoldenTests
{
    [Fact]
    public void The_model_of_qemu_2_1_matches_its_expectation()
    {
        var schema = HxSchemaBuilder.Build(TestFiles.ParseAll());
        var actual = SchemaPrinter.Print(schema with { Diagnostics = default }, docs: false);
        var expectedPath = Path.Combine(SourceDir(), "qemu-2.1.model");
        if (Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
        }

        Assert.True(File.Exists(expectedPath), "no expected model; run with QMP_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    [Fact]
    public void Reading_once_gives_the_model_of_parsing_the_example_text_again()
    {
        var sources = new[] { "qmp-commands.hx", "qmp-commands-extra.hx", "qmp-events.hx" }
            .Select(f => new SchemaSource("schema/" + f, File.ReadAllText(Path.Combine(TestFiles.Dir("schema"), f))));
        var (model, schema) = SchemaParser.Read(sources);
        Assert.Equal(SchemaPrinter.Print(HxSchemaBuilder.Build(model)), SchemaPrinter.Print(schema));
    }

    [Fact]
    public void Replies_the_prose_gets_wrong_are_typed_as_qemu_sends_them()
    {
        var schema = HxSchemaBuilder.Build(TestFiles.ParseAll());
        SchemaObjectType Object(string name) => schema.Types.OfType<SchemaObjectType>().Single(t => t.Name == name);
        SchemaObjectType ReturnOf(string command) => Object(schema.Commands.Single(c => c.Name == command).Returns!.Name);
        SchemaMember Member(SchemaObjectType type, string name) => type.Members.Single(m => m.Name == name);

        // query-vnc and query-spice answer {"enabled": false} on a VM without them.
        var vnc = ReturnOf("query-vnc");
        Assert.False(Member(vnc, "enabled").Optional);
        Assert.True(Member(vnc, "host").Optional);
        Assert.True(Member(ReturnOf("query-spice"), "host").Optional);

        // query-block's inserted sends the *_max throttle members only when set.
        var inserted = Object(Member(ReturnOf("query-block"), "inserted").Type.Name);
        Assert.True(Member(inserted, "bps_max").Optional);
        Assert.False(Member(inserted, "bps").Optional);

        // query-blockstats: the member list's *_total_time_ns wins over the examples' *_total_times_ns.
        var stats = Object(Member(ReturnOf("query-blockstats"), "stats").Type.Name);
        Assert.False(Member(stats, "rd_total_time_ns").Optional);
        Assert.DoesNotContain(stats.Members, m => m.Name == "rd_total_times_ns");

        // query-pci's pci_bridge: io_range, memory_range and prefetchable_range are siblings.
        var device = Object(Member(ReturnOf("query-pci"), "devices").Type.Name);
        var bridge = Object(Member(device, "pci_bridge").Type.Name);
        Assert.True(Member(device, "pci_bridge").Optional);
        Assert.Equal(["bus", "secondary", "subordinate", "io_range", "memory_range", "prefetchable_range", "devices"], bridge.Members.Select(m => m.Name));
    }

    [Fact]
    public void Listed_values_make_enums()
    {
        var schema = HxSchemaBuilder.Build(TestFiles.ParseAll());
        var runState = schema.Types.OfType<SchemaEnumType>().Single(t => t.Name == "RunState");
        Assert.Contains(runState.Values, v => v.Name == "running" && v.Doc is not null);
        Assert.Contains(runState.Values, v => v.Name == "paused");
        var family = schema.Types.OfType<SchemaEnumType>().Single(t => t.Name == "NetworkAddressFamily");
        Assert.Equal(["ipv4", "ipv6", "unix", "unknown"], family.Values.Select(v => v.Name));
    }

    private static string SourceDir() => Qmp.Testing.Repository.PathOf("tests", "Generator.Tests", "Hx");
}
