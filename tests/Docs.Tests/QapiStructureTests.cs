using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// The QAPI page's structure on a schema of our own shaped as QEMU 7.2's: its introduction's rST
/// (a literal block after a lone <c>::</c>, an indented numbered list) as QEMU's manual shows it,
/// a boxed union's branches reachable from the command that takes it, and open arguments
/// (<c>'gen': false</c>) shown and checked as the generated records treat them.
/// </summary>
public sealed class QapiStructureTests
{
    private const string Schema = """
        ##
        # = Introduction
        #
        # The following notation is used to denote data flow:
        #
        # Example:
        #
        # ::
        #
        #   -> data issued by the Client
        #   <- Server data response
        #
        # If you adopt this, please observe the following:
        #
        #     1. Read the documentation of each command
        #        you use
        #
        #     2. Check only the "error" key
        #
        ##

        ##
        # = Lamps
        ##

        ##
        # @LampKind:
        #
        # @bulb: a bulb
        #
        # @tube: a tube
        #
        # Since: 1.0
        ##
        { 'enum': 'LampKind', 'data': [ 'bulb', 'tube' ] }

        ##
        # @LampBulb:
        #
        # @watts: how bright
        #
        # Since: 1.0
        ##
        { 'struct': 'LampBulb', 'data': { 'watts': 'int' } }

        ##
        # @Lamp:
        #
        # A lamp.
        #
        # @kind: what it is
        #
        # @name: its name
        #
        # Since: 1.0
        ##
        { 'union': 'Lamp', 'base': { 'kind': 'LampKind', 'name': 'str' },
          'discriminator': 'kind', 'data': { 'bulb': 'LampBulb' } }

        ##
        # @lamp-add:
        #
        # Add a lamp.
        #
        # Since: 1.0
        ##
        { 'command': 'lamp-add', 'data': 'Lamp', 'boxed': true }

        ##
        # @PlugArgs:
        #
        # @socket: where it goes
        #
        # Since: 1.0
        ##
        { 'struct': 'PlugArgs', 'data': { 'socket': 'str' } }

        ##
        # @plug:
        #
        # Plug something in; other members are its properties.
        #
        # Since: 1.0
        #
        # Example:
        #
        # -> { "execute": "plug", "arguments": { "socket": "s1", "volts": 230 } }
        # <- { "return": {} }
        ##
        { 'command': 'plug', 'data': 'PlugArgs', 'gen': false }

        ##
        # @wire:
        #
        # Wire a plug.
        #
        # @plug: what to wire
        #
        # Since: 1.0
        #
        # Example:
        #
        # -> { "execute": "wire", "arguments": { "plug": { "socket": "s2", "volts": 110 } } }
        # <- { "return": {} }
        ##
        { 'command': 'wire', 'data': { 'plug': 'PlugArgs' } }
        """;

    private static readonly Lazy<(DocsPage Page, string Markdown, string Html)> s_rendered = new(() =>
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal) { ["top.json"] = Schema };
        var read = QapiReader.ReadDetailed("top.json", p => texts.GetValueOrDefault(p));
        Assert.DoesNotContain(read.Schema.Diagnostics, d => d.Severity == Qmp.Codegen.Model.SchemaSeverity.Error);
        var page = DocsBuilder.BuildQapi(read, "top.json", texts);
        return (page, DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    });

    private static DocsEntry Entry(string anchor) => s_rendered.Value.Page.Areas.SelectMany(a => a.Entries).Single(e => e.Anchor == anchor);

    /// <summary>The text of one entry's section on the page (from its anchor to the next entry's).</summary>
    private static string Section(string page, string start)
    {
        var at = page.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, "no " + start + " on the page");
        var next = page.IndexOf("<section class=\"entry", at + start.Length, StringComparison.Ordinal);
        return next < 0 ? page[at..] : page[at..next];
    }

    [Fact]
    public void The_introduction_shows_its_literal_block_as_code_and_its_list_as_a_list()
    {
        var (_, markdown, html) = s_rendered.Value;
        var intro = markdown[markdown.IndexOf("## Introduction", StringComparison.Ordinal)..markdown.IndexOf("## Lamps", StringComparison.Ordinal)];
        Assert.DoesNotContain("::", intro, StringComparison.Ordinal);
        Assert.Contains("Example:\n\n```\n-> data issued by the Client\n<- Server data response\n```", intro, StringComparison.Ordinal);
        Assert.Contains("1. Read the documentation of each command you use\n2. Check only the \"error\" key", intro, StringComparison.Ordinal);

        var htmlIntro = html[html.IndexOf("<section class=\"intro\"", StringComparison.Ordinal)..html.IndexOf("</section>", html.IndexOf("<section class=\"intro\"", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.Contains("<pre><code>-&gt; data issued by the Client\n&lt;- Server data response</code></pre>", htmlIntro, StringComparison.Ordinal);
        Assert.Contains("<ol>", htmlIntro, StringComparison.Ordinal);
        Assert.DoesNotContain("::", htmlIntro, StringComparison.Ordinal);
    }

    [Fact]
    public void A_boxed_union_command_lists_the_branches_each_linked_to_its_row_and_its_type()
    {
        var (_, markdown, html) = s_rendered.Value;
        var command = Entry("lamp-add").Qapi!;
        Assert.Equal("kind", command.Discriminator);
        Assert.Equal(["bulb", "tube"], command.Branches.Select(b => b.Name));
        Assert.Equal(["type-Lamp.kind.bulb", "type-Lamp.kind.tube"], Entry("type-Lamp").Qapi!.Branches.Select(b => b.Anchor));

        var section = Section(html, "<section class=\"entry command\" id=\"lamp-add\">");
        Assert.Contains("href=\"#type-Lamp.kind.bulb\"", section, StringComparison.Ordinal);
        Assert.Contains("href=\"#type-LampBulb\"", section, StringComparison.Ordinal);
        Assert.Contains("<tr id=\"type-Lamp.kind.bulb\">", html, StringComparison.Ordinal);
        Assert.Contains("| [`bulb`](#type-Lamp.kind.bulb) | [LampBulb](#type-LampBulb)", markdown, StringComparison.Ordinal);
        Assert.Contains("<a id=\"type-Lamp.kind.tube\"></a>`tube`", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_arguments_are_decided_once_shown_in_the_synopsis_and_kept_nested()
    {
        var (_, markdown, _) = s_rendered.Value;
        var plug = Entry("plug");
        Assert.EndsWith("\"socket\": string, ... } }", plug.Synopsis, StringComparison.Ordinal);
        Assert.Equal("...", plug.Arguments[^1].Name);
        Assert.Equal("checked", plug.Qapi!.Examples.Single().Status);
        // PlugArgs' record keeps what it does not declare (it is gen: false's arguments): nested in
        // wire's arguments too, so wire's example loses nothing.
        var wire = Entry("wire").Qapi!.Examples.Single();
        Assert.Empty(wire.Dropped);
        Assert.Equal("checked", wire.Status);
        Assert.DoesNotContain("Not kept by the typed client", markdown, StringComparison.Ordinal);
    }
}
