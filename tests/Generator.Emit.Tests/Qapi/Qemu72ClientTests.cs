using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Qapi;
using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// QEMU 7.2's QAPI schema (Debian 12's source package) through the generator once, compiled with
/// the examples checker beside it; shared by the tests that need it (it is the slow part).
/// </summary>
public static class Qemu72Fixture
{
    public const string Ns = "Acme.Qemu72";

    private static readonly Lazy<Result> s_shared = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Result Get() => s_shared.Value;

    public sealed record Result(Schema.QmpSchema Schema, GenerationSpec Spec, Compilation Compilation,
        System.Collections.Immutable.ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run, string Figures);

    private static Result Build()
    {
        var qapi = Path.Combine(QemuSources.Get("bookworm").Dir!, "qapi");
        var files = QapiHarness.Folder(qapi);
        var top = Path.GetFullPath(Path.Combine(qapi, "qapi-schema.json"));
        var schema = QapiReader.Read(top, files);
        var spec = SpecBuilder.Build(schema, Ns, true, true, new List<Model.SchemaDiagnostic>());
        var watch = Stopwatch.StartNew();
        var (compilation, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(top, files, Ns, "Client;Server"), Qemu72ExampleTests.CheckerSource(spec));
        var first = watch.ElapsedMilliseconds;
        // A second, fresh driver: the generator's full run with the JIT warm (a figure, not an assertion).
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        QapiHarness.CreateDriver(top, files, Ns).RunGenerators(GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }"));
        var figures = $"generated {run.GeneratedTrees.Length} files, {run.GeneratedTrees.Sum(t => t.GetText().Lines.Count)} lines; first run {first} ms (JIT included), "
            + $"warm full run {watch.ElapsedMilliseconds} ms, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1_000_000} MB allocated";
        return new Result(schema, spec, compilation, diagnostics, run, figures);
    }
}

/// <summary>The client generated from QEMU 7.2's QAPI schema compiles with no warning.</summary>
public class Qemu72ClientTests(ITestOutputHelper output)
{
    [QemuSchemaFact("bookworm")]
    public void Qemu72_client_compiles_without_warnings()
    {
        var (_, _, compilation, diagnostics, run, figures) = Qemu72Fixture.Get();
        output.WriteLine(figures);
        if (Environment.GetEnvironmentVariable("QMP_DUMP_DIR") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            foreach (var tree in run.GeneratedTrees)
            {
                File.WriteAllText(Path.Combine(dump, Path.GetFileName(tree.FilePath)), tree.ToString());
            }
        }
        Assert.True(diagnostics.IsEmpty, string.Join(Environment.NewLine, diagnostics.Take(30)));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        output.WriteLine($"{problems.Count} warnings and errors");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(40)));
    }
}

/// <summary>The client generated from QEMU 10.0's QAPI schema (Debian 13's source package) compiles with no warning too.</summary>
public class Qemu100ClientTests(ITestOutputHelper output)
{
    [QemuSchemaFact("trixie")]
    public void Qemu100_client_compiles_without_warnings()
    {
        var qapi = Path.Combine(QemuSources.Get("trixie").Dir!, "qapi");
        var top = Path.GetFullPath(Path.Combine(qapi, "qapi-schema.json"));
        var (compilation, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(top, QapiHarness.Folder(qapi), "Acme.Qemu100"));
        Assert.True(diagnostics.IsEmpty, string.Join(Environment.NewLine, diagnostics.Take(30)));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        output.WriteLine($"generated {run.GeneratedTrees.Length} files; {problems.Count} warnings and errors");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(40)));
    }
}
