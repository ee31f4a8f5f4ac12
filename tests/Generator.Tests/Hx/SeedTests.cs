using System.Text.Json;
using System.Text.RegularExpressions;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Tests.Hx;

/// <summary>What the parser reads from the user's schema: QEMU 2.1's qmp-commands.hx, folded onto one line.</summary>
public class SeedTests
{
    private static readonly SchemaModel s_model = TestFiles.ParseSeed();
    private static readonly string s_seed = TestFiles.Seed;

    [Fact]
    public void The_seed_is_one_folded_line()
    {
        Assert.DoesNotContain('\n', s_seed);
        Assert.True(s_seed.Length > 70_000);
    }

    [Fact]
    public void Reads_all_108_commands_and_matches_89_doc_blocks()
    {
        Assert.Equal(108, s_model.Commands.Count);
        Assert.Equal(89, s_model.Commands.Count(c => c.Doc is not null));
        Assert.Empty(s_model.Events);
        Assert.DoesNotContain(s_model.Diagnostics, d => d.Severity == SchemaSeverity.Error);
    }

    [Fact]
    public void Every_command_has_the_arguments_of_its_args_type()
    {
        // An independent reading of the table: C literals concatenated, pairs split at ',' and ':'.
        var entries = Regex.Matches(s_seed, @"\.name = ""([^""]+)"", \.args_type = ((?:""[^""]*""\s*)+),");
        Assert.Equal(108, entries.Count);
        foreach (Match entry in entries)
        {
            var argsType = string.Concat(Regex.Matches(entry.Groups[2].Value, @"""([^""]*)""").Select(m => m.Groups[1].Value));
            var expected = argsType.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => (Name: pair.Split(':')[0], Code: pair.Split(':')[1]))
                .ToList();
            var command = s_model.Commands.Single(c => c.Name == entry.Groups[1].Value);
            Assert.Equal(argsType, command.ArgsType);
            Assert.Equal(expected.Select(e => e.Name), command.Arguments.Select(a => a.Name));
            Assert.Equal(expected.Select(e => e.Code), command.Arguments.Select(a => a.Code));
            foreach (var (argument, (_, code)) in command.Arguments.Zip(expected))
            {
                Assert.Equal(code.EndsWith('?') || code.StartsWith('-'), argument.Optional);
            }
        }
    }

    [Theory]
    [InlineData("eject", "force", ArgumentKind.Flag, "bool", true)]
    [InlineData("eject", "device", ArgumentKind.BlockDevice, "string", false)]
    [InlineData("screendump", "filename", ArgumentKind.FileName, "string", false)]
    [InlineData("memsave", "val", ArgumentKind.Long, "long", false)]
    [InlineData("memsave", "cpu", ArgumentKind.Int, "long", true)]
    [InlineData("balloon", "value", ArgumentKind.Megabytes, "long", false)]
    [InlineData("migrate_set_speed", "value", ArgumentKind.Octets, "long", false)]
    [InlineData("migrate_set_downtime", "value", ArgumentKind.Double, "double", false)]
    [InlineData("set_link", "up", ArgumentKind.Bool, "bool", false)]
    [InlineData("device_add", "device", ArgumentKind.OptionList, "System.Collections.Generic.IReadOnlyDictionary<string, System.Text.Json.JsonElement>", false)]
    [InlineData("transaction", "actions", ArgumentKind.Any, "System.Text.Json.JsonElement", false)]
    public void Argument_codes_map_to_kinds_and_clr_types(string command, string argument, ArgumentKind kind, string clrType, bool optional)
    {
        var spec = s_model.Commands.Single(c => c.Name == command).Arguments.Single(a => a.Name == argument);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(clrType, spec.ClrType);
        Assert.Equal(optional, spec.Optional);
    }

    [Fact]
    public void Table_entries_keep_handler_params_help_and_condition()
    {
        var deviceAdd = s_model.Commands.Single(c => c.Name == "device_add");
        Assert.Equal("do_device_add", deviceAdd.Handler);
        Assert.Equal("driver[,prop=value][,...]", deviceAdd.Params);
        Assert.Equal("add device, like -device on the command line", deviceAdd.Help);
        Assert.False(deviceAdd.Async);
        Assert.Null(deviceAdd.Condition);
        Assert.Equal("defined(CONFIG_SPICE)", s_model.Commands.Single(c => c.Name == "query-spice").Condition);
        Assert.Single(s_model.Commands, c => c.Condition is not null);
        Assert.Equal("qmp_marshal_input_query_status", s_model.Commands.Single(c => c.Name == "query-status").Handler);
    }

    [Fact]
    public void The_dump_block_documents_dump_guest_memory_with_an_info()
    {
        var command = s_model.Commands.Single(c => c.Name == "dump-guest-memory");
        Assert.Equal("dump", command.Doc!.Title);
        var warning = Assert.Single(s_model.Diagnostics, d => d.Id == "QMP0013");
        Assert.Equal(SchemaSeverity.Info, warning.Severity);
        Assert.Equal(Column("SQMP dump Dump") + 5, warning.Location.Column);
        Assert.Contains(command.Doc.Arguments, a => a.Name == "length");
    }

    [Fact]
    public void The_19_undocumented_commands_are_reported()
    {
        var undocumented = s_model.Commands.Where(c => c.Doc is null).Select(c => c.Name).ToList();
        Assert.Equal(19, undocumented.Count);
        Assert.Contains("query-block-jobs", undocumented);
        Assert.Contains("qom-list", undocumented);
        Assert.Contains("query-machines", undocumented);
        Assert.Contains("query-target", undocumented);
        var reported = s_model.Diagnostics.Where(d => d.Id == "QMP0006").ToList();
        Assert.Equal(19, reported.Count);
        Assert.Equal(Column("\"block-stream\"") + 1, reported[0].Location.Column);
    }

    [Fact]
    public void Prose_blocks_are_kept_as_prose()
    {
        Assert.Equal(new[] { "QMP Supported Commands", "3. Query Commands" }, s_model.Prose.Select(p => p.Title));
        Assert.StartsWith("This document describes all commands", s_model.Prose[0].Text);
        Assert.DoesNotContain(s_model.Commands, c => c.Doc?.Notes.Contains("HXCOMM") == true || c.Doc?.Notes.Contains("Query Commands") == true);
    }

    [Fact]
    public void Doc_blocks_have_description_arguments_returns_examples_and_notes()
    {
        var eject = s_model.Commands.Single(c => c.Name == "eject").Doc!;
        Assert.Equal("Eject a removable medium.", eject.Description);
        Assert.Equal(new[] { "force", "device" }, eject.Arguments.Select(a => a.Name));
        Assert.Equal("json-bool", eject.Arguments[0].Type);
        Assert.True(eject.Arguments[0].Optional);
        Assert.Equal("force ejection", eject.Arguments[0].Description);
        Assert.Null(eject.Returns);
        var example = Assert.Single(eject.Examples);
        Assert.Equal("""{"execute":"eject","arguments":{"device":"ide1-cd0"}}""", example.Request);
        Assert.Equal("""{"return":{}}""", example.Reply);
        Assert.Equal("The \"force\" argument defaults to false.", eject.Notes);

        var version = s_model.Commands.Single(c => c.Name == "query-version").Doc!;
        Assert.Equal("Show QEMU version.", version.Description);
        Assert.Equal(new[] { "qemu", "package" }, version.Returns!.Members.Select(m => m.Name));
        Assert.Equal(new[] { "major", "minor", "micro" }, version.Returns.Members[0].Members.Select(m => m.Name));

        var block = s_model.Commands.Single(c => c.Name == "query-block").Doc!.Returns!.Members;
        var inserted = block.Single(m => m.Name == "inserted");
        Assert.True(inserted.Optional);
        Assert.Contains(inserted.Members, m => m.Name == "backing_file_depth" && m.Type == "json-int");
        Assert.True(block.Single(m => m.Name == "tray_open").Optional);
        var image = inserted.Members.Single(m => m.Name == "image");
        Assert.Contains(image.Members.Single(m => m.Name == "snapshots").Members, m => m.Name == "vm-state-size");

        var change = s_model.Commands.Single(c => c.Name == "change").Doc!;
        Assert.Equal(new[] { "1. Change a removable medium", "2. Change VNC password" }, change.Examples.Select(e => e.Caption));

        var addFd = s_model.Commands.Single(c => c.Name == "add-fd").Doc!;
        Assert.Equal(new[] { "fdset-id", "opaque" }, addFd.Arguments.Select(a => a.Name));
        Assert.Equal(new[] { "fdset-id", "fd" }, addFd.Returns!.Members.Select(m => m.Name));
    }

    [Fact]
    public void Transaction_actions_are_documented_as_a_nested_argument()
    {
        var actions = Assert.Single(s_model.Commands.Single(c => c.Name == "transaction").Doc!.Arguments);
        Assert.Equal("actions", actions.Name);
        Assert.Equal(new[] { "type", "data" }, actions.Members.Select(m => m.Name));
        Assert.Contains(actions.Members[1].Members, m => m.Name == "snapshot-file");
    }

    [Fact]
    public void Every_example_is_parsed_or_diagnosed()
    {
        var examples = s_model.Commands.Where(c => c.Doc is not null).SelectMany(c => c.Doc!.Examples.Select(e => (c.Name, Example: e))).ToList();
        var messages = examples.Sum(e => (e.Example.Request is null ? 0 : 1) + (e.Example.Reply is null ? 0 : 1));
        Assert.Equal(195, messages);
        foreach (var (name, example) in examples)
        {
            // What the model keeps is strict JSON, whatever the docs had.
            if (example.Request is not null)
            {
                using (JsonDocument.Parse(example.Request)) { }
            }

            if (example.Reply is not null)
            {
                using (JsonDocument.Parse(example.Reply)) { }
            }
        }
        var repaired = examples.Where(e => e.Example.Repaired).Select(e => e.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(new[] { "query-balloon", "query-block", "query-blockstats", "query-cpus", "query-dump-guest-memory-capability", "query-named-block-nodes", "query-spice" }, repaired);
        Assert.Equal(7, examples.Count(e => e.Example.Repaired));
        Assert.DoesNotContain(s_model.Diagnostics, d => d.Id == "QMP0011");
    }

    [Fact]
    public void Repaired_examples_were_invalid_for_System_Text_Json_and_the_others_valid()
    {
        // Read each arrow's JSON with the strict reader from the raw text, as far as it goes.
        var strictFailures = 0;
        foreach (Match arrow in Regex.Matches(s_seed, @"(?<!\S)(->|<-) (?=[\[{])"))
        {
            var start = arrow.Index + 3;
            var end = s_seed.IndexOf(" EQMP", start, StringComparison.Ordinal);
            var candidate = LenientJsonReader.Read(s_seed, start, end);
            var strictText = s_seed[start..candidate.End];
            var strictOk = true;
            try
            {
                using var document = JsonDocument.Parse(strictText);
            }
            catch (JsonException)
            {
                strictOk = false;
            }
            Assert.Equal(strictOk, candidate.Repairs.Count == 0);
            if (!strictOk)
            {
                strictFailures++;
            }
        }
        Assert.Equal(7, strictFailures);
    }

    public static TheoryData<string, string, int> Quirks => new()
    {
        // id, snippet in the seed, offset of the reported character within the snippet
        { "QMP0016", "\"sync:s,device:B,target:s,speed:i?,mode:s?,format:s?,\" \"on-source-error", 0 },
        { "QMP0016", "\"sync:s,device:B,target:s,speed:i?,mode:s?,format:s?,\" \"node-name", 0 },
        { "QMP0015", "\"query-spice\", .args_type", 1 },
        { "QMP0017", "SQMP and EQMP is copied", 0 },
        { "QMP0017", "EQMP is copied", 0 },
        { "QMP0018", "3. Query Commands ===", 0 },
        { "QMP0018", "HXCOMM Each query command", 0 },
        { "QMP0018", "HXCOMM this!", 0 },
        { "QMP0018", "HXCOMM sections, just like", 0 },
        { "QMP0013", "SQMP dump Dump", 5 },
        { "QMP0007", "- \"length\": the memory size", 2 },
        { "QMP0008", "end:i?,format:s?\", .params = \"-p protocol", 0 },
        { "QMP0007", "\"buf_size\"", 0 },
        { "QMP0007", "- \"key\": key sequence", 2 },
        { "QMP0008", "detach:-d", 0 },
        { "QMP0019", "\"driver\": the name of the new device's driver", 0 },
        { "QMP0019", "\"type\": the device type, \"tap\"", 0 },
        { "QMP0009", "josn-string", 0 },
        { "QMP0009", "json_string", 0 },
        { "QMP0009", "json-str)", 0 },
        { "QMP0023", "command-line: the command name", 0 },
        { "QMP0010", "\"rd_operations\":36772 \"wr_total_times_ns\"", 22 },
        { "QMP0010", "\"thread_id\":3134", 0 },
        { "QMP0010", "1073741824, } }", 10 },
        { "QMP0010", "\"backing-filename-format:\"qcow2\", \"snapshots\":[ { \"id\": \"1\", \"name\": \"snapshot1\", \"vm-state-size\": 0, \"date-sec\": 10000200, \"date-nsec\": 12, \"vm-clock-sec\": 206, \"vm-clock-nsec\": 30 } ], \"backing-image\":{ \"filename\":\"disks/base.qcow2\", \"format\":\"qcow2\", \"virtual-size\":2048000 } } }, \"type\"", 0 },
        { "QMP0010", "[ ... more channels follow ... ]", 0 },
        { "QMP0010", "EQMP { .name = \"netdev_add\"", 0 },
    };

    [Theory]
    [MemberData(nameof(Quirks))]
    public void Each_quirk_is_reported_at_its_exact_column(string id, string snippet, int offset)
    {
        var column = Column(snippet) + offset;
        Assert.Contains(s_model.Diagnostics, d => d.Id == id && d.Location.Line == 1 && d.Location.Column == column);
    }

    [Fact]
    public void The_broken_key_is_reported_in_both_blocks_that_have_it()
    {
        var first = s_seed.IndexOf("\"backing-filename-format:\"qcow2\"", StringComparison.Ordinal);
        var second = s_seed.IndexOf("\"backing-filename-format:\"qcow2\"", first + 1, StringComparison.Ordinal);
        Assert.Contains(s_model.Diagnostics, d => d.Id == "QMP0010" && d.Location.Column == first + 1);
        Assert.Contains(s_model.Diagnostics, d => d.Id == "QMP0010" && d.Location.Column == second + 1);
    }

    [Fact]
    public void Parsing_twice_gives_equal_models()
    {
        var again = TestFiles.ParseSeed();
        Assert.Equal(s_model, again);
        Assert.Equal(s_model.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(s_model, SchemaParser.Parse("schema/qmp-commands.hx", s_seed.Replace("\"eject\"", "\"ejekt\"", StringComparison.Ordinal)));
    }

    private static int Column(string snippet)
    {
        var index = s_seed.IndexOf(snippet, StringComparison.Ordinal);
        Assert.True(index >= 0, $"snippet not in the seed: {snippet}");
        Assert.True(s_seed.IndexOf(snippet, index + 1, StringComparison.Ordinal) < 0, $"snippet not unique in the seed: {snippet}");
        return index + 1;
    }
}
