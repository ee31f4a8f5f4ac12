using System.Text.Json;

namespace Qmp.Codegen.Tests;

/// <summary>The qmp-codegen command as a user runs it: a separate process, its output and exit code.</summary>
public class CliTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Qmp.Testing.QmpCodegenCli.Run(args);

    [Fact]
    public void Check_prints_msbuild_style_diagnostics_and_exits_0_on_the_seed()
    {
        var (exit, stdout, stderr) = Run("check", "schema/qmp-commands.hx");
        Assert.Equal(0, exit);
        Assert.Contains("schema/qmp-commands.hx(1,29386): info QMP0007: argument 'buf_size' of 'drive-mirror' is documented but args_type names 'buf-size'", stdout, StringComparison.Ordinal);
        Assert.All(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^schema/qmp-commands\.hx\(1,\d+\): (warning|error|info) QMP\d{4}: ", line));
        Assert.Contains("108 commands", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_says_what_the_tool_reads_and_lists_its_real_commands()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(0, exit);
        var description = stdout.Split("Usage:")[0];
        Assert.Contains("QAPI schemas", description, StringComparison.Ordinal);
        Assert.Contains("query-qmp-schema answers", description, StringComparison.Ordinal);
        Assert.Contains("qmp-commands.hx", description, StringComparison.Ordinal);
        // There is no generate command: the package's generator makes the C# at build time.
        Assert.DoesNotContain("generate,", description, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+generate\b", stdout);
        var commands = stdout[stdout.IndexOf("Commands:", StringComparison.Ordinal)..];
        foreach (var command in new[] { "check", "model", "diagnostics", "docs", "introspect", "compat" })
        {
            Assert.Matches($@"(?m)^\s+{command}\b", commands);
        }
    }

    [Fact]
    public void Check_exits_1_when_any_diagnostic_is_an_error()
    {
        var (exit, stdout, _) = Run("check", "Cases/unknown-code.hx");
        Assert.Equal(1, exit);
        Assert.Contains("Cases/unknown-code.hx(1,39): error QMP0001: unknown args_type code 'x'", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_a_missing_file_without_a_stack_trace()
    {
        var (exit, _, stderr) = Run("check", "no/such/file.hx");
        Assert.NotEqual(0, exit);
        Assert.Contains("cannot read", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_prints_the_contract_members()
    {
        var (exit, stdout, _) = Run("model", "schema/qmp-commands.hx", "schema/qmp-commands-extra.hx", "schema/qmp-events.hx");
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal(108, root.GetProperty("commands").GetArrayLength());
        Assert.Equal(32, root.GetProperty("events").GetArrayLength());
        var eject = root.GetProperty("commands").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "eject");
        Assert.Equal(JsonValueKind.Null, eject.GetProperty("condition").ValueKind);
        Assert.False(eject.GetProperty("async").GetBoolean());
        var force = eject.GetProperty("arguments")[0];
        Assert.Equal("force", force.GetProperty("name").GetString());
        Assert.Equal("-f", force.GetProperty("code").GetString());
        Assert.True(force.GetProperty("optional").GetBoolean());
        // The .hx fields stay; the C# type is no part of a language-neutral model.
        Assert.False(force.TryGetProperty("clrType", out _));
        var doc = eject.GetProperty("doc");
        foreach (var member in new[] { "title", "description", "arguments", "returns", "examples", "notes" })
        {
            Assert.True(doc.TryGetProperty(member, out _), member);
        }

        var docArgument = doc.GetProperty("arguments")[0];
        foreach (var member in new[] { "name", "type", "optional", "description" })
        {
            Assert.True(docArgument.TryGetProperty(member, out _), member);
        }

        var example = doc.GetProperty("examples")[0];
        Assert.Equal("eject", example.GetProperty("request").GetProperty("execute").GetString());
        Assert.False(example.GetProperty("repaired").GetBoolean());
        foreach (var diagnostic in root.GetProperty("diagnostics").EnumerateArray())
        {
            foreach (var member in new[] { "id", "severity", "line", "column", "message" })
            {
                Assert.True(diagnostic.TryGetProperty(member, out _), member);
            }
        }
        Assert.True(root.TryGetProperty("prose", out _));
    }

    [Fact]
    public void Diagnostics_prints_every_form_of_every_message_under_its_id()
    {
        var (exit, stdout, _) = Run("diagnostics");
        Assert.Equal(0, exit);
        var descriptors = DiagnosticCatalogue.All;
        Assert.True(descriptors.Count >= 29 + 31 + 5);
        foreach (var descriptor in descriptors)
        {
            Assert.NotEmpty(descriptor.Messages);
            var entry = $"{descriptor.Id} {descriptor.Severity.ToString().ToLowerInvariant()}: {descriptor.Title}\n"
                + string.Concat(descriptor.Messages.Select(m => "    " + m + "\n"));
            Assert.Contains(entry, stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
        // The QAPI reader's descriptors are listed too, with a title and their message format (named placeholders).
        Assert.Contains("QMP0201 error: Duplicate key\n    duplicate key '{key}'\n", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Model_prints_the_named_types_and_each_commands_return_type()
    {
        var (exit, stdout, _) = Run("model", "schema/qmp-commands.hx", "schema/qmp-commands-extra.hx", "schema/qmp-events.hx");
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        string? Returns(string name) => root.GetProperty("commands").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("returns").GetString();
        Assert.Equal("[BlockInfo]", Returns("query-block"));
        Assert.Equal("VncInfo", Returns("query-vnc"));
        Assert.Null(Returns("eject"));
        var types = root.GetProperty("types").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        var vnc = types["VncInfo"];
        Assert.Equal("object", vnc.GetProperty("kind").GetString());
        var host = vnc.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "host");
        Assert.Equal("str", host.GetProperty("type").GetString());
        Assert.True(host.GetProperty("optional").GetBoolean());
        var runState = types["RunState"];
        Assert.Equal("enum", runState.GetProperty("kind").GetString());
        Assert.Contains("running", runState.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    private static string QapiCase(string name) => Qmp.Testing.Repository.PathOf("tests", "Generator.Tests", "Qapi", "Cases", name);

    /// <summary>QEMU's errors, at QEMU's line, in QEMU's words (QEMU 7.2's and 10.0's scripts/qapi print the same for these cases).</summary>
    [Theory]
    [InlineData("bad-union-no-branches.json", "(3,12): error QMP0232: union has no branches")]
    [InlineData("bad-redefine-builtin-command.json", "(3,14): error QMP0219: built-in type 'int' is already defined")]
    [InlineData("bad-feature-special-on-type.json", "(2,13): error QMP0231: feature 'deprecated' is not supported for types")]
    [InlineData("bad-doc-deindent.json", "(11,3): error QMP0206: unexpected de-indent (expected at least 8 spaces)")]
    public void Check_reads_a_qapi_file_and_exits_1_on_its_errors(string name, string expected)
    {
        var (exit, stdout, stderr) = Run("check", QapiCase(name));
        Assert.Equal(1, exit);
        Assert.Contains(name + expected, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("QMP00", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 error(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reads_a_valid_qapi_file_with_its_includes_and_exits_0()
    {
        var (exit, stdout, stderr) = Run("check", QapiCase("include.json"));
        Assert.Equal(0, exit);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("0 error(s)", stderr, StringComparison.Ordinal);
    }

    [QemuSchemaFact("bookworm")]
    public void Check_accepts_qemu_7_2s_schema() => AcceptsQemuSchema("bookworm");

    [QemuSchemaFact("trixie")]
    public void Check_accepts_qemu_10_0s_schema() => AcceptsQemuSchema("trixie");

    private static void AcceptsQemuSchema(string suite)
    {
        var (exit, stdout, stderr) = Run("check", Path.Combine(QemuSources.Get(suite).Dir!, "qapi", "qapi-schema.json"));
        Assert.True(exit == 0, stdout + stderr);
        Assert.DoesNotContain(": error ", stdout, StringComparison.Ordinal);
        Assert.Contains(" 0 error(s)", stderr, StringComparison.Ordinal);
    }

    /// <summary>The members of every object of a model: one shape whichever input it was read from.</summary>
    private static SortedSet<string> Shape(JsonElement root)
    {
        var shape = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    shape.Add(path + "." + property.Name);
                    Walk(property.Value, path + "." + property.Name);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, path + "[]");
                }
            }
        }
        Walk(root, "");
        return shape;
    }

    [Fact]
    public void Model_prints_one_shape_for_hx_qapi_and_a_saved_answer()
    {
        var live = Qmp.Testing.Repository.PathOf("tests", "Generator.Emit.Tests", "GoldenIntrospection", "live.json");
        var shapes = new Dictionary<string, SortedSet<string>>();
        var inputs = new[]
        {
            ("hx", new[] { "model", "schema/qmp-commands.hx", "schema/qmp-commands-extra.hx", "schema/qmp-events.hx" }),
            ("qapi", new[] { "model", QapiCase("doc-features.json") }),
            ("introspection", new[] { "model", live }),
        };
        foreach (var (kind, args) in inputs)
        {
            var (exit, stdout, stderr) = Run(args);
            Assert.True(exit == 0, stderr);
            using var document = JsonDocument.Parse(stdout);
            Assert.Equal(kind, document.RootElement.GetProperty("kind").GetString());
            Assert.NotEqual(0, document.RootElement.GetProperty("commands").GetArrayLength());
            shapes[kind] = Shape(document.RootElement);
        }
        // Each command of every input has the members the .hx model always had (clrType gone).
        var command = new[] { ".commands[].name", ".commands[].condition", ".commands[].async", ".commands[].argsType", ".commands[].arguments", ".commands[].doc", ".commands[].returns" };
        foreach (var (kind, shape) in shapes)
        {
            Assert.All(command, member => Assert.Contains(member, shape));
            Assert.DoesNotContain(shape, m => m.EndsWith(".clrType", StringComparison.Ordinal));
            Assert.All(shape, m => Assert.True(shapes["hx"].Contains(m), kind + ": " + m + " is not in the .hx model's shape"));
        }
    }
}

/// <summary>Every diagnostic id has its row in docs/diagnostics.md, where its help link points.</summary>
public class DiagnosticsCatalogueTests
{
    [Fact]
    public void Every_diagnostic_has_a_row_in_the_diagnostics_page_its_help_link_points_at()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics.md"));
        var descriptors = new[] { typeof(SchemaDiagnostics), typeof(GeneratorDiagnostics), typeof(Qmp.Codegen.Qapi.QapiDiagnostics), typeof(Qmp.Codegen.Introspection.IntrospectionDiagnostics) }
            .SelectMany(t => t.GetFields()).Where(f => f.FieldType == typeof(SchemaDiagnosticDescriptor))
            .Select(f => (SchemaDiagnosticDescriptor)f.GetValue(null)!).ToList();
        Assert.True(descriptors.Count >= 29 + 31 + 4);
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var descriptor in descriptors)
        {
            var link = descriptor.HelpLinkUri;
            Assert.Equal(QmpGenerator.HelpLinkOf(descriptor.Id), link);
            var anchor = link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..];
            // The row says the id's default severity.
            Assert.Contains($"| <a id=\"{anchor}\"></a>{descriptor.Id} | {descriptor.Severity.ToString().ToLowerInvariant()} |", readme, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Help links work where a package's user sees them (an IDE, a build log): absolute, on the
    /// repository's address as its RepositoryUrl gives it, the generator's and the build files' alike.
    /// </summary>
    [Fact]
    public void Help_links_are_absolute_on_the_repositorys_address()
    {
        var props = File.ReadAllText(Path.Combine(RepoRoot(), "Directory.Build.props"));
        var repository = System.Text.RegularExpressions.Regex.Match(props, "<RepositoryUrl>([^<]+)</RepositoryUrl>").Groups[1].Value;
        Assert.StartsWith("https://github.com/", repository, StringComparison.Ordinal);
        Assert.Equal(SchemaDiagnosticDescriptor.HelpLinkBase, repository + "/blob/main/docs/diagnostics.md#");
        Assert.Equal(repository + "/blob/main/docs/diagnostics.md#qmp0106", GeneratorDiagnostics.FilterMatchesNothing.HelpLinkUri);
        Assert.True(Uri.TryCreate(QmpGenerator.HelpLinkOf("QMP0001"), UriKind.Absolute, out _));
        var buildFiles = Directory.GetFiles(Path.Combine(RepoRoot(), "src", "Generator", "build"), "*.*", SearchOption.AllDirectories);
        var links = buildFiles.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), "HelpLink=\"([^\"]*)\"").Select(m => m.Groups[1].Value)).ToList();
        Assert.True(links.Count >= 4, string.Join(", ", links));
        Assert.All(links, link => Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(SchemaDiagnosticDescriptor.HelpLinkBase) + "qmp1\\d{3}$", link));
    }

    /// <summary>Every id written anywhere in the generator or the CLI has a descriptor in the one catalogue, and the IDE shows its title, not its id.</summary>
    [Fact]
    public void Every_id_reported_anywhere_has_a_descriptor_with_a_title()
    {
        var catalogue = DiagnosticCatalogue.All.ToDictionary(d => d.Id);
        var ids = Directory.GetFiles(Path.Combine(RepoRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), "\"(QMP\\d{4})\"").Select(m => m.Groups[1].Value))
            // QMP0900 is the id of the generated [Experimental] attribute, which the C# compiler reports, not us.
            .Where(id => id != Qmp.Codegen.Generation.SpecBuilder.UnstableDiagnosticId)
            .ToHashSet();
        Assert.True(ids.Count >= 70, ids.Count + " ids");
        Assert.DoesNotContain(ids, id => !catalogue.ContainsKey(id));
        foreach (var descriptor in catalogue.Values)
        {
            Assert.DoesNotContain("{", descriptor.Title, StringComparison.Ordinal);
            var roslyn = QmpGenerator.ToDiagnostic(new Model.SchemaDiagnostic(descriptor.Id, descriptor.Severity, "m", default)).Descriptor;
            Assert.Equal(descriptor.Title, roslyn.Title.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void The_quirks_of_the_schema_text_are_info_and_the_generators_choices_warnings()
    {
        // QEMU 2.1's untouched schema must build without warnings: what it has are Info.
        var model = Qmp.Codegen.Hx.SchemaParser.Parse(Directory.GetFiles(Path.Combine(RepoRoot(), "schema"), "*.hx").Order(StringComparer.Ordinal)
            .Select(p => new Qmp.Codegen.Hx.SchemaSource(p, File.ReadAllText(p))));
        Assert.NotEmpty(model.Diagnostics);
        Assert.All(model.Diagnostics, d => Assert.Equal(Model.SchemaSeverity.Info, d.Severity));
        Assert.All(typeof(GeneratorDiagnostics).GetFields().Select(f => (SchemaDiagnosticDescriptor)f.GetValue(null)!),
            d => Assert.NotEqual(Model.SchemaSeverity.Info, d.Severity));
    }

    [Fact]
    public void The_generators_own_messages_have_their_forms_in_the_catalogue()
    {
        var descriptors = typeof(GeneratorDiagnostics).GetFields().Select(f => (SchemaDiagnosticDescriptor)f.GetValue(null)!).ToDictionary(d => d.Id);
        var lines = File.ReadAllLines(Path.Combine(RepoRoot(), "tests", "Generator.Emit.Tests", "Golden", "diagnostics", "expected", "diagnostics.txt"))
            .Where(l => l.StartsWith("QMP01", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var id = line[..7];
            var message = line[(line.IndexOf("): ", StringComparison.Ordinal) + 3)..];
            Assert.True(descriptors[id].Describes(message), line);
        }
    }

    [Fact]
    public void A_message_is_its_descriptors_form_with_the_values_filled_in()
    {
        Assert.Equal("argument 'buf_size' of 'drive-mirror' is documented but args_type names 'buf-size'",
            SchemaDiagnostics.DocumentedArgumentNotInArgsType.Format(0, "argument", "buf_size", "drive-mirror", "buf-size"));
        // A placeholder named twice takes one value; values are not scanned for placeholders again.
        Assert.Equal("argument 'id' of 'device_add' is documented but travels inside the option list '{x}' (args_type '{x}:O')",
            SchemaDiagnostics.MemberInsideOptionList.Format(0, "argument", "id", "device_add", "{x}"));
        Assert.Equal("expected ',' or '}' after field '.name'", SchemaDiagnostics.MalformedTableEntry.Format(10, "name"));
        Assert.Throws<ArgumentException>(() => SchemaDiagnostics.DuplicateArgument.Format(0));
        Assert.Throws<ArgumentException>(() => SchemaDiagnostics.DuplicateArgument.Format(0, "a", "b"));
        Assert.Throws<InvalidOperationException>(() => SchemaDiagnostics.MalformedTableEntry.Report(default, "x"));
    }

    /// <summary>The .hx reader and the generator report only through the forms: no message text is built beside them.</summary>
    [Fact]
    public void The_hx_reader_and_the_generator_build_no_message_text_of_their_own()
    {
        var core = Path.Combine(RepoRoot(), "src", "Core");
        var files = Directory.GetFiles(Path.Combine(core, "Hx"), "*.cs")
            .Concat(Directory.GetFiles(Path.Combine(core, "CSharp"), "*.cs", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(RepoRoot(), "src", "Generator"), "*.cs"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(@"(Schema|Generator)Diagnostics\.\w+\.Create\(", text);
            Assert.DoesNotContain("descriptor.Create(", text, StringComparison.Ordinal);
        }
    }

    private static string RepoRoot() => Qmp.Testing.Repository.Root;
}
