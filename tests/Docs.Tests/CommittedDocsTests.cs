namespace Qmp.Codegen.Docs.Tests;

/// <summary>The committed docs/ is what schema/*.hx renders to now (CI checks the same from the shell).</summary>
public class CommittedDocsTests
{
    [Fact]
    public void Committed_docs_equal_a_fresh_render_of_the_schema()
    {
        var (markdown, html) = RepoFiles.Render(RepoFiles.SchemaFiles());
        AssertSame(Path.Combine(RepoFiles.DocsDir, "qmp-reference.md"), markdown);
        AssertSame(Path.Combine(RepoFiles.DocsDir, "qmp-reference.html"), html);
    }

    [Fact]
    public void Rendering_is_deterministic_and_carries_no_machine_paths()
    {
        var first = RepoFiles.Render(RepoFiles.SchemaFiles());
        var second = RepoFiles.Render(RepoFiles.SchemaFiles().Reverse());
        Assert.Equal(first.Markdown, second.Markdown);
        Assert.Equal(first.Html, second.Html);
        Assert.DoesNotContain(RepoFiles.RepoRoot, first.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(RepoFiles.RepoRoot, first.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_page_is_self_contained()
    {
        var (_, html) = RepoFiles.Render(RepoFiles.SchemaFiles());
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        // One inline script (the search box), nothing loaded from elsewhere.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Contains("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("fetch(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("XMLHttpRequest", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertSame(string path, string rendered)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run `dotnet build` (or qmp-codegen docs schema/*.hx -o docs/) and commit docs/");
        var committed = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(committed == rendered, $"{path} is stale: the schema or the templates changed; run `dotnet build` and commit docs/");
    }
}
