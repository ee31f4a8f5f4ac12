using System.Text;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>Writes XML documentation comments from the schema's doc blocks.</summary>
internal static class DocComments
{
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\r': break;
                case '\n': builder.Append(' '); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    /// <summary>A summary whose text is already XML (it may contain <c>&lt;c&gt;</c>).</summary>
    public static void SummaryXml(SourceWriter writer, string xml) => writer.Line("/// <summary>" + xml + "</summary>");

    public static void Summary(SourceWriter writer, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
            writer.Line("/// <summary>" + Escape(text!) + "</summary>");
    }

    public static void Member(SourceWriter writer, DocSpec doc, bool summaryIsXml = false)
    {
        if (summaryIsXml)
            SummaryXml(writer, doc.Summary);
        else
            Summary(writer, doc.Summary);
        if (doc.Remarks is not null)
            writer.Line("/// <remarks>" + Escape(doc.Remarks) + "</remarks>");
        if (doc.ExampleRequest is not null || doc.ExampleReply is not null)
        {
            writer.Line("/// <example>");
            writer.Line("/// <code>");
            if (doc.ExampleRequest is not null)
                writer.Line("/// -> " + Escape(doc.ExampleRequest));
            if (doc.ExampleReply is not null)
                writer.Line("/// &lt;- " + Escape(doc.ExampleReply));
            writer.Line("/// </code>");
            writer.Line("/// </example>");
        }
    }

    public static void Param(SourceWriter writer, string name, string? text) =>
        writer.Line("/// <param name=\"" + name.TrimStart('@') + "\">" + (string.IsNullOrWhiteSpace(text) ? string.Empty : Escape(text!)) + "</param>");

    public static void Returns(SourceWriter writer, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
            writer.Line("/// <returns>" + Escape(text!) + "</returns>");
    }
}
