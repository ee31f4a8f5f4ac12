using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Qmp.Codegen.Emit.Tests.Qapi;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>
/// The <c>Commands</c>/<c>Events</c> metadata: the generated code keeps the commands (and events)
/// named and the types they reach, on QAPI schemas and .hx files alike, and compiles clean; a
/// pattern that names nothing is QMP0106; changing the filter regenerates, a C# edit does not.
/// </summary>
public class FilterTests
{
    private const string Top = "/qapi/schema.json";

    private static Dictionary<string, string> Files() => new()
    {
        [Top] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "schema.json")),
        ["/qapi/sub/widths.json"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenQapi", "sub", "widths.json")),
    };

    [Theory]
    [InlineData("query-*", "query-block", true)]
    [InlineData("query-*", "query-", true)]
    [InlineData("query-*", "x-query-block", false)]
    [InlineData("*-add", "blockdev-add", true)]
    [InlineData("*-add", "blockdev-add-x", false)]
    [InlineData("block*job*", "block-job-cancel", true)]
    [InlineData("block*job*", "blockdev-add", false)]
    [InlineData("*", "stop", true)]
    [InlineData("stop", "stop", true)]
    [InlineData("stop", "STOP", false)]
    [InlineData("st*p*", "stop", true)]
    [InlineData("a*a*a", "aaaaa", true)]
    [InlineData("a*a*a", "aab", false)]
    public void A_pattern_is_the_name_with_star_for_any_run(string pattern, string name, bool matches) =>
        Assert.Equal(matches, SchemaFilter.Matches(pattern, name));

    [Fact]
    public void Patterns_are_separated_by_semicolons_or_commas_and_trimmed()
    {
        Assert.Equal(new[] { "query-*", "blockdev-*", "stop" }, SchemaFilter.Patterns(" query-*; blockdev-*,stop;;query-* "));
        Assert.Empty(SchemaFilter.Patterns(null));
        Assert.Empty(SchemaFilter.Patterns("  "));
    }

    [Fact]
    public void A_QAPI_client_keeps_the_commands_named_and_the_types_they_reach()
    {
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", commands: "draw"));
        Assert.Empty(diagnostics);
        AssertCompilesClean(output);
        Assert.Equal(new[] { "DrawAsync" }, CommandMethods(output, "Acme.Shapes.ShapesClient"));
        // draw's arguments, the union it takes and returns with its base, tag and branches, the
        // enum a branch's member has, the alternate; and SHAPE_DRAWN, as every event stays by default.
        Assert.Equal(new[] { "Circle", "Color", "DrawArguments", "Shape", "ShapeBase", "ShapeDrawnEvent", "ShapeKind", "ShapeRef", "Square", "UntypedShapesEvent" },
            TypeNames(output, "Acme.Shapes"));
        // get-widths' module and the builtin QType (only Widths uses it) have no files left.
        Assert.Equal(new[] { "Acme.Shapes.Client.Interface.g.cs", "Acme.Shapes.Client.g.cs", "Acme.Shapes.ClientSchema.g.cs", "Acme.Shapes.Events.g.cs",
            "Acme.Shapes.Schema.Commands.g.cs", "Acme.Shapes.Schema.Events.g.cs", "Acme.Shapes.Schema.Types.g.cs" }, HintNames(run));
    }

    [Fact]
    public void Events_keeps_the_events_named_and_an_unmatched_pattern_is_QMP0106_at_the_top_file()
    {
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", commands: "get-*", events: "NO_SUCH_*"));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("QMP0106", DiagnosticSeverity.Warning, Top, 0), (warning.Id, warning.Severity, warning.Location.GetLineSpan().Path, warning.Location.GetLineSpan().StartLinePosition.Line));
        Assert.Equal("QmpSchema Events pattern 'NO_SUCH_*' matches no event of the schema", warning.GetMessage(CultureInfo.InvariantCulture));
        Assert.True(GeneratorDiagnostics.FilterMatchesNothing.Describes(warning.GetMessage(CultureInfo.InvariantCulture)));
        AssertCompilesClean(output);
        Assert.Equal(new[] { "GetWidthsAsync" }, CommandMethods(output, "Acme.Shapes.ShapesClient"));
        // No event: no event records, no event dispatch, no event members on the client.
        Assert.Equal(new[] { "QType", "Widths", "WidthsBase" }, TypeNames(output, "Acme.Shapes"));
        Assert.DoesNotContain("Acme.Shapes.Events.g.cs", HintNames(run));
        Assert.DoesNotContain(output.GetTypeByMetadataName("Acme.Shapes.ShapesClient")!.GetMembers(), m => m.Name == "ReadEventsAsync");
    }

    [Fact]
    public void An_unmatched_Commands_pattern_is_a_warning_and_the_rest_is_generated()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", commands: "draw;nope-*"));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("QMP0106", "QmpSchema Commands pattern 'nope-*' matches no command of the schema"), (warning.Id, warning.GetMessage(CultureInfo.InvariantCulture)));
        Assert.Equal(new[] { "DrawAsync" }, CommandMethods(output, "Acme.Shapes.ShapesClient"));
    }

    [Fact]
    public void A_misspelt_name_is_QMP0106_with_the_name_it_most_likely_meant()
    {
        var (output, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", commands: "draw;get_widths", events: "SHAPE_DRAWM"));
        Assert.Equal(new[]
        {
            "QmpSchema Commands pattern 'get_widths' matches no command of the schema; did you mean 'get-widths'?",
            "QmpSchema Events pattern 'SHAPE_DRAWM' matches no event of the schema; did you mean 'SHAPE_DRAWN'?",
        }, diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)));
        Assert.All(diagnostics, d => Assert.True(GeneratorDiagnostics.FilterMatchesNothing.Describes(d.GetMessage(CultureInfo.InvariantCulture))));
        Assert.Equal(new[] { "DrawAsync" }, CommandMethods(output, "Acme.Shapes.ShapesClient"));
    }

    [Theory]
    [InlineData("blockdev-backp", "blockdev-backup")]   // a letter left out
    [InlineData("block_resize", "block-resize")]        // QMP's two separators
    [InlineData("query-statsu", "query-status")]        // two letters swapped: distance 2, within a third of 12
    [InlineData("query-*", null)]                      // a wildcard is a choice, not a spelling
    [InlineData("quit-now", null)]                     // nothing close
    [InlineData("stoq", "stop")]
    [InlineData("qux", null)]                          // 'quit' is 2 away: too far for 3 letters
    public void Nearest_is_the_closest_name_within_a_third_of_the_pattern(string pattern, string? expected)
    {
        string[] names = ["blockdev-backup", "blockdev-add", "drive-backup", "block-resize", "query-status", "query-block", "stop", "cont", "quit"];
        Assert.Equal(expected, SchemaFilter.Nearest(pattern, names));
    }

    [Fact]
    public void Nearest_names_none_when_two_are_as_close()
    {
        Assert.Null(SchemaFilter.Nearest("stap", ["stop", "step"]));
    }

    [Fact]
    public void A_filter_that_keeps_nothing_leaves_a_client_that_compiles()
    {
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, Files(), "Acme.Shapes", commands: "nope", events: "NOPE"));
        Assert.Equal(new[] { "QMP0106", "QMP0106" }, diagnostics.Select(d => d.Id));
        AssertCompilesClean(output);
        Assert.Empty(CommandMethods(output, "Acme.Shapes.ShapesClient"));
        Assert.Equal(new[] { "Acme.Shapes.Client.Interface.g.cs", "Acme.Shapes.Client.g.cs", "Acme.Shapes.ClientSchema.g.cs" }, HintNames(run));
    }

    [Fact]
    public void An_hx_client_and_server_keep_the_commands_and_events_named()
    {
        var schema = GeneratorHarness.RepositorySchema().Select(s => s with { Commands = "query-*;blockdev-*", Events = "BLOCK_JOB_*" }).ToList();
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        GeneratorHarness.CreateDriver(schema, trackSteps: false).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        AssertCompilesClean(output);

        var model = Hx.SchemaParser.Read(schema.Select(s => new Hx.SchemaSource(s.Path, s.Text))).Schema;
        var expected = model.Commands.Select(c => c.Name).Where(n => n.StartsWith("query-", StringComparison.Ordinal) || n.StartsWith("blockdev-", StringComparison.Ordinal))
            .Select(n => Generation.Naming.Pascal(n) + "Async").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.Count >= 30, string.Join(", ", expected));
        Assert.Equal(expected, CommandMethods(output, "Acme.Qemu.QemuClient"));
        Assert.Equal(expected, CommandMethods(output, "Acme.Qemu.QemuCommandHandlers"));
        var events = output.GetTypeByMetadataName("Acme.Qemu.QemuEvent")!;
        Assert.Equal(new[] { "BlockJobCancelledEvent", "BlockJobCompletedEvent", "BlockJobErrorEvent", "BlockJobReadyEvent", "UntypedQemuEvent" },
            TypesOf(output, "Acme.Qemu").Where(t => SymbolEqualityComparer.Default.Equals(t.BaseType, events)).Select(t => t.Name).Order(StringComparer.Ordinal));
        // What query-block returns stays; eject's arguments go.
        Assert.NotNull(output.GetTypeByMetadataName("Acme.Qemu.BlockInfo"));
        Assert.Null(output.GetTypeByMetadataName("Acme.Qemu.EjectArguments"));
    }

    [Fact]
    public void In_hx_files_the_patterns_of_a_namespace_go_together_and_an_unmatched_one_is_reported_at_its_file()
    {
        var schema = GeneratorHarness.RepositorySchema(generate: "Client").ToList();
        schema[0] = schema[0] with { Commands = "query-status;nope" };
        schema[1] = schema[1] with { Commands = "stop" };
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        GeneratorHarness.CreateDriver(schema, trackSteps: false).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var warning = Assert.Single(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal(("QMP0106", schema[0].Path, "QmpSchema Commands pattern 'nope' matches no command of the schema"),
            (warning.Id, warning.Location.GetLineSpan().Path, warning.GetMessage(CultureInfo.InvariantCulture)));
        Assert.Equal(new[] { "QueryStatusAsync", "StopAsync" }, CommandMethods(output, "Acme.Qemu.QemuClient"));
    }

    [Fact]
    public void Changing_Commands_regenerates_and_a_CSharp_edit_reruns_nothing()
    {
        var texts = Files().Select(f => QapiHarness.TextOf(f.Key, f.Value)).ToList();
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var driver = QapiHarness.CreateDriver(Top, texts, "Acme.Shapes", commands: "draw").RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class B { }", GeneratorHarness.ParseOptions)));
        var cached = driver.GetRunResult().Results.Single();
        Assert.All(cached.TrackedSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        var before = cached.TrackedSteps[TrackingNames.ModulesOutput].SelectMany(s => s.Outputs).Select(o => (Generation.ModuleOutputSpec)o.Value).Single(m => m.Name == "Schema");
        driver = driver.WithUpdatedAnalyzerConfigOptions(QapiHarness.OptionsOf(Top, texts, "Acme.Shapes", commands: "draw;get-widths")).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.ParsedSchemas].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.HintName == "Acme.Shapes.SubWidths.Commands.g.cs");
        // The module draw is in says the same (Roslyn compares a SelectMany's items by position, so
        // whether its files are rewritten depends on the modules before it; an edit inside modules keeps them).
        var modules = result.TrackedSteps[TrackingNames.ModulesOutput].SelectMany(s => s.Outputs).Select(o => (Generation.ModuleOutputSpec)o.Value).ToList();
        Assert.Equal(new[] { "Builtin", "Schema", "SubWidths" }, modules.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(before, modules.Single(m => m.Name == "Schema"));
    }

    [Fact]
    public void Editing_one_module_regenerates_only_its_files()
    {
        var files = Files();
        var texts = files.Select(f => QapiHarness.TextOf(f.Key, f.Value)).ToList();
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var driver = QapiHarness.CreateDriver(Top, texts, "Acme.Shapes").RunGenerators(compilation);

        const string Include = "/qapi/sub/widths.json";
        var edited = files[Include].Replace("# Every builtin type.", "# Every builtin type, each once.", StringComparison.Ordinal);
        Assert.NotEqual(files[Include], edited);
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == Include), QapiHarness.TextOf(Include, edited)).RunGenerators(compilation);
        var modules = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.ModulesOutput].SelectMany(s => s.Outputs)
            .Select(o => (((Generation.ModuleOutputSpec)o.Value).Name, o.Reason)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { ("Builtin", IncrementalStepRunReason.Unchanged), ("Schema", IncrementalStepRunReason.Unchanged), ("SubWidths", IncrementalStepRunReason.Modified) }, modules);
    }

    internal static void AssertCompilesClean(Compilation output)
    {
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(30)));
    }

    /// <summary>The names of a generated type's public methods that send a command (every <c>...Async</c> but the event helpers and the schema check).</summary>
    internal static List<string> CommandMethods(Compilation output, string type) =>
        output.GetTypeByMetadataName(type)!.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.DeclaredAccessibility == Accessibility.Public && m.Name.EndsWith("Async", StringComparison.Ordinal)
                && m.Name is not ("ReadEventsAsync" or "WaitForEventAsync" or "ExecuteAndWaitForEventAsync" or "CheckSchemaAsync" or "GetSchemaAsync" or "DisposeAsync" or "ConnectAsync"))
            .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The generated types of a namespace but the entry types (client, interface, events dispatch, the event base), by name.</summary>
    private static List<string> TypeNames(Compilation output, string ns)
    {
        var stem = ns[(ns.LastIndexOf('.') + 1)..];
        var entry = new[] { stem + "Client", "I" + stem + "Client", stem + "Events", stem + "Event" };
        return TypesOf(output, ns).Where(t => t.ContainingType is null && !entry.Contains(t.Name)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every type declared in the generated files of a namespace, nested ones included.</summary>
    internal static List<INamedTypeSymbol> TypesOf(Compilation output, string ns)
    {
        var generated = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToHashSet();
        var container = ns.Split('.').Aggregate(output.Assembly.GlobalNamespace, (n, part) => n.GetNamespaceMembers().Single(m => m.Name == part));
        var all = new List<INamedTypeSymbol>();
        void Add(INamespaceOrTypeSymbol symbol)
        {
            foreach (var type in symbol.GetTypeMembers())
            {
                if (type.DeclaringSyntaxReferences.Any(r => generated.Contains(r.SyntaxTree)))
                {
                    all.Add(type);
                }

                Add(type);
            }
        }
        Add(container);
        return all;
    }

    private static List<string> HintNames(GeneratorDriverRunResult run) =>
        run.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToList();
}

/// <summary>QEMU 7.2's client cut to <c>Commands="query-*;blockdev-*"</c>: it compiles clean; the figures say how much of the full client remains.</summary>
public class Qemu72FilterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [QemuSchemaFact("bookworm")]
    public void The_query_and_blockdev_client_of_7_2_compiles_without_warnings()
    {
        var qapi = Path.Combine(QemuSources.Get("bookworm").Dir!, "qapi");
        var files = QapiHarness.Folder(qapi);
        var top = Path.GetFullPath(Path.Combine(qapi, "qapi-schema.json"));
        const string Ns = "Acme.Qemu72";
        var (compilation, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(top, files, Ns, commands: "query-*;blockdev-*"));
        Assert.True(diagnostics.IsEmpty, string.Join(Environment.NewLine, diagnostics.Take(30)));
        FilterTests.AssertCompilesClean(compilation);

        var schema = Qmp.Codegen.Qapi.QapiReader.Read(top, files);
        var expected = schema.Commands.Select(c => c.Name).Where(n => SchemaFilter.Matches("query-*", n) || SchemaFilter.Matches("blockdev-*", n)).ToList();
        var commands = FilterTests.CommandMethods(compilation, Ns + ".Qemu72Client");
        Assert.Equal(expected.Count, commands.Count);
        Assert.Contains("BlockdevAddAsync", commands);
        Assert.DoesNotContain("StopAsync", commands);

        var full = Qemu72Fixture.Get();
        var fullTypes = FilterTests.TypesOf(full.Compilation, Ns).Count;
        var types = FilterTests.TypesOf(compilation, Ns).Count;
        var fullCommands = FilterTests.CommandMethods(full.Compilation, Ns + ".Qemu72Client").Count;
        output.WriteLine($"full client: {full.Run.GeneratedTrees.Length} files, {fullTypes} types, {fullCommands} commands, {full.Run.GeneratedTrees.Sum(t => t.GetText().Lines.Count)} lines");
        output.WriteLine($"Commands=\"query-*;blockdev-*\": {run.GeneratedTrees.Length} files, {types} types, {commands.Count} commands, {run.GeneratedTrees.Sum(t => t.GetText().Lines.Count)} lines");
        Assert.True(types < fullTypes && commands.Count < fullCommands, $"{types} of {fullTypes} types, {commands.Count} of {fullCommands} commands");
        // Every file is a module's or the namespace's own; each module file names its module.
        Assert.All(run.GeneratedTrees.Where(t => t.FilePath.EndsWith(".Types.g.cs", StringComparison.Ordinal)), t => Assert.Contains("// Schema module: ", t.ToString(), StringComparison.Ordinal));
        Assert.Contains(run.GeneratedTrees, t => t.FilePath.EndsWith("Acme.Qemu72.BlockCore.Types.g.cs", StringComparison.Ordinal));
    }
}
