using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>A <c>- "name": text (type, optional)</c> item of a documentation block, as written.</summary>
internal sealed class RawItem
{
    public string? Name { get; set; }
    public bool Quoted { get; set; }
    public int NameStart { get; set; }
    public int NameEnd { get; set; }
    public string? Type { get; set; }
    public bool Optional { get; set; }
    public string Description { get; set; } = string.Empty;
    public int Start { get; set; }
    public int End { get; set; }
}

internal sealed class RawExample
{
    public string? Caption { get; set; }
    public LenientJsonResult? Request { get; set; }
    public int RequestStart { get; set; }
    public LenientJsonResult? Reply { get; set; }
    public int ReplyStart { get; set; }
    public int Start { get; set; }
    public int End { get; set; }
}

/// <summary>A documentation block read into its parts, before it is matched to a command.</summary>
internal sealed class RawDoc
{
    public string Title { get; set; } = string.Empty;
    public int TitleStart { get; set; }
    public int TitleEnd { get; set; }
    public int SqmpStart { get; set; }
    public int End { get; set; }
    public string Description { get; set; } = string.Empty;
    public string? ReturnsDescription { get; set; }
    public string ArgumentsIntro { get; set; } = string.Empty;
    public List<RawItem> Arguments { get; } = new();
    public List<RawItem> Returns { get; } = new();
    public List<RawExample> Examples { get; } = new();
    public string Notes { get; set; } = string.Empty;
}

/// <summary>
/// Reads the text between SQMP and EQMP: a title (underlined with dashes), a description,
/// <c>Arguments:</c> (or an event's <c>Data:</c>) items, return member items, <c>-&gt;</c>/<c>&lt;-</c>
/// examples and notes. Works on words, never on lines, so the folded seed reads like the original.
/// </summary>
internal sealed class DocBlockReader
{
    private static readonly Regex s_headingPattern = new(@"(?<!\S)(\d+\.\s+[A-Z][A-Za-z ]*?)\s+(={3,}|-{3,})(?!\S)", RegexOptions.CultureInvariant);
    private static readonly Regex s_quotedName = new(@"^""([^""]+)""\s*:?", RegexOptions.CultureInvariant);
    private static readonly Regex s_unquotedName = new(@"^([A-Za-z][\w-]*)\s*:(?!\S)", RegexOptions.CultureInvariant);
    private static readonly Regex s_returnPhrase = new(@"(?<!\S)Returns?\s+(a|an)\s+json-", RegexOptions.CultureInvariant);
    private static readonly Regex s_noArguments = new(@"^None\.?", RegexOptions.CultureInvariant);
    private static readonly Regex s_exampleNumber = new(@"^\(\d+\):$", RegexOptions.CultureInvariant);

    private readonly SchemaSource _source;
    private readonly string _text;
    private readonly List<SchemaDiagnostic> _diagnostics;

    public DocBlockReader(SchemaSource source, List<SchemaDiagnostic> diagnostics)
    {
        _source = source;
        _text = source.Text;
        _diagnostics = diagnostics;
    }

    public List<ProseBlock> Prose { get; } = new();

    /// <summary>
    /// Reads every block of the file; prose blocks go to <see cref="Prose"/>. First each block's
    /// comments and headings are blanked out in one working copy of the file (offsets stay valid),
    /// then the blocks are read from that copy: two copies of the text in all, not one per block,
    /// and none when no block has anything to blank out.
    /// </summary>
    public List<RawDoc> ReadAll(IEnumerable<(int SqmpStart, int BodyStart, int BodyEnd)> blocks, HxScanner scanner)
    {
        char[]? working = null;
        var pending = new List<(RawDoc Doc, int ContentStart, int BodyEnd)>();
        foreach (var (sqmpStart, bodyStart, bodyEnd) in blocks)
        {
            var doc = ReadTitle(sqmpStart, bodyStart, bodyEnd, out var contentStart);
            if (doc is null)
            {
                continue;
            }

            if (doc.Title.Length > 0)
            {
                BlankForeignText(doc, ref working, contentStart, bodyEnd, scanner);
            }

            pending.Add((doc, contentStart, bodyEnd));
        }
        var blanked = working is null ? _text : new string(working);
        var docs = new List<RawDoc>(pending.Count);
        foreach (var (doc, contentStart, bodyEnd) in pending)
        {
            if (doc.Title.Length > 0)
            {
                ReadContent(doc, blanked, contentStart, bodyEnd);
            }

            docs.Add(doc);
        }
        return docs;
    }

    /// <summary>The title: words up to an underline of dashes. Several words make a prose block (null).</summary>
    private RawDoc? ReadTitle(int sqmpStart, int bodyStart, int bodyEnd, out int contentStart)
    {
        var first = HxText.SkipWhitespace(_text, bodyStart, bodyEnd);
        var underline = -1;
        var underlineEnd = -1;
        var words = 0;
        var i = first;
        contentStart = bodyEnd;
        while (i < bodyEnd && words < 12)
        {
            var end = HxText.WordEnd(_text, i, bodyEnd);
            if (HxText.IsDashRun(_text, i, end))
            {
                underline = i;
                underlineEnd = end;
                break;
            }
            words++;
            i = HxText.SkipWhitespace(_text, end, bodyEnd);
        }
        if (underline >= 0 && words > 1)
        {
            Prose.Add(new ProseBlock(HxText.Collapse(_text, first, underline), HxText.Collapse(_text, underlineEnd, bodyEnd), _source.Locate(sqmpStart, bodyEnd)));
            return null;
        }
        var titleEnd = HxText.WordEnd(_text, first, bodyEnd);
        contentStart = underline >= 0 ? underlineEnd : titleEnd;
        return new RawDoc
        {
            SqmpStart = sqmpStart,
            End = bodyEnd,
            TitleStart = first,
            TitleEnd = titleEnd,
            Title = _text.Substring(first, titleEnd - first),
        };
    }

    /// <summary>
    /// Comments and section headings that sit inside a block are not part of its documentation:
    /// blank them out and report them.
    /// </summary>
    private void BlankForeignText(RawDoc doc, ref char[]? working, int contentStart, int bodyEnd, HxScanner scanner)
    {
        var hx = contentStart;
        var commented = false;
        while ((hx = HxText.FindWord(_text, "HXCOMM", hx, bodyEnd)) >= 0)
        {
            var end = scanner.NextStructural(hx + 6, bodyEnd, inDocBlock: true);
            _diagnostics.Add(SchemaDiagnostics.ForeignTextInDocBlock.Report(_source.Locate(hx, hx + 6), 0, doc.Title));
            working ??= _text.ToCharArray();
            for (var k = hx; k < end; k++)
            {
                working[k] = ' ';
            }

            commented = true;
            hx = end;
        }
        // Headings are looked for with the block's comments blanked out; in a block without
        // comments, in the text itself (the match sees only the block: its start and end bound
        // the lookarounds as the ends of a string would).
        var heading = commented
            ? s_headingPattern.Match(new string(working!, contentStart, bodyEnd - contentStart))
            : s_headingPattern.Match(_text, contentStart, bodyEnd - contentStart);
        for (; heading.Success; heading = heading.NextMatch())
        {
            var start = (commented ? contentStart : 0) + heading.Index;
            var title = HxText.Collapse(heading.Groups[1].Value);
            Prose.Add(new ProseBlock(title, string.Empty, _source.Locate(start, start + heading.Length)));
            _diagnostics.Add(SchemaDiagnostics.ForeignTextInDocBlock.Report(_source.Locate(start, start + heading.Length), 1, title, doc.Title));
            working ??= _text.ToCharArray();
            for (var k = start; k < start + heading.Length; k++)
            {
                working[k] = ' ';
            }
        }
    }

    private enum Section
    {
        Description,
        Arguments,
        Returns,
        Examples,
        Notes,
    }

    private enum MarkKind
    {
        Arguments,
        Examples,
        Notes,
        Item,
        Request,
        Reply,
    }

    private sealed class Mark
    {
        public MarkKind Kind;
        public int Start;
        public int ContentStart;
        public LenientJsonResult? Json;
    }

    private void ReadContent(RawDoc doc, string text, int start, int end)
    {
        var marks = new List<Mark>();
        var i = HxText.SkipWhitespace(text, start, end);
        while (i < end)
        {
            var wordEnd = HxText.WordEnd(text, i, end);
            // Words are compared in place: a doc block has thousands, few of them marks.
            bool Is(string word) => wordEnd - i == word.Length && string.CompareOrdinal(text, i, word, 0, word.Length) == 0;
            var next = HxText.SkipWhitespace(text, wordEnd, end);
            var colon = text[wordEnd - 1] == ':';
            if (Is("Arguments:") || Is("Data:"))
            {
                marks.Add(new Mark { Kind = MarkKind.Arguments, Start = i, ContentStart = wordEnd });
            }
            else if ((Is("Example") || Is("Examples") || Is("Example:") || Is("Examples:")) && (colon || IsExampleNumber(text, next, end)))
            {
                var contentStart = wordEnd;
                if (!colon)
                {
                    contentStart = HxText.WordEnd(text, next, end);
                    wordEnd = contentStart;
                }
                marks.Add(new Mark { Kind = MarkKind.Examples, Start = i, ContentStart = contentStart });
            }
            else if (Is("Note:") || Is("Notes:"))
            {
                marks.Add(new Mark { Kind = MarkKind.Notes, Start = i, ContentStart = wordEnd });
            }
            else if (Is("-"))
            {
                marks.Add(new Mark { Kind = MarkKind.Item, Start = i, ContentStart = wordEnd });
            }
            else if ((Is("->") || Is("<-")) && next < end && text[next] is '{' or '[')
            {
                var json = LenientJsonReader.Read(text, next, end);
                marks.Add(new Mark { Kind = text[i] == '-' ? MarkKind.Request : MarkKind.Reply, Start = i, ContentStart = next, Json = json });
                wordEnd = json.End > next ? json.End : HxText.WordEnd(text, next, end);
            }
            i = HxText.SkipWhitespace(text, wordEnd, end);
        }

        // What follows each mark up to the next one is its content.
        var section = Section.Description;
        RawExample? example = null;
        string? pendingCaption = null;
        var description = Segment(text, start, marks.Count > 0 ? marks[0].Start : end);
        var notes = new StringBuilder();
        for (var m = 0; m < marks.Count; m++)
        {
            var mark = marks[m];
            var contentEnd = m + 1 < marks.Count ? marks[m + 1].Start : end;
            switch (mark.Kind)
            {
                case MarkKind.Arguments:
                    section = Section.Arguments;
                    doc.ArgumentsIntro = Segment(text, mark.ContentStart, contentEnd);
                    if (s_noArguments.Match(doc.ArgumentsIntro) is { Success: true } none)
                    {
                        // "Arguments: None. Return a json-array ...": what follows describes the reply.
                        section = Section.Returns;
                        var after = doc.ArgumentsIntro.Substring(none.Length).Trim();
                        doc.ArgumentsIntro = string.Empty;
                        if (after.Length > 0)
                        {
                            doc.ReturnsDescription = after;
                        }
                    }
                    break;
                case MarkKind.Examples:
                    section = Section.Examples;
                    pendingCaption = NullIfEmpty(Segment(text, mark.ContentStart, contentEnd));
                    break;
                case MarkKind.Notes:
                    section = Section.Notes;
                    Append(notes, Segment(text, mark.ContentStart, contentEnd));
                    break;
                case MarkKind.Item:
                    if (section == Section.Notes || section == Section.Examples)
                    {
                        Append(notes, "- " + Segment(text, mark.ContentStart, contentEnd));
                        break;
                    }
                    var itemEnd = contentEnd;
                    if (section == Section.Arguments)
                    {
                        // "(json-string, optional) Return a json-object with ...": the return part starts mid-item.
                        var phrase = s_returnPhrase.Match(text.Substring(mark.ContentStart, contentEnd - mark.ContentStart));
                        if (phrase.Success)
                        {
                            itemEnd = mark.ContentStart + phrase.Index;
                            doc.ReturnsDescription = Segment(text, itemEnd, contentEnd);
                        }
                    }
                    var item = ReadItem(text, mark.ContentStart, itemEnd);
                    if (section == Section.Description)
                    {
                        section = Section.Returns;
                    }

                    var list = section == Section.Arguments ? doc.Arguments : doc.Returns;
                    if (item.Name is null && list.Count > 0)
                    {
                        // "- Possible values: ..." and the like continue the previous member.
                        var previous = list[list.Count - 1];
                        previous.Description = (previous.Description + " - " + item.Description).Trim();
                    }
                    else if (item.Name is not null)
                    {
                        list.Add(item);
                    }
                    else
                    {
                        if (section == Section.Arguments)
                        {
                            doc.ArgumentsIntro = (doc.ArgumentsIntro + " - " + item.Description).Trim();
                        }
                        else
                        {
                            description = (description + " - " + item.Description).Trim();
                        }
                    }
                    if (itemEnd != contentEnd)
                    {
                        section = Section.Returns;
                    }

                    break;
                case MarkKind.Request:
                    if (section != Section.Notes)
                    {
                        section = Section.Examples;
                    }

                    example = new RawExample { Caption = pendingCaption, Request = mark.Json, RequestStart = mark.ContentStart, Start = mark.Start, End = mark.Json!.End };
                    doc.Examples.Add(example);
                    pendingCaption = NullIfEmpty(Segment(text, mark.Json.End, contentEnd));
                    break;
                case MarkKind.Reply:
                    if (section != Section.Notes)
                    {
                        section = Section.Examples;
                    }

                    if (example is null || example.Reply is not null || pendingCaption is not null)
                    {
                        example = new RawExample { Caption = pendingCaption, Start = mark.Start };
                        doc.Examples.Add(example);
                    }
                    example.Reply = mark.Json;
                    example.ReplyStart = mark.ContentStart;
                    example.End = mark.Json!.End;
                    pendingCaption = NullIfEmpty(Segment(text, mark.Json.End, contentEnd));
                    break;
            }
        }
        if (pendingCaption is not null)
        {
            Append(notes, pendingCaption);
        }

        doc.Description = description;
        doc.Notes = notes.ToString();
    }

    private static bool IsExampleNumber(string text, int at, int end)
    {
        var wordEnd = HxText.WordEnd(text, at, end);
        return s_exampleNumber.IsMatch(text.Substring(at, wordEnd - at));
    }

    private static void Append(StringBuilder builder, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append(' ');
        }

        builder.Append(text);
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string Segment(string text, int start, int end) => end <= start ? string.Empty : HxText.Collapse(text, start, end);

    private RawItem ReadItem(string text, int start, int end)
    {
        start = HxText.SkipWhitespace(text, start, end);
        var content = text.Substring(start, end - start);
        var item = new RawItem { Start = start, End = end };
        var rest = content;
        var quoted = s_quotedName.Match(content);
        var unquoted = quoted.Success ? Match.Empty : s_unquotedName.Match(content);
        if (quoted.Success)
        {
            item.Name = quoted.Groups[1].Value;
            item.Quoted = true;
            item.NameStart = start + quoted.Groups[1].Index - 1;
            item.NameEnd = start + quoted.Groups[1].Index + quoted.Groups[1].Length + 1;
            rest = content.Substring(quoted.Length);
        }
        else if (unquoted.Success)
        {
            item.Name = unquoted.Groups[1].Value;
            item.NameStart = start;
            item.NameEnd = start + unquoted.Groups[1].Length;
            rest = content.Substring(unquoted.Length);
        }
        var restStart = start + (content.Length - rest.Length);
        var type = FindTypeGroup(rest);
        if (type is { } group)
        {
            var inner = rest.Substring(group.Start + 1, group.End - group.Start - 2);
            foreach (var raw in inner.Split(','))
            {
                var token = HxText.Collapse(raw);
                if (token.StartsWith("optional", System.StringComparison.Ordinal))
                {
                    item.Optional = true;
                }
                else if (item.Type is null && IsTypeLike(token))
                {
                    item.Type = CheckType(token, restStart + group.Start + 1 + inner.IndexOf(raw.TrimStart(), System.StringComparison.Ordinal));
                }
            }
            rest = rest.Substring(0, group.Start) + " " + rest.Substring(group.End);
        }
        item.Description = HxText.Collapse(rest);
        if (item.Description.IndexOf("only present", System.StringComparison.OrdinalIgnoreCase) >= 0
            || item.Description.IndexOf("is an optional", System.StringComparison.OrdinalIgnoreCase) >= 0)
        {
            item.Optional = true;
        }

        return item;
    }

    /// <summary>The last parenthesised group that names a JSON type or says "optional".</summary>
    private static (int Start, int End)? FindTypeGroup(string text)
    {
        (int, int)? found = null;
        var depth = 0;
        var open = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                if (depth == 0)
                {
                    open = i;
                }

                depth++;
            }
            else if (text[i] == ')' && depth > 0)
            {
                depth--;
                if (depth == 0)
                {
                    var inner = text.Substring(open + 1, i - open - 1);
                    foreach (var raw in inner.Split(','))
                    {
                        var token = HxText.Collapse(raw);
                        if (IsTypeLike(token) || token.StartsWith("optional", System.StringComparison.Ordinal))
                        {
                            found = (open, i + 1);
                            break;
                        }
                    }
                }
            }
        }
        return found;
    }

    private static readonly Regex s_typeLike = new(@"^(?:j[a-z]{2,4}[-_][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+)$", RegexOptions.CultureInvariant);

    internal static readonly string[] s_knownTypes =
    {
        "json-string", "json-int", "json-bool", "json-number", "json-double", "json-object", "json-array", "json-value", "json-dict",
    };

    private static bool IsTypeLike(string token) => s_typeLike.IsMatch(token);

    /// <summary>Checks a documented type; a misspelt one is reported and read as the type it resembles.</summary>
    private string CheckType(string token, int offset)
    {
        if (System.Array.IndexOf(s_knownTypes, token) >= 0 || char.IsUpper(token[0]))
        {
            return token;
        }

        var guess = Guess(token);
        _diagnostics.Add(guess is null
            ? SchemaDiagnostics.UnknownDocumentedType.Report(_source.Locate(offset, offset + token.Length), 0, token)
            : SchemaDiagnostics.UnknownDocumentedType.Report(_source.Locate(offset, offset + token.Length), 1, token, guess));
        return guess ?? token;
    }

    private static string? Guess(string token)
    {
        var normalized = token.Replace('_', '-');
        if (normalized.StartsWith("josn-", System.StringComparison.Ordinal))
        {
            normalized = "json-" + normalized.Substring(5);
        }

        if (System.Array.IndexOf(s_knownTypes, normalized) >= 0)
        {
            return normalized;
        }

        foreach (var known in s_knownTypes)
        {
            if (normalized.Length >= 7 && known.StartsWith(normalized, System.StringComparison.Ordinal))
            {
                return known;
            }
        }
        return null;
    }
}
