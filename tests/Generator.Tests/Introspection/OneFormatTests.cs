using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Qmp.Codegen.Introspection;
using Qmp.Runtime.Introspection;
using static Qmp.Codegen.Tests.Introspection.SchemaFixtures;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>
/// The introspection format once (issue 21 item 5): one SchemaInfo type for a program that holds the
/// generator and the runtime, none public in the analyzer, and one reader of the wire format.
/// </summary>
public class OneFormatTests
{
    [Fact]
    public void The_generator_library_builds_the_runtime_SchemaInfo()
    {
        object info = SchemaInfoBuilder.Build(Block());
        Assert.IsType<Qmp.Runtime.Introspection.SchemaInfo>(info);
        Assert.Same(typeof(SchemaInfoReader).Assembly, info.GetType().Assembly);
    }

    [Fact]
    public void The_analyzer_build_has_no_public_SchemaInfo_type()
    {
        // Compiled into the core's analyzer build, in the runtime's namespace, internal; the generator
        // beside it compiles no copy of its own.
        var core = AnalyzerBuildTypes("Core", "Qmp.Codegen.Core.dll");
        Assert.Contains(core, t => t is { Namespace: "Qmp.Runtime.Introspection", Name: "SchemaInfo", Public: false });
        Assert.DoesNotContain(core, t => t.Public && t.Name.StartsWith("Schema", StringComparison.Ordinal) && t.Namespace.EndsWith(".Introspection", StringComparison.Ordinal));
        Assert.DoesNotContain(AnalyzerBuildTypes("Generator", "Qmp.Codegen.Generator.dll"), t => t.Namespace == "Qmp.Runtime.Introspection");
    }

    /// <summary>The types of a project's netstandard2.0 build (the one the compiler loads), read from its dll.</summary>
    internal static List<(string Namespace, string Name, bool Public)> AnalyzerBuildTypes(string project, string dll)
    {
        // This test runs from tests/Generator.Tests/bin/<configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Qmp.Testing.Repository.PathOf("src", project, "bin", configuration, "netstandard2.0", dll);
        Assert.True(File.Exists(path), path);
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        return metadata.TypeDefinitions.Select(metadata.GetTypeDefinition)
            .Select(t => (Namespace: metadata.GetString(t.Namespace), Name: metadata.GetString(t.Name), Public: (t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public))
            .ToList();
    }

    private const string Answer = """
        [{"name": "c", "meta-type": "command", "arg-type": "0", "ret-type": "0", "allow-oob": true, "if": "CONFIG_X"},
         {"name": "0", "meta-type": "object", "members": [{"name": "m", "type": "1", "default": null, "if": "CONFIG_M"}],
          "tag": "m", "variants": [{"case": "a", "type": "0", "if": "CONFIG_V"}]},
         {"name": "1", "meta-type": "enum", "members": [{"name": "a", "if": "CONFIG_E"}], "values": ["a"]}]
        """;

    [Fact]
    public void A_saved_answer_reads_alike_in_the_generator_and_the_runtime()
    {
        var file = IntrospectionFile.Read(Answer, "a.json");
        Assert.Empty(file.Diagnostics);
        var runtime = SchemaInfoReader.Read(Answer);
        Assert.Equal(runtime.ToJson(), file.Info!.ToJson());
        // Conditions were read by the runtime only, before the two shared one reader.
        Assert.Equal("CONFIG_X", file.Info.FindCommand("c")!.Condition);
        Assert.Equal("CONFIG_M", ((SchemaInfoObject)file.Info.Find("0")!).Members[0].Condition);
    }

    [Theory]
    [InlineData("""[{"name": "c", "meta-type": "command", "arg-type": "0", "ret-type": "0", "allow-oob": "yes"}]""", "schema entry 0 ('c') is malformed: 'allow-oob' is not a boolean")]
    [InlineData("""[{"name": "o", "meta-type": "object", "members": [{"name": "m"}]}]""", "schema entry 0 ('o') is malformed: an object member lacks 'name' or 'type'")]
    [InlineData("""{"return": {}}""", "expected query-qmp-schema's array of SchemaInfo")]
    public void A_malformed_answer_is_refused_alike_with_the_same_words(string text, string message)
    {
        var file = IntrospectionFile.Read(text, "a.json");
        var error = Assert.Single(file.Diagnostics);
        Assert.Equal("QMP0301", error.Id);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        var e = Assert.Throws<FormatException>(() => SchemaInfoReader.Read(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
