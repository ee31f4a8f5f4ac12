using Microsoft.CodeAnalysis;
using Qmp.Codegen.Emit.Tests.Qapi;

namespace Qmp.Codegen.Emit.Tests.Introspection;

/// <summary>
/// The generator on a saved <c>query-qmp-schema</c> answer of our own (GoldenIntrospection/live.json:
/// masked type names as QEMU sends them, a command with arguments and an array of structs returned,
/// a union with an empty branch, an alternate, an enum with a deprecated value, features (a deprecated command and member, an unstable command), events
/// with and without data): the C# it writes, that it compiles clean, and what a bad file gives.
/// </summary>
public class IntrospectionGeneratorTests
{
    private const string Live = "/live/qemu.qmp-schema.json";

    private static string LiveText() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenIntrospection", "live.json"));

    private static GeneratorDriver Driver(string text, string? format = null, string path = Live, string generate = "Client") =>
        GeneratorHarness.CreateDriver([new GeneratorHarness.SchemaFile(path, text, "Acme.Live", generate) { Format = format }]);

    [Fact]
    public void Output_matches_the_golden_files()
    {
        var (_, diagnostics, run) = QapiHarness.Generate(Driver(LiveText()));
        Assert.Empty(diagnostics);
        QapiHarness.AssertMatchesGolden("GoldenIntrospection", run);
    }

    /// <summary>
    /// A saved answer does not say <c>'gen': false</c>: <c>device_add</c> is open all the same (QEMU's
    /// handler takes any device property), so its record keeps them in <c>AdditionalProperties</c>.
    /// </summary>
    [Fact]
    public void Device_add_from_a_saved_answer_takes_device_properties()
    {
        const string Answer = """
            {"query-qmp-schema": [
              {"name": "device_add", "meta-type": "command", "arg-type": "12", "ret-type": "0"},
              {"name": "device_del", "meta-type": "command", "arg-type": "13", "ret-type": "0"},
              {"name": "0", "meta-type": "object", "members": []},
              {"name": "12", "meta-type": "object", "members": [{"name": "driver", "type": "str"}, {"name": "bus", "type": "str", "default": null}, {"name": "id", "type": "str", "default": null}]},
              {"name": "13", "meta-type": "object", "members": [{"name": "id", "type": "str"}]},
              {"name": "str", "meta-type": "builtin", "json-type": "string"}
            ]}
            """;
        var (output, diagnostics, run) = QapiHarness.Generate(Driver(Answer));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var assembly = QapiHarness.Load(output);
        Assert.NotNull(assembly.GetType("Acme.Live.DeviceAddArguments")!.GetProperty("AdditionalProperties"));
        Assert.Null(assembly.GetType("Acme.Live.DeviceDelArguments")!.GetProperty("AdditionalProperties"));
    }

    /// <summary>
    /// One rule for a union's branch records: each is named as its case. A branch that copies its
    /// members (its type is implicit, as a saved answer's <c>q_obj_</c> names are) may have a member
    /// named as another branch (declared <c>new</c>, it keeps its name) or as its own (it gets a number);
    /// the records were <c>FileBranch</c> and <c>HashBranch</c> then, beside <c>Plain</c>.
    /// </summary>
    [Fact]
    public void Union_branch_records_are_named_as_their_case_whatever_their_members()
    {
        const string Answer = """
            {"query-qmp-schema": [
              {"name": "set-shape", "meta-type": "command", "arg-type": "q_obj_set-shape-arg", "ret-type": "0"},
              {"name": "0", "meta-type": "object", "members": []},
              {"name": "Kind", "meta-type": "enum", "values": ["file", "hash", "plain"], "members": [{"name": "file"}, {"name": "hash"}, {"name": "plain"}]},
              {"name": "q_obj_set-shape-arg", "meta-type": "object", "members": [{"name": "kind", "type": "Kind"}], "tag": "kind",
               "variants": [{"case": "file", "type": "FileOpts"}, {"case": "hash", "type": "q_obj_hash-wrapper"}, {"case": "plain", "type": "FileOpts"}]},
              {"name": "FileOpts", "meta-type": "object", "members": [{"name": "path", "type": "str"}]},
              {"name": "q_obj_hash-wrapper", "meta-type": "object", "members": [{"name": "hash", "type": "str"}, {"name": "file", "type": "str"}, {"name": "plain", "type": "int", "default": null}]},
              {"name": "str", "meta-type": "builtin", "json-type": "string"},
              {"name": "int", "meta-type": "builtin", "json-type": "int"}
            ]}
            """;
        var (output, diagnostics, run) = QapiHarness.Generate(Driver(Answer));
        Assert.Empty(diagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var assembly = QapiHarness.Load(output);
        var union = assembly.GetType("Acme.Live.SetShapeArguments")!;
        Assert.Equal(["File", "Hash", "Plain", "Unknown"], union.GetNestedTypes().Select(t => t.Name).Order());
        var hash = union.GetNestedType("Hash")!;
        Assert.Equal(["File", "Hash2", "Kind", "Plain"], hash.GetProperties().Select(p => p.Name).Where(n => n != "EqualityContract").Order());
    }

    private const string Consumer = """"
        #pragma warning disable QMP0900, CS0618
        using System.Text;
        using System.Text.Json;
        using Acme.Live;
        namespace Consumer;
        public static class Probe
        {
            static T Read<T>(string json, Qmp.Runtime.QmpJsonReader<T> read)
            {
                var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
                reader.Read();
                return read(ref reader);
            }
            static string Write<T>(T value, Qmp.Runtime.QmpJsonWriter<T> write)
            {
                var buffer = new System.IO.MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                    write(writer, value);
                return Encoding.UTF8.GetString(buffer.ToArray());
            }
            public static string Run()
            {
                var log = new StringBuilder();
                // Every integer is a long: a size past int's range reads; an enum value the file lacks is kept.
                var widget = Read("""{"id":"w1","kind":"gear","size":9007199254740993,"tags":["a","b"]}""", QueryWidgetsResult.Read);
                long size = widget.Size;
                log.AppendLine($"{widget.Id} {widget.Kind} {size} {widget.Tags!.Count} {widget.Weight is null}");
                var newer = Read("""{"id":"w2","kind":"spring","size":-1}""", QueryWidgetsResult.Read);
                log.AppendLine($"{newer.Kind} {newer.Kind.IsKnown}");
                // The union by its tag, an empty branch, and a branch the file lacks kept whole.
                var gear = Read("""{"teeth":12,"id":"g","kind":"gear"}""", AddWidgetArguments.Read);
                log.AppendLine(gear is AddWidgetArguments.Gear { Data.Teeth: 12L, Id: "g" } ? "gear 12" : "wrong");
                log.AppendLine(Write(gear, AddWidgetArguments.Write));
                log.AppendLine(Read("""{"id":"l","kind":"lever"}""", AddWidgetArguments.Read).GetType().Name);
                log.AppendLine(Read("""{"id":"s","kind":"spring","coils":3}""", AddWidgetArguments.Read) is AddWidgetArguments.Unknown u ? "unknown " + u.Kind + " " + u.BranchMembers.Count : "wrong");
                // The alternate by JSON type, with an implicit conversion from each branch.
                log.AppendLine(Read("5", ResizeWidgetArgumentsSize.Read).Int.ToString());
                log.AppendLine(Read("""{"width":3,"height":4}""", ResizeWidgetArgumentsSize.Read).Object is { Width: 3L, Height: 4L } ? "3x4" : "wrong");
                ResizeWidgetArgumentsSize byValue = 7L;
                log.AppendLine(Write(byValue, ResizeWidgetArgumentsSize.Write));
                // An event's data.
                var added = Read("""{"id":"w3","kind":"lever"}""", (ref Utf8JsonReader r) => WidgetAddedEvent.Read(ref r));
                log.AppendLine(added.Id + " " + added.Kind);
                return log.ToString();
            }
        }
        """";

    [Fact]
    public void Generated_code_compiles_without_warnings_and_reads_what_the_server_sends()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(Driver(LiveText()), Consumer);
        Assert.Empty(diagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var run = QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!;
        var log = ((string)run.Invoke(null, null)!).ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(new[]
        {
            "w1 gear 9007199254740993 2 True",
            "spring False",
            "gear 12",
            """{"kind":"gear","id":"g","teeth":12}""",
            "Lever",
            "unknown spring 1",
            "5",
            "3x4",
            "7",
            "w3 lever",
            "",
        }, log);
    }

    [Fact]
    public void The_unstable_command_is_experimental_and_the_deprecated_one_obsolete()
    {
        const string Uses = """
            namespace Consumer;
            public static class Uses
            {
                public static System.Threading.Tasks.Task A(Acme.Live.LiveClient c) => c.ResizeWidgetAsync("w", 3L);
                public static System.Threading.Tasks.Task B(Acme.Live.LiveClient c) => c.QueryGadgetAsync();
            }
            """;
        var (output, _, _) = QapiHarness.Generate(Driver(LiveText()), Uses);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "CS0618", "QMP0900" }, problems);
    }

    [Theory]
    [InlineData("{\"return\": [{\"name\": \"int\", \"meta-type\": \"builtin\", \"json-type\": \"int\"},\n {\"name\": \"query-x\", \"meta-type\": \"command\", \"ret-type\": \"0\"}]}", 2, 2, "schema entry 1 ('query-x') is malformed: it has no 'arg-type'")]
    [InlineData("{\"query-version\": {\"qemu\": {\"major\": 7}}, \"query-qmp-schema\": [{\"name\": \"a\", \"meta-type\": \"builtin\"}]}", 1, 64, "schema entry 0 ('a') is malformed: it has no 'json-type'")]
    [InlineData("[\"int\"]", 1, 2, "schema entry 0 is malformed: it is not an object")]
    [InlineData("{\"return\": [\n  {\"name\": \"int\", \"meta-type\": \"builtin\", \"json-type\": \"int\"},\n]}", 2, 62, "not strict JSON")]
    [InlineData("{\"return\": {\"name\": \"int\"}}", 1, 1, "expected query-qmp-schema's array of SchemaInfo")]
    public void A_malformed_file_is_an_error_located_in_it_and_nothing_crashes(string text, int line, int column, string message)
    {
        var (output, diagnostics, run) = QapiHarness.Generate(Driver(text));
        var error = Assert.Single(diagnostics);
        Assert.Equal(("QMP0301", DiagnosticSeverity.Error, Live), (error.Id, error.Severity, error.Location.GetLineSpan().Path));
        Assert.Equal((line, column), (error.Location.GetLineSpan().StartLinePosition.Line + 1, error.Location.GetLineSpan().StartLinePosition.Character + 1));
        Assert.Contains(message, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Null(run.Results.Single().Exception);
        // What is generated (an empty client) still compiles.
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>
    /// A server's answer whose names carry C#: an event name that closes the <c>WireName</c> literal
    /// and the doc comment, then a real U+2028 (a line break to Roslyn) and a class with a module
    /// initializer; a type, a member and an enum value doing the same.
    /// </summary>
    private static readonly string s_hostile =
        "{\"query-qmp-schema\": [\n" +
        "  {\"name\": \"query-widgets\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"1\"},\n" +
        "  {\"name\": \"query-pwn\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"Pwn\\u2028internal static class PwnType { }\"},\n" +
        "  {\"name\": \"X\\\";//</c></summary>\u2028internal static class Pwn { [System.Runtime.CompilerServices.ModuleInitializer] internal static void Run() => System.Environment.Exit(42); }\u2028//\", \"meta-type\": \"event\", \"arg-type\": \"0\"},\n" +
        "  {\"name\": \"0\", \"meta-type\": \"object\", \"members\": []},\n" +
        "  {\"name\": \"1\", \"meta-type\": \"object\", \"members\": [{\"name\": \"id\", \"type\": \"str\"}, {\"name\": \"kind\", \"type\": \"2\"}, {\"name\": \"ok\\u2028class Pwn2 {}\", \"type\": \"str\"}]},\n" +
        "  {\"name\": \"2\", \"meta-type\": \"enum\", \"members\": [{\"name\": \"gear\"}, {\"name\": \"a\\\" + Pwn3 + \\\"\"}]},\n" +
        "  {\"name\": \"Pwn\\u2028internal static class PwnType { }\", \"meta-type\": \"object\", \"members\": []},\n" +
        "  {\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}\n" +
        "]}";

    [Fact]
    public void Names_outside_QMPs_character_set_are_located_errors_and_reach_no_generated_source()
    {
        Assert.Contains('\u2028', s_hostile);
        var (output, diagnostics, run) = QapiHarness.Generate(Driver(s_hostile));
        Assert.Null(run.Results.Single().Exception);
        var errors = diagnostics.Where(d => d.Id == "QMP0305").ToList();
        Assert.All(errors, e => Assert.Equal((DiagnosticSeverity.Error, Live), (e.Severity, e.Location.GetLineSpan().Path)));
        string Where(Diagnostic d) => (d.Location.GetLineSpan().StartLinePosition.Line + 1) + ":" + (d.Location.GetLineSpan().StartLinePosition.Character + 1);
        var messages = errors.Select(e => Where(e) + " " + e.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // Each at the string that holds the name; the name shown escaped, never raw.
        Assert.Equal(
        [
            "3:78 ret-type of command 'query-pwn' 'Pwn\\u2028internal static class PwnType { }' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry 1 is left out",
            "4:12 event 'X\";//</c></summary>\\u2028internal static class Pwn { [System.Runtime.CompilerServices.ModuleInitializer] internal static void Run() => System.Environment.Exit(42); }\\u2028//' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry 2 is left out",
            "6:123 member of object '1' 'ok\\u2028class Pwn2 {}' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry 4 is left out",
            "7:77 value of enum '2' 'a\" + Pwn3 + \"' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry 5 is left out",
            "8:12 object 'Pwn\\u2028internal static class PwnType { }' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry 6 is left out",
        ], messages);
        Assert.DoesNotContain(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains('\u2028'));
        // Nothing of the payload is generated; what is (query-widgets, its result now 'any') compiles.
        var sources = run.Results.Single().GeneratedSources;
        Assert.Contains(sources, s => s.SourceText.ToString().Contains("QueryWidgetsAsync", StringComparison.Ordinal));
        foreach (var source in sources)
        {
            var text = source.SourceText.ToString();
            foreach (var payload in new[] { "ModuleInitializer", "Pwn", "\u2028", "</c></summary>" })
            {
                Assert.False(text.Contains(payload, StringComparison.Ordinal), source.HintName + " holds " + payload);
            }
        }
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Format_Introspection_on_a_QAPI_file_reads_it_as_an_answer_and_says_it_is_not_one()
    {
        var (_, diagnostics, _) = QapiHarness.Generate(Driver("# QAPI\n{ 'command': 'x' }\n", format: "Introspection"));
        Assert.Equal("QMP0301", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Format_Qapi_reads_even_a_json_array_as_QAPI()
    {
        var (_, diagnostics, _) = QapiHarness.Generate(Driver("[]", format: "Qapi"));
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.StartsWith("QMP02", d.Id, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_Format_is_a_warning_and_the_content_decides()
    {
        var (_, diagnostics, run) = QapiHarness.Generate(Driver(LiveText(), format: "Live"));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("QMP0120", DiagnosticSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Equal("QmpSchema Format value 'Live' is not Qapi or Introspection; the file is read as a saved query-qmp-schema answer", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("Acme.Live.Client.g.cs", run.Results.Single().GeneratedSources.Select(s => s.HintName));
    }

    [Fact]
    public void Generate_Server_on_an_answer_generates_a_server_without_a_warning()
    {
        var (_, diagnostics, run) = QapiHarness.Generate(Driver(LiveText(), generate: "Client;Server"));
        Assert.Empty(diagnostics);
        Assert.Contains("Acme.Live.Server.g.cs", run.Results.Single().GeneratedSources.Select(s => s.HintName));
    }

    [Theory]
    [InlineData("[]", true)]
    [InlineData("\uFEFF  \n[{\"name\": \"x\"}]", true)]
    [InlineData("{\"return\": []}", true)]
    [InlineData("{ \"query-version\": {}, \"query-qmp-schema\": [] }", true)]
    [InlineData("# -*- Mode: Python -*-\n{ 'include': 'common.json' }", false)]
    [InlineData("{ 'command': 'query-status', 'returns': 'StatusInfo' }", false)]
    [InlineData("{}", false)]
    [InlineData("", false)]
    public void A_json_file_is_an_answer_when_it_opens_as_JSON_does(string text, bool answer) =>
        Assert.Equal(answer, Qmp.Codegen.Introspection.IntrospectionFile.LooksLikeIntrospection(text));

    /// <summary>GoldenQapi's schema as QEMU would list it: described, then every type name masked as a number.</summary>
    private static string MaskedAnswerOf(Qmp.Codegen.Schema.QmpSchema source)
    {
        var entries = System.Text.Json.Nodes.JsonNode.Parse(Qmp.Codegen.Introspection.SchemaInfoBuilder.Describe(source))!.AsArray();
        var masks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e!["meta-type"]!.GetValue<string>() is "object" or "enum" or "alternate")
            {
                masks[e["name"]!.GetValue<string>()] = masks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        string Mask(string name) =>
            name.StartsWith('[') ? "[" + Mask(name[1..^1]) + "]" : masks.TryGetValue(name, out var masked) ? masked : name;
        void Rename(System.Text.Json.Nodes.JsonNode? node, string key)
        {
            if (node?[key] is { } value)
            {
                node[key] = Mask(value.GetValue<string>());
            }
        }
        foreach (var e in entries)
        {
            if (e!["meta-type"]!.GetValue<string>() is not ("command" or "event"))
            {
                Rename(e, "name");
            }

            foreach (var key in new[] { "arg-type", "ret-type", "element-type" })
            {
                Rename(e, key);
            }

            foreach (var list in new[] { "members", "variants" })
            {
                if (e[list] is System.Text.Json.Nodes.JsonArray items && e["meta-type"]!.GetValue<string>() != "enum")
                {
                    foreach (var item in items)
                    {
                        Rename(item, "type");
                    }
                }
            }
        }
        return "{\"return\": " + entries.ToJsonString() + "}";
    }

    [Fact]
    public void With_QapiSource_the_types_take_the_sources_names_and_docs()
    {
        var files = new Dictionary<string, string>
        {
            ["/qapi/schema.json"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "schema.json")),
            ["/qapi/sub/widths.json"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "sub", "widths.json")),
        };
        var source = Qmp.Codegen.Qapi.QapiReader.Read("/qapi/schema.json", files);
        var answer = MaskedAnswerOf(source);
        Assert.DoesNotContain("\"Shape\"", answer, StringComparison.Ordinal);
        files[Live] = answer;
        var texts = files.Select(f => QapiHarness.TextOf(f.Key, f.Value)).ToList();

        var sourceFile = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add(QmpGenerator.QapiTopMetadata, "/qapi/schema.json");
        var liveFile = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
            .Add(QmpGenerator.NamespaceMetadata, "Acme.Live").Add(QmpGenerator.GenerateMetadata, "Client");
        var named = Generated(QapiHarness.CreateDriver(texts, new Dictionary<string, System.Collections.Immutable.ImmutableDictionary<string, string>>
        {
            ["/qapi/schema.json"] = sourceFile,
            ["/qapi/sub/widths.json"] = sourceFile,
            [Live] = liveFile.Add(QmpGenerator.QapiSourceMetadata, "/qapi/schema.json"),
        }));
        // The source's names and docs; integer widths stay the answer's (every integer a long).
        Assert.Contains("public abstract partial record Shape", named, StringComparison.Ordinal);
        Assert.Contains("public sealed partial record Widths", named, StringComparison.Ordinal);
        Assert.Contains("readonly partial record struct Color(string Value)", named, StringComparison.Ordinal);
        Assert.Contains("/// <summary>A color.</summary>", named, StringComparison.Ordinal);
        Assert.Contains("public required long Radius { get; init; }", named, StringComparison.Ordinal);

        // Without it, the same answer's types are named from their use, without docs.
        var byUse = Generated(QapiHarness.CreateDriver(texts, new Dictionary<string, System.Collections.Immutable.ImmutableDictionary<string, string>> { [Live] = liveFile }));
        Assert.DoesNotContain("public abstract partial record Shape", byUse, StringComparison.Ordinal);
        Assert.DoesNotContain("/// <summary>A color.</summary>", byUse, StringComparison.Ordinal);

        static string Generated(GeneratorDriver driver)
        {
            var (output, diagnostics, run) = QapiHarness.Generate(driver);
            Assert.Empty(diagnostics);
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
            return string.Concat(run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        }
    }

    [Fact]
    public void A_QapiSource_that_cannot_be_read_is_an_error_and_the_answer_still_generates()
    {
        var texts = new[] { QapiHarness.TextOf(Live, LiveText()) };
        var (_, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(texts, new Dictionary<string, System.Collections.Immutable.ImmutableDictionary<string, string>>
        {
            [Live] = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
                .Add(QmpGenerator.NamespaceMetadata, "Acme.Live").Add(QmpGenerator.GenerateMetadata, "Client")
                .Add(QmpGenerator.QapiSourceMetadata, "/qapi/missing.json"),
        }));
        var error = Assert.Single(diagnostics);
        Assert.Equal(("QMP0202", "/qapi/missing.json"), (error.Id, error.Location.GetLineSpan().Path));
        Assert.Contains("Acme.Live.QemuQmpSchema.Commands.g.cs", run.Results.Single().GeneratedSources.Select(s => s.HintName));
    }
}
