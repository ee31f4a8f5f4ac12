using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>
/// Golden cases: <c>Golden/NAME/*.hx</c> with the expected generated sources and diagnostics in
/// <c>Golden/NAME/expected/</c>, checked with Microsoft.CodeAnalysis.CSharp.SourceGenerators.Testing
/// (which also compiles the generated code against Qmp.Runtime). Run with
/// <c>QMP_UPDATE_GOLDEN=1</c> to rewrite the expected files from the current generator.
/// </summary>
public class GoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Golden")).OrderBy(d => d, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Generates_expected_sources_and_diagnostics(string name)
    {
        var caseDir = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        var ns = "Golden." + Generation.Naming.Pascal(name);
        var schemas = Directory.GetFiles(caseDir, "*.hx").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new GeneratorHarness.SchemaFile("/" + Path.GetFileName(p), File.ReadAllText(p), ns))
            .ToList();

        if (Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1")
        {
            Update(name, schemas);
        }

        var expectedDir = Path.Combine(caseDir, "expected");
        var test = new CSharpSourceGeneratorTest<QmpGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
        test.TestState.Sources.Add(("/Consumer.cs", "namespace Consumer; public static class Placeholder { }"));
        var config = new StringBuilder("is_global = true\n");
        foreach (var schema in schemas)
        {
            test.TestState.AdditionalFiles.Add((schema.Path, schema.Text));
            config.Append('[').Append(schema.Path).Append("]\n")
                .Append("build_metadata.AdditionalFiles.QmpNamespace = ").Append(ns).Append('\n');
        }
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", config.ToString()));
        foreach (var file in Directory.GetFiles(expectedDir, "*.g.cs").OrderBy(p => p, StringComparer.Ordinal))
        {
            test.TestState.GeneratedSources.Add((typeof(QmpGenerator), Path.GetFileName(file), SourceText.From(File.ReadAllText(file), Encoding.UTF8)));
        }

        var diagnosticsFile = Path.Combine(expectedDir, "diagnostics.txt");
        if (File.Exists(diagnosticsFile))
        {
            foreach (var line in File.ReadAllLines(diagnosticsFile).Where(l => l.Length > 0))
            {
                test.TestState.ExpectedDiagnostics.Add(ParseDiagnostic(line));
            }
        }
        await test.RunAsync();
    }

    /// <summary><c>ID severity path(startLine,startCol,endLine,endCol): message</c>, 1-based.</summary>
    private static DiagnosticResult ParseDiagnostic(string line)
    {
        var parts = line.Split(' ', 3);
        var severity = Enum.Parse<DiagnosticSeverity>(parts[1], ignoreCase: true);
        var open = parts[2].IndexOf('(', StringComparison.Ordinal);
        var close = parts[2].IndexOf("): ", StringComparison.Ordinal);
        var path = parts[2][..open];
        var span = parts[2][(open + 1)..close].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new DiagnosticResult(parts[0], severity)
            .WithSpan(path, span[0], span[1], span[2], span[3])
            .WithMessage(parts[2][(close + 3)..]);
    }

    private static void Update(string name, IReadOnlyList<GeneratorHarness.SchemaFile> schemas)
    {
        var target = Path.Combine(GeneratorHarness.SourceDirectory(), "Golden", name, "expected");
        Directory.CreateDirectory(target);
        foreach (var old in Directory.GetFiles(target))
        {
            File.Delete(old);
        }

        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        var driver = GeneratorHarness.CreateDriver(schemas, trackSteps: false).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        foreach (var source in result.GeneratedSources)
        {
            File.WriteAllText(Path.Combine(target, source.HintName), source.SourceText.ToString());
        }

        var lines = result.Diagnostics.Select(d =>
        {
            var span = d.Location.GetLineSpan();
            return string.Create(CultureInfo.InvariantCulture,
                $"{d.Id} {d.Severity} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1},{span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1}): {d.GetMessage(CultureInfo.InvariantCulture)}");
        });
        File.WriteAllText(Path.Combine(target, "diagnostics.txt"), string.Join("\n", lines) + "\n");
        // The copy next to the test assembly is what the check below reads.
        var copy = Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected");
        Directory.CreateDirectory(copy);
        foreach (var old in Directory.GetFiles(copy))
        {
            File.Delete(old);
        }

        foreach (var file in Directory.GetFiles(target))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
    }
}
