using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The code generated for the repository's schema compiles, with no warnings.</summary>
public class CompileTests
{
    [Fact]
    public void Repository_schema_compiles_without_warnings()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchema(), trackSteps: false);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        Assert.DoesNotContain(generatorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var run = driver.RunGenerators(compilation).GetRunResult();
        // Client, Server, Events, and each .hx file's module: its types, its commands' members, its events' records.
        var names = run.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).ToList();
        Assert.Contains(names, n => n.EndsWith(".QmpCommands.Types.g.cs", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".QmpCommands.Commands.g.cs", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".QmpEvents.Events.g.cs", StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("QMP_DUMP_DIR") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            foreach (var tree in run.GeneratedTrees)
            {
                File.WriteAllText(Path.Combine(dump, Path.GetFileName(tree.FilePath)), tree.ToString());
            }
        }

        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(30)));

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics.Take(30)));
    }

    [Fact]
    public void Schema_diagnostics_are_located_in_the_hx_file()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }");
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchema(), trackSteps: false);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);

        var mirror = Assert.Single(diagnostics, d => d.Id == "QMP0007" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("buf_size", StringComparison.Ordinal));
        Assert.Equal("/schema/qmp-commands.hx", mirror.Location.GetLineSpan().Path);
        Assert.Equal(DiagnosticSeverity.Info, mirror.Severity);
        Assert.True(mirror.Location.GetLineSpan().StartLinePosition.Character > 0);
    }
}
