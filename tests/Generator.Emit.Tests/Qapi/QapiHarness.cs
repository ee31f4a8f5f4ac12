using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// Runs the generator on a QAPI schema the way the package's props hand it over: every .json file
/// of the folder as an AdditionalFile with the namespace, and QmpQapiTop naming the top file.
/// </summary>
internal static class QapiHarness
{
    public static GeneratorDriver CreateDriver(string top, IReadOnlyDictionary<string, string> files, string ns, string generate = "Client", string? commands = null, string? events = null) =>
        CreateDriver(top, files.Select(f => TextOf(f.Key, f.Value)).ToList(), ns, generate, commands, events);

    public static AdditionalText TextOf(string path, string text) => new Text(path, text);

    public static GeneratorDriver CreateDriver(string top, IReadOnlyList<AdditionalText> texts, string ns, string generate = "Client", string? commands = null, string? events = null) =>
        CSharpGeneratorDriver.Create(new[] { new QmpGenerator().AsSourceGenerator() }, texts, GeneratorHarness.ParseOptions, OptionsOf(top, texts, ns, generate, commands, events),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The metadata as the props copy it: every .json file carries the top file's, with ';' as ','.</summary>
    public static AnalyzerConfigOptionsProvider OptionsOf(string top, IReadOnlyList<AdditionalText> texts, string ns, string generate = "Client", string? commands = null, string? events = null)
    {
        var metadata = ImmutableDictionary<string, string>.Empty
            .Add(QmpGenerator.NamespaceMetadata, ns)
            .Add(QmpGenerator.GenerateMetadata, generate)
            .Add(QmpGenerator.QapiTopMetadata, top);
        if (commands is not null)
        {
            metadata = metadata.Add(QmpGenerator.CommandsMetadata, commands.Replace(';', ','));
        }

        if (events is not null)
        {
            metadata = metadata.Add(QmpGenerator.EventsMetadata, events.Replace(';', ','));
        }

        return new Options(texts.Select(t => t.Path).ToDictionary(k => k, _ => metadata));
    }

    /// <summary>A driver over <paramref name="texts"/> with each file's own metadata (keys such as <see cref="QmpGenerator.NamespaceMetadata"/>).</summary>
    public static GeneratorDriver CreateDriver(IReadOnlyList<AdditionalText> texts, IReadOnlyDictionary<string, ImmutableDictionary<string, string>> metadata) =>
        CSharpGeneratorDriver.Create(new[] { new QmpGenerator().AsSourceGenerator() }, texts, GeneratorHarness.ParseOptions,
            new Options(texts.ToDictionary(t => t.Path, t => metadata.TryGetValue(t.Path, out var values) ? values : ImmutableDictionary<string, string>.Empty)),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Every .json file under <paramref name="dir"/>, keyed by full path.</summary>
    public static Dictionary<string, string> Folder(string dir) =>
        Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).ToDictionary(p => Path.GetFullPath(p), File.ReadAllText);

    /// <summary>Generates and compiles with <paramref name="extra"/> sources; the compilation and the generator's diagnostics.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run) Generate(GeneratorDriver driver, params string[] extra)
    {
        var compilation = GeneratorHarness.Compilation(extra.Length == 0 ? new[] { "namespace Consumer; public static class Placeholder { }" } : extra);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics, driver.GetRunResult());
    }

    public static System.Reflection.Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(30)));
        return System.Reflection.Assembly.Load(stream.ToArray());
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options(Dictionary<string, ImmutableDictionary<string, string>> files) : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions s_empty = new(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions => s_empty;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => s_empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            files.TryGetValue(textFile.Path, out var values) ? new DictionaryOptions(values) : s_empty;
    }

    private sealed class DictionaryOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }

    /// <summary>
    /// The run's generated files equal <c>FOLDER/expected/</c> in this project's sources, file for
    /// file; with QMP_UPDATE_GOLDEN=1 the folder is rewritten from the run first.
    /// </summary>
    public static void AssertMatchesGolden(string folder, GeneratorDriverRunResult run)
    {
        var expectedDir = Path.Combine(GeneratorHarness.SourceDirectory(), folder, "expected");
        var generated = run.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        if (Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(expectedDir);
            foreach (var old in Directory.GetFiles(expectedDir))
            {
                File.Delete(old);
            }

            foreach (var (name, text) in generated)
            {
                File.WriteAllText(Path.Combine(expectedDir, name), text);
            }
        }
        var expected = Directory.GetFiles(expectedDir).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, generated.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var name in expected)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, name!)).ReplaceLineEndings(), generated[name!].ReplaceLineEndings());
        }
    }
}
