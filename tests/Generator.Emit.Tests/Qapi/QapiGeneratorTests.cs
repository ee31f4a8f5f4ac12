using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// The generator on a small QAPI schema of our own (GoldenQapi: a union with a base and an
/// empty branch, an alternate with a null branch, a boxed command, features, conditions, every
/// builtin width, an include): the C# it writes, that it compiles clean, and what it does.
/// </summary>
public class QapiGeneratorTests
{
    private const string Top = "/qapi/schema.json";

    private static Dictionary<string, string> Files() => new()
    {
        [Top] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "schema.json")),
        ["/qapi/sub/widths.json"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "sub", "widths.json")),
    };

    [Fact]
    public void Output_matches_the_golden_files()
    {
        var (_, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes"));
        Assert.Empty(diagnostics);
        QapiHarness.AssertMatchesGolden("GoldenQapi", run);
    }

    private const string Consumer = """"
        #pragma warning disable QMP0900, CS0618
        using System.Text;
        using System.Text.Json;
        using Acme.Shapes;
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
            static string Try<T>(string json, Qmp.Runtime.QmpJsonReader<T> read)
            {
                try { Read(json, read); return "ok"; }
                catch (JsonException e) { return e.Message; }
            }
            public static string Run()
            {
                var log = new StringBuilder();
                // A branch after its members, an empty branch, an unknown branch kept whole.
                var circle = Read("""{"radius":7,"name":"c","kind":"circle"}""", Shape.Read);
                log.AppendLine(circle is Shape.Circle { Data.Radius: 7u, Name: "c" } c ? "circle " + c.Kind : "wrong");
                log.AppendLine(Write(circle, Shape.Write));
                var dot = Read("""{"kind":"dot"}""", Shape.Read);
                log.AppendLine(dot.GetType().Name + " " + Write(dot, Shape.Write));
                var triangle = Read("""{"kind":"triangle","name":"t","corners":[1,2,3]}""", Shape.Read);
                log.AppendLine(triangle is Shape.Unknown u ? "unknown " + u.Kind + " " + u.BranchMembers.Count + " " + u.Name : "wrong");
                log.AppendLine(Write(triangle, Shape.Write));
                log.AppendLine(Try("""{"radius":7}""", Shape.Read));
                // The alternate by JSON type.
                log.AppendLine(Read("\"s1\"", ShapeRef.Read).Reference);
                log.AppendLine(Read("null", ShapeRef.Read).IsNull.ToString());
                log.AppendLine(Read("""{"kind":"square","side":-3}""", ShapeRef.Read).Definition is Shape.Square { Data.Side: -3 } ? "square" : "wrong");
                log.AppendLine(Try("true", ShapeRef.Read));
                ShapeRef byName = "s2";
                log.AppendLine(Write(byName, ShapeRef.Write) + Write(ShapeRef.Null, ShapeRef.Write));
                // Exact widths, with QEMU's range errors.
                var widths = Read("""{"id":"w","i8":-128,"u8":255,"i16":-2,"u16":65535,"i32":-5,"u32":4294967295,"i64":-9,"u64":18446744073709551615,"i":1,"sz":-1,"n":0.5,"b":true,"s":"x","a":{"k":[1]},"q":"qdict","list":[0,255]}""", Widths.Read);
                log.AppendLine($"{widths.I8.GetType().Name} {widths.U8.GetType().Name} {widths.I16.GetType().Name} {widths.U16.GetType().Name} {widths.I32.GetType().Name} {widths.U32.GetType().Name} {widths.I64.GetType().Name} {widths.U64.GetType().Name} {widths.Sz} {widths.Q} {widths.List!.Count}");
                log.AppendLine(Write(widths, Widths.Write));
                log.AppendLine(Try("""{"id":"w","i8":128,"u8":0,"i16":0,"u16":0,"i32":0,"u32":0,"i64":0,"u64":0,"i":0,"sz":0,"n":0,"b":true,"s":"","a":1}""", Widths.Read));
                // The event's data, and the boxed command's arguments object.
                var drawn = Read("""{"shape":{"kind":"circle","radius":1},"count":2}""", (ref Utf8JsonReader r) => ShapeDrawnEvent.Read(ref r));
                log.AppendLine(drawn.Shape.GetType().Name + " " + drawn.Count);
                return log.ToString();
            }
        }
        """";

    [Fact]
    public void Generated_code_compiles_clean_and_reads_what_qemu_sends()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes"), Consumer);
        Assert.Empty(diagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var run = QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!;
        var log = ((string)run.Invoke(null, null)!).ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(new[]
        {
            "circle circle",
            """{"kind":"circle","name":"c","radius":7}""",
            """Dot {"kind":"dot"}""",
            "unknown triangle 1 t",
            """{"kind":"triangle","name":"t","corners":[1,2,3]}""",
            "Parameter 'kind' is missing",
            "s1",
            "True",
            "square",
            "Invalid parameter type for 'null', expected: QDict or string or null",
            "\"s2\"null",
            "SByte Byte Int16 UInt16 Int32 UInt32 Int64 UInt64 18446744073709551615 qdict 2",
            """{"id":"w","i8":-128,"u8":255,"i16":-2,"u16":65535,"i32":-5,"u32":4294967295,"i64":-9,"u64":18446744073709551615,"i":1,"sz":18446744073709551615,"n":0.5,"b":true,"s":"x","a":{"k":[1]},"q":"qdict","list":[0,255]}""",
            "Parameter 'i8' expects int8",
            "Circle 2",
            "",
        }, log);
    }

    private const string ShapeConsumer = """"
        using System.Text;
        using System.Text.Json;
        using Acme.Shapes;
        namespace Consumer;
        public static class Shapes
        {
            static T Read<T>(string json, Qmp.Runtime.QmpJsonReader<T> read)
            {
                var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
                reader.Read();
                return read(ref reader);
            }
            static string Name(ShapeRef value) => value.Match(d => "definition " + d.Kind, r => "reference " + r, () => "null");
            public static string Run()
            {
                var log = new StringBuilder();
                // Match and Switch: one function or action per branch.
                log.AppendLine(Name(Read("""{"name":"n","kind":"circle","radius":2}""", ShapeRef.Read)));
                log.AppendLine(Name("s1"));
                log.AppendLine(Name(ShapeRef.Null));
                Read("\"s2\"", ShapeRef.Read).Switch(d => log.AppendLine("switch definition"), r => log.AppendLine("switch " + r), () => log.AppendLine("switch null"));
                ShapeRef.Null.Switch(d => log.AppendLine("switch definition"), r => log.AppendLine("switch " + r), () => log.AppendLine("switch null"));
                // A state the constructors cannot make (no branch): an exception, never a silent null.
                var impossible = (ShapeRef)System.Activator.CreateInstance(typeof(ShapeRef), nonPublic: true)!;
                try { Name(impossible); log.AppendLine("no exception"); }
                catch (System.InvalidOperationException e) { log.AppendLine(e.Message); }
                try { ShapeRef.Write(new Utf8JsonWriter(new System.IO.MemoryStream()), impossible); log.AppendLine("no exception"); }
                catch (System.InvalidOperationException e) { log.AppendLine(e.Message); }
                // The discriminator: one value per branch, the same instance's value each time.
                var circle = new Shape.Circle { Name = "c", Data = new() { Radius = 1 } };
                log.AppendLine(Shape.Circle.Case.Value + " " + (circle.Kind == Shape.Circle.Case) + " " + (circle.Kind == ShapeKind.Circle) + " " + Shape.Square.Case.Value);
                return log.ToString();
            }
        }
        """";

    [Fact]
    public void Alternates_match_and_switch_on_their_branch_and_unions_have_discriminator_constants()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes"), ShapeConsumer);
        Assert.Empty(diagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var assembly = QapiHarness.Load(output);
        var log = ((string)assembly.GetType("Consumer.Shapes")!.GetMethod("Run")!.Invoke(null, null)!).ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(new[]
        {
            "definition circle",
            "reference s1",
            "null",
            "switch s2",
            "switch null",
            "ShapeRef holds no branch; its constructors always set one.",
            "ShapeRef holds no branch; its constructors always set one.",
            "circle True True square",
            "",
        }, log);
        var field = assembly.GetType("Acme.Shapes.Shape+Circle")!.GetField("Case")!;
        Assert.True(field.IsStatic && field.IsInitOnly, "the discriminator is a static readonly field, not rebuilt on each access");
    }

    [Fact]
    public void Every_generated_type_is_marked_GeneratedCode()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes"));
        Assert.Empty(diagnostics);
        var types = QapiHarness.Load(output).GetTypes().Where(t => t.Namespace == "Acme.Shapes" && !t.IsNested).ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t =>
        {
            var attribute = t.GetCustomAttributes(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute), false).Cast<System.CodeDom.Compiler.GeneratedCodeAttribute>().SingleOrDefault();
            Assert.True(attribute is { Tool: "Qmp.Codegen" }, t.FullName + " has no [GeneratedCode(\"Qmp.Codegen\", ...)]");
        });
    }

    [Fact]
    public void Doc_text_that_looks_like_markup_is_escaped_in_record_summaries()
    {
        // A record's summary was written as XML whenever it contained "<c>", so schema text saying
        // "<c>" went in as markup, with its '&' and anything after it.
        const string Schema = """
            ##
            # @Thing:
            #
            # Use <c>x</c> & y.
            #
            # @a: the a
            ##
            { 'struct': 'Thing', 'data': { 'a': 'str' } }

            ##
            # @query-thing:
            #
            # Returns the thing.
            ##
            { 'command': 'query-thing', 'returns': 'Thing' }

            ##
            # @THING_HAPPENED:
            #
            # Sent when <c>a</c> & b.
            #
            # @a: the a
            ##
            { 'event': 'THING_HAPPENED', 'data': { 'a': 'str' } }
            """;
        var (_, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver("/q/top.json", new Dictionary<string, string> { ["/q/top.json"] = Schema }, "Acme.Markup"));
        Assert.Empty(diagnostics);
        var text = string.Concat(run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.Contains("/// <summary>Use &lt;c&gt;x&lt;/c&gt; &amp; y.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Sent when &lt;c&gt;a&lt;/c&gt; &amp; b.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<c>x</c>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<c>a</c> &", text, StringComparison.Ordinal);
    }

    [Fact]
    public void At_name_in_docs_is_a_paramref_of_the_method_or_a_see_cref_to_the_member()
    {
        var (_, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", "Client;Server"));
        Assert.Empty(diagnostics);
        string Source(string hint) => run.Results.Single().GeneratedSources.Single(s => s.HintName == hint).SourceText.ToString();
        var commands = Source("Acme.Shapes.Schema.Commands.g.cs");
        // The overload that takes the record: @shapes is the record's member.
        Assert.Contains("<para>Each of <see cref=\"DrawArguments.Shapes\"/> is drawn <see cref=\"DrawArguments.Scale\"/> times bigger.</para>", commands, StringComparison.Ordinal);
        Assert.Contains("<returns>the <see cref=\"DrawArguments.Shapes\"/> drawn</returns>", commands, StringComparison.Ordinal);
        // The flat overload: @shapes is its own parameter.
        Assert.Contains("<param name=\"scale\">how much bigger than <paramref name=\"shapes\"/> say</param>", commands, StringComparison.Ordinal);
        Assert.DoesNotContain("<c>shapes</c>", commands, StringComparison.Ordinal);

        // An event: the record's docs name its members, the server's Emit method its parameters.
        var events = Source("Acme.Shapes.Schema.Events.g.cs");
        Assert.Contains("<see cref=\"ShapeDrawnEvent.Count\"/> says how often <see cref=\"ShapeDrawnEvent.Shape\"/>", events, StringComparison.Ordinal);
        Assert.Contains("<summary>how many times <see cref=\"ShapeDrawnEvent.Shape\"/> was drawn (JSON <c>count</c>)</summary>", events, StringComparison.Ordinal);
        var emit = string.Concat(run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.Contains("<param name=\"count\">how many times <paramref name=\"shape\"/> was drawn</param>", emit, StringComparison.Ordinal);
    }

    [Fact]
    public void At_name_in_a_unions_base_member_docs_is_a_see_cref_to_the_member()
    {
        // UnionEmitter wrote a union's base members' docs escaped but not rendered: @name stayed <c>name</c>.
        const string Schema = """
            { 'enum': 'Kind', 'data': [ 'disk', 'net' ] }

            ##
            # @Disk:
            #
            # @path: where the disk is
            ##
            { 'struct': 'Disk', 'data': { 'path': 'str' } }

            ##
            # @Device:
            #
            # A device.
            #
            # @kind: what it is
            #
            # @id: names the device; @kind says which branch, ``id`` is unique
            #
            # @bus: the bus @id is on
            ##
            { 'union': 'Device', 'base': { 'kind': 'Kind', 'id': 'str', '*bus': 'str' },
              'discriminator': 'kind', 'data': { 'disk': 'Disk' } }

            ##
            # @add-device:
            #
            # Adds one.
            ##
            { 'command': 'add-device', 'data': 'Device', 'boxed': true }
            """;
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver("/q/top.json", new Dictionary<string, string> { ["/q/top.json"] = Schema }, "Acme.Refs"));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var text = string.Concat(run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.Contains("names the device; <see cref=\"Device.Kind\"/> says which branch, <c>id</c> is unique (JSON <c>id</c>)", text, StringComparison.Ordinal);
        Assert.Contains("the bus <see cref=\"Device.Id\"/> is on (JSON <c>bus</c>, optional)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<c>kind</c> says", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unstable_is_experimental_and_deprecated_is_obsolete()
    {
        const string Uses = """
            namespace Consumer;
            public static class Uses
            {
                public static System.Threading.Tasks.Task A(Acme.Shapes.ShapesClient c) => c.AddShapeAsync(new Acme.Shapes.Shape.Dot());
                public static System.Threading.Tasks.Task B(Acme.Shapes.ShapesClient c) => c.EraseAsync();
            }
            """;
        var (output, _, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes"), Uses);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "CS0618", "QMP0900" }, problems);
    }

    [Fact]
    public void Server_on_a_qapi_schema_generates_the_server_without_a_warning()
    {
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", "Client;Server"));
        Assert.Empty(diagnostics);
        var names = run.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Contains("Acme.Shapes.Client.g.cs", names);
        Assert.Contains("Acme.Shapes.Server.g.cs", names);
        Assert.Contains("Acme.Shapes.Server.Handlers.g.cs", names);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Editing_an_included_file_regenerates_and_a_csharp_edit_does_not()
    {
        var files = Files();
        var texts = files.Select(f => QapiHarness.TextOf(f.Key, f.Value)).ToList();
        var driver = QapiHarness.CreateDriver(Top, texts, "Acme.Shapes");
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        driver = driver.RunGenerators(compilation);

        // A C# edit: the parse is cached.
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class B { }", GeneratorHarness.ParseOptions)));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.All(steps[TrackingNames.ParsedSchemas].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.DoesNotContain("Extra2", driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Acme.Shapes.SubWidths.Types.g.cs").SourceText.ToString(), StringComparison.Ordinal);

        // An edit to the included file: parsed again, and the new member is in the output.
        const string Include = "/qapi/sub/widths.json";
        var edited = files[Include].Replace("'*list': [ 'uint8' ]", "'*list': [ 'uint8' ], '*extra2': 'int8'", StringComparison.Ordinal);
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == Include), new EditedText(Include, edited));
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.ParsedSchemas].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Extra2", result.GeneratedSources.Single(s => s.HintName == "Acme.Shapes.SubWidths.Types.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    private sealed class EditedText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
