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
            var idList = PageText.HtmlId().Matches(html).Select(m => m.Groups[1].Value).ToList();
            var ids = idList.ToHashSet(StringComparer.Ordinal);
            Assert.Equal(idList.Count, ids.Count); // no id twice
            // The cases' prose references members, definitions and names with no place on the page.
            Assert.Contains("<a class=\"ref\" href=\"#type-", html, StringComparison.Ordinal);
            Assert.Matches(RowReference(), html);
            var hrefs = PageText.HtmlHref().Matches(html).Select(m => m.Groups[1].Value).ToList();
            Assert.Contains(hrefs, h => h.StartsWith(DocsBuilder.TypeAnchorPrefix, StringComparison.Ordinal));
            Assert.All(hrefs, h => Assert.Contains(h, ids));
            var anchors = PageText.MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            Assert.All(PageText.MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value), l => Assert.Contains(l, anchors));
        }
    }

    [Fact]
    public void References_link_to_the_member_row_else_the_definition_else_show_as_code()
    {
        var page = Page(("top.json", """
            ##
            # = Parts
            #
            # A @Widget is made by @make-widget; @WIDGET_MADE says so.
            ##

            ##
            # @Widget:
            #
            # A widget.  Its @size bounds @weight; mail widgets@example.org.
            #
            # @size: how big, see @Widget
            #
            # @weight: never more than @size allows; unlike @colour
            #
            # Since: 1.0
            ##
            { 'struct': 'Widget', 'data': { 'size': 'int', 'weight': 'int' } }

            ##
            # @make-widget:
            #
            # Make one; @size must be positive, the result a @Widget.
            #
            # @size: how big
            #
            # Since: 1.0
            ##
            { 'command': 'make-widget', 'data': { 'size': 'int' }, 'returns': 'Widget' }

            ##
            # @WIDGET_MADE:
            #
            # A widget was made; @make-widget- says how.
            #
            # Since: 1.0
            ##
            { 'event': 'WIDGET_MADE' }
            """));
        var html = DocsRenderer.RenderHtml(page);
        var markdown = DocsRenderer.RenderMarkdown(page);
        // Prose under a heading: definitions only.
        Assert.Contains("A <a class=\"ref\" href=\"#type-Widget\"><code>Widget</code></a> is made by <a class=\"ref\" href=\"#make-widget\"><code>make-widget</code></a>; <a class=\"ref\" href=\"#event-WIDGET_MADE\"><code>WIDGET_MADE</code></a> says so.", html, StringComparison.Ordinal);
        // A type's own members: their rows, which carry the anchors; an address is no reference.
        Assert.Contains("Its <a class=\"ref\" href=\"#type-Widget.size\"><code>size</code></a> bounds <a class=\"ref\" href=\"#type-Widget.weight\"><code>weight</code></a>; mail widgets@example.org.", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"depth-0\" id=\"type-Widget.size\">", html, StringComparison.Ordinal);
        Assert.Contains("never more than [`size`](#type-Widget.size) allows; unlike `colour` |", markdown, StringComparison.Ordinal);
        Assert.Contains("<a id=\"type-Widget.weight\"></a>`weight`", markdown, StringComparison.Ordinal);
        // The same name in a command's doc is the command's own argument; a name nothing defines is code.
        Assert.Contains("<a class=\"ref\" href=\"#make-widget.size\"><code>size</code></a> must be positive", html, StringComparison.Ordinal);
        Assert.Contains("unlike <code class=\"ref\">colour</code>", html, StringComparison.Ordinal);
        // A trailing '-' is the sentence's, not the name's.
        Assert.Contains("<a class=\"ref\" href=\"#make-widget\"><code>make-widget</code></a>- says how", html, StringComparison.Ordinal);
        Assert.DoesNotContain('@', html[html.IndexOf("<main", StringComparison.Ordinal)..].Replace("widgets@example.org", "", StringComparison.Ordinal));
        Assert.DoesNotMatch(PageText.Marker(), html + markdown);
    }

    [Fact]
    public void A_member_named_twice_anchors_its_first_row_only()
    {
        // A clash (an error QEMU reports too) still renders, and the page keeps its ids unique.
        var page = Page(("top.json", """
            ##
            # @Base:
            #
            # @x: the base's
            #
            # Since: 1.0
            ##
            { 'struct': 'Base', 'data': { 'x': 'int' } }

            ##
            # @Derived:
            #
            # See @x.
            #
            # @x: the derived one's
            #
            # Since: 1.0
            ##
            { 'struct': 'Derived', 'base': 'Base', 'data': { 'x': 'str' } }
            """));
        var derived = Entry(page, "type-Derived");
        Assert.Equal(["type-Derived.x", null], derived.Qapi!.Members.Select(m => m.Anchor));
        var html = DocsRenderer.RenderHtml(page);
        var ids = PageText.HtmlId().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("See <a class=\"ref\" href=\"#type-Derived.x\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Rst_directives_read_as_text_examples_and_notes()
    {
        var page = Page(("top.json", """
            ##
            # @set-mode:
            #
            # Set the mode.
            #
            # @mode: the new mode
            #
            # .. caution:: Old builds ignore @mode.
            #
            # .. admonition:: Notes
            #
            #    1. Takes effect at once.
            #
            #    2. Cannot be undone.
            #
            # .. table:: Modes
            #    :widths: auto
            #
            #    =====  ========
            #    mode   how fast
            #    =====  ========
            #    slow   not very
            #    fast   very
            #    =====  ========
            #
            # .. note:: The mode is kept across resets.
            #
            # Since: 9.0
            #
            # .. qmp-example::
            #    :title: Fast
            #
            #    -> { "execute": "set-mode", "arguments": { "mode": "fast" } }
            #    <- { "return": {} }
            ##
            { 'command': 'set-mode', 'data': { 'mode': 'str' } }
            """));
        var entry = Entry(page, "set-mode");
        Assert.Contains("Caution: Old builds ignore " + DocsText.Reference("mode", "set-mode.mode") + ".", entry.Description);
        Assert.Contains("Notes:", entry.Description);
        // The numbered items, a blank line apart, are one list (DocReader), kept as its text for the page's writers.
        Assert.Contains("1. Takes effect at once.\n2. Cannot be undone.", entry.Description);
        Assert.Contains("Modes:", entry.Description);
        // A simple table: a paragraph per row, cells apart by commas (a cell keeps its single spaces).
        Assert.Equal(["mode, how fast", "slow, not very", "fast, very"], entry.Description.SkipWhile(p => p != "Modes:").Skip(1).Take(3));
        Assert.Equal(["The mode is kept across resets."], entry.Notes);
        var example = Assert.Single(entry.Qapi!.Examples);
        Assert.Equal("Fast", example.Caption);
        Assert.Equal(["->", "<-"], example.Messages.Select(m => m.Arrow));
        Assert.Equal("{\n  \"execute\": \"set-mode\",\n  \"arguments\": {\n    \"mode\": \"fast\"\n  }\n}", example.Messages[0].Text);
        foreach (var text in new[] { DocsRenderer.RenderHtml(page), DocsRenderer.RenderMarkdown(page) })
        {
            Assert.DoesNotMatch(PageText.RawDirective(), text);
            Assert.DoesNotContain(":widths:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("====", text, StringComparison.Ordinal);
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
    public void Sections_stand_where_the_model_says_files_are_included_without_the_texts()
    {
        // The model's modules and includes place lamps.json's section before '== Parts': the texts are
        // only for diagnostics, no include line is read from them again.
        var top = Path.Combine(RepoFiles.CasesDir, "qapi-types.json");
        var read = DocsCommand.ReadQapi(new FileInfo(top))!.Value.Read;
        Assert.Contains(read.Schema.Modules[0].Includes, i => i.Path.EndsWith("lamps.json", StringComparison.Ordinal));
        var page = DocsBuilder.BuildQapi(read, Path.GetFileName(top), texts: null);
        Assert.Equal(["Lamps", "Parts"], page.Areas.Select(a => a.Title));
    }

    [Fact]
    public void Conditions_read_as_sentences()
    {
        var page = RepoFiles.QapiPage(Path.Combine(RepoFiles.CasesDir, "qapi-commands.json"));
        var old = Entry(page, "x-old-flip");
        Assert.Equal("Only in QEMU builds with CONFIG_OLD and without CONFIG_NEW.", old.Qapi!.ConditionSentence);
        Assert.Equal(["deprecated"], old.Qapi.Badges);
        // The feature's text names a command: a reference to its section.
        Assert.Equal("Use " + DocsText.Reference("flip", "flip") + " instead.", Assert.Single(old.Qapi.Features).Description);
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

    /// <summary>
    /// An example is "checked" only when the typed client keeps every member it sends: a member the
    /// schema does not declare is dropped (badged, and listed), except in open arguments
    /// (<c>'gen': false</c>, whose record keeps the rest in <c>AdditionalProperties</c>).
    /// </summary>
    [Fact]
    public void An_example_is_checked_only_when_every_member_it_sends_survives_the_typed_client()
    {
        var page = Page(("top.json", """
            { 'enum': 'Kind', 'data': [ 'disk' ] }
            { 'struct': 'Disk', 'data': { 'path': 'str' } }
            { 'union': 'Node', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind', 'data': { 'disk': 'Disk' } }

            ##
            # @add-device:
            #
            # Adds a device; QEMU takes its properties too.
            #
            # @driver: the driver
            #
            # Example:
            #
            # -> { "execute": "add-device", "arguments": { "driver": "e1000", "mac": "52:54:00:12:34:56" } }
            # <- { "return": {} }
            ##
            { 'command': 'add-device', 'data': { 'driver': 'str' }, 'gen': false }

            ##
            # @add-node:
            #
            # Adds a node.
            #
            # Example:
            #
            # -> { "execute": "add-node", "arguments": { "kind": "disk", "path": "/a", "size": 1 } }
            # <- { "return": {} }
            #
            # Example:
            #
            # -> { "execute": "add-node", "arguments": { "kind": "disk", "path": "/a" } }
            # <- { "return": {} }
            ##
            { 'command': 'add-node', 'data': 'Node', 'boxed': true }
            """));
        var open = Assert.Single(Entry(page, "add-device").Qapi!.Examples);
        Assert.Equal("checked", open.Status);
        Assert.Empty(open.Dropped);
        var node = Entry(page, "add-node").Qapi!.Examples;
        Assert.Equal(("dropped", "size"), (node[0].Status, Assert.Single(node[0].Dropped)));
        Assert.Equal("checked", node[1].Status);
        Assert.Contains("Not kept by the typed client", DocsRenderer.RenderHtml(page), StringComparison.Ordinal);
        Assert.Contains("(dropped)", DocsRenderer.RenderMarkdown(page), StringComparison.Ordinal);
        Assert.Contains("JsonObject? additionalProperties = null", Entry(page, "add-device").ClientSignature, StringComparison.Ordinal);
    }

    /// <summary>
    /// Type sections show the generated C# (a union's branch records by case, <c>Node.Disk</c>), and an
    /// example's caption loses the schema's own numbering (blockdev-add's read "Example 1: 1.").
    /// </summary>
    [Fact]
    public void Types_show_their_csharp_names_and_example_captions_lose_their_numbers()
    {
        var page = Page(("top.json", """
            { 'enum': 'Kind', 'data': [ 'disk', 'null-co' ] }
            { 'struct': 'Disk', 'data': { 'path': 'str' } }
            { 'union': 'Node', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind', 'data': { 'disk': 'Disk' } }

            ##
            # @add-node:
            #
            # Adds a node.
            #
            # Examples:
            #
            # 1.
            #
            # -> { "execute": "add-node", "arguments": { "kind": "disk", "path": "/a" } }
            # <- { "return": {} }
            #
            # 2. A null node
            #
            # -> { "execute": "add-node", "arguments": { "kind": "null-co" } }
            # <- { "return": {} }
            ##
            { 'command': 'add-node', 'data': 'Node', 'boxed': true }
            """));
        var node = Entry(page, "type-Node");
        Assert.Equal(["Node.Disk", "Node.NullCo"], node.Qapi!.Branches.Select(b => b.ClrName));
        Assert.StartsWith("abstract record Node", node.ClientSignature, StringComparison.Ordinal);
        Assert.Equal("sealed record Disk", Entry(page, "type-Disk").ClientSignature);
        var examples = Entry(page, "add-node").Qapi!.Examples;
        Assert.Equal([null, "A null node"], examples.Select(e => e.Caption));
        Assert.DoesNotContain("Example 1</strong>: 1.", DocsRenderer.RenderHtml(page), StringComparison.Ordinal);
    }

    /// <summary>The snippets call the project's client: told its namespace, the page names its class, not a fixed QemuClient in Qemu.</summary>
    [Fact]
    public void Snippets_call_the_client_of_the_namespace_the_page_is_told()
    {
        const string Schema = """
            ##
            # @stop:
            #
            # Stops.
            ##
            { 'command': 'stop' }
            """;
        var read = QapiReader.ReadDetailed("top.json", p => p == "top.json" ? Schema : null);
        var page = DocsBuilder.BuildQapi(read, "top.json", new Dictionary<string, string> { ["top.json"] = Schema }, "Acme.Vm");
        Assert.Equal("Task VmClient.StopAsync(CancellationToken cancellationToken = default)", Entry(page, "stop").ClientSignature);
        var html = DocsRenderer.RenderHtml(page);
        Assert.Contains("(<code>VmClient</code>, namespace <code>Acme.Vm</code>)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("QemuClient", html, StringComparison.Ordinal);
        Assert.Contains("(`VmClient`, namespace `Acme.Vm`)", DocsRenderer.RenderMarkdown(page), StringComparison.Ordinal);
        // Untold, the page keeps its default.
        Assert.Contains("QemuClient.StopAsync", Entry(Page(("top.json", Schema)), "stop").ClientSignature, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_cycle_is_reported_and_its_types_render_nothing()
    {
        const string Schema = """
            ##
            # = Loop
            ##

            ##
            # @Egg:
            #
            # @shell: hard
            #
            # Since: 1.0
            ##
            { 'struct': 'Egg', 'base': 'Chicken', 'data': { 'shell': 'int' } }

            ##
            # @Chicken:
            #
            # @feathers: soft
            #
            # Since: 1.0
            ##
            { 'struct': 'Chicken', 'base': 'Egg', 'data': { 'feathers': 'int' } }

            ##
            # @hatch:
            #
            # Since: 1.0
            ##
            { 'command': 'hatch', 'data': 'Egg', 'returns': 'Chicken' }
            """;
        // As a user runs it first: the stack overflow it once was kills the process, not this test run.
        var dir = Directory.CreateTempSubdirectory("qmp-docs-cycle-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "top.json"), Schema);
            var (exit, _, stderr) = Qmp.Testing.QmpCodegenCli.Run("docs", Path.Combine(dir, "top.json"), "-o", Path.Combine(dir, "out"));
            Assert.True(exit == 1, $"exit {exit}: {stderr}");
            Assert.Contains("2 schema errors", stderr, StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(dir, "out", DocsRenderer.MarkdownFile));
            Assert.Contains("QMP0222", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        var page = Page(("top.json", Schema));
        Assert.Equal(["QMP0222", "QMP0222"], page.OtherDiagnostics.Select(d => d.Id));
        Assert.Contains(page.OtherDiagnostics, d => d.Message == "base of 'Egg': 'Egg' contains itself through its bases");
        // No section for either type, no member of theirs, no link to them; the command still has its section.
        var entries = page.Areas.SelectMany(a => a.Entries).ToList();
        Assert.Equal(["hatch"], entries.Select(e => e.Anchor));
        Assert.Empty(entries[0].Arguments);
        var html = DocsRenderer.RenderHtml(page);
        Assert.DoesNotContain("type-Egg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("feathers", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_text_never_becomes_markup_on_either_page()
    {
        // HTML in every place schema text reaches the page: headings, prose, member docs, Since, an
        // example that closes its code fence, names that close their code spans or table cells
        // (errors the reader reports but keeps), character references.
        var page = Page(("top.json", """
            ##
            # = Intro <img src=x onerror=alert(1)>
            #
            # Text <script>alert(2)</script>, &lt;img src=x onerror=alert(3)&gt; and &#60;img src=x onerror=alert(4)&#62;.
            ##

            ##
            # == Parts <img src=x onerror=alert(5)>
            ##

            ##
            # @Lamp:
            #
            # A lamp <img src=x onerror=alert(6)>.
            #
            # @watts: power <img src=x onerror=alert(7)>
            #
            # Features:
            #
            # @f`<img src=x onerror=alert(8)>: a feature
            #
            # Example:
            #
            # -> { "execute": "x" }
            # <- x
            # ```
            # <img src=x onerror=alert(9)>
            #
            # Since: 1.0 <img src=x onerror=alert(10)>
            ##
            { 'struct': 'Lamp', 'data': { 'watts': 'int' }, 'features': [ 'f`<img src=x onerror=alert(8)>' ] }

            ##
            # @Bad`<img src=x onerror=alert(11)>:
            #
            # Since: 1.0
            ##
            { 'struct': 'Bad`<img src=x onerror=alert(11)>', 'data': { 'x|<img src=x onerror=alert(12)>': 'int', 'y"><img src=x onerror=alert(13)>': 'int' } }

            ##
            # @Colour:
            #
            # Since: 1.0
            ##
            { 'enum': 'Colour', 'data': [ 'red|<img src=x onerror=alert(14)>' ] }
            """));
        var markdown = DocsRenderer.RenderMarkdown(page);
        var html = DocsRenderer.RenderHtml(page);
        // What a Markdown viewer makes of the page (GitHub's tables included): text, never an element of the schema's.
        var viewed = Markdig.Markdown.ToHtml(markdown, Markdig.MarkdownExtensions.UseAdvancedExtensions(new Markdig.MarkdownPipelineBuilder()).Build());
        for (var n = 1; n <= 14; n++)
        {
            Assert.Contains($"alert({n})", markdown, StringComparison.Ordinal); // every payload is on the page
        }
        Assert.DoesNotContain("<img", viewed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", viewed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase)); // the page's own search script
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", viewed, StringComparison.Ordinal);
        // A character reference in the text is shown as written, not decoded into markup.
        Assert.Contains("&amp;lt;img src=x onerror=alert(3)&amp;gt;", viewed, StringComparison.Ordinal);
        Assert.Contains("&amp;#60;img src=x onerror=alert(4)&amp;#62;", viewed, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_a_schema_renders_an_empty_page_with_the_error()
    {
        var page = Page(("top.json", "{ 'struct': "));
        Assert.Empty(page.Areas);
        Assert.NotEmpty(page.OtherDiagnostics);
        Assert.Contains("0 commands", DocsRenderer.RenderMarkdown(page), StringComparison.Ordinal);
    }


    /// <summary>A reference linked to a member's row (its anchor is the entry's, a dot, the member's name).</summary>
    [GeneratedRegex("<a class=\"ref\" href=\"#[^\"]+\\.[^\"]+\">")]
    private static partial Regex RowReference();





}
