using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>Where things are: the test sources (for golden files) and the repository (schema/, docs/).</summary>
internal static class RepoFiles
{
    /// <summary>This project's source directory, so QMP_UPDATE_GOLDEN=1 rewrites the files in the tree, not in bin/.</summary>
    public static string TestSourceDir { get; } = Qmp.Testing.Repository.PathOf("tests", "Docs.Tests");

    public static string RepoRoot { get; } = Qmp.Testing.Repository.Root;

    public static string CasesDir => Path.Combine(TestSourceDir, "Cases");

    public static string DocsDir => Path.Combine(RepoRoot, "docs");

    public static bool UpdateGolden => Environment.GetEnvironmentVariable("QMP_UPDATE_GOLDEN") == "1";

    /// <summary>Parses files the way the CLI does and renders both pages.</summary>
    public static (string Markdown, string Html) Render(IEnumerable<string> files)
    {
        var list = files.ToList();
        var read = SchemaParser.Read(list.Select(f => new SchemaSource(Path.GetRelativePath(RepoRoot, f), File.ReadAllText(f))));
        var page = DocsBuilder.Build(read, list);
        return (DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    }

    /// <summary>Reads a QAPI top file and its includes the way the CLI does and renders both pages.</summary>
    public static (string Markdown, string Html) RenderQapi(string topFile)
    {
        var page = QapiPage(topFile);
        return (DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    }

    /// <summary>The page of a QAPI top file, read as <c>qmp-codegen docs</c> reads it.</summary>
    public static DocsPage QapiPage(string topFile)
    {
        var input = DocsCommand.ReadQapi(new FileInfo(topFile)) ?? throw new FileNotFoundException(topFile);
        return DocsBuilder.BuildQapi(input.Read, Path.GetFileName(topFile), input.Texts);
    }

    /// <summary>The repository's schema files, in the order a shell glob gives them.</summary>
    public static IReadOnlyList<string> SchemaFiles() =>
        Directory.GetFiles(Path.Combine(RepoRoot, "schema"), "*.hx").Order(StringComparer.Ordinal).ToList();
}
