using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// A QAPI server's introspection (GoldenQapiServer: conditions in and out of the build, an include,
/// a union with an empty branch, an alternate, arrays, features, <c>allow-oob</c>, <c>gen: false</c>):
/// the server it generates with <c>QemuConfig="CONFIG_DISK"</c>, and what it answers to
/// <c>query-qmp-schema</c> and <c>query-commands</c>. The expected <c>query-qmp-schema</c> answer
/// (<c>GoldenQapiServer/query-qmp-schema.json</c>) is what QEMU 7.2's own introspect.py makes of the
/// schema with CONFIG_DISK defined and CONFIG_TAPE not, its <c>#if</c>s resolved.
/// </summary>
public class QapiIntrospectionTests
{
    private const string Top = "/qapi/schema.json";
    private const string Ns = "Acme.Library";

    private static List<AdditionalText> Texts() =>
    [
        QapiHarness.TextOf(Top, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapiServer", "schema.json"))),
        QapiHarness.TextOf("/qapi/sub/introspect.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapiServer", "sub", "introspect.json"))),
    ];

    private static GeneratorDriver Driver(string? qemuConfig = "CONFIG_DISK")
    {
        var texts = Texts();
        var metadata = ImmutableDictionary<string, string>.Empty
            .Add(QmpGenerator.NamespaceMetadata, Ns)
            .Add(QmpGenerator.GenerateMetadata, "Server")
            .Add(QmpGenerator.QapiTopMetadata, Top);
        if (qemuConfig is not null)
        {
            metadata = metadata.Add(QmpGenerator.QemuConfigMetadata, qemuConfig);
        }

        return QapiHarness.CreateDriver(texts, texts.ToDictionary(t => t.Path, _ => metadata));
    }

    [Fact]
    public void Output_matches_the_golden_files()
    {
        var (output, diagnostics, run) = QapiHarness.Generate(Driver());
        Assert.Empty(diagnostics);
        QapiHarness.AssertMatchesGolden("GoldenQapiServer", run);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private const string Probe = """"
        using System.Collections.Generic;
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Acme.Library;
        using Qmp.Runtime;

        namespace Consumer;

        public sealed class Served : LibraryCommandsBase
        {
            public override ValueTask CancelAsync(QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        }

        public sealed class OwnSchema : LibraryCommandsBase
        {
            public override ValueTask<IReadOnlyList<SchemaInfo>> QueryQmpSchemaAsync(QmpSession session, CancellationToken cancellationToken) =>
                ValueTask.FromResult<IReadOnlyList<SchemaInfo>>(new[] { new SchemaInfo { Name = "mine", MetaType = "builtin" } });
        }

        public static class Probe
        {
            public static string Call(IQmpCommandDispatcher server, string command, string arguments = "{}")
            {
                try
                {
                    var result = server.DispatchAsync(command, JsonDocument.Parse(arguments).RootElement, null!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    using var stream = new System.IO.MemoryStream();
                    using (var writer = new Utf8JsonWriter(stream))
                    {
                        result.WriteTo(writer);
                    }
                    return Encoding.UTF8.GetString(stream.ToArray());
                }
                catch (QmpException e)
                {
                    return e.ErrorClassName + ": " + e.Description;
                }
            }

            public static string[] Run() =>
            [
                Call(new Served(), "query-qmp-schema"),
                Call(new Served(), "query-commands"),
                Call(new OwnSchema(), "query-qmp-schema"),
                Call(new OwnSchema(), "query-commands"),
                Call(new Served(), "query-qmp-schema", """{"bogus": 1}"""),
                string.Join(",", new Served().ServedCommandNames),
            ];
        }
        """";

    [Fact]
    public void Query_qmp_schema_answers_what_QEMUs_introspect_py_makes_of_the_schema_in_the_build()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(Driver(), Probe);
        Assert.Empty(diagnostics);
        var log = (string[])QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapiServer", "query-qmp-schema.json")).Trim();
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(log[0]).RootElement), log[0]);
    }

    [Fact]
    public void Query_commands_lists_the_served_commands_in_QEMUs_order_and_overrides_take_over()
    {
        var (output, _, _) = QapiHarness.Generate(Driver(), Probe);
        var log = (string[])QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        // QEMU lists its dispatch table newest first: the introspection commands (answered by the base),
        // the overridden cancel, and qmp_capabilities; not the members left as CommandNotFound.
        Assert.Equal("""[{"name":"query-version"},{"name":"query-commands"},{"name":"query-qmp-schema"},{"name":"cancel"},{"name":"qmp_capabilities"}]""", log[1]);
        Assert.Equal("""[{"name":"mine","meta-type":"builtin"}]""", log[2]);
        Assert.Equal("""[{"name":"query-version"},{"name":"query-commands"},{"name":"query-qmp-schema"},{"name":"qmp_capabilities"}]""", log[3]);
        Assert.Equal("GenericError: Parameter 'bogus' is unexpected", log[4]);
        Assert.Equal("query-qmp-schema,query-commands,query-version,cancel", log[5]);
    }

    [Fact]
    public void QemuConfig_decides_which_conditional_entries_the_answer_keeps()
    {
        string Answer(string? config)
        {
            var (output, _, _) = QapiHarness.Generate(Driver(config), Probe);
            return ((string[])QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!)[0];
        }

        var tape = JsonDocument.Parse(Answer("CONFIG_DISK;CONFIG_TAPE")).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("rewind", tape);
        Assert.Contains("wind", tape);
        Assert.Contains("4", tape); // rewind's arguments, numbered whatever the build
        var none = JsonDocument.Parse(Answer("!CONFIG_DISK")).RootElement;
        var insert = none.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "insert");
        Assert.Equal("""["unstable"]""", insert.GetProperty("features").GetRawText());
        // The default build (Debian's QEMU 7.2 x86_64) has neither symbol.
        Assert.Equal(Answer("!CONFIG_DISK"), Answer(null));
    }

    // A saved answer as a QEMU newer than 9.0 sends it (enums without "values"), keys in no particular order.
    private const string Saved = """
        {"query-version": {"qemu": {"major": 10, "minor": 0, "micro": 13}, "package": "Debian 1:10.0.13"},
         "query-qmp-schema": [
          {"meta-type": "command", "name": "query-qmp-schema", "arg-type": "0", "ret-type": "[1]"},
          {"name": "query-commands", "meta-type": "command", "arg-type": "0", "ret-type": "[2]"},
          {"name": "query-version", "meta-type": "command", "arg-type": "0", "ret-type": "3"},
          {"name": "stop", "meta-type": "command", "arg-type": "0", "ret-type": "0", "allow-oob": true},
          {"name": "tidy", "meta-type": "command", "arg-type": "4", "ret-type": "0", "features": ["unstable"]},
          {"name": "0", "meta-type": "object", "members": []},
          {"name": "[1]", "meta-type": "array", "element-type": "1"},
          {"name": "1", "meta-type": "object", "members": [{"name": "name", "type": "str"}, {"name": "meta-type", "type": "str"}]},
          {"name": "[2]", "meta-type": "array", "element-type": "2"},
          {"name": "2", "meta-type": "object", "members": [{"name": "name", "type": "str"}]},
          {"name": "3", "meta-type": "object", "members": [{"name": "qemu", "type": "5"}, {"name": "package", "type": "str"}]},
          {"name": "4", "meta-type": "object", "members": [{"name": "mode", "type": "6", "default": null}]},
          {"name": "5", "meta-type": "object", "members": [{"name": "major", "type": "int"}, {"name": "minor", "type": "int"}, {"name": "micro", "type": "int"}]},
          {"name": "6", "meta-type": "enum", "members": [{"name": "quick"}, {"name": "deep", "features": ["deprecated"]}]},
          {"name": "str", "meta-type": "builtin", "json-type": "string"},
          {"name": "int", "meta-type": "builtin", "json-type": "int"},
          {"name": "9", "meta-type": "object", "members": []}
         ]}
        """;

    private const string SavedProbe = """"
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using Acme.Saved;
        using Qmp.Runtime;

        namespace Consumer;

        public sealed class Served : SavedCommandsBase
        {
        }

        public static class Probe
        {
            public static string[] Run()
            {
                IQmpCommandDispatcher server = new Served();
                var result = server.DispatchAsync("query-qmp-schema", default, null!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                using var stream = new System.IO.MemoryStream();
                using (var writer = new Utf8JsonWriter(stream))
                {
                    result.WriteTo(writer);
                }
                return [Encoding.UTF8.GetString(stream.ToArray()), server.PreferredVersion!.ToString()];
            }
        }
        """";

    [Fact]
    public void A_saved_answers_server_answers_the_saved_entries_as_they_are_and_greets_with_the_saved_version()
    {
        var driver = GeneratorHarness.CreateDriver([new GeneratorHarness.SchemaFile("/live/saved.json", Saved, "Acme.Saved", "Server")]);
        var (output, diagnostics, _) = QapiHarness.Generate(driver, SavedProbe);
        Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var log = (string[])QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        var saved = JsonDocument.Parse(Saved).RootElement.GetProperty("query-qmp-schema");
        // Every entry, the unreferenced "9" too, in the saved order, with the saved members (no enum "values" added).
        Assert.True(JsonElement.DeepEquals(saved, JsonDocument.Parse(log[0]).RootElement), log[0]);
        Assert.Equal("10.0.13 (Debian 1:10.0.13)", log[1]);
    }

    [Fact]
    public void A_filtered_saved_answers_server_answers_the_entries_its_kept_commands_reach()
    {
        var driver = GeneratorHarness.CreateDriver([new GeneratorHarness.SchemaFile("/live/saved.json", Saved, "Acme.Saved", "Server", Commands: "query-*;tidy")]);
        var (output, _, _) = QapiHarness.Generate(driver, SavedProbe);
        var log = (string[])QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        var names = JsonDocument.Parse(log[0]).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        // stop and what only it reached go; the rest keeps its saved order and masks.
        Assert.Equal(["query-qmp-schema", "query-commands", "query-version", "tidy", "0", "[1]", "1", "[2]", "2", "3", "4", "5", "6", "str", "int"], names);
    }
}
