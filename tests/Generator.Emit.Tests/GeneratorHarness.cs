using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>Runs <see cref="QmpGenerator"/> with a CSharpGeneratorDriver, the way the compiler would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static IReadOnlyList<MetadataReference> References { get; } =
        Basic.Reference.Assemblies.Net100.References.All
            .Concat(new MetadataReference[]
            {
                MetadataReference.CreateFromFile(typeof(Qmp.Runtime.QmpClient).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
            })
            .ToList();

    public static MetadataReference RuntimeReference => References[^2];

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IEnumerable<SchemaFile> schemas, bool trackSteps = true) =>
        CreateDriver(schemas, schemas.Select(s => Text(s.Path, s.Text)).ToList(), trackSteps);

    public static AdditionalText Text(string path, string text) => new InMemoryText(path, text);

    public static GeneratorDriver CreateDriver(IEnumerable<SchemaFile> schemas, IEnumerable<AdditionalText> texts, bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new QmpGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            new OptionsProvider(schemas.ToDictionary(s => s.Path, s => s)),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>The repository's schema/*.hx, copied next to the test assembly.</summary>
    public static IReadOnlyList<SchemaFile> RepositorySchema(string ns = "Acme.Qemu", string generate = "Client;Server") =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "schema"), "*.hx")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new SchemaFile("/schema/" + Path.GetFileName(p), File.ReadAllText(p), ns, generate))
            .ToList();

    /// <summary>This project's source folder, so QMP_UPDATE_GOLDEN=1 rewrites the files in the tree, not in bin/.</summary>
    public static string SourceDirectory() => Qmp.Testing.Repository.PathOf("tests", "Generator.Emit.Tests");

    public sealed record SchemaFile(string Path, string Text, string Namespace, string? Generate = "Client;Server", string? Access = null, string? Diagnostics = null, string? Commands = null, string? Events = null)
    {
        /// <summary>The item's <c>Format</c> metadata (<c>Qapi</c>, <c>Introspection</c>); none when null.</summary>
        public string? Format { get; init; }
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class OptionsProvider(Dictionary<string, SchemaFile> files) : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions s_empty = new(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions => s_empty;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => s_empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        {
            if (!files.TryGetValue(textFile.Path, out var file))
            {
                return s_empty;
            }

            var options = ImmutableDictionary<string, string>.Empty.Add(QmpGenerator.NamespaceMetadata, file.Namespace);
            if (file.Generate is not null)
            {
                options = options.Add(QmpGenerator.GenerateMetadata, file.Generate);
            }

            if (file.Access is not null)
            {
                options = options.Add(QmpGenerator.AccessMetadata, file.Access);
            }

            if (file.Diagnostics is not null)
            {
                options = options.Add(QmpGenerator.DiagnosticsMetadata, file.Diagnostics);
            }

            if (file.Commands is not null)
            {
                options = options.Add(QmpGenerator.CommandsMetadata, file.Commands);
            }

            if (file.Events is not null)
            {
                options = options.Add(QmpGenerator.EventsMetadata, file.Events);
            }

            if (file.Format is not null)
            {
                options = options.Add(QmpGenerator.FormatMetadata, file.Format);
            }

            return new DictionaryOptions(options);
        }
    }

    private sealed class DictionaryOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
