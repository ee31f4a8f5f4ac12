using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Qmp.Codegen.Docs;

/// <summary>
/// Writes <see cref="DocBlock"/>s in one output format: a subclass says how text, code, a reference,
/// a paragraph, a list and a literal block look (XML docs, Markdown, HTML); the walk is the same for all.
/// </summary>
public abstract class DocWriter
{
    /// <summary>Blocks, each written and joined with <see cref="BlockSeparator"/>.</summary>
    public string Write(IEnumerable<DocBlock> blocks)
    {
        var text = new StringBuilder();
        foreach (var block in blocks)
        {
            if (text.Length > 0)
            {
                text.Append(BlockSeparator);
            }
            text.Append(Write(block));
        }
        return text.ToString();
    }

    public string Write(DocBlock block) => block switch
    {
        DocParagraph p => Paragraph(Write(p.Inlines)),
        DocList l => List(l.Numbered, l.Items.Select(Write).ToList(), l.Start),
        DocCodeBlock c => CodeBlock(c.Text),
        _ => string.Empty,
    };

    /// <summary>Inlines written one after another.</summary>
    public string Write(IEnumerable<DocInline> inlines) => string.Concat(inlines.Select(Write));

    public string Write(DocInline inline) => inline switch
    {
        DocPlain t => Text(t.Text),
        DocCode c => Code(c.Text),
        DocReference r => Reference(r.Name),
        _ => string.Empty,
    };

    /// <summary>An error case: "If the device is not found" and its class, as <see cref="ErrorCase"/> words them.</summary>
    public string Write(DocErrorCase error) => ErrorCase(Write(error.When), error.ErrorClass is null ? null : Code(error.ErrorClass));

    /// <summary>Error cases as a list (one item each).</summary>
    public string WriteErrors(IEnumerable<DocErrorCase> errors) => List(false, errors.Select(Write).ToList(), 1);

    protected virtual string BlockSeparator => "\n";

    protected abstract string Text(string text);

    protected abstract string Code(string text);

    /// <summary>An <c>@name</c>: a parameter or type reference, a link, or code, as the output can.</summary>
    protected abstract string Reference(string name);

    protected abstract string Paragraph(string inlines);

    /// <summary>A list of written items; a numbered one counts from <paramref name="start"/>.</summary>
    protected abstract string List(bool numbered, IReadOnlyList<string> items, int start);

    protected abstract string CodeBlock(string text);

    /// <summary>"If the device is not found: <c>DeviceNotFound</c>"; the text alone when the case names no class.</summary>
    protected virtual string ErrorCase(string condition, string? errorClass) => errorClass is null ? condition : condition + ": " + errorClass;
}

/// <summary>
/// Blocks back as the doc text they were read from, in one canonical form (a paragraph on one line,
/// <c>- item</c> or <c>1. item</c> a line, a literal block after <c>::</c>), which
/// <see cref="DocReader.Blocks"/> reads back to the same block: for outputs that carry doc text in
/// strings (the docs' view model) and write it late.
/// </summary>
public sealed class DocSourceWriter : DocWriter
{
    public static DocSourceWriter Instance { get; } = new();

    protected override string BlockSeparator => "\n\n";

    protected override string Text(string text) => text;

    protected override string Code(string text) => "``" + text + "``";

    protected override string Reference(string name) => "@" + name;

    protected override string Paragraph(string inlines) => inlines;

    protected override string List(bool numbered, IReadOnlyList<string> items, int start) =>
        string.Join("\n", items.Select((item, i) => (numbered ? (start + i).ToString(System.Globalization.CultureInfo.InvariantCulture) + ". " : "- ") + item));

    protected override string CodeBlock(string text) => "::\n\n" + string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));
}
