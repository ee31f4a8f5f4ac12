using System.Collections.Generic;
using System.Text;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>
/// Splits one .hx file into its top-level pieces: HXCOMM comments, preprocessor lines, table
/// entries and SQMP..EQMP documentation blocks. It never relies on line breaks: QEMU's file may
/// arrive folded onto one line, where nothing marks the end of a comment but the next piece.
/// </summary>
internal sealed class HxScanner
{
    private readonly SchemaSource _source;
    private readonly string _text;
    private readonly List<SchemaDiagnostic> _diagnostics;
    private readonly List<string> _conditions = new();

    public HxScanner(SchemaSource source, List<SchemaDiagnostic> diagnostics)
    {
        _source = source;
        _text = source.Text;
        _diagnostics = diagnostics;
    }

    public List<HxTableEntry> Entries { get; } = new();

    /// <summary>Documentation blocks: offset just after SQMP, offset of EQMP (or where the block was cut).</summary>
    public List<(int SqmpStart, int BodyStart, int BodyEnd)> DocBlocks { get; } = new();

    public void Scan()
    {
        var pos = 0;
        var length = _text.Length;
        while (true)
        {
            pos = HxText.SkipWhitespace(_text, pos, length);
            if (pos >= length)
            {
                break;
            }

            if (HxText.IsWordAt(_text, pos, "HXCOMM", length))
            {
                pos = ScanComment(pos, length, inDocBlock: false);
            }
            else if (HxText.IsWordAt(_text, pos, "SQMP", length))
            {
                pos = ScanDocBlock(pos);
            }
            else if (_text[pos] == '{')
            {
                pos = ScanTableEntry(pos);
            }
            else if (_text[pos] == '#')
            {
                pos = ScanDirective(pos);
            }
            else
            {
                var end = NextStructural(pos + 1, length, inDocBlock: false);
                Report(SchemaDiagnostics.UnexpectedText, pos, end, 0, Shorten(HxText.Collapse(_text, pos, end)));
                pos = end;
            }
        }
        if (_conditions.Count > 0)
        {
            Report(SchemaDiagnostics.UnbalancedConditional, length, length, 0, _conditions[_conditions.Count - 1]);
        }
    }

    internal static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

    private void Report(SchemaDiagnosticDescriptor descriptor, int start, int end, int form, params string[] args) =>
        _diagnostics.Add(descriptor.Report(_source.Locate(start, end), form, args));

    /// <summary>
    /// A comment runs to the next piece: another HXCOMM, a documentation block (a SQMP that is
    /// followed by a title and its underline), a table entry or a directive; inside a documentation
    /// block, also to its EQMP. Returns the comment's end.
    /// </summary>
    public int ScanComment(int start, int limit, bool inDocBlock)
    {
        var end = NextStructural(start + "HXCOMM".Length, limit, inDocBlock);
        foreach (var marker in new[] { "SQMP", "EQMP" })
        {
            var at = HxText.FindWord(_text, marker, start, end);
            if (at >= 0)
            {
                Report(SchemaDiagnostics.MarkerInComment, at, at + marker.Length, 0, marker);
            }
        }
        return end;
    }

    /// <summary>Offset of the next structural token at or after <paramref name="from"/>, or <paramref name="limit"/>.</summary>
    public int NextStructural(int from, int limit, bool inDocBlock)
    {
        var i = from;
        while (i < limit)
        {
            i = HxText.SkipWhitespace(_text, i, limit);
            if (i >= limit)
            {
                break;
            }

            if (HxText.IsWordAt(_text, i, "HXCOMM", limit))
            {
                return i;
            }

            if (inDocBlock && HxText.IsWordAt(_text, i, "EQMP", limit))
            {
                return i;
            }

            if (HxText.IsWordAt(_text, i, "SQMP", limit) && (inDocBlock || StartsDocBlock(i, limit)))
            {
                return i;
            }

            if (!inDocBlock && IsTableEntryStart(i, limit))
            {
                return i;
            }

            if (!inDocBlock && _text[i] == '#' && IsDirective(i, limit))
            {
                return i;
            }

            i = HxText.WordEnd(_text, i, limit);
        }
        return limit;
    }

    /// <summary>A SQMP whose next few words end in an underline: a real block, not the word in prose.</summary>
    private bool StartsDocBlock(int sqmp, int limit)
    {
        var i = sqmp + 4;
        for (var word = 0; word < 10; word++)
        {
            i = HxText.SkipWhitespace(_text, i, limit);
            if (i >= limit)
            {
                return false;
            }

            var end = HxText.WordEnd(_text, i, limit);
            if (HxText.IsDashRun(_text, i, end))
            {
                return word > 0;
            }

            if (HxText.IsWordAt(_text, i, "HXCOMM", limit) || HxText.IsWordAt(_text, i, "EQMP", limit) || HxText.IsWordAt(_text, i, "SQMP", limit))
            {
                return false;
            }

            i = end;
        }
        return false;
    }

    public bool IsTableEntryStart(int i, int limit)
    {
        if (_text[i] != '{')
        {
            return false;
        }

        var j = HxText.SkipWhitespace(_text, i + 1, limit);
        return j < limit && _text[j] == '.';
    }

    private bool IsDirective(int i, int limit)
    {
        var end = HxText.WordEnd(_text, i, limit);
        var word = _text.Substring(i, end - i);
        return word is "#if" or "#ifdef" or "#ifndef" or "#else" or "#elif" or "#endif";
    }

    private int ScanDirective(int start)
    {
        var length = _text.Length;
        var wordEnd = HxText.WordEnd(_text, start, length);
        var word = _text.Substring(start, wordEnd - start);
        if (!IsDirective(start, length))
        {
            var end = NextStructural(wordEnd, length, inDocBlock: false);
            Report(SchemaDiagnostics.UnexpectedText, start, end, 1, word);
            return end;
        }
        // A directive's operand runs to the end of its line; folded, to the next piece.
        var lineEnd = _text.IndexOf('\n', wordEnd);
        var operandEnd = NextStructural(wordEnd, lineEnd < 0 ? length : lineEnd, inDocBlock: false);
        var operand = HxText.Collapse(_text, wordEnd, operandEnd);
        switch (word)
        {
            case "#if":
                _conditions.Add(operand);
                break;
            case "#ifdef":
                _conditions.Add($"defined({operand})");
                break;
            case "#ifndef":
                _conditions.Add($"!defined({operand})");
                break;
            case "#elif":
            case "#else":
                if (_conditions.Count == 0)
                {
                    Report(SchemaDiagnostics.UnbalancedConditional, start, wordEnd, 1, word);
                    break;
                }
                var previous = _conditions[_conditions.Count - 1];
                _conditions[_conditions.Count - 1] = word == "#else" ? $"!({previous})" : operand;
                break;
            default:
                if (_conditions.Count == 0)
                {
                    Report(SchemaDiagnostics.UnbalancedConditional, start, wordEnd, 2);
                }
                else
                {
                    _conditions.RemoveAt(_conditions.Count - 1);
                }

                break;
        }
        return operandEnd;
    }

    private string? CurrentCondition => _conditions.Count == 0 ? null : string.Join(" && ", _conditions);

    private int ScanDocBlock(int sqmp)
    {
        var length = _text.Length;
        var bodyStart = sqmp + 4;
        var eqmp = HxText.FindWord(_text, "EQMP", bodyStart, length);
        // A block is cut short by the next SQMP or table entry if its EQMP is missing.
        var next = FindNextBlockOrEntry(bodyStart, eqmp < 0 ? length : eqmp);
        if (eqmp < 0 || next >= 0)
        {
            var end = next >= 0 ? next : length;
            Report(SchemaDiagnostics.UnterminatedDocBlock, sqmp, sqmp + 4, 0);
            DocBlocks.Add((sqmp, bodyStart, end));
            return end;
        }
        DocBlocks.Add((sqmp, bodyStart, eqmp));
        return eqmp + 4;
    }

    private int FindNextBlockOrEntry(int from, int limit)
    {
        var i = from;
        while (i < limit)
        {
            i = HxText.SkipWhitespace(_text, i, limit);
            if (i >= limit)
            {
                break;
            }

            if (HxText.IsWordAt(_text, i, "SQMP", limit))
            {
                return i;
            }

            if (_text[i] == '{' && IsTableEntryStart(i, limit) && LooksLikeEntry(i, limit))
            {
                return i;
            }

            i = HxText.WordEnd(_text, i, limit);
        }
        return -1;
    }

    private bool LooksLikeEntry(int i, int limit)
    {
        var j = HxText.SkipWhitespace(_text, i + 1, limit);
        return string.CompareOrdinal(_text, j, ".name", 0, 5) == 0 || string.CompareOrdinal(_text, j, ".event", 0, 6) == 0;
    }

    private int ScanTableEntry(int open)
    {
        var length = _text.Length;
        var entry = new HxTableEntry { Start = open, Condition = CurrentCondition };
        var pos = open + 1;
        while (true)
        {
            pos = HxText.SkipWhitespace(_text, pos, length);
            if (pos >= length)
            {
                return Malformed(open, length, 4);
            }

            var c = _text[pos];
            if (c == '}')
            {
                pos++;
                break;
            }
            if (c == ',')
            {
                pos++;
                continue;
            }
            if (c != '.')
            {
                return Malformed(open, pos, 5, c.ToString());
            }

            var nameStart = pos + 1;
            var nameEnd = nameStart;
            while (nameEnd < length && (char.IsLetterOrDigit(_text[nameEnd]) || _text[nameEnd] is '_' or '.'))
            {
                nameEnd++;
            }

            var field = _text.Substring(nameStart, nameEnd - nameStart);
            pos = HxText.SkipWhitespace(_text, nameEnd, length);
            if (field.Length == 0 || pos >= length || _text[pos] != '=')
            {
                return Malformed(open, pos, 6, field);
            }

            pos = HxText.SkipWhitespace(_text, pos + 1, length);
            if (entry.FieldOffsets.ContainsKey(field))
            {
                return Malformed(open, nameStart - 1, 7, field);
            }

            entry.FieldOffsets[field] = nameStart - 1;
            if (pos < length && _text[pos] == '"')
            {
                var value = new StringBuilder();
                var offsets = new List<int>();
                var literals = 0;
                var first = pos;
                while (pos < length && _text[pos] == '"')
                {
                    literals++;
                    pos++;
                    while (pos < length && _text[pos] != '"')
                    {
                        if (_text[pos] == '\\' && pos + 1 < length)
                        {
                            pos++;
                        }

                        offsets.Add(pos);
                        value.Append(_text[pos]);
                        pos++;
                    }
                    if (pos >= length)
                    {
                        return Malformed(open, first, 8, field);
                    }

                    pos++;
                    pos = HxText.SkipWhitespace(_text, pos, length);
                }
                entry.Strings[field] = new HxStringField(value.ToString(), offsets.ToArray(), literals, first);
            }
            else
            {
                var valueStart = pos;
                while (pos < length && _text[pos] != ',' && _text[pos] != '}')
                {
                    if (_text[pos] == '{' || IsStructuralWord(pos))
                    {
                        return Malformed(open, pos, 9, field);
                    }

                    pos++;
                }
                var expression = HxText.Collapse(_text, valueStart, pos);
                if (expression.Length == 0)
                {
                    return Malformed(open, valueStart, 9, field);
                }

                entry.Expressions[field] = (expression, valueStart);
            }
            // C wants a comma between initializers; anything else means the entry is not what it seems.
            pos = HxText.SkipWhitespace(_text, pos, length);
            if (pos < length && _text[pos] != ',' && _text[pos] != '}')
            {
                return Malformed(open, pos, 10, field);
            }
        }
        entry.End = pos;
        pos = HxText.SkipWhitespace(_text, pos, length);
        if (pos < length && _text[pos] == ',')
        {
            pos++;
        }

        Entries.Add(entry);
        return pos;
    }

    private bool IsStructuralWord(int pos) =>
        HxText.IsWordAt(_text, pos, "SQMP", _text.Length) || HxText.IsWordAt(_text, pos, "EQMP", _text.Length) || HxText.IsWordAt(_text, pos, "HXCOMM", _text.Length);

    /// <summary>Reports form <paramref name="form"/> of <see cref="SchemaDiagnostics.MalformedTableEntry"/> and skips the entry.</summary>
    private int Malformed(int open, int at, int form, params string[] args)
    {
        Report(SchemaDiagnostics.MalformedTableEntry, at, at + 1, form, args);
        // Resynchronise at the next piece so one bad entry costs only itself.
        return NextStructural(open + 1, _text.Length, inDocBlock: false);
    }
}
