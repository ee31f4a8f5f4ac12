using Qmp.Runtime.Introspection;
using static Qmp.Runtime.Tests.Introspection.SchemaInfoReaderTests;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>Each rule of the report over a hand-made client and server: what is reported, and whether it breaks.</summary>
public class CompatibilityReportTests
{
    // 'set' takes Args (sent by the client); 'get' returns Info (read by the client); EV carries Info too.
    private const string Builtins = """
        {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},
        {'name': 'int', 'meta-type': 'builtin', 'json-type': 'int'},
        {'name': 'q_empty', 'meta-type': 'object', 'members': []}
        """;

    private static SchemaCompatibilityReport Compare(string clientEntries, string serverEntries) =>
        SchemaCompatibilityReport.Compare(Schema("[" + clientEntries + "," + Builtins + "]"), Schema("[" + serverEntries + "," + Builtins + "]"));

    private const string SetGet = """
        {'name': 'set', 'meta-type': 'command', 'arg-type': 'Args', 'ret-type': 'q_empty'},
        {'name': 'get', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'Info'},
        """;

    private static SchemaDifference Single(SchemaCompatibilityReport r, SchemaDifferenceKind kind) =>
        Assert.Single(r.Differences, d => d.Kind == kind);

    [Fact]
    public void Commands_and_events_missing_break_added_do_not()
    {
        var r = Compare("""
            {'name': 'old', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'},
            {'name': 'both', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'},
            {'name': 'OLD_EVENT', 'meta-type': 'event', 'arg-type': 'q_empty'}
            """, """
            {'name': 'both', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'},
            {'name': 'new', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'},
            {'name': 'NEW_EVENT', 'meta-type': 'event', 'arg-type': 'q_empty'}
            """);
        Assert.Equal(["old"], r.MissingCommands);
        Assert.Equal(["new"], r.AddedCommands);
        Assert.Equal(["OLD_EVENT"], r.MissingEvents);
        Assert.Equal(["NEW_EVENT"], r.AddedEvents);
        Assert.Equal(["old", "OLD_EVENT"], r.Breaking.Select(d => d.Name));
        Assert.False(r.IsCompatible);
        Assert.True(r.IsCompatibleFor(["both"]));
        Assert.False(r.IsCompatibleFor(["both", "old"]));
        var text = r.ToString();
        Assert.Contains("NOT compatible", text);
        Assert.Contains("commands the server lacks (1):\n  old\n", text);
        Assert.Contains("events only the server has (1):\n  NEW_EVENT\n", text);
    }

    [Fact]
    public void Members_the_server_lacks()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'keep', 'type': 'str'}, {'name': 'gone', 'type': 'str', 'default': null}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'keep', 'type': 'str'}, {'name': 'gone-req', 'type': 'str'}, {'name': 'gone-opt', 'type': 'str', 'default': null}]}
            """, SetGet.Replace("Args", "1").Replace("Info", "2") + """
            {'name': '1', 'meta-type': 'object', 'members': [{'name': 'keep', 'type': 'str'}]},
            {'name': '2', 'meta-type': 'object', 'members': [{'name': 'keep', 'type': 'str'}]}
            """);
        var missing = r.OfKind(SchemaDifferenceKind.MemberMissing).ToList();
        Assert.Equal(["set/arg-type/gone", "get/ret-type/gone-req", "get/ret-type/gone-opt"], missing.Select(d => d.Path));
        // Sent by the client: breaks. Required in a reply: breaks. Optional in a reply: the client copes.
        Assert.Equal([true, true, false], missing.Select(d => d.IsBreaking));
        Assert.Equal(["Args", "Info", "Info"], missing.Select(d => d.ClientType));
        Assert.Equal(["1", "2", "2"], missing.Select(d => d.ServerType));
        Assert.Equal(3, r.Differences.Count);
    }

    [Fact]
    public void Members_only_the_server_has()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': []},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """, SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'new-req', 'type': 'str'}, {'name': 'new-opt', 'type': 'str', 'default': null}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'extra', 'type': 'str'}]}
            """);
        var added = r.OfKind(SchemaDifferenceKind.MemberAdded).ToList();
        Assert.Equal(["set/arg-type/new-req", "set/arg-type/new-opt", "get/ret-type/extra"], added.Select(d => d.Path));
        // Only a required argument the client cannot send breaks; an unknown reply member is ignored.
        Assert.Equal([true, false, false], added.Select(d => d.IsBreaking));
    }

    [Fact]
    public void Types_that_changed_shape_break()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'n', 'type': 'str'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'n', 'type': 'int'}]}
            """, SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'n', 'type': 'int'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'n', 'type': '[int]'}]},
            {'name': '[int]', 'meta-type': 'array', 'element-type': 'int'}
            """);
        var changed = r.OfKind(SchemaDifferenceKind.TypeChanged).ToList();
        Assert.Equal(["set/arg-type/n: string str became int", "get/ret-type/n: int became [int]"],
            changed.Select(d => d.Path + ": " + d.Detail));
        Assert.All(changed, d => Assert.True(d.IsBreaking));
    }

    [Fact]
    public void A_command_whose_return_changed_shape_breaks()
    {
        var r = Compare("""
            {'name': 'get', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'Info'},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """, """
            {'name': 'get', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': '[Info]'},
            {'name': '[Info]', 'meta-type': 'array', 'element-type': 'Info'},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """);
        var d = Single(r, SchemaDifferenceKind.TypeChanged);
        Assert.Equal("get/ret-type", d.Path);
        Assert.True(d.IsBreaking);
    }

    [Fact]
    public void Optionality_breaks_only_where_the_client_relies_on_it()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'now-required', 'type': 'str', 'default': null}, {'name': 'now-optional', 'type': 'str'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'now-required', 'type': 'str', 'default': null}, {'name': 'now-optional', 'type': 'str'}]}
            """, SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'now-required', 'type': 'str'}, {'name': 'now-optional', 'type': 'str', 'default': null}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'now-required', 'type': 'str'}, {'name': 'now-optional', 'type': 'str', 'default': null}]}
            """);
        var changed = r.OfKind(SchemaDifferenceKind.OptionalityChanged).ToList();
        Assert.Equal(["set/arg-type/now-required", "set/arg-type/now-optional", "get/ret-type/now-required", "get/ret-type/now-optional"], changed.Select(d => d.Path));
        // Arguments: the server now requires what the client may omit. Replies: the server may now omit what the client requires.
        Assert.Equal([true, false, false, true], changed.Select(d => d.IsBreaking));
    }

    [Fact]
    public void Union_variants_and_tags()
    {
        const string Client = """
            {'name': 'Args', 'meta-type': 'object', 'tag': 'kind', 'members': [{'name': 'kind', 'type': 'Kind'}], 'variants': [{'case': 'a', 'type': 'q_empty'}, {'case': 'b', 'type': 'q_empty'}]},
            {'name': 'Info', 'meta-type': 'object', 'tag': 'kind', 'members': [{'name': 'kind', 'type': 'Kind'}], 'variants': [{'case': 'a', 'type': 'q_empty'}]},
            {'name': 'Kind', 'meta-type': 'enum', 'members': [{'name': 'a'}, {'name': 'b'}]}
            """;
        var r = Compare(SetGet + Client, SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'tag': 'kind', 'members': [{'name': 'kind', 'type': 'Kind'}], 'variants': [{'case': 'a', 'type': 'q_empty'}]},
            {'name': 'Info', 'meta-type': 'object', 'tag': 'kind', 'members': [{'name': 'kind', 'type': 'Kind'}], 'variants': [{'case': 'a', 'type': 'q_empty'}, {'case': 'c', 'type': 'q_empty'}]},
            {'name': 'Kind', 'meta-type': 'enum', 'members': [{'name': 'a'}, {'name': 'b'}, {'name': 'c'}]}
            """);
        var missing = Single(r, SchemaDifferenceKind.VariantMissing);
        Assert.Equal(("set/arg-type/+b", true), (missing.Path, missing.IsBreaking));
        var added = Single(r, SchemaDifferenceKind.VariantAdded);
        Assert.Equal(("get/ret-type/+c", false), (added.Path, added.IsBreaking));

        var retagged = Compare(SetGet + Client, SetGet + Client.Replace("'tag': 'kind'", "'tag': 'sort'"));
        Assert.Equal(2, retagged.OfKind(SchemaDifferenceKind.TagChanged).Count(d => d.IsBreaking && d.Detail == "kind became sort"));
    }

    [Fact]
    public void Enum_values_the_client_sends_must_exist_unknown_ones_are_kept()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'mode', 'type': 'Mode'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'status', 'type': 'Status'}]},
            {'name': 'Mode', 'meta-type': 'enum', 'members': [{'name': 'fast'}, {'name': 'gone'}]},
            {'name': 'Status', 'meta-type': 'enum', 'members': [{'name': 'running'}, {'name': 'retired'}]}
            """, SetGet.Replace("Args", "1").Replace("Info", "2") + """
            {'name': '1', 'meta-type': 'object', 'members': [{'name': 'mode', 'type': '3'}]},
            {'name': '2', 'meta-type': 'object', 'members': [{'name': 'status', 'type': '4'}]},
            {'name': '3', 'meta-type': 'enum', 'members': [{'name': 'fast'}, {'name': 'new-mode'}]},
            {'name': '4', 'meta-type': 'enum', 'members': [{'name': 'running'}, {'name': 'suspended'}]}
            """);
        Assert.Equal(["set/arg-type/mode/^gone:True", "get/ret-type/status/^retired:False"],
            r.OfKind(SchemaDifferenceKind.EnumValueMissing).Select(d => d.Path + ":" + d.IsBreaking));
        Assert.Equal(["set/arg-type/mode/^new-mode:False", "get/ret-type/status/^suspended:False"],
            r.OfKind(SchemaDifferenceKind.EnumValueUnknown).Select(d => d.Path + ":" + d.IsBreaking));
        Assert.Equal("Status", r.OfKind(SchemaDifferenceKind.EnumValueUnknown).Last().ClientType);
    }

    [Fact]
    public void Alternate_members_by_JSON_type()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'ref', 'type': 'Ref'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'ref', 'type': 'Ref'}]},
            {'name': 'Ref', 'meta-type': 'alternate', 'members': [{'type': 'str'}, {'type': 'int'}]}
            """, SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'ref', 'type': 'Ref'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [{'name': 'ref', 'type': 'Ref'}]},
            {'name': 'Ref', 'meta-type': 'alternate', 'members': [{'type': 'q_empty'}, {'type': 'str'}]}
            """);
        var missing = Single(r, SchemaDifferenceKind.AlternateMemberMissing);
        Assert.Equal(("set/arg-type/ref", "int", true), (missing.Path, missing.Name, missing.IsBreaking));
        Assert.Equal(SchemaDirection.Input | SchemaDirection.Output, missing.Direction);
        var added = Single(r, SchemaDifferenceKind.AlternateMemberAdded);
        Assert.Equal(("q_empty", true), (added.Name, added.IsBreaking));
    }

    [Fact]
    public void Features_that_differ_are_reported_not_breaking()
    {
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'm', 'type': 'E', 'features': ['unstable']}]},
            {'name': 'Info', 'meta-type': 'object', 'members': []},
            {'name': 'E', 'meta-type': 'enum', 'members': [{'name': 'v', 'features': ['deprecated']}]}
            """, SetGet.Replace("'name': 'set', ", "'name': 'set', 'features': ['deprecated'], ") + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'm', 'type': 'E'}], 'features': ['x-new']},
            {'name': 'Info', 'meta-type': 'object', 'members': []},
            {'name': 'E', 'meta-type': 'enum', 'members': [{'name': 'v'}]}
            """);
        Assert.Equal(["set/$deprecated", "set/arg-type/$x-new"], r.OfKind(SchemaDifferenceKind.FeatureAdded).Select(d => d.Path));
        Assert.Equal(["set/arg-type/m/$unstable", "set/arg-type/m/^v/$deprecated"], r.OfKind(SchemaDifferenceKind.FeatureRemoved).Select(d => d.Path));
        Assert.True(r.IsCompatible);
        Assert.Contains("Compatible: 4 difference(s), 0 breaking.", r.ToString());
    }

    [Fact]
    public void A_difference_inside_a_shared_type_affects_every_command_that_reaches_it()
    {
        var r = Compare(SetGet + """
            {'name': 'also', 'meta-type': 'command', 'arg-type': 'Args', 'ret-type': 'q_empty'},
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'gone', 'type': 'str'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """, SetGet + """
            {'name': 'also', 'meta-type': 'command', 'arg-type': 'Args', 'ret-type': 'q_empty'},
            {'name': 'Args', 'meta-type': 'object', 'members': []},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """);
        Assert.Equal("set/arg-type/gone", Single(r, SchemaDifferenceKind.MemberMissing).Path);
        Assert.False(r.IsCompatibleFor(["also"]));
        Assert.True(r.IsCompatibleFor(["get"]));
    }

    [Fact]
    public void Every_path_holds_on_the_side_that_has_the_thing()
    {
        var client = Schema("[" + SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'gone', 'type': 'str'}, {'name': 'e', 'type': 'E'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': []},
            {'name': 'E', 'meta-type': 'enum', 'members': [{'name': 'old'}]},
            """ + Builtins + "]");
        var server = Schema("[" + SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': [{'name': 'new', 'type': 'str', 'default': null}, {'name': 'e', 'type': 'E'}]},
            {'name': 'Info', 'meta-type': 'object', 'members': [], 'features': ['unstable']},
            {'name': 'E', 'meta-type': 'enum', 'members': [{'name': 'new'}]},
            """ + Builtins + "]");
        var r = SchemaCompatibilityReport.Compare(client, server);
        Assert.Equal(5, r.Differences.Count);
        foreach (var d in r.Differences)
        {
            var onClient = d.Kind is SchemaDifferenceKind.MemberMissing or SchemaDifferenceKind.EnumValueMissing or SchemaDifferenceKind.FeatureRemoved;
            Assert.True((onClient ? client : server).Has(d.Path), d.ToString());
            Assert.False((onClient ? server : client).Has(d.Path), d.ToString());
        }
    }

    [Fact]
    public void What_the_server_lacks_under_a_condition_is_listed_by_condition_and_does_not_break()
    {
        // The client's schema has a command, a union branch, an enum value and a member under an 'if';
        // this server's build left them out. 'plain' has no condition: its absence still breaks.
        var r = Compare("""
            {'name': 'set', 'meta-type': 'command', 'arg-type': 'Args', 'ret-type': 'q_empty'},
            {'name': 'query-s390', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty', 'if': 'TARGET_S390X'},
            {'name': 'plain', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'},
            {'name': 'Args', 'meta-type': 'object', 'tag': 'driver',
             'members': [{'name': 'driver', 'type': 'Driver'}, {'name': 'vmnet', 'type': 'str', 'default': null, 'if': 'CONFIG_VMNET'}],
             'variants': [{'case': 'file', 'type': 'q_empty'}, {'case': 'blkio', 'type': 'q_empty', 'if': 'CONFIG_BLKIO'}]},
            {'name': 'Driver', 'meta-type': 'enum', 'members': [{'name': 'file'}, {'name': 'blkio', 'if': 'CONFIG_BLKIO'}]}
            """, """
            {'name': 'set', 'meta-type': 'command', 'arg-type': '1', 'ret-type': 'q_empty'},
            {'name': '1', 'meta-type': 'object', 'tag': 'driver', 'members': [{'name': 'driver', 'type': '2'}],
             'variants': [{'case': 'file', 'type': 'q_empty'}]},
            {'name': '2', 'meta-type': 'enum', 'members': [{'name': 'file'}]}
            """);
        Assert.Equal(["plain"], r.Breaking.Select(d => d.Name));
        Assert.Equal(["TARGET_S390X", "CONFIG_VMNET", "CONFIG_BLKIO", "CONFIG_BLKIO"],
            r.Differences.Where(d => d.Condition is not null).Select(d => d.Condition));
        Assert.All(r.Differences.Where(d => d.Condition is not null), d => Assert.False(d.IsBreaking));
        Assert.True(r.IsCompatibleFor(["set", "query-s390"]));
        Assert.Contains("NOT compatible: 5 difference(s), 1 breaking, 4 under conditions this build lacks.", r.ToString(), StringComparison.Ordinal);
        Assert.Contains("""
            commands the server lacks (1):
              plain
            what the server lacks under a condition (its build left it out, or it is older), by condition (4):
              if CONFIG_BLKIO (2):
                set/arg-type/+blkio (Args): the client may send it
                set/arg-type/driver/^blkio (Driver): the client may send it
              if CONFIG_VMNET (1):
                set/arg-type/vmnet (Args): the client may send it
              if TARGET_S390X (1):
                query-s390

            """.Replace("\r", ""), r.ToString(), StringComparison.Ordinal);
        // Without 'plain' the verdict is compatible, the build-dependent parts listed.
        var conditionalOnly = SchemaCompatibilityReport.Compare(
            new SchemaInfo(r.Alignment.Client.Entries.Where(e => e.Name != "plain")),
            r.Alignment.Server);
        Assert.True(conditionalOnly.IsCompatible);
        Assert.StartsWith("QMP schema: client 2 commands", conditionalOnly.ToString(), StringComparison.Ordinal);
        Assert.Contains("Compatible: 4 difference(s), 0 breaking, 4 under conditions this build lacks.", conditionalOnly.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_condition_survives_the_description_written_and_read_back()
    {
        var client = SchemaInfoReader.Read("""
            [{"name": "x", "meta-type": "command", "arg-type": "A", "ret-type": "A", "if": "{'all': [TARGET_S390X, CONFIG_KVM]}"},
             {"name": "A", "meta-type": "object", "members": [{"name": "m", "type": "E", "if": "M"}], "tag": "m", "variants": [{"case": "v", "type": "A", "if": "V"}], "if": "T"},
             {"name": "E", "meta-type": "enum", "members": [{"name": "v", "if": "EV"}]}]
            """);
        var again = SchemaInfoReader.Read(System.Text.Encoding.UTF8.GetBytes(client.ToJson()));
        Assert.Equal(client.ToJson(), again.ToJson());
        Assert.Equal("{'all': [TARGET_S390X, CONFIG_KVM]}", again.FindCommand("x")!.Condition);
        var a = (SchemaInfoObject)again.Find("A")!;
        Assert.Equal("T M V", $"{a.Condition} {a.Members[0].Condition} {a.Variants[0].Condition}");
        Assert.Equal("EV", ((SchemaInfoEnum)again.Find("E")!).Members[0].Condition);
        // Not a string (no QEMU sends "if"): skipped like any key the reader does not know.
        Assert.Null(Schema("[{'name': 'y', 'meta-type': 'event', 'arg-type': 'q_empty', 'if': {'all': []}}]").FindEvent("y")!.Condition);
    }

    [Fact]
    public void Names_a_server_sends_reach_the_text_escaped()
    {
        // An escape sequence that would retitle the terminal and a right-to-left override in a member
        // name, an enum value and a command name.
        var r = Compare(SetGet + """
            {'name': 'Args', 'meta-type': 'object', 'members': []},
            {'name': 'Info', 'meta-type': 'object', 'members': []}
            """, SetGet.Replace("Args", "1").Replace("Info", "2") + """
            {'name': '1', 'meta-type': 'object', 'members': []},
            {'name': '2', 'meta-type': 'object', 'members': [{'name': 'x\u001b]0;owned\u0007', 'type': 'str'}, {'name': 'gpj.\u202eexe', 'type': 'str'}]},
            {'name': 'run\u2028me\r\nnow', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty'}
            """);
        var text = r.ToString();
        Assert.DoesNotContain(text, c => c is '\u001b' or '\u0007' or '\u202e' or '\u2028' or '\r');
        Assert.Contains("get/ret-type/x\\u001B]0;owned\\u0007 (Info)", text, StringComparison.Ordinal);
        Assert.Contains("get/ret-type/gpj.\\u202Eexe", text, StringComparison.Ordinal);
        Assert.Contains("  run\\u2028me\\u000D\\u000Anow\n", text, StringComparison.Ordinal);
        Assert.All(r.Differences, d => Assert.DoesNotContain(d.ToString(), c => c < ' ' || c is '\u202e' or '\u2028'));
    }

    [Theory]
    [InlineData("plain 7.2.0 (Debian 1:7.2+dfsg-7)", "plain 7.2.0 (Debian 1:7.2+dfsg-7)")]
    [InlineData("\u001b[2J\u001b]0;x\u0007", "\\u001B[2J\\u001B]0;x\\u0007")]
    [InlineData("a\u0085b\u2028c\u2029d\u007f\u009b", "a\\u0085b\\u2028c\\u2029d\\u007F\\u009B")]
    [InlineData("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff", "\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069\\u200E\\u200F\\u061C\\uFEFF")]
    [InlineData("back\\slash \\u001B", "back\\\\slash \\\\u001B")]
    [InlineData("caf\u00e9 \U0001F600", "caf\u00e9 \U0001F600")]
    public void TerminalText_escapes_what_steers_a_terminal_and_keeps_the_rest(string raw, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(raw));

    [Fact]
    public void TerminalText_escapes_an_unpaired_surrogate() =>
        Assert.Equal("a\\uD800b\\uDC00", TerminalText.Escape("a\ud800b\udc00"));
}
