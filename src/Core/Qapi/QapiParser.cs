using System;
using System.Collections.Generic;
using System.Text;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Qapi;

/// <summary>What the parser read: definitions with their docs, every doc block, the files, the pragmas.</summary>
internal sealed class QapiParseResult
{
    public List<QapiExpression> Expressions { get; } = new();

    /// <summary>Every doc block in order, free-form ones included (QEMU's <c>QAPISchemaParser.docs</c>).</summary>
    public List<QapiDoc> Docs { get; } = new();

    /// <summary>Every file read, the top one first (the build's inputs).</summary>
    public List<QapiFile> Files { get; } = new();

    public QapiPragmas Pragmas { get; } = new();

    public List<SchemaDiagnostic> Diagnostics { get; } = new();
}

/// <summary>
/// Text to expressions, after QEMU's scripts/qapi/parser.py: QAPI's JSON dialect (single-quoted
/// strings with only <c>\\</c> as escape, printable ASCII, <c>true</c>/<c>false</c>, <c>#</c>
/// comments), <c>##</c> doc blocks, <c>include</c> (a path relative to the including file; a file
/// is read once; a loop is an error) and <c>pragma</c>. Where QEMU stops at the first error, this
/// reports it and resumes at the next line that opens a definition or a doc block.
/// The parser reads no files: <c>readFile</c> gives the text of a path, or null.
/// </summary>
internal sealed class QapiParser
{
    /// <summary>Nesting deeper than this is an error rather than a deeper recursion.</summary>
    public const int MaxDepth = 64;

    private readonly Func<string, string?> _readFile;
    private readonly QapiParseResult _result = new();
    private readonly HashSet<string> _included = new(StringComparer.Ordinal);

    private QapiParser(Func<string, string?> readFile) => _readFile = readFile;

    public static QapiParseResult Parse(string path, Func<string, string?> readFile)
    {
        var parser = new QapiParser(readFile);
        var normalized = NormalizePath(path);
        var text = SafeRead(readFile, normalized) ?? SafeRead(readFile, path);
        if (text is null)
        {
            parser._result.Diagnostics.Add(QapiDiagnostics.Make(QapiDiagnostics.IncludeUnreadable, new SchemaLocation(path, 0, 0, 1, 1, 1, 1), path));
            return parser._result;
        }
        parser.ParseFile(new QapiFile(normalized, text, null));
        return parser._result;
    }

    private static string? SafeRead(Func<string, string?> readFile, string path)
    {
        try
        {
            return readFile(path);
        }
        catch (Exception)
        {
            // A resolver that fails is an unreadable file, reported by the caller.
            return null;
        }
    }

    private void ParseFile(QapiFile file)
    {
        _included.Add(file.Path);
        _result.Files.Add(file);
        new FileParser(this, file).Run();
    }

    /// <summary>Joins a relative include to the including file's folder, folding <c>.</c> and <c>..</c>, with <c>/</c> separators.</summary>
    internal static string Combine(string including, string include)
    {
        if (include.StartsWith("/", StringComparison.Ordinal))
        {
            return NormalizePath(include);
        }

        var slash = including.Replace('\\', '/').LastIndexOf('/');
        return NormalizePath(slash < 0 ? include : including.Substring(0, slash + 1) + include);
    }

    internal static string NormalizePath(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        var kept = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "." || (part.Length == 0 && i > 0))
            {
                continue;
            }

            if (part == ".." && kept.Count > 0 && kept[kept.Count - 1] != ".." && kept[kept.Count - 1].Length > 0)
            {
                kept.RemoveAt(kept.Count - 1);
            }
            else
            {
                kept.Add(part);
            }
        }
        return string.Join("/", kept);
    }

    private sealed class SyntaxError : Exception
    {
        public SyntaxError(int offset, string message)
            : base(message) => Offset = offset;

        public int Offset { get; }
    }

    private sealed class FileParser
    {
        private const char Eof = '\0';
        private const char Comment = '#';
        private const char Str = '\'';
        private const char Bool = 't';

        private readonly QapiParser _owner;
        private readonly QapiFile _file;
        private readonly string _text;
        private int _cursor;
        private char _tok;
        private int _tokStart;
        private string? _val;
        private bool _bool;

        /// <summary>Where the current comment token's line ends (before its line break).</summary>
        private int _commentEnd;

        public FileParser(QapiParser owner, QapiFile file)
        {
            _owner = owner;
            _file = file;
            _text = file.Text;
        }

        private List<SchemaDiagnostic> Diagnostics => _owner._result.Diagnostics;

        private void Report(SchemaDiagnosticDescriptor descriptor, int start, int end, params object[] args) =>
            Diagnostics.Add(QapiDiagnostics.Make(descriptor, _file.Span(start, end), args));

        public void Run()
        {
            QapiDoc? current = null;
            if (!TryAdvance(skipComment: true))
            {
                Resync();
            }

            while (_tok != Eof)
            {
                if (_tok == Comment)
                {
                    RejectDoc(current);
                    current = null;
                    foreach (var doc in ReadDocBlock())
                    {
                        _owner._result.Docs.Add(doc);
                        current = doc;
                    }
                    continue;
                }
                var start = _tokStart;
                QapiValue value;
                try
                {
                    value = ReadValue(0);
                }
                catch (SyntaxError error)
                {
                    Report(QapiDiagnostics.Syntax, error.Offset, Math.Min(error.Offset + 1, _text.Length), error.Message);
                    current = null;
                    Resync();
                    continue;
                }
                if (value.Kind != QapiValueKind.Object)
                {
                    Report(QapiDiagnostics.ExpressionKind, start, value.End, "top-level expression must be an object");
                }
                else if (value.Member("include") is { } include)
                {
                    RejectDoc(current);
                    Include(value, include);
                }
                else if (value.Member("pragma") is { } pragma)
                {
                    RejectDoc(current);
                    Pragma(value, pragma);
                }
                else
                {
                    if (current is { Symbol: null })
                    {
                        Report(QapiDiagnostics.DocSyntax, current.Location.Start, current.Location.Start + 2,
                            "a definition needs a definition comment ('@NAME:' first), not a free-form one");
                        current = null;
                    }
                    _owner._result.Expressions.Add(new QapiExpression(value, current));
                }
                current = null;
            }
            RejectDoc(current);
        }

        private void RejectDoc(QapiDoc? doc)
        {
            if (doc?.Symbol is { } symbol)
            {
                Diagnostics.Add(QapiDiagnostics.Make(QapiDiagnostics.DocNotFollowed, doc.SymbolLocation, symbol));
            }
        }

        private void Include(QapiValue expression, QapiMemberSyntax include)
        {
            if (expression.Members.Count != 1)
            {
                Report(QapiDiagnostics.BadDirective, expression.Start, expression.End, "include", "it must have no other key");
                return;
            }
            if (include.Value.Kind != QapiValueKind.String)
            {
                Report(QapiDiagnostics.BadDirective, include.Value.Start, include.Value.End, "include", "its value must be a string");
                return;
            }
            var path = Combine(_file.Path, include.Value.String!);
            _file.Includes.Add(new Schema.SchemaInclude(path, _file.Span(expression.Start, expression.End)));
            for (var f = _file; f is not null; f = f.IncludedBy)
            {
                if (f.Path == path)
                {
                    Report(QapiDiagnostics.IncludeLoop, include.Value.Start, include.Value.End, include.Value.String!);
                    return;
                }
            }
            if (_owner._included.Contains(path))
            {
                return;
            }

            var text = SafeRead(_owner._readFile, path);
            if (text is null)
            {
                Report(QapiDiagnostics.IncludeUnreadable, include.Value.Start, include.Value.End, path);
                return;
            }
            _owner.ParseFile(new QapiFile(path, text, _file));
        }

        private void Pragma(QapiValue expression, QapiMemberSyntax pragma)
        {
            if (expression.Members.Count != 1)
            {
                Report(QapiDiagnostics.BadDirective, expression.Start, expression.End, "pragma", "it must have no other key");
                return;
            }
            if (pragma.Value.Kind != QapiValueKind.Object)
            {
                Report(QapiDiagnostics.BadDirective, pragma.Value.Start, pragma.Value.End, "pragma", "its value must be an object");
                return;
            }
            var pragmas = _owner._result.Pragmas;
            foreach (var member in pragma.Value.Members)
            {
                var value = member.Value;
                switch (member.Key)
                {
                    case "doc-required":
                        if (value.Kind == QapiValueKind.Bool)
                        {
                            pragmas.DocRequired = value.Bool;
                        }
                        else
                        {
                            Report(QapiDiagnostics.BadPragma, value.Start, value.End, member.Key, "must be true or false");
                        }

                        break;
                    case "command-name-exceptions":
                        AddNames(member, pragmas.CommandNameExceptions);
                        break;
                    case "command-returns-exceptions":
                        AddNames(member, pragmas.CommandReturnsExceptions);
                        break;
                    case "member-name-exceptions":
                        AddNames(member, pragmas.MemberNameExceptions);
                        break;
                    case "documentation-exceptions":
                        AddNames(member, pragmas.DocumentationExceptions ??= new HashSet<string>(StringComparer.Ordinal));
                        break;
                    default:
                        Report(QapiDiagnostics.BadPragma, member.KeyStart, member.KeyEnd, member.Key, "is unknown");
                        break;
                }
            }
        }

        private void AddNames(QapiMemberSyntax member, HashSet<string> names)
        {
            if (member.Value.Kind == QapiValueKind.Array && member.Value.Items.TrueForAll(i => i.Kind == QapiValueKind.String))
            {
                foreach (var item in member.Value.Items)
                {
                    names.Add(item.String!);
                }
            }
            else
            {
                Report(QapiDiagnostics.BadPragma, member.Value.Start, member.Value.End, member.Key, "must be an array of strings");
            }
        }

        /// <summary>Skips to the next line that starts with <c>{</c> or <c>#</c>, where a definition or doc block may begin.</summary>
        private void Resync()
        {
            var pos = _tokStart < _cursor ? _cursor : _tokStart + 1;
            while (true)
            {
                var newline = pos >= _text.Length ? -1 : _text.IndexOf('\n', pos);
                if (newline < 0)
                {
                    _cursor = _text.Length;
                    _tok = Eof;
                    _tokStart = _text.Length;
                    return;
                }
                pos = newline + 1;
                if (pos < _text.Length && (_text[pos] == '{' || _text[pos] == '#'))
                {
                    _cursor = pos;
                    if (TryAdvance(skipComment: true))
                    {
                        return;
                    }
                }
            }
        }

        private bool TryAdvance(bool skipComment)
        {
            try
            {
                Advance(skipComment);
                return true;
            }
            catch (SyntaxError error)
            {
                Report(QapiDiagnostics.Syntax, error.Offset, Math.Min(error.Offset + 1, _text.Length), error.Message);
                return false;
            }
        }

        /// <summary>Reads the next token (QEMU's <c>accept</c>); a <c>##</c> comment is always returned, other comments only when <paramref name="skipComment"/> is false.</summary>
        private void Advance(bool skipComment)
        {
            while (true)
            {
                _val = null;
                if (_cursor >= _text.Length)
                {
                    _tok = Eof;
                    _tokStart = _text.Length;
                    return;
                }
                _tokStart = _cursor;
                var c = _text[_cursor++];
                _tok = c;
                switch (c)
                {
                    case '#':
                        {
                            var end = _text.IndexOf('\n', _cursor);
                            if (end < 0)
                            {
                                end = _text.Length;
                            }

                            var isDoc = _cursor < _text.Length && _text[_cursor] == '#';
                            _cursor = end;
                            if (skipComment && !isDoc)
                            {
                                continue;
                            }
                            // The line is not cut out here: the doc block reader cuts what it keeps.
                            _commentEnd = end > _tokStart && _text[end - 1] == '\r' ? end - 1 : end;
                            return;
                        }
                    case '{':
                    case '}':
                    case ':':
                    case ',':
                    case '[':
                    case ']':
                        return;
                    case '\'':
                        _val = ReadString();
                        return;
                    case ' ':
                    case '\t':
                    case '\n':
                    case '\r':
                    case '\f':
                    case '\v':
                        continue;
                }
                if (string.CompareOrdinal(_text, _tokStart, "true", 0, 4) == 0)
                {
                    _tok = Bool;
                    _bool = true;
                    _cursor = _tokStart + 4;
                    return;
                }
                if (string.CompareOrdinal(_text, _tokStart, "false", 0, 5) == 0)
                {
                    _tok = Bool;
                    _bool = false;
                    _cursor = _tokStart + 5;
                    return;
                }
                var stray = _tokStart;
                while (stray < _text.Length && "[]{}:,'\" \t\r\n\f\v".IndexOf(_text[stray]) < 0)
                {
                    stray++;
                }

                if (stray == _tokStart)
                {
                    stray++;
                }

                throw new SyntaxError(_tokStart, "stray '" + Printable(_text.Substring(_tokStart, Math.Min(stray - _tokStart, 40))) + "'");
            }
        }

        private string ReadString()
        {
            // Most strings have no escape and no character in error: cut them from the text. Any
            // other is read again below, character by character, for its value or its error.
            for (var i = _cursor; i < _text.Length; i++)
            {
                var c = _text[i];
                if (c == '\'')
                {
                    var cut = _text.Substring(_cursor, i - _cursor);
                    _cursor = i + 1;
                    return cut;
                }
                if (c == '\\' || c < ' ' || c >= 127)
                {
                    break;
                }
            }
            var value = new StringBuilder();
            var escaped = false;
            while (true)
            {
                if (_cursor >= _text.Length || _text[_cursor] == '\n' || _text[_cursor] == '\r')
                {
                    throw new SyntaxError(_tokStart, "missing terminating \"'\"");
                }

                var c = _text[_cursor++];
                if (escaped)
                {
                    // Only \\ is an escape: the schema has no use for other characters.
                    if (c != '\\')
                    {
                        throw new SyntaxError(_cursor - 2, "unknown escape \\" + Printable(c.ToString()));
                    }

                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                    continue;
                }
                else if (c == '\'')
                {
                    return value.ToString();
                }
                if (c < ' ' || c >= 127)
                {
                    throw new SyntaxError(_cursor - 1, "funny character in string");
                }

                value.Append(c);
            }
        }

        private static string Printable(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                sb.Append(c < ' ' || c >= 127 ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString());
            }

            return sb.ToString();
        }

        private QapiValue ReadValue(int depth)
        {
            if (depth >= MaxDepth)
            {
                throw new SyntaxError(_tokStart, "nested deeper than " + MaxDepth + " levels");
            }

            var start = _tokStart;
            switch (_tok)
            {
                case '{':
                    {
                        var obj = QapiValue.Object(_file, start);
                        Advance(true);
                        ReadMembers(obj, depth);
                        return obj;
                    }
                case '[':
                    {
                        var array = QapiValue.Array(_file, start);
                        Advance(true);
                        ReadItems(array, depth);
                        return array;
                    }
                case Str:
                    {
                        var value = QapiValue.Str(_file, start, _cursor, _val!);
                        Advance(true);
                        return value;
                    }
                case Bool:
                    {
                        var value = QapiValue.Boolean(_file, start, _cursor, _bool);
                        Advance(true);
                        return value;
                    }
                default:
                    throw new SyntaxError(start, "expected '{', '[', string or boolean" + Found());
            }
        }

        private string Found() => _tok switch
        {
            Eof => ", found the end of the file",
            Comment => ", found a documentation comment",
            Str => ", found a string",
            Bool => ", found a boolean",
            _ => ", found '" + _tok + "'",
        };

        private void ReadMembers(QapiValue obj, int depth)
        {
            if (_tok == '}')
            {
                obj.End = _cursor;
                Advance(true);
                return;
            }
            if (_tok != Str)
            {
                throw new SyntaxError(_tokStart, "expected string or '}'" + Found());
            }

            while (true)
            {
                var key = _val!;
                var keyStart = _tokStart;
                var keyEnd = _cursor;
                Advance(true);
                if (_tok != ':')
                {
                    throw new SyntaxError(_tokStart, "expected ':'" + Found());
                }

                Advance(true);
                var value = ReadValue(depth + 1);
                if (obj.Member(key) is not null)
                {
                    Report(QapiDiagnostics.DuplicateKey, keyStart, keyEnd, key);
                }
                else
                {
                    obj.Members.Add(new QapiMemberSyntax(key, keyStart, keyEnd, value));
                }

                if (_tok == '}')
                {
                    obj.End = _cursor;
                    Advance(true);
                    return;
                }
                if (_tok != ',')
                {
                    throw new SyntaxError(_tokStart, "expected ',' or '}'" + Found());
                }

                Advance(true);
                if (_tok != Str)
                {
                    throw new SyntaxError(_tokStart, "expected string" + Found());
                }
            }
        }

        private void ReadItems(QapiValue array, int depth)
        {
            if (_tok == ']')
            {
                array.End = _cursor;
                Advance(true);
                return;
            }
            while (true)
            {
                array.Items.Add(ReadValue(depth + 1));
                if (_tok == ']')
                {
                    array.End = _cursor;
                    Advance(true);
                    return;
                }
                if (_tok != ',')
                {
                    throw new SyntaxError(_tokStart, "expected ',' or ']'" + Found());
                }

                Advance(true);
            }
        }

        /// <summary>Reads a <c>##</c> block (the current token is its opening line) and interprets it.</summary>
        private List<QapiDoc> ReadDocBlock()
        {
            var block = new QapiDocBlock(_file, _tokStart);
            if (_commentEnd - _tokStart != 2)
            {
                Report(QapiDiagnostics.DocSyntax, _tokStart, _commentEnd, "junk after '##' at the start of a documentation comment");
            }

            var closed = false;
            while (true)
            {
                if (!TryAdvance(skipComment: false))
                {
                    Resync();
                    break;
                }
                if (_tok != Comment)
                {
                    Report(QapiDiagnostics.DocSyntax, block.Start, block.Start + 2, "documentation comment must end with '##'");
                    break;
                }
                // The line runs from its '#' at _tokStart to _commentEnd.
                if (_tokStart + 1 < _commentEnd && _text[_tokStart + 1] == '#')
                {
                    if (_commentEnd - _tokStart != 2)
                    {
                        Report(QapiDiagnostics.DocSyntax, _tokStart, _commentEnd, "junk after '##' at the end of a documentation comment");
                    }

                    block.End = _tokStart + 2;
                    closed = true;
                    if (!TryAdvance(skipComment: true))
                    {
                        Resync();
                    }

                    break;
                }
                block.Lines.Add(new QapiDocLine(_tokStart, _commentEnd));
            }
            if (!closed)
            {
                block.End = block.Lines.Count > 0 ? block.Lines[block.Lines.Count - 1].End : block.Start + 2;
            }

            return QapiDocParser.Parse(block, Diagnostics);
        }
    }
}
