using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>What the page says about the real schema: areas, client calls, repairs, diagnostics.</summary>
public class ContentTests
{
    private static readonly Lazy<DocsPage> s_page = new(() =>
    {
        var files = RepoFiles.SchemaFiles();
        var read = SchemaParser.Read(files.Select(f => new SchemaSource(Path.GetRelativePath(RepoFiles.RepoRoot, f), File.ReadAllText(f))));
        return DocsBuilder.Build(read, files);
    });

    private static DocsEntry Entry(string name) => s_page.Value.Areas.SelectMany(a => a.Entries).Single(e => e.Name == name);

    [Fact]
    public void Every_command_is_in_exactly_one_area_and_events_have_their_own()
    {
        var commands = s_page.Value.Areas.Where(a => a.Id != DocsAreas.Events).SelectMany(a => a.Entries).Select(e => e.Name).ToList();
        Assert.Equal(108, commands.Count);
        Assert.Equal(commands.Count, commands.Distinct(StringComparer.Ordinal).Count());
        var events = s_page.Value.Areas.Single(a => a.Id == DocsAreas.Events).Entries;
        Assert.Equal(32, events.Count);
        Assert.All(events, e => Assert.Equal("event", e.Kind));
    }

    [Theory]
    [InlineData("query-status", DocsAreas.RunState)]
    [InlineData("stop", DocsAreas.RunState)]
    [InlineData("block_set_io_throttle", DocsAreas.Block)]
    [InlineData("blockdev-snapshot-sync", DocsAreas.Block)]
    [InlineData("block-job-cancel", DocsAreas.BlockJobs)]
    [InlineData("drive-mirror", DocsAreas.BlockJobs)]
    [InlineData("migrate_set_speed", DocsAreas.Migration)]
    [InlineData("query-migrate-capabilities", DocsAreas.Migration)]
    [InlineData("device_add", DocsAreas.Devices)]
    [InlineData("qom-list", DocsAreas.Devices)]
    [InlineData("chardev-add", DocsAreas.CharDevices)]
    [InlineData("ringbuf-read", DocsAreas.CharDevices)]
    [InlineData("send-key", DocsAreas.Display)]
    [InlineData("query-spice", DocsAreas.Display)]
    [InlineData("add-fd", DocsAreas.FileDescriptors)]
    [InlineData("query-version", DocsAreas.Queries)]
    [InlineData("human-monitor-command", DocsAreas.Misc)]
    [InlineData("some-future-command", DocsAreas.Misc)]
    [InlineData("query-something-new", DocsAreas.Queries)]
    public void Commands_are_classified_by_table_then_prefix(string command, string area) =>
        Assert.Equal(area, DocsAreas.Of(command));

    [Fact]
    public void The_client_call_is_the_generated_method()
    {
        Assert.Equal("var result = await qemu.QueryStatusAsync(cancellationToken);", Entry("query-status").ClientCall);
        Assert.StartsWith("await qemu.BlockSetIoThrottleAsync(device, bps, bpsRd, ", Entry("block_set_io_throttle").ClientCall, StringComparison.Ordinal);
        Assert.Equal("await qemu.EjectAsync(device, force, cancellationToken);", Entry("eject").ClientCall);
        Assert.Contains("ReadEventsAsync<BlockJobCompletedEvent>", Entry("BLOCK_JOB_COMPLETED").ClientCall, StringComparison.Ordinal);
    }

    [Fact]
    public void Repaired_examples_are_marked_with_what_was_repaired()
    {
        var example = Assert.Single(Entry("query-balloon").Examples);
        Assert.Equal("repaired", example.Status);
        Assert.NotEmpty(example.Repairs);
        Assert.Contains(Entry("query-balloon").Diagnostics, d => d.Id == "QMP0010");
        Assert.Equal("checked", Entry("query-status").Examples[0].Status);
    }

    [Fact]
    public void Examples_are_pretty_printed_by_System_Text_Json()
    {
        var reply = Entry("query-status").Examples[0].Reply;
        Assert.Equal("{\n  \"return\": {\n    \"running\": true,\n    \"singlestep\": false,\n    \"status\": \"running\"\n  }\n}", reply!.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Diagnostics_appear_at_the_command_they_belong_to()
    {
        Assert.Contains(Entry("drive-mirror").Diagnostics, d => d.Id == "QMP0007" && d.Message.Contains("buf_size", StringComparison.Ordinal));
        Assert.Contains(Entry("drive-backup").Diagnostics, d => d.Id == "QMP0016");
        Assert.Contains(Entry("query-spice").Diagnostics, d => d.Id == "QMP0015");
        Assert.Contains(Entry("dump-guest-memory").Diagnostics, d => d.Id == "QMP0013");
        Assert.Empty(Entry("query-status").Diagnostics);
        // The HXCOMM header mentions SQMP/EQMP: that belongs to no command.
        Assert.Contains(s_page.Value.OtherDiagnostics, d => d.Id == "QMP0017");
    }

    /// <summary>The tables show the QMP schema model: its types, its optionality, its nesting (issue 12).</summary>
    [Fact]
    public void Member_tables_show_the_schema_models_types_optionality_and_nesting()
    {
        var vnc = Entry("query-vnc");
        Assert.Equal("VncInfo", vnc.ReturnsType);
        Assert.Contains(vnc.Returns, r => r.Name == "host" && r.Depth == 0 && r.Optional && r.Type == "str");
        Assert.Equal("[BlockInfo]", Entry("query-block").ReturnsType);
        Assert.Contains(Entry("query-block").Returns, r => r.Name == "bps_max" && r.Depth == 1 && r.Optional);
        var pci = Entry("query-pci").Returns;
        var io = pci.Single(r => r.Name == "io_range");
        Assert.Equal("PciBridgeIoRangeInfo", io.Type);
        Assert.Equal(io.Depth, pci.Single(r => r.Name == "memory_range").Depth);
        Assert.Null(Entry("eject").ReturnsType);
    }

    [Fact]
    public void Nested_members_are_indented_rows()
    {
        var returns = Entry("query-block").Returns;
        Assert.Contains(returns, r => r.Name == "inserted" && r.Depth == 0);
        Assert.Contains(returns, r => r.Name == "file" && r.Depth == 1);
    }
}
