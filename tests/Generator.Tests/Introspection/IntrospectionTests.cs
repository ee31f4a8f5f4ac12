using Qmp.Codegen.Introspection;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;
using static Qmp.Codegen.Tests.Introspection.SchemaFixtures;

namespace Qmp.Codegen.Tests.Introspection;

public class SchemaInfoBuilderTests
{
    private static readonly SchemaInfo s_info = SchemaInfoBuilder.Build(Block());

    [Fact]
    public void Commands_then_events_then_the_types_they_use_in_order_first_used()
    {
        Assert.Empty(s_info.Problems);
        Assert.Equal(["blockdev-add", "query-block", "query-status", "qom-get", "x-oob", "BLOCK_IO_ERROR", "STOP"], s_info.Entries.Take(7).Select(e => e.Name));
        Assert.Equal(["BlockdevOptions", "q_empty", "[BlockInfo]", "BlockInfo", "StatusInfo", "q_obj_qom-get-arg", "any", "q_obj_BLOCK_IO_ERROR-arg"],
            s_info.Entries.Skip(7).Take(8).Select(e => e.Name));
        // Every type comes after the first entry that refers to it.
        var position = s_info.Entries.Select((e, i) => (e.Name, i)).ToDictionary(p => p.Name, p => p.i);
        foreach (var e in s_info.Entries.Skip(7))
        {
            Assert.Contains(s_info.Entries.Take(position[e.Name]), earlier => SchemaReferences(earlier).Contains(e.Name));
        }
    }

    private static IEnumerable<string> SchemaReferences(SchemaInfoEntry e) => e switch
    {
        SchemaInfoCommand c => [c.ArgType, c.RetType],
        SchemaInfoEvent ev => [ev.ArgType],
        SchemaInfoArray a => [a.ElementType],
        SchemaInfoObject o => o.Members.Select(m => m.Type).Concat(o.Variants.Select(v => v.Type)),
        SchemaInfoAlternate alt => alt.MemberTypes,
        _ => [],
    };

    [Fact]
    public void Shapes_follow_introspect_py()
    {
        var add = s_info.FindCommand("blockdev-add")!;
        Assert.Equal(("BlockdevOptions", "q_empty"), (add.ArgType, add.RetType));
        Assert.True(s_info.FindCommand("x-oob")!.AllowOob);
        Assert.True(s_info.FindCommand("query-status")!.IsDeprecated);
        Assert.Equal("q_empty", s_info.FindEvent("STOP")!.ArgType);

        // A union: base members first and flat, its tag, a q_empty branch for the value without one.
        var options = Assert.IsType<SchemaInfoObject>(s_info.Find("BlockdevOptions"));
        Assert.Equal(["driver: BlockdevDriver", "*node-name: str", "*cache-size: int"], options.Members.Select(m => m.ToString()));
        Assert.Equal("driver", options.Tag);
        Assert.Equal(["file: BlockdevOptionsFile", "qcow2: BlockdevOptionsQcow2", "nbd: q_empty"], options.Variants.Select(v => v.ToString()));
        Assert.Null(s_info.Find("BlockdevOptionsBase"));

        // Every integer width is int, an array of one [int]; conditions are dropped, features kept.
        Assert.Equal("[int]", Assert.IsType<SchemaInfoObject>(s_info.Find("BlockInfo")).FindMember("sizes")!.Type);
        Assert.Equal("int", Assert.IsType<SchemaInfoArray>(s_info.Find("[int]")).ElementType);
        Assert.DoesNotContain(s_info.Entries, e => e.Name is "int32" or "uint64");
        Assert.NotNull(Assert.IsType<SchemaInfoObject>(s_info.Find("BlockdevOptionsFile")).FindMember("aio"));
        Assert.Equal(["deprecated"], Assert.IsType<SchemaInfoObject>(s_info.Find("BlockDeviceInfo")).FindMember("ro")!.Features);

        // Builtins as QEMU lists them; QType is an enum.
        Assert.Equal(["any:value", "bool:boolean", "int:int", "str:string"],
            s_info.Entries.OfType<SchemaInfoBuiltin>().Select(b => b.Name + ":" + b.JsonType).OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(["none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool"], Assert.IsType<SchemaInfoEnum>(s_info.Find("QType")).Members.Select(m => m.Name));
        Assert.Equal(["BlockdevOptions", "str"], Assert.IsType<SchemaInfoAlternate>(s_info.Find("BlockdevRef")).MemberTypes);
    }

    [Fact]
    public void The_description_is_compact_json_the_runtime_reads()
    {
        var json = SchemaInfoBuilder.Describe(Block());
        Assert.DoesNotContain("\n", json);
        var runtime = Qmp.Runtime.Introspection.SchemaInfoReader.Read(json);
        Assert.Empty(runtime.Problems);
        Assert.Equal(s_info.Entries.Count, runtime.Entries.Count);
        Assert.True(runtime.Has("blockdev-add/arg-type/+file/aio/^io_uring"));
        Assert.Equal(json, runtime.ToJson());
    }
}

public class IntrospectionFileTests
{
    private static readonly string s_described = SchemaInfoBuilder.Describe(Block());

    [Fact]
    public void Reads_the_array_the_reply_and_the_saved_file()
    {
        Assert.Equal(7, IntrospectionFile.Read(s_described, "a.json").Info!.Commands.Count + IntrospectionFile.Read(s_described, "a.json").Info!.Events.Count);
        Assert.True(IntrospectionFile.Read("{\"return\": " + s_described + ", \"id\": 1}", "r.json").Info!.HasCommand("qom-get"));
        var saved = IntrospectionFile.Read("{\"query-version\": {\"qemu\": {\"micro\": 13, \"minor\": 0, \"major\": 10}, \"package\": \"Debian 1:10.0.13\"}, \"query-qmp-schema\": " + s_described + "}", "s.json");
        Assert.Empty(saved.Diagnostics);
        Assert.Equal(new IntrospectedVersion(10, 0, 13, "Debian 1:10.0.13"), saved.Version);
        Assert.Equal("10.0.13 (Debian 1:10.0.13)", saved.Version!.ToString());
    }

    [Theory]
    [InlineData("[{'name': 'c', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '0'}]", "not strict JSON")]
    [InlineData("[{\"name\": \"c\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"0\"},]", "not strict JSON")]
    [InlineData("[] trailing", "not strict JSON")]
    [InlineData("{\"return\": {}}", "expected query-qmp-schema's array")]
    [InlineData("[{\"name\": \"c\", \"meta-type\": \"command\", \"arg-type\": \"0\"}]", "it has no 'ret-type'")]
    [InlineData("[{\"name\": \"o\", \"meta-type\": \"object\", \"members\": [{\"name\": \"m\"}]}]", "lacks 'name' or 'type'")]
    [InlineData("[{\"name\": \"o\", \"meta-type\": \"object\", \"members\": [], \"variants\": []}]", "'tag' and 'variants' come together")]
    public void Unreadable_text_is_a_diagnostic_and_an_empty_schema(string text, string message)
    {
        var file = IntrospectionFile.Read(text, "bad.json");
        Assert.Null(file.Info);
        var d = Assert.Single(file.Diagnostics);
        Assert.Equal(("QMP0301", SchemaSeverity.Error, "bad.json"), (d.Id, d.Severity, d.Location.Path));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
        var schema = file.ToSchema();
        Assert.Empty(schema.Commands);
        Assert.Single(schema.Diagnostics);
    }

    [Fact]
    public void Problems_and_unknown_meta_types_are_warnings()
    {
        var file = IntrospectionFile.Read("""
            [{"name": "c", "meta-type": "command", "arg-type": "0", "ret-type": "9"},
             {"name": "0", "meta-type": "object", "members": [{"name": "t", "type": "5"}]},
             {"name": "5", "meta-type": "tuple"}]
            """, "p.json");
        Assert.Equal(["QMP0302"], file.Diagnostics.Select(d => d.Id));
        var schema = file.ToSchema();
        Assert.Equal(["QMP0302", "QMP0303", "QMP0303", "QMP0303"], schema.Diagnostics.Select(d => d.Id));
        Assert.Equal("any", Assert.IsType<SchemaObjectType>(Assert.Single(schema.Types)).Members[0].Type.Name);
        Assert.Equal("any", schema.Commands[0].Returns!.Name);
    }
}

public class IntrospectedSchemaTests
{
    private static readonly SchemaInfo s_masked = Mask(SchemaInfoBuilder.Build(Block()));

    private static T Type<T>(QmpSchema schema, string name) where T : SchemaType =>
        Assert.IsType<T>(Assert.Single(schema.Types, t => t.Name == name));

    [Fact]
    public void Masked_types_are_named_by_where_they_are_used()
    {
        Assert.Contains(s_masked.Entries, e => e.Name == "0");
        var schema = IntrospectedSchema.Build(s_masked, "live.json");
        Assert.Empty(schema.Diagnostics);
        Assert.Equal(
            ["BlockdevAddArguments", "q_empty", "QueryBlockResult", "QueryStatusResult", "QomGetArguments", "BlockIoErrorData",
             "BlockdevAddArgumentsDriver", "BlockdevAddArgumentsFile", "BlockdevAddArgumentsQcow2", "QueryBlockResultInserted",
             "QueryStatusResultStatus", "QueryStatusResultKind", "BlockdevAddArgumentsFileAio", "BlockdevAddArgumentsQcow2File"],
            schema.Types.Where(t => !t.Name.EndsWith("-base", StringComparison.Ordinal)).Select(t => t.Name));

        var add = Assert.Single(schema.Commands, c => c.Name == "blockdev-add");
        Assert.Equal("BlockdevAddArguments", add.Arguments!.Name);
        Assert.Null(add.Returns);
        Assert.Null(add.Doc);
        Assert.Equal(SchemaTypeRef.ArrayOf("QueryBlockResult"), schema.Commands.Single(c => c.Name == "query-block").Returns);
        Assert.Null(schema.Commands.Single(c => c.Name == "query-block").Arguments);
        Assert.Equal(SchemaTypeRef.Of("any"), schema.Commands.Single(c => c.Name == "qom-get").Returns);
        Assert.True(schema.Commands.Single(c => c.Name == "x-oob").Flags.AllowOob);
        Assert.True(schema.Commands.Single(c => c.Name == "query-status").IsDeprecated);
        Assert.Null(schema.Events.Single(e => e.Name == "STOP").Data);
        Assert.Equal("BlockIoErrorData", schema.Events.Single(e => e.Name == "BLOCK_IO_ERROR").Data!.Name);
    }

    [Fact]
    public void Unions_get_an_implicit_base_and_every_int_is_int()
    {
        var schema = IntrospectedSchema.Build(s_masked, "live.json");
        var union = Type<SchemaObjectType>(schema, "BlockdevAddArguments");
        Assert.Equal("q_obj_BlockdevAddArguments-base", union.Base);
        Assert.Empty(union.Members);
        Assert.Equal("driver", union.Variants!.Tag);
        Assert.Equal(["file:BlockdevAddArgumentsFile", "qcow2:BlockdevAddArgumentsQcow2", "nbd:q_empty"], union.Variants.Branches.Select(b => b.Case + ":" + b.Type));
        var @base = Type<SchemaObjectType>(schema, "q_obj_BlockdevAddArguments-base");
        Assert.True(@base.IsImplicit);
        Assert.Equal(["driver: BlockdevAddArgumentsDriver", "node-name: str?", "cache-size: int?"], @base.Members.Select(m => m.Name + ": " + m.Type + (m.Optional ? "?" : "")));
        Assert.Equal(SchemaTypeRef.ArrayOf("int"), Type<SchemaObjectType>(schema, "QueryBlockResult").Members.Single(m => m.Name == "sizes").Type);
        var alternate = Type<SchemaAlternateType>(schema, "BlockdevAddArgumentsQcow2File");
        Assert.Equal(["object:BlockdevAddArguments", "string:str"], alternate.Branches.Select(b => b.Name + ":" + b.Type));
        Assert.Equal(["running", "paused"], Type<SchemaEnumType>(schema, "QueryStatusResultStatus").Values.Select(v => v.Name));
        Assert.Equal(["deprecated"], Type<SchemaObjectType>(schema, "QueryBlockResultInserted").Members.Single(m => m.Name == "ro").Features.Select(f => f.Name));
    }

    [Fact]
    public void With_the_source_names_and_docs_come_from_it()
    {
        var source = Block();
        var schema = IntrospectedSchema.Build(s_masked, "live.json", source);
        Assert.Empty(schema.Diagnostics);
        var names = schema.Types.Select(t => t.Name).Where(n => !n.EndsWith("-base", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal);
        var expected = source.Types.Select(t => t.Name).Where(n => n != "BlockdevOptionsBase").Append("q_empty").Append("QType").OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(expected, names);
        Assert.Equal("doc of blockdev-add", schema.Commands.Single(c => c.Name == "blockdev-add").Doc!.Body);
        Assert.Equal("doc of STOP", schema.Events.Single(e => e.Name == "STOP").Doc!.Body);
        Assert.Equal("Options for creating a block device.", Type<SchemaObjectType>(schema, "BlockdevOptions").Doc!.Body);
        Assert.Equal("the node name", Type<SchemaObjectType>(schema, "q_obj_BlockdevOptions-base").Members.Single(m => m.Name == "node-name").Doc);
        Assert.Equal("doc of io_uring", Type<SchemaEnumType>(schema, "BlockdevAioOptions").Values.Single(v => v.Name == "io_uring").Doc);
        var alternate = Type<SchemaAlternateType>(schema, "BlockdevRef");
        Assert.Equal(new[] { "reference:str:a node name", "definition:BlockdevOptions:a new node" }.OrderBy(s => s), alternate.Branches.Select(b => b.Name + ":" + b.Type + ":" + b.Doc).OrderBy(s => s));
        Assert.True(Type<SchemaObjectType>(schema, "q_obj_qom-get-arg").IsImplicit);
    }

    [Fact]
    public void Read_back_and_described_again_it_is_the_same_schema()
    {
        // Masked -> model named by use -> described: the alignment finds no difference and pairs every type.
        var schema = IntrospectedSchema.Build(s_masked, "live.json");
        var again = SchemaInfoBuilder.Build(schema);
        var report = SchemaCompatibilityReport.Compare(again, s_masked);
        Assert.Empty(report.Differences);
        Assert.Equal(s_masked.Entries.Count(e => e is SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate), report.Alignment.ServerToClient.Count);
        // With the source, the names are the source's own: the description is the source's, byte for
        // byte, but for the source's conditions ("if"), which the live build has already applied.
        var named = IntrospectedSchema.Build(s_masked, "live.json", Block());
        var source = SchemaInfoBuilder.Describe(Block());
        Assert.Contains(",\"if\":\"CONFIG_LINUX_AIO\"", source, StringComparison.Ordinal);
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(source, ",\"if\":\"[^\"]*\"", ""), SchemaInfoBuilder.Describe(named));
    }

    [Fact]
    public void Names_are_unique_and_unused_types_are_kept()
    {
        var info = new SchemaInfo(
        [
            new SchemaInfoCommand("a-b", "1", "0"),
            new SchemaInfoCommand("a_b", "2", "0"),
            new SchemaInfoObject("0", []),
            new SchemaInfoObject("1", [new SchemaInfoObjectMember("x", "int")]),
            new SchemaInfoObject("2", [new SchemaInfoObjectMember("y", "int")]),
            new SchemaInfoEnum("3", [new SchemaInfoEnumMember("v")]),
            new SchemaInfoObject("RealName", []),
            new SchemaInfoBuiltin("int", "int"),
        ]);
        var schema = IntrospectedSchema.Build(info, "u.json");
        Assert.Equal(["ABArguments", "q_empty", "ABArguments2", "Unreferenced3", "RealName"], schema.Types.Select(t => t.Name));
    }

    [Theory]
    [InlineData("query-block", "QueryBlock")]
    [InlineData("BLOCK_JOB_COMPLETED", "BlockJobCompleted")]
    [InlineData("x-debug-query-block-graph", "XDebugQueryBlockGraph")]
    [InlineData("io_uring", "IoUring")]
    [InlineData("x86_64", "X8664")]
    public void Camel_case_in_QAPI_style(string name, string expected) => Assert.Equal(expected, IntrospectedSchema.Camel(name));
}

public class IntrospectionRobustnessTests
{
    [Fact]
    public void Cuts_and_flips_of_a_saved_file_give_diagnostics_never_exceptions()
    {
        var text = "{\"query-version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"query-qmp-schema\": "
            + SchemaInfoBuilder.Describe(Block()) + "}";
        var readable = 0;
        for (var i = 0; i < text.Length; i += 7)
        {
            Try(text[..i]);
            foreach (var c in "\"}]0x")
            {
                Try(text[..i] + c + text[(i + 1)..]);
            }
        }
        Assert.True(readable > 0);

        void Try(string input)
        {
            var file = IntrospectionFile.Read(input, "fuzz.json");
            var schema = file.ToSchema(Block());
            // An unreadable file is an error with no model; a name a flip made invalid ('}' inside a
            // string) is an error too (QMP0305), its entry left out of a model that is still built.
            Assert.Equal(file.Info is null, schema.Diagnostics.Any(d => d.Severity == SchemaSeverity.Error && d.Id != "QMP0305"));
            if (file.Info is null)
            {
                return;
            }

            readable++;
            _ = SchemaInfoBuilder.Describe(schema);
        }
    }
}
