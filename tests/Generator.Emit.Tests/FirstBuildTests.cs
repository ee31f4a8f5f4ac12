using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>
/// The first build of a project on QEMU 2.1's untouched schema: no warning by default (the quirks
/// of its text are Info), <c>Diagnostics="all"</c> and .editorconfig severities raise or silence
/// them, each diagnostic links to its README row, and <c>Access="Internal"</c> hides every type.
/// </summary>
public class FirstBuildTests
{
    private const string Stop = "{ .name = \"stop\", .args_type = \"force:-f\", .mhandler.cmd_new = qmp_marshal_input_stop, },\nSQMP\nstop\n----\nStop the emulator.\nArguments:\n- \"force\": stop at once (json-bool, optional)\nExample:\n-> { \"execute\": \"stop\" }\n<- { \"return\": {} }\nEQMP\n";

    private static (Compilation Output, IReadOnlyList<Diagnostic> Diagnostics) Run(IReadOnlyList<GeneratorHarness.SchemaFile> schemas, params AdditionalText[] extra)
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        GeneratorHarness.CreateDriver(schemas, schemas.Select(s => GeneratorHarness.Text(s.Path, s.Text)).Concat(extra).ToList(), trackSteps: false)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics);
    }

    private static IReadOnlyList<GeneratorHarness.SchemaFile> Schema(string? access = null, string? diagnostics = null) =>
        GeneratorHarness.RepositorySchema().Select(s => s with { Access = access, Diagnostics = diagnostics }).ToList();

    [Fact]
    public void The_untouched_2_1_schema_reports_no_warning_by_default()
    {
        var (_, diagnostics) = Run(Schema());
        Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        // The quirks are still reported, as Info (the IDE's list, `qmp-codegen check`).
        Assert.True(diagnostics.Count(d => d.Severity == DiagnosticSeverity.Info) >= 50, $"{diagnostics.Count} diagnostics");
        Assert.Contains(diagnostics, d => d.Id == "QMP0007");
    }

    [Fact]
    public void Diagnostics_all_reports_the_info_ones_as_warnings()
    {
        var (_, quiet) = Run(Schema());
        var (_, all) = Run(Schema(diagnostics: "all"));
        Assert.Equal(quiet.Count, all.Count);
        Assert.All(all, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(quiet.Select(d => (d.Id, d.Location.GetLineSpan())).OrderBy(k => k.ToString(), StringComparer.Ordinal),
            all.Select(d => (d.Id, d.Location.GetLineSpan())).OrderBy(k => k.ToString(), StringComparer.Ordinal));
    }

    [Fact]
    public void An_editorconfig_severity_raises_an_info_id_and_leaves_the_others()
    {
        var config = GeneratorHarness.Text("/.editorconfig", "root = true\n\n[*.hx]\ndotnet_diagnostic.QMP0007.severity = warning\ndotnet_diagnostic.QMP0010.severity = error\n");
        var (_, diagnostics) = Run(Schema(), config);
        Assert.Equal(3, diagnostics.Count(d => d.Id == "QMP0007" && d.Severity == DiagnosticSeverity.Warning));
        Assert.Equal(24, diagnostics.Count(d => d.Id == "QMP0010" && d.Severity == DiagnosticSeverity.Error));
        Assert.All(diagnostics.Where(d => d.Id is not ("QMP0007" or "QMP0010")), d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
    }

    [Fact]
    public void An_editorconfig_severity_wins_over_Diagnostics_all_and_none_removes_an_id()
    {
        var config = GeneratorHarness.Text("/.editorconfig", "root = true\n[*]\ndotnet_diagnostic.QMP0010.severity = none\ndotnet_diagnostic.QMP0023.severity = suggestion\n");
        var (_, diagnostics) = Run(Schema(diagnostics: "all"), config);
        Assert.DoesNotContain(diagnostics, d => d.Id == "QMP0010");
        Assert.All(diagnostics.Where(d => d.Id == "QMP0023"), d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Contains(diagnostics, d => d.Id == "QMP0007" && d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void An_editorconfig_section_applies_only_to_the_files_it_matches()
    {
        var config = GeneratorHarness.Text("/.editorconfig", "root = true\n[other/*.hx]\ndotnet_diagnostic.QMP0007.severity = error\n[schema/qmp-events.hx]\ndotnet_diagnostic.QMP0007.severity = error\n");
        var (_, diagnostics) = Run(Schema(), config);
        // QMP0007 is reported in qmp-commands.hx, which neither section names.
        Assert.All(diagnostics.Where(d => d.Id == "QMP0007"), d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
    }

    [Fact]
    public void An_editorconfig_severity_silences_a_warning_id()
    {
        var schema = new[] { new GeneratorHarness.SchemaFile("/a/stop.hx", Stop, "My.Vm", "Clinet;Server") };
        var (_, before) = Run(schema);
        Assert.Equal(("QMP0101", DiagnosticSeverity.Warning), (Assert.Single(before).Id, before[0].Severity));
        var (_, after) = Run(schema, GeneratorHarness.Text("/a/.editorconfig", "[*.hx]\ndotnet_diagnostic.QMP0101.severity = none\n"));
        Assert.Empty(after);
        // A global config is the compiler's to apply, not ours (it reaches every location itself).
        var (_, global) = Run(schema, GeneratorHarness.Text("/a/.editorconfig", "is_global = true\ndotnet_diagnostic.QMP0101.severity = none\n"));
        Assert.Single(global);
    }

    [Fact]
    public void Every_reported_diagnostic_links_to_its_row_in_the_diagnostics_page()
    {
        var readme = File.ReadAllText(Qmp.Testing.Repository.PathOf(Path.Combine("docs", "diagnostics.md")));
        var (_, diagnostics) = Run(Schema(access: "Privat"));
        Assert.Contains(diagnostics, d => d.Id == "QMP0104");
        foreach (var diagnostic in diagnostics.DistinctBy(d => d.Id))
        {
            var link = diagnostic.Descriptor.HelpLinkUri;
            Assert.Equal(QmpGenerator.HelpLinkOf(diagnostic.Id), link);
            Assert.Contains($"<a id=\"{link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]}\"></a>{diagnostic.Id}", readme, StringComparison.Ordinal);
            Assert.NotEqual(diagnostic.Id, diagnostic.Descriptor.Title.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Access_Internal_makes_every_generated_type_internal()
    {
        var (output, diagnostics) = Run(Schema(access: "Internal"));
        Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Take(20)));
        var types = GeneratedTypes(output).ToList();
        Assert.True(types.Count > 100, $"{types.Count} generated types");
        Assert.Contains(types, t => t.Name == "QemuClient");
        Assert.Contains(types, t => t.Name == "QemuCommandsBase");
        Assert.All(types, t => Assert.False(IsVisibleOutside(t), t.ToDisplayString()));
        // Members of an internal type keep their own accessibility.
        Assert.Contains(types.Single(t => t.Name == "QemuClient").GetMembers("QueryStatusAsync"), m => m.DeclaredAccessibility == Accessibility.Public);
    }

    [Fact]
    public void Access_Public_is_the_default()
    {
        foreach (var access in new string?[] { null, "", "Public", "public" })
        {
            var (output, diagnostics) = Run(Schema(access: access));
            Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
            Assert.All(GeneratedTypes(output).Where(t => t.ContainingType is null), t => Assert.Equal(Accessibility.Public, t.DeclaredAccessibility));
        }
    }

    [Fact]
    public void An_unknown_Access_value_is_an_error_at_the_schema_file()
    {
        var (_, diagnostics) = Run(new[] { new GeneratorHarness.SchemaFile("/stop.hx", Stop, "My.Vm", Access: "Intenral") });
        var error = Assert.Single(diagnostics);
        Assert.Equal(("QMP0104", DiagnosticSeverity.Error, "/stop.hx"), (error.Id, error.Severity, error.Location.GetLineSpan().Path));
        Assert.Equal("QmpSchema Access value 'Intenral' is not Public or Internal; the generated types are public", error.GetMessage(CultureInfo.InvariantCulture));
        Assert.True(GeneratorDiagnostics.UnknownAccessValue.Describes(error.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void An_unknown_Diagnostics_value_is_a_warning_at_the_schema_file()
    {
        var (_, diagnostics) = Run(new[] { new GeneratorHarness.SchemaFile("/stop.hx", Stop, "My.Vm", Diagnostics: "everything") });
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("QMP0105", DiagnosticSeverity.Warning), (warning.Id, warning.Severity));
        Assert.True(GeneratorDiagnostics.UnknownDiagnosticsValue.Describes(warning.GetMessage(CultureInfo.InvariantCulture)));
    }

    /// <summary>Every type declared in the generated files, nested ones included.</summary>
    private static IEnumerable<INamedTypeSymbol> GeneratedTypes(Compilation output)
    {
        var generated = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToHashSet();
        return All(output.Assembly.GlobalNamespace).Where(t => t.DeclaringSyntaxReferences.Any(r => generated.Contains(r.SyntaxTree)));

        static IEnumerable<INamedTypeSymbol> All(INamespaceOrTypeSymbol container)
        {
            foreach (var member in container.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    foreach (var t in All(ns))
                    {
                        yield return t;
                    }
                }
                else if (member is INamedTypeSymbol type)
                {
                    yield return type;
                    foreach (var t in All(type))
                    {
                        yield return t;
                    }
                }
            }
        }
    }

    /// <summary>Public all the way out: another assembly could name it.</summary>
    private static bool IsVisibleOutside(INamedTypeSymbol type)
    {
        for (ISymbol? s = type; s is INamedTypeSymbol t; s = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }
        return true;
    }
}
