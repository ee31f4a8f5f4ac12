using System.Text.RegularExpressions;
using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>The QAPI page on schemas of our own, good and bad: what the entries hold, and that bad text still renders.</summary>
public sealed partial class QapiContentTests
{
    private static DocsPage Page(params (string Path, string Text)[] files)
    {
        var texts = files.ToDictionary(f => f.Path, f => f.Text, StringComparer.Ordinal);
        var read = QapiReader.ReadDetailed(files[0].Path, p => texts.GetValueOrDefault(p));
        return DocsBuilder.BuildQapi(read, files[0].Path, texts);
    }

    private static DocsEntry Entry(DocsPage page, string anchor) => page.Areas.SelectMany(a => a.Entries).Single(e => e.Anchor == anchor);

    [Fact]
    public void Goldens_link_only_to_anchors_on_their_page()
    {
        foreach (var top in Directory.GetFiles(RepoFiles.CasesDir, "*.json"))
        {
            var (markdown, html) = RepoFiles.RenderQapi(top);
            var ids = HtmlId().Matches(html).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var hrefs = HtmlHref().Matches(html).Select(m => m.Groups[1].Value).ToList();
            Assert.Contains(hrefs, h => h.StartsWith(DocsBuilder.TypeAnchorPrefix, StringComparison.Ordinal));
            Assert.All(hrefs, h => Assert.Contains(h, ids));
            var anchors = MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            Assert.All(MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value), l => Assert.Contains(l, anchors));
        }
    }

    [Fact]
    public void Sections_follow_the_headings_in_include_order()
    {
        var page = RepoFiles.QapiPage(Path.Combine(RepoFiles.CasesDir, "qapi-types.json"));
        // lamps.json is included before '== Parts', so its section comes first; '= Lighting' has only text: the introduction.
        Assert.Equal(["Lamps", "Parts"], page.Areas.Select(a => a.Title));
        Assert.Equal("Lighting", Assert.Single(page.Prose).Title);
        Assert.Equal(8, page.TypeCount);
    }

    [Fact]
    public void Conditions_read_as_sentences()
    {
        var page = RepoFiles.QapiPage(Path.Combine(RepoFiles.CasesDir, "qapi-commands.json"));
        var old = Entry(page, "x-old-flip");
        Assert.Equal("Only in QEMU builds with CONFIG_OLD and not CONFIG_NEW.", old.Qapi!.ConditionSentence);
        Assert.Equal(["deprecated"], old.Qapi.Badges);
        Assert.Equal("Use flip instead.", Assert.Single(old.Qapi.Features).Description);
        // A boxed command takes its arguments type; the others take one parameter per member.
        Assert.Contains("(Switch arguments, CancellationToken", Entry(page, "press-boxed").ClientSignature, StringComparison.Ordinal);
        Assert.Contains("(string id, bool on, CancellationToken", Entry(page, "press").ClientSignature, StringComparison.Ordinal);
        // An example keeps every message: the request, the reply and the event after it.
        Assert.Equal(["->", "<-", "<-"], Assert.Single(old.Qapi.Examples).Messages.Select(m => m.Arrow));
    }

    [Fact]
    public void A_schema_with_errors_still_renders_them_where_they_are()
    {
        var page = Page(("top.json", """
            ##
            # = Broken
            ##

            ##
            # @Thing:
            #
            # @part: a part of a type nobody defined
            #
            # Since: 1.0
            ##
            { 'struct': 'Thing', 'data': { 'part': 'Nowhere' } }

            ##
            # @use-thing:
            #
            # Example:
            #
            # -> oops ]]] not json {{
            # <- { "return": {} }
            ##
            { 'command': 'use-thing', 'data': { 'thing': 'Thing' } }

            { 'include': 'missing.json' }
            """));
        var thing = Entry(page, "type-Thing");
        var part = Assert.Single(thing.Qapi!.Members);
        Assert.Null(part.Link); // no section to link to
        Assert.Contains(thing.Diagnostics, d => d.Severity == "error" && d.Message.Contains("Nowhere", StringComparison.Ordinal));
        Assert.Contains(page.OtherDiagnostics, d => d.Message.Contains("missing.json", StringComparison.Ordinal));
        var example = Assert.Single(Entry(page, "use-thing").Qapi!.Examples);
        Assert.Equal("unreadable", example.Status);
        Assert.Contains("oops", example.Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("Nowhere", DocsRenderer.RenderHtml(page), StringComparison.Ordinal);
        Assert.Contains("Nowhere", DocsRenderer.RenderMarkdown(page), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_a_schema_renders_an_empty_page_with_the_error()
    {
        var page = Page(("top.json", "{ 'struct': "));
        Assert.Empty(page.Areas);
        Assert.NotEmpty(page.OtherDiagnostics);
        Assert.Contains("0 commands", DocsRenderer.RenderMarkdown(page), StringComparison.Ordinal);
    }

    [GeneratedRegex("\\sid=\"([^\"]+)\"")]
    private static partial Regex HtmlId();

    [GeneratedRegex("href=\"#([^\"]+)\"")]
    private static partial Regex HtmlHref();

    [GeneratedRegex("<a id=\"([^\"]+)\"></a>")]
    private static partial Regex MarkdownAnchor();

    [GeneratedRegex(@"\]\(#([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
