using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Qmp.Codegen;
using Qmp.Codegen.Qapi;

namespace Qmp.Benchmarks;

/// <summary>
/// The QAPI front end on QEMU 7.2's schema (38 files, 1.0 MB; from eng/get-qemu-schema.sh bookworm):
/// parsing, doc comments, checks and the model, warm, from texts already in memory (as the
/// generator gets them). The goal for the generator's whole run is 300 ms and 200 MB.
/// </summary>
[MemoryDiagnoser]
public class QapiFrontEnd
{
    private Dictionary<string, string> _files = null!;
    private string _top = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = QemuSchema.Tree("bookworm");
        _top = Path.Combine(dir, "qapi", "qapi-schema.json");
        _files = Directory.GetFiles(Path.Combine(dir, "qapi"), "*.json").ToDictionary(p => p, File.ReadAllText);
    }

    [Benchmark(Description = "QAPI: read QEMU 7.2's schema into the model")]
    public QapiReadResult ReadQemu72() => QapiReader.ReadDetailed(_top, p => _files.TryGetValue(p, out var text) ? text : null);
}

/// <summary>
/// The generator on QEMU 7.2's schema as a project names it (<c>&lt;QmpSchema Include="qapi/qapi-schema.json"
/// Generate="Client" /&gt;</c>: the top file and every .json file beside it, as the package's props
/// hand them over): a full run (parse, docs, checks, model, specs, every file emitted; goal at most
/// 300 ms and 200 MB allocated) and a re-run after an unrelated C# edit (goal: every step cached, at
/// most 1 ms). Setup checks that the re-run is cached: it stops when a tracked step of the re-run
/// is neither Cached nor Unchanged.
/// </summary>
[MemoryDiagnoser]
public class QapiGenerator
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;
    private AdditionalText[] _schema = null!;
    private Options _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var qapi = Path.Combine(QemuSchema.Tree("bookworm"), "qapi");
        var top = Path.Combine(qapi, "qapi-schema.json");
        _options = new Options(top);
        _schema = Directory.GetFiles(qapi, "*.json").Order(StringComparer.Ordinal)
            .Select(p => (AdditionalText)new SchemaText(p, File.ReadAllText(p))).ToArray();
        _compilation = CSharpCompilation.Create("Bench",
            new[] { CSharpSyntaxTree.ParseText("class User { int X; }") },
            Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _edited = _compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees.First(), CSharpSyntaxTree.ParseText("class User { int Y; }"));
        _warm = NewDriver(track: false).RunGenerators(_compilation);

        var tracked = NewDriver(track: true).RunGenerators(_compilation);
        var generated = tracked.GetRunResult().Results[0];
        if (generated.Exception is not null || generated.GeneratedSources.Length == 0)
        {
            throw new InvalidOperationException("the generator made nothing of QEMU 7.2's schema: " + generated.Exception);
        }

        var rerun = tracked.RunGenerators(_edited).GetRunResult().Results[0];
        var reasons = rerun.TrackedSteps.Concat(rerun.TrackedOutputSteps)
            .SelectMany(step => step.Value.SelectMany(run => run.Outputs).Select(output => (step.Key, output.Reason)))
            .ToList();
        var recomputed = reasons.Where(r => r.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).ToList();
        if (recomputed.Count > 0)
        {
            throw new InvalidOperationException("the re-run after an unrelated edit recomputed: " + string.Join(", ", recomputed.Select(r => r.Key + " " + r.Reason)));
        }

        Console.WriteLine($"// QEMU 7.2: {generated.GeneratedSources.Length} files, {generated.GeneratedSources.Sum(s => s.SourceText.Length):N0} characters; "
            + $"re-run after an unrelated edit: all {reasons.Count} outputs of {reasons.Select(r => r.Key).Distinct().Count()} tracked steps Cached or Unchanged");
    }

    private GeneratorDriver NewDriver(bool track) =>
        CSharpGeneratorDriver.Create(new[] { new QmpGenerator().AsSourceGenerator() }, _schema, CSharpParseOptions.Default, _options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    [Benchmark(Description = "generator, full run on QEMU 7.2")]
    public GeneratorDriver FullRun() => NewDriver(track: false).RunGenerators(_compilation);

    [Benchmark(Description = "generator, re-run after an unrelated edit, QEMU 7.2")]
    public GeneratorDriver CachedRun() => _warm.RunGenerators(_edited);

    private sealed class SchemaText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    /// <summary>What the package's props give every .json file of the top file's folder: namespace, Generate, and the top file.</summary>
    private sealed class Options(string top) : AnalyzerConfigOptionsProvider
    {
        private readonly SchemaOptions _file = new(top);
        private readonly SchemaOptions _none = new(null);

        public override AnalyzerConfigOptions GlobalOptions => _none;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _none;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _file;
    }

    private sealed class SchemaOptions(string? top) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = top is null ? null
                : key == QmpGenerator.NamespaceMetadata ? "Bench.Qemu72"
                : key == QmpGenerator.GenerateMetadata ? "Client"
                : key == QmpGenerator.QapiTopMetadata ? top
                : null;
            return value is not null;
        }
    }
}

/// <summary>QEMU's source tree for a Debian suite, from eng/get-qemu-schema.sh (cached after the first time).</summary>
internal static class QemuSchema
{
    public static string Tree(string suite)
    {
        // BenchmarkDotNet runs this from a generated project below bin/: walk up to the repository.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "eng", "get-qemu-schema.sh")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("eng/get-qemu-schema.sh not found above " + AppContext.BaseDirectory);
        }

        var script = Path.Combine(root.FullName, "eng", "get-qemu-schema.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(suite);
        using var process = Process.Start(start)!;
        var dir = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(dir, "qapi", "qapi-schema.json")))
        {
            throw new InvalidOperationException($"QEMU's schema for {suite} cannot be had (eng/get-qemu-schema.sh {suite} failed); this benchmark needs it");
        }

        return dir;
    }
}
