using System.Text;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// Our corpus of small QAPI schemas, one construct or one mistake each, in the manner of QEMU's
/// tests/qapi-schema (written by us): <c>Qapi/Cases/NAME.json</c> beside <c>NAME.out</c>, the
/// <see cref="SchemaPrinter"/> dump of what it reads (its diagnostics last). A case may include
/// others from its folder. Set QMP_UPDATE_GOLDEN=1 to rewrite the .out files, then review the diff.
/// </summary>
public class QapiCaseTests
{
    private static string CasesDir() => Qmp.Testing.Repository.PathOf("tests", "Generator.Tests", "Qapi", "Cases");

    private static List<string> Names() => Directory.GetFiles(CasesDir(), "*.json")
        .Select(f => Path.GetFileNameWithoutExtension(f)!)
        .Where(n => !n.StartsWith("sub-", StringComparison.Ordinal))
        .OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        // Files only included by other cases are named sub-*.json and have no .out of their own.
        foreach (var name in Names())
        {
            data.Add(name);
        }

        return data;
    }

    internal static string Describe(string name)
    {
        var dir = CasesDir();
        var result = QapiReader.ReadDetailed(name + ".json", path =>
        {
            var file = Path.Combine(dir, path);
            return File.Exists(file) ? File.ReadAllText(file) : null;
        });
        var text = new StringBuilder(SchemaPrinter.Print(result.Schema));
        if (result.Files.Count > 1)
        {
            text.Append("files ").Append(string.Join(" ", result.Files)).Append('\n');
        }

        return text.ToString();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_reads_as_expected(string name)
    {
        var actual = Describe(name);
        var expectedPath = Path.Combine(CasesDir(), name + ".out");
        if (Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
        }

        Assert.True(File.Exists(expectedPath), $"no expected output for {name}; run with QMP_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    [Fact]
    public void The_corpus_has_at_least_sixty_cases_good_and_bad()
    {
        var outs = Names().Select(n => File.ReadAllText(Path.Combine(CasesDir(), n + ".out"))).ToList();
        Assert.True(outs.Count >= 60, $"{outs.Count} cases");
        Assert.Contains(outs, o => !o.Contains("diagnostic error", StringComparison.Ordinal));
        Assert.Contains(outs, o => o.Contains("diagnostic error", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_qapi_diagnostic_id_has_a_case()
    {
        var seen = Names().SelectMany(n => File.ReadAllLines(Path.Combine(CasesDir(), n + ".out")))
            .Where(l => l.StartsWith("diagnostic ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]).ToHashSet();
        var all = typeof(QapiDiagnostics).GetFields().Select(f => ((SchemaDiagnosticDescriptor)f.GetValue(null)!).Id).ToList();
        Assert.Equal(new List<string>(), all.Where(id => !seen.Contains(id)).ToList());
        // The block is ours alone: no id of the .hx reader's list.
        var hx = typeof(SchemaDiagnostics).GetFields().Select(f => ((SchemaDiagnosticDescriptor)f.GetValue(null)!).Id);
        Assert.Empty(all.Intersect(hx));
    }
}
