using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// Interprets a <c>##</c> block, after QEMU's <c>QAPISchemaParser.get_doc</c> and <c>QAPIDoc</c>,
/// accepting both dialects of the doc comments:
/// <list type="bullet">
/// <item>QEMU 7.2: <c>Note:</c>/<c>Notes:</c> and <c>Example:</c>/<c>Examples:</c> sections; a section
/// whose tag line holds no text runs to the next tag; a free-form block splits at each <c>= Heading</c>.</item>
/// <item>QEMU 10: <c>Errors:</c>, the <c>.. qmp-example::</c> directive (with <c>:title:</c> and
/// <c>:annotated:</c>) and <c>.. note::</c>; continuation lines are those indented.</item>
/// </list>
/// Both read into the same model: a note becomes a <c>Note</c> section, an example an
/// <see cref="SchemaExample"/> whose <c>-&gt;</c>/<c>&lt;-</c> messages are read as JSON leniently.
/// Errors are reported and the line is kept as text.
/// </summary>
internal sealed partial class QapiDocParser
{
    private readonly QapiDocBlock _block;
    private readonly List<SchemaDiagnostic> _diagnostics;
    private readonly List<Line> _lines = new();

    private QapiDocParser(QapiDocBlock block, List<SchemaDiagnostic> diagnostics)
    {
        _block = block;
        _diagnostics = diagnostics;
    }

    /// <summary>A line of the block without its <c>#</c> and the one space after it; <see cref="Offset"/> is where <see cref="Text"/> starts.</summary>
    private readonly record struct Line(string Text, int Offset)
    {
        public bool IsBlank => Text.Length == 0;

        public int Indent
        {
            get
            {
                var i = 0;
                while (i < Text.Length && char.IsWhiteSpace(Text[i]))
                {
                    i++;
                }

                return i;
            }
        }
    }

    public static List<QapiDoc> Parse(QapiDocBlock block, List<SchemaDiagnostic> diagnostics)
    {
        var parser = new QapiDocParser(block, diagnostics);
        var source = block.File.Text;
        parser._lines.Capacity = block.Lines.Count;
        foreach (var raw in block.Lines)
        {
            // The text after '#' runs from raw.Offset + 1 to raw.End; each line is cut out once,
            // without the space after '#' and without trailing white space.
            if (raw.Offset + 1 >= raw.End)
            {
                parser._lines.Add(new Line(string.Empty, raw.Offset + 1));
                continue;
            }
            var start = raw.Offset + 1;
            if (source[start] != ' ')
            {
                parser.Report(raw.Offset, raw.End, "missing space after #");
            }
            else
            {
                start++;
            }

            var end = raw.End;
            while (end > start && char.IsWhiteSpace(source[end - 1]))
            {
                end--;
            }

            parser._lines.Add(new Line(end == start ? string.Empty : source.Substring(start, end - start), start));
        }
        var first = parser._lines.FindIndex(l => !l.IsBlank);
        if (first >= 0 && parser._lines[first].Text.StartsWith("@", StringComparison.Ordinal) && first == 0)
        {
            return new List<QapiDoc> { parser.Definition() };
        }

        return parser.FreeForm();
    }

    private void Report(int start, int end, string message) =>
        _diagnostics.Add(QapiDiagnostics.Make(QapiDiagnostics.DocSyntax, _block.File.Span(start, end), message));

    private void Report(Line line, string message) => Report(line.Offset, line.Offset + line.Text.Length, message);

    private SchemaLocation Span(Line line) => _block.File.Span(line.Offset, line.Offset + line.Text.Length);

    private SchemaLocation BlockSpan(int start, int end) => _block.File.Span(start, end);

    // ---- free-form blocks ----

    private List<QapiDoc> FreeForm()
    {
        var docs = new List<QapiDoc>();
        var start = _block.Start;
        string? heading = null;
        var level = 0;
        var text = new List<Line>();

        void Flush(int end)
        {
            var doc = new QapiDoc(BlockSpan(start, end)) { Heading = heading, HeadingLevel = level, Body = Join(text) };
            ExtractDirectives(doc, text, null);
            doc.Body = Join(text);
            docs.Add(doc);
        }

        foreach (var line in _lines)
        {
            if (AtName(line.Text) is { } name)
            {
                Report(line, "'@" + name + ":' not allowed in free-form documentation");
            }

            if (line.Text.StartsWith("=", StringComparison.Ordinal))
            {
                // QEMU 7.2 splits a block at a heading that follows text; QEMU 10 wants one heading first.
                if (heading is not null || text.Any(l => !l.IsBlank))
                {
                    Flush(line.Offset - 2);
                    start = line.Offset - 2;
                    text.Clear();
                }
                level = 0;
                while (level < line.Text.Length && line.Text[level] == '=')
                {
                    level++;
                }

                heading = line.Text.Substring(level).Trim();
                continue;
            }
            text.Add(line);
        }
        Flush(_block.End);
        return docs;
    }

    // ---- definition blocks ----

    private enum Mode
    {
        Body,
        Arg,
        Feature,
        Tagged,
        Untagged,
    }

    private sealed class Section
    {
        public Section(string tag, Line header) { Tag = tag; Header = header; }

        public string Tag { get; }

        public Line Header { get; }

        public List<Line> Lines { get; } = new();

        /// <summary>The tag line held no text: the section runs to the next tag (QEMU 7.2), unless its first line is indented.</summary>
        public bool Absorbing { get; set; }

        /// <summary>The tag line held text (its first line); the indentation of the lines after it is what a dedent removes.</summary>
        public bool HeaderText { get; set; }
    }

    private QapiDoc Definition()
    {
        var symbolLine = _lines[0];
        var doc = new QapiDoc(BlockSpan(_block.Start, _block.End));
        var symbol = symbolLine.Text.Substring(1);
        if (!symbol.EndsWith(":", StringComparison.Ordinal))
        {
            Report(symbolLine, "line should end with ':'");
        }
        else
        {
            symbol = symbol.Substring(0, symbol.Length - 1);
        }

        if (symbol.Length == 0)
        {
            Report(symbolLine, "a name is required after '@'");
        }

        doc.Symbol = symbol;
        doc.SymbolLocation = Span(symbolLine);

        var body = new List<Line>();
        var sections = new List<Section>();
        QapiDocArg? arg = null;
        var argLines = new List<Line>();
        var argHasText = false;
        // Where the description text starts on the '@name:' line (0: none), how many lines followed
        // it, and the indentation of the first of them: what the de-indent check below compares.
        var argTextColumn = 0;
        var argContinuations = 0;
        var argFirstIndent = 0;
        var mode = Mode.Body;
        var noMoreArgs = false;
        var sawFeatures = false;
        Section? section = null;
        var previousBlank = false;

        void EndArg()
        {
            if (arg is not null)
            {
                arg.Text = Join(Dedent(argLines, headerText: argHasText));
            }

            arg = null;
            argLines.Clear();
            argTextColumn = 0;
        }

        void StartArg(Line line, string name, bool feature)
        {
            EndArg();
            var list = feature ? doc.Features : doc.Args;
            if (name.Length == 0)
            {
                Report(line, "a member name is required after '@'");
            }

            if (list.Exists(a => a.Name == name))
            {
                Report(line, "'" + name + "' is described twice");
            }

            arg = new QapiDocArg(name, Span(line));
            list.Add(arg);
            var text = line.Text.Substring(line.Text.IndexOf(':') + 1).Trim();
            argHasText = text.Length > 0;
            argTextColumn = argHasText ? line.Text.IndexOf(text, line.Text.IndexOf(':'), StringComparison.Ordinal) : 0;
            argContinuations = 0;
            if (argHasText)
            {
                argLines.Add(new Line(text, line.Offset + argTextColumn));
            }

            mode = feature ? Mode.Feature : Mode.Arg;
        }

        void StartSection(Line line, string tag, int textStart)
        {
            EndArg();
            if ((tag == SchemaDoc.Returns || tag == SchemaDoc.Since || tag == SchemaDoc.Errors) && sections.Exists(s => s.Tag == tag))
            {
                Report(line, "duplicated '" + tag + "' section");
            }

            section = new Section(tag, line);
            sections.Add(section);
            var text = line.Text.Substring(textStart).Trim();
            if (text.Length > 0)
            {
                section.Lines.Add(new Line(text, line.Offset + line.Text.IndexOf(text, textStart, StringComparison.Ordinal)));
                section.HeaderText = true;
            }
            else
            {
                section.Absorbing = true;
            }

            mode = tag.Length == 0 ? Mode.Untagged : Mode.Tagged;
            noMoreArgs = true;
        }

        for (var i = 1; i < _lines.Count; i++)
        {
            var line = _lines[i];
            var wasBlank = previousBlank;
            previousBlank = line.IsBlank;
            if (line.IsBlank)
            {
                switch (mode)
                {
                    case Mode.Body: body.Add(line); break;
                    case Mode.Arg: case Mode.Feature: argLines.Add(line); break;
                    default: section!.Lines.Add(line); break;
                }
                continue;
            }
            var indented = line.Indent > 0;
            var atName = indented ? null : AtName(line.Text);
            var tagEnd = 0;
            var tag = indented ? null : Tag(line.Text, out tagEnd);

            // Lines that continue what is open.
            if (mode is Mode.Arg or Mode.Feature && atName is null && tag is null && line.Text != "Features:")
            {
                // QEMU's "unexpected de-indent": the line right after an indented first continuation
                // of '@name: text' is indented less than both it (QEMU 10's get_doc_indented) and
                // the text after '@name: ' (QEMU 7.2's Section.append). Both dialects refuse that.
                if (!wasBlank && argContinuations == 1 && argTextColumn > 0 && argFirstIndent > 0
                    && line.Indent < argFirstIndent && line.Indent < argTextColumn)
                {
                    Report(line, "unexpected de-indent (expected at least " + argFirstIndent.ToString(System.Globalization.CultureInfo.InvariantCulture) + " spaces)");
                }

                if (argContinuations++ == 0)
                {
                    argFirstIndent = wasBlank ? 0 : line.Indent;
                }

                if (indented || (!argHasText && !wasBlank))
                {
                    argLines.Add(line);
                    continue;
                }
                if (!wasBlank)
                {
                    // QEMU 7.2 calls this a de-indent error, QEMU 10 a new paragraph; schemas of both
                    // have it (10.0's audio.json), and its author meant the description to go on.
                    argLines.Add(line);
                    continue;
                }
            }
            if (mode == Mode.Tagged && atName is null && tag is null)
            {
                if (section!.Absorbing && !section.Lines.Exists(l => !l.IsBlank) && indented)
                {
                    section.Absorbing = false;
                }

                if (section.Absorbing || indented)
                {
                    if (!section.Absorbing || !IsDirective(line.Text))
                    {
                        section.Lines.Add(line);
                        continue;
                    }
                }
            }
            if (mode == Mode.Untagged && atName is null && tag is null && line.Text != "Features:")
            {
                section!.Lines.Add(line);
                continue;
            }
            if (mode == Mode.Body && atName is null && tag is null && line.Text != "Features:")
            {
                if (line.Text.StartsWith("=", StringComparison.Ordinal))
                {
                    Report(line, "'=' heading markup is not allowed in a definition's documentation");
                }

                if (doc.Args.Count > 0 || doc.Features.Count > 0 || sections.Count > 0)
                {
                    StartSection(line, SchemaDoc.Untagged, 0);
                    continue;
                }
                body.Add(line);
                continue;
            }

            // Lines that open something new.
            if (line.Text == "Features:")
            {
                EndArg();
                if (sawFeatures)
                {
                    Report(line, "duplicated 'Features:' line");
                }

                sawFeatures = true;
                mode = Mode.Feature;
                argHasText = true;
                continue;
            }
            if (atName is not null)
            {
                if (mode == Mode.Feature)
                {
                    StartArg(line, atName, feature: true);
                    continue;
                }
                if (noMoreArgs || sawFeatures)
                {
                    Report(line, "the description of '@" + atName + ":' follows a section; member descriptions come first");
                }

                StartArg(line, atName, feature: false);
                continue;
            }
            if (tag is not null)
            {
                StartSection(line, tag, tagEnd);
                continue;
            }
            // A paragraph after member or feature descriptions.
            StartSection(line, SchemaDoc.Untagged, 0);
        }
        EndArg();
        doc.Body = Join(body);
        ExtractDirectives(doc, body, symbol);
        doc.Body = Join(body);
        foreach (var s in sections)
        {
            var lines = s.Tag == "Example" || s.Tag.Length == 0 ? s.Lines : Dedent(s.Lines, headerText: s.HeaderText);
            if (s.Tag == "Example")
            {
                foreach (var (group, first) in SplitExamples(lines))
                {
                    doc.Examples.Add(ReadExample(symbol, Caption(group), group, first ? Span(s.Header) : Span(group[0])));
                }

                continue;
            }
            ExtractDirectives(doc, lines, symbol);
            var text = Join(lines);
            if (text.Length == 0)
            {
                if (s.Tag.Length > 0)
                {
                    Report(s.Header, "the '" + s.Tag + "' section is empty");
                }

                continue;
            }
            doc.Sections.Add(new SchemaDocSection(s.Tag, text, Span(s.Header)));
        }
        return doc;
    }

    /// <summary><c>@name:</c> at the start of a line (QEMU: the first word starts with '@' and ends with ':'), or null.</summary>
    private static string? AtName(string text)
    {
        if (!text.StartsWith("@", StringComparison.Ordinal))
        {
            return null;
        }

        var space = text.IndexOf(' ');
        var word = space < 0 ? text : text.Substring(0, space);
        return word.EndsWith(":", StringComparison.Ordinal) ? word.Substring(1, word.Length - 2) : null;
    }

    private static readonly string[] s_tags = { "Returns", "Errors", "Since", "Notes", "Note", "Examples", "Example", "TODO" };

    /// <summary>A section tag (<c>Returns:</c>, ...) at the start of a line, normalized (Notes -> Note, Examples -> Example); <c>Tag::</c> is rST, not a tag.</summary>
    private static string? Tag(string text, out int end)
    {
        end = 0;
        foreach (var tag in s_tags)
        {
            if (text.Length > tag.Length && text.StartsWith(tag, StringComparison.Ordinal) && text[tag.Length] == ':'
                && (text.Length == tag.Length + 1 || text[tag.Length + 1] != ':'))
            {
                end = tag.Length + 1;
                return tag switch
                {
                    "Notes" => SchemaDoc.Note,
                    "Examples" => "Example",
                    _ => tag,
                };
            }
        }
        return null;
    }

    private static bool IsDirective(string text) => text.StartsWith(".. ", StringComparison.Ordinal);

    // ---- text ----

    /// <summary>Removes the indentation the lines share; with <paramref name="headerText"/>, the first line is the text after the tag or name and does not count.</summary>
    private static List<Line> Dedent(List<Line> lines, bool headerText)
    {
        var indent = int.MaxValue;
        var first = headerText ? 1 : 0;
        for (var i = first; i < lines.Count; i++)
        {
            if (!lines[i].IsBlank)
            {
                indent = Math.Min(indent, lines[i].Indent);
            }
        }
        if (indent == int.MaxValue || indent == 0)
        {
            return lines;
        }

        var result = new List<Line>(lines.Count);
        for (var i = 0; i < first && i < lines.Count; i++)
        {
            result.Add(lines[i]);
        }

        for (var i = first; i < lines.Count; i++)
        {
            result.Add(lines[i].IsBlank ? lines[i] : new Line(lines[i].Text.Substring(indent), lines[i].Offset + indent));
        }

        return result;
    }

    /// <summary>The lines as one text, blank lines at either end dropped.</summary>
    private static string Join(List<Line> lines)
    {
        var start = 0;
        var end = lines.Count;
        while (start < end && lines[start].IsBlank)
        {
            start++;
        }

        while (end > start && lines[end - 1].IsBlank)
        {
            end--;
        }

        if (end - start <= 1)
        {
            return end == start ? string.Empty : lines[start].Text;
        }
        // One builder per thread, kept: doc texts are joined by the thousand.
        var sb = s_join ??= new StringBuilder();
        sb.Clear();
        for (var i = start; i < end; i++)
        {
            if (i > start)
            {
                sb.Append('\n');
            }

            sb.Append(lines[i].Text);
        }
        var text = sb.ToString();
        if (sb.Capacity > 1 << 16)
        {
            s_join = null;
        }

        return text;
    }

    [ThreadStatic]
    private static StringBuilder? s_join;
}
