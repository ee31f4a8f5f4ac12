using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>The lookups over a schema read from QAPI text.</summary>
public class SchemaIndexTests
{
    private const string Text = """
        { 'enum': 'Kind', 'data': [ 'file', 'socket', 'null' ] }
        { 'struct': 'Common', 'data': { 'id': 'str' } }
        { 'struct': 'Base', 'base': 'Common', 'data': { 'kind': 'Kind' } }
        { 'struct': 'FileOptions', 'base': 'Common', 'data': { 'path': 'str' } }
        { 'struct': 'SocketOptions', 'data': { 'port': 'uint16' } }
        { 'union': 'Backend', 'base': 'Base', 'discriminator': 'kind',
          'data': { 'file': 'FileOptions', 'socket': 'SocketOptions' } }
        { 'command': 'open', 'data': { 'name': 'str' } }
        { 'event': 'OPENED' }
        { 'struct': 'Loop1', 'base': 'Loop2', 'data': { 'a': 'int' } }
        { 'struct': 'Loop2', 'base': 'Loop1', 'data': { 'b': 'int' } }
        """;

    private static SchemaIndex Index() => new(QapiReader.Read("index.json", _ => Text));

    [Fact]
    public void Finds_entities_by_name()
    {
        var index = Index();
        Assert.IsType<SchemaEnumType>(index.Type("Kind"));
        Assert.Null(index.Type("str"));
        Assert.Equal("q_obj_open-arg", index.Command("open")!.Arguments!.Name);
        Assert.NotNull(index.Event("OPENED"));
        Assert.Null(index.Command("OPENED"));
    }

    [Fact]
    public void All_members_follow_the_base_chain_and_branches_add_theirs()
    {
        var index = Index();
        var backend = index.ObjectType("Backend")!;
        Assert.Equal(new[] { "id", "kind" }, index.AllMembers(backend).Select(m => m.Name));
        Assert.Equal(new[] { "id", "path" }, index.BranchMembers(backend, "file").Select(m => m.Name));
        Assert.Equal(new[] { "port" }, index.BranchMembers(backend, "socket").Select(m => m.Name));
        Assert.Empty(index.BranchMembers(backend, "null"));
        Assert.Equal("Kind", index.TagEnum(backend)!.Name);
        Assert.Equal(new[] { "null" }, index.EmptyBranches(backend));
    }

    [Fact]
    public void A_base_cycle_ends_the_walk()
    {
        var index = Index();
        Assert.Equal(new[] { "a", "b" }.Order(), index.AllMembers(index.ObjectType("Loop1")!).Select(m => m.Name).Order());
    }

    [Fact]
    public void A_base_cycle_is_known_to_the_index_and_reported_by_the_reader()
    {
        var schema = QapiReader.Read("index.json", _ => Text);
        var index = SchemaIndex.Of(schema);
        Assert.True(index.InBaseCycle(index.Type("Loop1")!));
        Assert.True(index.InBaseCycle(index.Type("Loop2")!));
        Assert.False(index.InBaseCycle(index.Type("Backend")!));
        Assert.False(index.InBaseCycle(index.Type("Kind")!));
        Assert.Contains(schema.Diagnostics, d => d.Id == "QMP0222");
    }

    [Fact]
    public void The_resolved_view_is_built_once_per_schema()
    {
        var schema = QapiReader.Read("index.json", _ => Text);
        Assert.Same(SchemaIndex.Of(schema), SchemaIndex.Of(schema));
        var backend = SchemaIndex.Of(schema).ObjectType("Backend")!;
        Assert.Same(SchemaIndex.Of(schema).AllMembers(backend), SchemaIndex.Of(schema).AllMembers(backend));
    }

    [Fact]
    public void QType_is_a_predefined_enum_of_the_model()
    {
        Assert.Equal(SchemaBuiltins.QType, SchemaBuiltins.QTypeEnum.Name);
        Assert.Equal(["none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool"], SchemaBuiltins.QTypeEnum.Values.Select(v => v.Name));
        // The C# back end's enum and introspection's entry read the same values.
        var info = Qmp.Codegen.Introspection.SchemaInfoBuilder.Build(QapiReader.Read("q.json", _ => "{ 'struct': 'S', 'data': { 't': 'QType' } }\n{ 'command': 'c', 'returns': 'S' }"));
        var qtype = Assert.IsType<Qmp.Runtime.Introspection.SchemaInfoEnum>(info.Find("QType"));
        Assert.Equal(SchemaBuiltins.QTypeEnum.Values.Select(v => v.Name), qtype.Members.Select(m => m.Name));
    }

    [Theory]
    [InlineData("block_set_io-throttle", false, "BlockSetIoThrottle")]
    [InlineData("BLOCK_JOB_COMPLETED", true, "BlockJobCompleted")]
    [InlineData("BLOCK_JOB_COMPLETED", false, "BLOCKJOBCOMPLETED")]
    [InlineData("x86_64", false, "X8664")]
    [InlineData("--", false, "Value")]
    public void One_PascalCase_for_every_reader_and_the_back_end(string name, bool shouting, string expected)
    {
        Assert.Equal(expected, NameCase.Pascal(name, shouting));
        Assert.Equal(NameCase.Pascal(name, shouting: true), Qmp.Codegen.Introspection.IntrospectedSchema.Camel(name));
    }
}

/// <summary>Modules and includes are entities of the model, as schema.py's QAPISchemaModule and QAPISchemaInclude.</summary>
public class SchemaModuleTests
{
    [Fact]
    public void Each_file_read_is_a_module_with_its_includes_where_they_stand()
    {
        var files = new Dictionary<string, string>
        {
            ["top.json"] = "# top\n{ 'include': 'sub/a.json' }\n{ 'include': 'b.json' }\n{ 'include': 'b.json' }\n",
            ["sub/a.json"] = "{ 'include': '../b.json' }\n{ 'enum': 'E', 'data': [ 'x' ] }\n",
            ["b.json"] = "{ 'struct': 'S', 'data': { 'e': 'E' } }\n",
        };
        var schema = QapiReader.Read("top.json", p => files.GetValueOrDefault(p));
        Assert.Equal(["top.json", "sub/a.json", "b.json"], schema.Modules.Select(m => m.Path));
        var top = schema.Modules[0];
        Assert.Equal(["sub/a.json", "b.json", "b.json"], top.Includes.Select(i => i.Path));
        Assert.Equal([2, 3, 4], top.Includes.Select(i => i.Location.Line));
        Assert.Equal(files["top.json"].IndexOf("{ 'include': 'sub/a.json' }", StringComparison.Ordinal), top.Includes[0].Location.Start);
        Assert.Equal(["b.json"], schema.Modules[1].Includes.Select(i => i.Path));
        Assert.Empty(schema.Modules[2].Includes);
    }
}

/// <summary>How include paths are formed, so a caller (the generator's AdditionalTexts) can key the texts.</summary>
public class QapiIncludePathTests
{
    [Fact]
    public void Includes_resolve_relative_to_the_including_file_from_a_dictionary_in_any_spelling()
    {
        var files = new Dictionary<string, string>
        {
            [@"C:\src\qemu\qapi\qapi-schema.json"] = "{ 'include': 'sub/types.json' }",
            ["C:/src/qemu/qapi/sub/types.json"] = "{ 'include': '../common.json' }\n{ 'struct': 'Local', 'data': {} }",
            ["C:/src/qemu/qapi/./common.json"] = "{ 'struct': 'Common', 'data': {} }",
        };
        var schema = QapiReader.Read(@"C:\src\qemu\qapi\qapi-schema.json", files);
        Assert.Empty(schema.Diagnostics);
        Assert.Equal(new[] { "Common", "Local" }, schema.Types.Select(t => t.Name));
        var detailed = QapiReader.ReadDetailed("/q/qapi/qapi-schema.json", p => p switch
        {
            "/q/qapi/qapi-schema.json" => "{ 'include': 'a.json' }",
            "/q/qapi/a.json" => "{ 'command': 'a' }",
            _ => null,
        });
        Assert.Equal(new[] { "/q/qapi/qapi-schema.json", "/q/qapi/a.json" }, detailed.Files);
    }
}
