using System.Text.RegularExpressions;
using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Xunit.Abstractions;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// The page of QEMU 10.0's QAPI schema (Debian 13's source package, through
/// eng/get-qemu-schema.sh; skipped with the reason without it): the newer doc dialect, whose
/// examples and notes are rST directives (<c>.. qmp-example::</c>, <c>.. note::</c>). Rendered in
/// memory only, as the 7.2 page is.
/// </summary>
public sealed partial class Qemu10PageTests(ITestOutputHelper output)
{
    private const string Suite = "trixie";

    private static readonly Lazy<(DocsPage Page, QmpSchema Schema, IReadOnlyDictionary<string, string> Texts, string Markdown, string Html)> s_rendered = new(() =>
    {
        var top = Path.Combine(QemuSources.Get(Suite).Dir!, "qapi", "qapi-schema.json");
        var input = DocsCommand.ReadQapi(new FileInfo(top)) ?? throw new FileNotFoundException(top);
        var page = DocsBuilder.BuildQapi(input.Read, Path.GetFileName(top), input.Texts);
        return (page, input.Read.Schema, input.Texts, DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    });

    private static IEnumerable<DocsEntry> Entries(DocsPage page) => page.Areas.SelectMany(a => a.Entries);

    [QemuSchemaFact(Suite)]
    public void Every_command_event_and_named_type_has_a_section()
    {
        var (page, schema, _, markdown, html) = s_rendered.Value;
        Assert.DoesNotContain(schema.Diagnostics, d => d.Severity == SchemaSeverity.Error);
        var sections = Section().Matches(html).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var anchors = PageText.MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var named = schema.Types.Where(t => t is not SchemaObjectType { IsImplicit: true }).ToList();
        var missing = schema.Commands.Select(c => c.Name)
            .Concat(schema.Events.Select(e => "event-" + e.Name))
            .Concat(named.Select(t => DocsBuilder.TypeAnchorPrefix + t.Name))
            .Where(anchor => !sections.Contains(anchor) || !anchors.Contains(anchor))
            .ToList();
        Assert.True(missing.Count == 0, "no section for: " + string.Join(", ", missing));
        Assert.Equal(schema.Commands.Count + schema.Events.Count + named.Count, Entries(page).Count());

        // What Debian 13's QEMU 10.0 defines.
        Assert.Equal(240, page.CommandCount);
        Assert.Equal(56, page.EventCount);
        Assert.Equal(698, page.TypeCount);
        output.WriteLine($"QEMU 10.0: {page.CommandCount} commands, {page.EventCount} events, {page.TypeCount} named types " +
            $"({named.Count(t => t is SchemaObjectType { IsUnion: false })} structs, {named.Count(t => t is SchemaObjectType { IsUnion: true })} unions, " +
            $"{named.Count(t => t is SchemaEnumType)} enums, {named.Count(t => t is SchemaAlternateType)} alternates), {page.Areas.Count} sections, {page.FileCount} files; " +
            $"HTML {html.Length:N0} chars, Markdown {markdown.Length:N0} chars");
    }

    [QemuSchemaFact(Suite)]
    public void Every_link_resolves_and_no_id_is_used_twice()
    {
        var (_, _, _, markdown, html) = s_rendered.Value;
        var idList = PageText.HtmlId().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var ids = idList.ToHashSet(StringComparer.Ordinal);
        var twice = idList.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "ids used twice: " + string.Join(", ", twice.Take(20)));
        var hrefs = PageText.HtmlHref().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var broken = hrefs.Where(h => !ids.Contains(h)).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(broken.Count == 0, "HTML links without an anchor: " + string.Join(", ", broken.Take(20)));

        var anchorList = PageText.MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        var anchors = anchorList.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(anchorList.Count, anchors.Count);
        var links = PageText.MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        var brokenMd = links.Where(l => !anchors.Contains(l)).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(brokenMd.Count == 0, "Markdown links without an anchor: " + string.Join(", ", brokenMd.Take(20)));

        var (toRows, toSections, code) = Qemu72PageTests.References(html);
        Assert.True(toRows > 100 && toSections > 50, $"only {toRows} references to member rows and {toSections} to sections");
        Assert.Equal(toRows, Qemu72PageTests.MarkdownRowReferences(markdown));
        output.WriteLine($"HTML: {hrefs.Count:N0} links to {ids.Count:N0} anchors; Markdown: {links.Count:N0} links to {anchors.Count:N0} anchors; none broken, no id twice");
        output.WriteLine($"@references: {toRows + toSections:N0} links ({toRows:N0} to member rows, {toSections:N0} to sections), {code:N0} shown as code");
    }

    [QemuSchemaFact(Suite)]
    public void Qmp_examples_and_notes_render_as_examples_and_notes_not_as_rst()
    {
        var (page, _, texts, markdown, html) = s_rendered.Value;
        // No directive is left as text, in any dialect of either page.
        foreach (var (name, text) in new[] { ("HTML", html), ("Markdown", markdown) })
        {
            var raw = PageText.RawDirective().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();
            Assert.True(raw.Count == 0, $"{name} page shows rST directives: {string.Join(", ", raw)}");
        }

        // Each '.. qmp-example::' of a definition's doc block is an example of its section, each
        // message pretty-printed (indented over lines); each '.. note::' is under Notes.
        int exampleDirectives = 0, noteDirectives = 0;
        foreach (var text in texts.Values)
        {
            foreach (Match block in DocBlock().Matches(text.Replace("\r\n", "\n", StringComparison.Ordinal)))
            {
                if (!block.Groups["body"].Value.StartsWith("# @", StringComparison.Ordinal))
                {
                    continue; // free-form text: the reader keeps its examples out of the definitions'
                }

                exampleDirectives += ExampleDirective().Count(block.Value);
                noteDirectives += NoteDirective().Count(block.Value);
            }
        }
        var examples = Entries(page).SelectMany(e => e.Qapi!.Examples).ToList();
        Assert.Equal(exampleDirectives, examples.Count);
        var flat = examples.Where(x => x.Status != "unreadable").SelectMany(x => x.Messages).Where(m => !m.Text.Contains('\n', StringComparison.Ordinal)).ToList();
        Assert.True(flat.Count == 0, "messages not pretty-printed: " + string.Join(" | ", flat.Take(5).Select(m => m.Text)));
        var notes = Entries(page).Sum(e => e.Notes.Count);
        Assert.True(notes >= noteDirectives, $"{noteDirectives} notes in the schema, {notes} note paragraphs on the page");
        Assert.True(noteDirectives > 0 && exampleDirectives > 0);
        output.WriteLine($"QEMU 10.0: {exampleDirectives} qmp-example directives -> {examples.Count} examples " +
            $"({examples.Count(x => x.Status == "checked")} checked, {examples.Count(x => x.Status == "repaired")} repaired, {examples.Count(x => x.Status == "unreadable")} unreadable); " +
            $"{noteDirectives} note directives -> {notes} note paragraphs");
    }





    [GeneratedRegex("<section class=\"entry [a-z]+\" id=\"([^\"]+)\">")]
    private static partial Regex Section();


    /// <summary>A doc comment block: a '##' line, comment lines, a '##' line.</summary>
    [GeneratedRegex(@"^##[ \t]*\n(?<body>(?:#(?:[ \t][^\n]*)?\n)*)##", RegexOptions.Multiline)]
    private static partial Regex DocBlock();

    [GeneratedRegex(@"^#[ \t]*\.\. qmp-example::", RegexOptions.Multiline)]
    private static partial Regex ExampleDirective();

    [GeneratedRegex(@"^#[ \t]*\.\. note::", RegexOptions.Multiline)]
    private static partial Regex NoteDirective();
}
