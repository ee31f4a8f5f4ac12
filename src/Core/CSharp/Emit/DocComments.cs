using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>Writes XML documentation comments from the schema's doc blocks.</summary>
internal static class DocComments
{
    /// <summary>Where a doc comment line wraps: the text after <c>/// </c> stays within this many characters.</summary>
    private const int Width = 120;

    /// <summary>
    /// Writes <c>&lt;tag&gt;xml&lt;/tag&gt;</c>: on one line when it fits, else the element's text
    /// wrapped at word boundaries between the opening and closing tags on lines of their own.
    /// </summary>
    public static void Element(SourceWriter writer, string tag, string xml, string attributes = "")
    {
        var open = "<" + tag + attributes + ">";
        var close = "</" + tag + ">";
        if (xml.IndexOf('\n') >= 0)
        {
            // A literal block's lines (<code>) keep their line breaks: each line wrapped on its own.
            writer.Line("/// " + open);
            foreach (var part in xml.Split('\n'))
            {
                foreach (var line in Wrap(part))
                {
                    writer.Line("/// " + line);
                }
            }
            writer.Line("/// " + close);
            return;
        }
        if (open.Length + xml.Length + close.Length <= Width)
        {
            writer.Line("/// " + open, xml, 0, xml.Length, close);
            return;
        }
        writer.Line("/// " + open);
        // Words are separated by one space on the wrapped lines, however many the text has.
        while (xml.IndexOf("  ", StringComparison.Ordinal) >= 0)
        {
            xml = xml.Replace("  ", " ");
        }
        // Lines are cut from the text in place (no word list, no line strings): a line runs from
        // its first word to the end of the last word that fits.
        var lineStart = -1;
        var lineEnd = 0;
        var at = 0;
        while (at < xml.Length)
        {
            if (xml[at] == ' ')
            {
                at++;
                continue;
            }
            var wordEnd = xml.IndexOf(' ', at);
            if (wordEnd < 0)
            {
                wordEnd = xml.Length;
            }

            if (lineStart >= 0 && wordEnd - lineStart > Width)
            {
                writer.Line("/// ", xml, lineStart, lineEnd - lineStart);
                lineStart = -1;
            }
            if (lineStart < 0)
            {
                lineStart = at;
            }

            lineEnd = wordEnd;
            at = wordEnd;
        }
        if (lineStart >= 0)
        {
            writer.Line("/// ", xml, lineStart, lineEnd - lineStart);
        }

        writer.Line("/// " + close);
    }

    /// <summary>A value list in doc text: <c>Possible values: "utf8" (default), "base64"</c>, <c>one of "report", "stop"</c>.</summary>
    private static readonly Regex s_valueList = new(@"(?:-\s*)?(?:[Pp]ossible values(?: are)?:?|one of)\s*(?<values>""[^""]*""(?:\s*\([^)]*\))?(?:\s*(?:,|or|and)\s*""[^""]*""(?:\s*\([^)]*\))?)+)\.?", RegexOptions.CultureInvariant);

    private static readonly Regex s_listedValue = new(@"""(?<value>[^""]*)""(?:\s*\((?<note>[^)]*)\))?", RegexOptions.CultureInvariant);

    /// <summary>
    /// A summary from doc text (escaped here) and an XML suffix; a value list in the text
    /// (<c>Possible values: "a", "b"</c>) becomes a <c>&lt;list type="bullet"&gt;</c> after it;
    /// <paramref name="references"/> says what an <c>@name</c> is (<see cref="XmlDocRenderer.References"/>).
    /// </summary>
    public static void SummaryWithValues(SourceWriter writer, string? text, string suffixXml, Func<string, string?>? references = null)
    {
        // The regex is run only on text that has its words: most summaries have neither.
        var match = text is null || (text.IndexOf("ossible values", StringComparison.Ordinal) < 0 && text.IndexOf("one of", StringComparison.Ordinal) < 0)
            ? Match.Empty : s_valueList.Match(text);
        if (!match.Success)
        {
            Element(writer, "summary", (text is null ? string.Empty : XmlDocRenderer.Inline(text, references) + " ") + suffixXml);
            return;
        }
        var prose = (text!.Substring(0, match.Index) + " " + text.Substring(match.Index + match.Length)).Trim().TrimEnd('-', ' ');
        writer.Line("/// <summary>");
        foreach (var line in Wrap((prose.Length == 0 ? string.Empty : XmlDocRenderer.Inline(prose, references) + " ") + suffixXml))
        {
            writer.Line("/// " + line);
        }

        writer.Line("/// <list type=\"bullet\">");
        foreach (Match value in s_listedValue.Matches(match.Groups["values"].Value))
        {
            var note = value.Groups["note"].Success ? " (" + CSharpText.Xml(value.Groups["note"].Value) + ")" : string.Empty;
            writer.Line("/// <item><description><c>" + CSharpText.Xml(value.Groups["value"].Value) + "</c>" + note + "</description></item>");
        }
        writer.Line("/// </list>");
        writer.Line("/// </summary>");
    }

    private static System.Collections.Generic.IEnumerable<string> Wrap(string xml)
    {
        var line = new StringBuilder();
        foreach (var word in xml.Split(' ').Where(w => w.Length > 0))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > Width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }
        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    /// <summary>A summary whose text is already XML (it may contain <c>&lt;c&gt;</c>).</summary>
    public static void SummaryXml(SourceWriter writer, string xml)
    {
        var para = xml.IndexOf("<para>", StringComparison.Ordinal);
        if (para < 0)
        {
            Element(writer, "summary", xml);
            return;
        }
        // Paragraphs on lines of their own ("Since QEMU 1.1." apart from the sentence before it).
        writer.Line("/// <summary>");
        foreach (var line in Wrap(xml.Substring(0, para)))
        {
            writer.Line("/// " + line);
        }

        foreach (var paragraph in xml.Substring(para).Replace("</para><para>", "</para>\n<para>").Split('\n'))
        {
            foreach (var line in Wrap(paragraph))
            {
                writer.Line("/// " + line);
            }
        }
        writer.Line("/// </summary>");
    }

    /// <summary>
    /// A summary from doc text; <paramref name="references"/> says what an <c>@name</c> in it is
    /// (<see cref="XmlDocRenderer.References"/>: a parameter of the member, a generated type), else code.
    /// </summary>
    public static void Summary(SourceWriter writer, string? text, Func<string, string?>? references = null)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            Element(writer, "summary", XmlDocRenderer.Block(text!, references));
        }
    }

    /// <summary>
    /// A member's summary, remarks and example; <paramref name="references"/> as in <see cref="Summary"/>
    /// (for a method: <see cref="XmlDocRenderer.References"/> of its parameters).
    /// </summary>
    public static void Member(SourceWriter writer, DocSpec doc, Func<string, string?>? references = null)
    {
        if (doc.SummaryIsXml)
        {
            SummaryXml(writer, doc.Summary);
        }
        else
        {
            Summary(writer, doc.Summary, references);
        }
        if (doc.Remarks is not null && !doc.RemarksIsXml)
        {
            Element(writer, "remarks", XmlDocRenderer.Block(doc.Remarks, references));
        }
        else if (doc.Remarks is not null && doc.Remarks.IndexOf('\n') < 0)
        {
            Element(writer, "remarks", doc.Remarks);
        }
        else if (doc.Remarks is not null)
        {
            // A paragraph a line ("Since QEMU 7.2." on its own), each wrapped.
            writer.Line("/// <remarks>");
            foreach (var paragraph in doc.Remarks.Split('\n'))
            {
                foreach (var line in Wrap(paragraph))
                {
                    writer.Line("/// " + line);
                }
            }
            writer.Line("/// </remarks>");
        }
        if (doc.ExampleRequest is not null || doc.ExampleReply is not null)
        {
            writer.Line("/// <example>");
            writer.Line("/// <code>");
            if (doc.ExampleRequest is not null)
            {
                writer.Line("/// -> " + CSharpText.Xml(doc.ExampleRequest));
            }

            if (doc.ExampleReply is not null)
            {
                writer.Line("/// &lt;- " + CSharpText.Xml(doc.ExampleReply));
            }

            writer.Line("/// </code>");
            writer.Line("/// </example>");
        }
    }

    /// <summary>An overload documented by another: <c>&lt;inheritdoc cref="..."/&gt;</c>, its own parameters after.</summary>
    public static void InheritFrom(SourceWriter writer, string cref) =>
        writer.Line("/// <inheritdoc cref=\"" + cref + "\"/>");

    public static void Param(SourceWriter writer, string name, string? text, Func<string, string?>? references = null) =>
        Element(writer, "param", string.IsNullOrWhiteSpace(text) ? string.Empty : XmlDocRenderer.Block(text!, references), " name=\"" + name.TrimStart('@') + "\"");

    /// <summary>
    /// The <c>&lt;returns&gt;</c> of a command and, apart from it, its error cases under
    /// <c>&lt;exception&gt;</c>: QEMU's Returns section lists both ("Nothing on success", "If ..., DeviceNotFound").
    /// </summary>
    public static void Returns(SourceWriter writer, DocSpec doc, Func<string, string?>? references = null)
    {
        var (returns, errors) = XmlDocRenderer.Returns(doc.Returns, references);
        if (returns is not null)
        {
            Element(writer, "returns", returns);
        }

        foreach (var xml in new[] { errors, doc.ErrorsXml })
        {
            if (xml is not null)
            {
                Element(writer, "exception", xml, " cref=\"" + XmlDocRenderer.ErrorException + "\"");
            }
        }
    }
}
