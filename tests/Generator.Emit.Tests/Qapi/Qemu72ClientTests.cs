using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>The client generated from QEMU 7.2's QAPI schema (Debian 12's source package) compiles with no warning.</summary>
public class Qemu72ClientTests(ITestOutputHelper output)
{
    [QemuTreeFact("bookworm")]
    public void Qemu72ClientCompilesWithoutWarnings()
    {
        var qapi = Path.Combine(QemuTree.Get("bookworm").Dir!, "qapi");
        var files = QapiHarness.Folder(qapi);
        var top = Path.GetFullPath(Path.Combine(qapi, "qapi-schema.json"));
        var watch = Stopwatch.StartNew();
        var (compilation, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(top, files, "Acme.Qemu72"));
        output.WriteLine($"generated {run.GeneratedTrees.Length} files, {run.GeneratedTrees.Sum(t => t.GetText().Lines.Count)} lines in {watch.ElapsedMilliseconds} ms (first run, includes JIT)");
        // A second, fresh driver: the generator's full run with the JIT warm (a figure, not an assertion).
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        QapiHarness.CreateDriver(top, files, "Acme.Qemu72").RunGenerators(GeneratorHarness.Compilation("namespace Consumer; public static class Placeholder { }"));
        output.WriteLine($"full run, warm: {watch.ElapsedMilliseconds} ms, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1_000_000} MB allocated on this thread");
        if (Environment.GetEnvironmentVariable("QMP_DUMP_DIR") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            foreach (var tree in run.GeneratedTrees)
                File.WriteAllText(Path.Combine(dump, Path.GetFileName(tree.FilePath)), tree.ToString());
        }
        Assert.True(diagnostics.IsEmpty, string.Join(Environment.NewLine, diagnostics.Take(30)));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        output.WriteLine($"{problems.Count} warnings and errors");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(40)));
    }
}
