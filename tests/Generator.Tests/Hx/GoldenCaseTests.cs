using System.Text;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Hx;

/// <summary>
/// Small schemas, one problem each, with the parser's expected output beside them (in the manner
/// of QEMU's tests/qapi-schema): <c>Cases/NAME.hx</c> and <c>Cases/NAME.out</c>. A parser change
/// shows up as a diff in those files. Set QMP_UPDATE_GOLDEN=1 to rewrite them, then review the diff.
/// </summary>
public class GoldenCaseTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestFiles.Dir("Cases"), "*.hx").OrderBy(f => f, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_output_matches_its_expectation(string name)
    {
        var text = File.ReadAllText(Path.Combine(TestFiles.Dir("Cases"), name + ".hx"));
        var actual = Describe(name + ".hx", text);
        var expectedPath = Path.Combine(SourceDir(), "Cases", name + ".out");
        if (Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
        }

        Assert.True(File.Exists(expectedPath), $"no expected output for {name}; run with QMP_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    [Fact]
    public void There_are_cases_for_every_diagnostic_id()
    {
        var names = Directory.GetFiles(TestFiles.Dir("Cases"), "*.hx").Select(Path.GetFileName);
        var seen = names.SelectMany(name =>
            SchemaParser.Parse(name!, File.ReadAllText(Path.Combine(TestFiles.Dir("Cases"), name!))).Diagnostics.Select(d => d.Id)).ToHashSet();
        var all = typeof(SchemaDiagnostics).GetFields().Select(f => ((SchemaDiagnosticDescriptor)f.GetValue(null)!).Id).ToList();
        Assert.Equal(all.Count, all.Count(seen.Contains));
    }

    /// <summary>Every message reported for the cases and the seed has a form its descriptor lists (the catalogue is complete).</summary>
    [Fact]
    public void Every_message_has_a_form_in_the_catalogue()
    {
        var descriptors = typeof(SchemaDiagnostics).GetFields().Select(f => (SchemaDiagnosticDescriptor)f.GetValue(null)!).ToDictionary(d => d.Id);
        var diagnostics = Directory.GetFiles(TestFiles.Dir("Cases"), "*.hx")
            .SelectMany(f => SchemaParser.Parse(Path.GetFileName(f), File.ReadAllText(f)).Diagnostics)
            .Concat(TestFiles.ParseAll().Diagnostics).ToList();
        Assert.True(diagnostics.Count > 50);
        Assert.All(diagnostics, d => Assert.True(descriptors[d.Id].Describes(d.Message), $"{d.Id}: {d.Message}"));
        Assert.False(descriptors["QMP0001"].Describes("something else entirely"));
    }

    /// <summary>What a case prints: its commands and events, its diagnostics as `check` prints them, then the whole QMP schema model.</summary>
    internal static string Describe(string path, string text)
    {
        var model = SchemaParser.Parse(path, text);
        var output = new StringBuilder();
        foreach (var command in model.Commands)
        {
            output.Append("command ").Append(command.Name);
            if (command.Condition is not null)
            {
                output.Append(" if ").Append(command.Condition);
            }

            output.Append(" (").Append(string.Join(", ", command.Arguments.Select(a => $"{a.Name}: {a.ClrType}{(a.Optional ? "?" : "")}"))).Append(')');
            output.Append(command.Doc is null ? " undocumented" : $" documented by '{command.Doc.Title}'").Append('\n');
            if (command.Doc is { } doc)
            {
                foreach (var example in doc.Examples)
                {
                    output.Append("  example ").Append(example.Request ?? "-").Append(" => ").Append(example.Reply ?? "-").Append('\n');
                }
            }
        }
        foreach (var @event in model.Events)
        {
            output.Append("event ").Append(@event.Name).Append(" (").Append(string.Join(", ", @event.Data.Select(a => $"{a.Name}: {a.ClrType}{(a.Optional ? "?" : "")}"))).Append(')');
            output.Append(@event.Doc is null ? " undocumented" : " documented").Append('\n');
        }
        foreach (var diagnostic in model.Diagnostics)
        {
            output.Append(diagnostic.Format()).Append('\n');
        }

        output.Append("--- model\n");
        output.Append(SchemaPrinter.Print(HxSchemaBuilder.Build(model) with { Diagnostics = default }));
        return output.ToString();
    }

    private static string SourceDir() => Qmp.Testing.Repository.PathOf("tests", "Generator.Tests");
}
