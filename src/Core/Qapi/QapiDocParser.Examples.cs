using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

// The rST directives of QEMU 10 docs and the examples of both dialects.
internal sealed partial class QapiDocParser
{
    // ---- rST directives: .. qmp-example:: and .. note:: ----

    /// <summary>Moves every <c>.. qmp-example::</c> out of <paramref name="lines"/> into the doc's examples, every <c>.. note::</c> into a Note section.</summary>
    private void ExtractDirectives(QapiDoc doc, List<Line> lines, string? symbol)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            // Only a line that is a directive is cut: most lines are not.
            var line = lines[i].Text;
            var lead = 0;
            while (lead < line.Length && char.IsWhiteSpace(line[lead]))
            {
                lead++;
            }

            if (string.CompareOrdinal(line, lead, ".. ", 0, 3) != 0)
            {
                continue;
            }

            var trimmed = line.Substring(lead);
            var isExample = trimmed.StartsWith(".. qmp-example::", StringComparison.Ordinal);
            var isNote = trimmed.StartsWith(".. note::", StringComparison.Ordinal);
            if (!isExample && !isNote)
            {
                continue;
            }

            var header = lines[i];
            var indent = header.Indent;
            var argument = trimmed.Substring(trimmed.IndexOf("::", StringComparison.Ordinal) + 2).Trim();
            var end = i + 1;
            while (end < lines.Count && (lines[end].IsBlank || lines[end].Indent > indent))
            {
                end++;
            }

            while (end > i + 1 && lines[end - 1].IsBlank)
            {
                end--;
            }

            var content = lines.GetRange(i + 1, end - i - 1);
            lines.RemoveRange(i, end - i);
            i--;
            if (isExample)
            {
                string? title = null;
                content.RemoveAll(l =>
                {
                    var t = l.Text.TrimStart();
                    if (t.StartsWith(":title:", StringComparison.Ordinal))
                    {
                        title = t.Substring(7).Trim();
                        return true;
                    }
                    return t.StartsWith(":annotated:", StringComparison.Ordinal);
                });
                doc.Examples.Add(ReadExample(symbol, title ?? (argument.Length > 0 ? argument : null), content, Span(header)));
            }
            else
            {
                var text = Join(Dedent(content, headerText: false));
                if (argument.Length > 0)
                {
                    text = text.Length > 0 ? argument + "\n" + text : argument;
                }

                doc.Sections.Add(new SchemaDocSection(SchemaDoc.Note, text, Span(header)));
            }
        }
    }

    // ---- examples ----

    private static bool IsMessage(string trimmed) => trimmed.StartsWith("->", StringComparison.Ordinal) || trimmed.StartsWith("<-", StringComparison.Ordinal);

    /// <summary>
    /// QEMU 7.2 writes several examples in one <c>Example:</c> section, each after its own prose
    /// ("1. Add a node", messages, "2. Remove it", messages): prose after messages starts the next.
    /// </summary>
    private static IEnumerable<(List<Line> Lines, bool First)> SplitExamples(List<Line> lines)
    {
        var group = new List<Line>();
        var sawMessage = false;
        var first = true;
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Text.TrimStart();
            if (IsMessage(trimmed))
            {
                sawMessage = true;
                group.Add(lines[i]);
                // The lines a message runs over belong to it, even when they do not look like JSON.
                while (i + 1 < lines.Count && !lines[i + 1].IsBlank && !IsMessage(lines[i + 1].Text.TrimStart()))
                {
                    group.Add(lines[++i]);
                }

                continue;
            }
            if (!lines[i].IsBlank && sawMessage)
            {
                yield return (group, first);
                group = new List<Line>();
                sawMessage = false;
                first = false;
            }
            group.Add(lines[i]);
        }
        if (group.Exists(l => !l.IsBlank) || first)
        {
            yield return (group, first);
        }
    }

    /// <summary>QEMU 7.2's caption: the prose of an Example section before its first message.</summary>
    private static string? Caption(List<Line> lines)
    {
        var prose = new List<string>();
        foreach (var line in lines)
        {
            var t = line.Text.Trim();
            if (IsMessage(t))
            {
                break;
            }

            if (t.Length > 0)
            {
                prose.Add(t);
            }
        }
        return prose.Count == 0 ? null : string.Join(" ", prose);
    }

    /// <summary>
    /// The messages of an example: a message starts at a line beginning with <c>-&gt;</c> or
    /// <c>&lt;-</c> and runs over the following lines up to a blank line or the next message; its
    /// JSON is read by the lenient reader of example JSON, which repairs what the docs get wrong
    /// (elisions such as <c>...</c> are dropped, each repair named); what still cannot be read
    /// keeps its text, with Json null and a warning.
    /// </summary>
    private SchemaExample ReadExample(string? symbol, string? caption, List<Line> lines, SchemaLocation location)
    {
        var messages = new List<SchemaExampleMessage>();
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Text.TrimStart();
            if (!IsMessage(trimmed))
            {
                continue;
            }

            var direction = trimmed[0] == '-' ? ExampleDirection.ToServer : ExampleDirection.FromServer;
            var text = new StringBuilder(trimmed.Substring(2).Trim());
            var j = i + 1;
            while (j < lines.Count && !lines[j].IsBlank && !IsMessage(lines[j].Text.TrimStart()))
            {
                text.Append('\n').Append(lines[j++].Text);
            }

            var messageText = text.ToString();
            var result = Hx.LenientJsonReader.Read(messageText, 0, messageText.Length);
            var json = result.Value?.ToJson();
            var span = _block.File.Span(lines[i].Offset, lines[j - 1].Offset + lines[j - 1].Text.Length);
            // Examples of free-form text (QEMU 10's notation legend) illustrate, they are no message.
            if (json is null && symbol is not null)
            {
                _diagnostics.Add(QapiDiagnostics.Make(QapiDiagnostics.ExampleNotJson, span, symbol ?? "(free-form)", result.Error?.Message ?? "no JSON value"));
            }

            messages.Add(new SchemaExampleMessage(direction, messageText, json, result.Repairs.Select(r => r.Message).ToEquatableArray(), span));
            i = j - 1;
        }
        return new SchemaExample(caption, messages.ToEquatableArray(), location);
    }
}
