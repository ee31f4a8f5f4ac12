using Qmp.Codegen.Docs;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// The docs pages' writers of the blocks <see cref="DocReader"/> reads (the generator's XML docs
/// write the same blocks): text runs keep the builder's reference markers (<see cref="DocsText"/>),
/// which become links or code; a reference the builder left as <c>@name</c> is code.
/// </summary>
internal sealed class MarkdownDocWriter(bool cell) : DocWriter
{
    public static MarkdownDocWriter Page { get; } = new(cell: false);

    /// <summary>Inside a table cell: one line, '|' escaped, lists inline.</summary>
    public static MarkdownDocWriter Cell { get; } = new(cell: true);

    protected override string BlockSeparator => cell ? " " : "\n\n";

    protected override string Text(string text) => DocsText.Render(text, cell ? DocsRenderer.MdCell : DocsRenderer.MdText, DocsRenderer.MdReference);

    protected override string Code(string text) => cell ? DocsRenderer.MdCodeCell(text) : DocsRenderer.MdCode(text);

    protected override string Reference(string name) => Code(name);

    protected override string Paragraph(string inlines) => inlines;

    protected override string List(bool numbered, IReadOnlyList<string> items, int start) => cell
        ? string.Join(" ", items.Select((item, i) => (numbered ? (start + i) + ". " : "• ") + item))
        : string.Join("\n", items.Select((item, i) => (numbered ? (start + i) + ". " : "- ") + item));

    protected override string CodeBlock(string text)
    {
        if (cell)
        {
            return Code(text.Replace('\n', ' '));
        }
        var fence = DocsRenderer.MdFence(text);
        return fence + "\n" + text + "\n" + fence;
    }
}

/// <summary>The HTML page's writer: escaped text, references as links or code, <c>&lt;p&gt;</c>, <c>&lt;ul&gt;</c>/<c>&lt;ol&gt;</c>, <c>&lt;pre&gt;</c>.</summary>
internal sealed class HtmlDocWriter : DocWriter
{
    public static HtmlDocWriter Instance { get; } = new();

    protected override string Text(string text) => DocsText.Render(text, System.Net.WebUtility.HtmlEncode, DocsRenderer.HtmlReference);

    protected override string Code(string text) => "<code>" + System.Net.WebUtility.HtmlEncode(text) + "</code>";

    protected override string Reference(string name) => "<code class=\"ref\">" + System.Net.WebUtility.HtmlEncode(name) + "</code>";

    protected override string Paragraph(string inlines) => "<p>" + inlines + "</p>";

    protected override string List(bool numbered, IReadOnlyList<string> items, int start) =>
        (numbered ? (start == 1 ? "<ol>" : "<ol start=\"" + start + "\">") : "<ul>") + string.Concat(items.Select(i => "<li>" + i + "</li>")) + (numbered ? "</ol>" : "</ul>");

    protected override string CodeBlock(string text) => "<pre><code>" + System.Net.WebUtility.HtmlEncode(text) + "</code></pre>";
}
