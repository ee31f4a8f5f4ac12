using System.Text.RegularExpressions;
using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Schema;
using Xunit.Abstractions;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// The page of QEMU 7.2's own QAPI schema (Debian 12's source package, through
/// eng/get-qemu-schema.sh; skipped with the reason without it). Rendered in memory only: the
/// repository never holds a page made from QEMU's schema (it would carry QEMU's prose).
/// </summary>
public sealed partial class Qemu72PageTests(ITestOutputHelper output)
{
    private const string Suite = "bookworm";

    private static readonly Lazy<(DocsPage Page, QmpSchema Schema, string Markdown, string Html)> s_rendered = new(() =>
    {
        var top = TopFile();
        var input = DocsCommand.ReadQapi(new FileInfo(top)) ?? throw new FileNotFoundException(top);
        var page = DocsBuilder.BuildQapi(input.Read, Path.GetFileName(top), input.Texts);
        return (page, input.Read.Schema, DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    });

    internal static string TopFile() => Path.Combine(QemuSources.Get(Suite).Dir!, "qapi", "qapi-schema.json");

    /// <summary>The rendered HTML page, for the Chromium tests.</summary>
    internal static string Html => s_rendered.Value.Html;

    [QemuSchemaFact(Suite)]
    public void Every_command_event_and_named_type_has_a_section()
    {
        var (page, schema, markdown, html) = s_rendered.Value;
        var ids = Ids(html);
        var anchors = MarkdownAnchors(markdown);
        var named = schema.Types.Where(t => t is not SchemaObjectType { IsImplicit: true }).ToList();
        var missing = new List<string>();
        foreach (var c in schema.Commands)
        {
            if (!ids.Contains(c.Name) || !anchors.Contains(c.Name) || !html.Contains($"<section class=\"entry command\" id=\"{c.Name}\">", StringComparison.Ordinal))
            {
                missing.Add("command " + c.Name);
            }
        }
        foreach (var e in schema.Events)
        {
            if (!ids.Contains("event-" + e.Name) || !anchors.Contains("event-" + e.Name))
            {
                missing.Add("event " + e.Name);
            }
        }
        foreach (var t in named)
        {
            var kind = t switch { SchemaObjectType { IsUnion: true } => "union", SchemaObjectType => "struct", SchemaEnumType => "enum", _ => "alternate" };
            if (!html.Contains($"<section class=\"entry {kind}\" id=\"type-{t.Name}\">", StringComparison.Ordinal) || !anchors.Contains("type-" + t.Name))
            {
                missing.Add(kind + " " + t.Name);
            }
        }
        Assert.True(missing.Count == 0, "no section for: " + string.Join(", ", missing));

        // The counts of issue 13 for 7.2, each with its section.
        Assert.Equal(220, schema.Commands.Count);
        Assert.Equal(52, schema.Events.Count);
        Assert.Equal(418, named.Count(t => t is SchemaObjectType { IsUnion: false }));
        Assert.Equal(39, named.Count(t => t is SchemaObjectType { IsUnion: true }));
        Assert.Equal(155, named.Count(t => t is SchemaEnumType));
        Assert.Equal(6, named.Count(t => t is SchemaAlternateType));
        Assert.Equal(page.TypeCount, named.Count);
        output.WriteLine($"QEMU 7.2: {page.CommandCount} commands, {page.EventCount} events, {page.TypeCount} named types, {page.Areas.Count} sections, {page.Prose.Count} introduction blocks, {page.FileCount} files; HTML {html.Length:N0} chars, Markdown {markdown.Length:N0} chars");
    }

    [QemuSchemaFact(Suite)]
    public void Every_link_resolves_to_an_anchor_on_the_page()
    {
        var (_, _, markdown, html) = s_rendered.Value;
        var ids = Ids(html);
        var hrefs = PageText.HtmlHref().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var broken = hrefs.Where(h => !ids.Contains(h)).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(broken.Count == 0, "HTML links without an anchor: " + string.Join(", ", broken.Take(20)));

        var anchors = MarkdownAnchors(markdown);
        var links = PageText.MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        var brokenMd = links.Where(l => !anchors.Contains(l)).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(brokenMd.Count == 0, "Markdown links without an anchor: " + string.Join(", ", brokenMd.Take(20)));

        var typeLinks = hrefs.Count(h => h.StartsWith(DocsBuilder.TypeAnchorPrefix, StringComparison.Ordinal));
        Assert.True(typeLinks > 1000, $"only {typeLinks} links to types");
        Assert.Equal(PageText.HtmlId().Count(html), ids.Count); // no id twice
        output.WriteLine($"HTML: {hrefs.Count:N0} links ({typeLinks:N0} to types) to {ids.Count:N0} anchors; Markdown: {links.Count:N0} links to {anchors.Count:N0} anchors; none broken");

        // @name in the doc text: a link to a member's row or a definition's section, else code.
        var (toRows, toSections, code) = References(html);
        Assert.True(toRows > 100 && toSections > 50, $"only {toRows} references to member rows and {toSections} to sections");
        Assert.Equal(toRows, MarkdownRowReferences(markdown));
        Assert.DoesNotMatch(PageText.Marker(), html + markdown);
        output.WriteLine($"@references: {toRows + toSections:N0} links ({toRows:N0} to member rows, {toSections:N0} to sections), {code:N0} shown as code");
    }

    [QemuSchemaFact(Suite)]
    public void Members_link_their_types_and_features_conditions_and_examples_show()
    {
        var (page, _, _, html) = s_rendered.Value;
        var entries = page.Areas.SelectMany(a => a.Entries).ToDictionary(e => e.Anchor, StringComparer.Ordinal);

        // blockdev-add is boxed: its arguments are the union BlockdevOptions, linked; the union has its branches.
        var add = entries["blockdev-add"];
        Assert.Equal("type-BlockdevOptions", add.ArgumentsLink);
        Assert.Contains("BlockdevOptions arguments", add.ClientSignature, StringComparison.Ordinal);
        var options = entries["type-BlockdevOptions"].Qapi!;
        Assert.Equal("driver", options.Discriminator);
        Assert.Contains(options.Branches, b => b.Name == "qcow2" && b.Link == "type-BlockdevOptionsQcow2");
        Assert.Contains(options.Members, m => m.Name == "driver" && m.Link == "type-BlockdevDriver");

        // query-status returns a linked struct; its example is pretty-printed.
        Assert.Equal("type-StatusInfo", entries["query-status"].ReturnsLink);
        Assert.Contains("\n", entries["query-status"].Qapi!.Examples[0].Messages[1].Text, StringComparison.Ordinal);

        // A struct with a base lists the base's members first, marked with where they come from.
        var withBase = page.Areas.SelectMany(a => a.Entries).First(e => e.Kind == "struct" && e.Qapi!.Base is not null);
        Assert.Equal(withBase.Qapi!.Base, withBase.Qapi.Members[0].From);

        // deprecated and unstable are marked; conditions are sentences.
        Assert.Contains(page.Areas.SelectMany(a => a.Entries), e => e.Qapi!.Badges.Contains("deprecated"));
        Assert.Contains(page.Areas.SelectMany(a => a.Entries), e => e.Qapi!.Badges.Contains("unstable"));
        Assert.StartsWith("Only in QEMU builds with ", entries["query-spice"].Qapi!.ConditionSentence, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge deprecated\">deprecated</span>", html, StringComparison.Ordinal);
        Assert.Equal(page.Areas.Count, page.Areas.Select(a => a.Id).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The page's rendered @references: linked to a member's row (an anchor with a dot), to a section, or code.</summary>
    [QemuSchemaFact(Suite)]
    public void The_introduction_reads_as_QEMUs_manual_shows_it()
    {
        var (_, _, markdown, html) = s_rendered.Value;
        var intro = markdown[markdown.IndexOf("## Introduction", StringComparison.Ordinal)..markdown.IndexOf("<a id=\"area-", StringComparison.Ordinal)];
        // The notation is a literal block (QEMU's '::'), not a paragraph run together; the list a list.
        Assert.Contains("Example:\n\n```\n-> data issued by the Client\n<- Server data response\n```", intro, StringComparison.Ordinal);
        Assert.DoesNotContain("::", intro, StringComparison.Ordinal);
        Assert.Contains("\n2. DO NOT rely on anything which is not explicit documented\n", intro, StringComparison.Ordinal);
        Assert.Contains("<pre><code>-&gt; data issued by the Client\n&lt;- Server data response</code></pre>", html, StringComparison.Ordinal);
    }

    [QemuSchemaFact(Suite)]
    public void Blockdev_add_reaches_every_branch_of_BlockdevOptions()
    {
        var (page, schema, _, html) = s_rendered.Value;
        var command = page.Areas.SelectMany(a => a.Entries).Single(e => e.Anchor == "blockdev-add");
        var union = (SchemaObjectType)schema.Types.Single(t => t.Name == "BlockdevOptions");
        var ids = Ids(html);
        var at = html.IndexOf("<section class=\"entry command\" id=\"blockdev-add\">", StringComparison.Ordinal);
        var section = html[at..html.IndexOf("</section>", at, StringComparison.Ordinal)];
        Assert.Equal("driver", command.Qapi!.Discriminator);
        foreach (var branch in union.Variants!.Branches)
        {
            var row = "type-BlockdevOptions.driver." + branch.Case;
            Assert.Contains(row, ids);
            Assert.Contains("href=\"#" + row + "\"", section, StringComparison.Ordinal);
            Assert.Contains("href=\"#type-" + branch.Type.Name + "\"", section, StringComparison.Ordinal);
        }
    }

    internal static (int ToRows, int ToSections, int Code) References(string html)
    {
        var targets = HtmlReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var toRows = targets.Count(t => t.Contains('.', StringComparison.Ordinal));
        return (toRows, targets.Count - toRows, html.Split("<code class=\"ref\">").Length - 1);
    }

    /// <summary>The Markdown page's references to member rows (code spans linked to an anchor with a dot): as many as the HTML page's.</summary>
    internal static int MarkdownRowReferences(string markdown) => MarkdownRowReference().Count(markdown);

    private static HashSet<string> Ids(string html) =>
        PageText.HtmlId().Matches(html).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> MarkdownAnchors(string markdown) =>
        PageText.MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);





    [GeneratedRegex("<a class=\"ref\" href=\"#([^\"]+)\">")]
    private static partial Regex HtmlReference();

    [GeneratedRegex(@"\[`[^`]+`\]\(#[^)\s]*\.[^)\s]*\)")]
    private static partial Regex MarkdownRowReference();

}
