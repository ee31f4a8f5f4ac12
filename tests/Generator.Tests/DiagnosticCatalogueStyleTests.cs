using System.Reflection;
using System.Text.RegularExpressions;

namespace Qmp.Codegen.Tests;

/// <summary>
/// One diagnostics catalogue with one descriptor style (issue 21 item 4): every descriptor is
/// declared by a class <see cref="DiagnosticCatalogue"/> lists, no two share an id, every message
/// has its forms with named placeholders, and <c>qmp-codegen diagnostics</c> prints them all.
/// </summary>
public sealed partial class DiagnosticCatalogueStyleTests
{
    private static IEnumerable<FieldInfo> DescriptorFields(Assembly assembly) =>
        assembly.GetTypes().SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(SchemaDiagnosticDescriptor));

    [Fact]
    public void Every_descriptor_is_declared_where_the_catalogue_looks_and_no_two_ids_collide()
    {
        // The core, the generator, the CLI and the runtime: wherever one could be declared.
        var assemblies = new[] { typeof(DiagnosticCatalogue).Assembly, typeof(QmpGenerator).Assembly, typeof(Cli.SchemaLoader).Assembly, typeof(Qmp.Runtime.Introspection.SchemaInfoReader).Assembly };
        var fields = assemblies.SelectMany(DescriptorFields).ToList();
        Assert.DoesNotContain(fields, f => !DiagnosticCatalogue.Declarers.Contains(f.DeclaringType!) || !f.IsStatic || !f.IsPublic);
        Assert.Equal(fields.Count, DiagnosticCatalogue.All.Count);
        var collisions = DiagnosticCatalogue.All.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(collisions);
    }

    [Fact]
    public void No_descriptor_is_made_outside_the_declaring_files()
    {
        var declaring = new[] { "SchemaDiagnostics.cs", "GeneratorDiagnostics.cs", Path.Combine("Qapi", "QapiDiagnostics.cs"), Path.Combine("Introspection", "IntrospectionFile.cs") }
            .Select(p => Path.Combine(Repository.PathOf("src", "Core"), p)).ToHashSet(StringComparer.Ordinal);
        var makers = Directory.GetFiles(Repository.PathOf("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => MakesDescriptor().IsMatch(File.ReadAllText(f)))
            .ToList();
        Assert.NotEmpty(makers);
        Assert.All(makers, f => Assert.Contains(f, declaring));
    }

    [GeneratedRegex(@"new SchemaDiagnosticDescriptor\(|new\(""QMP\d{4}""")]
    private static partial Regex MakesDescriptor();

    [Fact]
    public void Every_message_form_names_its_placeholders()
    {
        foreach (var descriptor in DiagnosticCatalogue.All)
        {
            Assert.True(descriptor.Messages.Length > 0, descriptor.Id + " has no message form");
            foreach (var form in descriptor.Messages)
            {
                // {name} or {two words}; never {0}, which says nothing of what goes there.
                Assert.DoesNotMatch(@"\{\d+\}", form);
                Assert.All(Regex.Matches(form, @"\{([^}]*)\}").Select(m => m.Groups[1].Value), name => Assert.Matches(@"^[A-Za-z][A-Za-z ,-]*$", name));
            }
        }
    }

    [Fact]
    public void The_diagnostics_command_lists_every_id_of_the_catalogue()
    {
        var (exit, stdout, _) = QmpCodegenCli.Run("diagnostics");
        Assert.Equal(0, exit);
        var listed = Regex.Matches(stdout, @"^(QMP\d{4}) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(DiagnosticCatalogue.All.Select(d => d.Id), listed);
    }
}
