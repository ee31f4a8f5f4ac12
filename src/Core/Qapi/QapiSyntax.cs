using System.Collections.Generic;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Qapi;

/// <summary>One schema file as read: its path, text and line map (for exact locations).</summary>
internal sealed class QapiFile
{
    public QapiFile(string path, string text, QapiFile? includedBy)
    {
        Path = path;
        Text = text;
        IncludedBy = includedBy;
        Lines = new LineMap(text);
    }

    public string Path { get; }

    public string Text { get; }

    public QapiFile? IncludedBy { get; }

    public LineMap Lines { get; }

    /// <summary>The file's <c>include</c> directives, in order, as the model's entities.</summary>
    public List<Schema.SchemaInclude> Includes { get; } = new();

    public SchemaLocation Span(int start, int end)
    {
        if (start < 0)
        {
            start = 0;
        }

        if (start > Text.Length)
        {
            start = Text.Length;
        }

        if (end < start)
        {
            end = start;
        }

        if (end > Text.Length)
        {
            end = Text.Length;
        }

        var (line, column) = Lines.GetPosition(start);
        var (endLine, endColumn) = Lines.GetPosition(end);
        return new SchemaLocation(Path, start, end - start, line, column, endLine, endColumn);
    }
}

internal enum QapiValueKind
{
    Object,
    Array,
    String,
    Bool,
}

/// <summary>
/// A value of QAPI's JSON dialect (objects, arrays, single-quoted strings, true/false; no numbers,
/// no null) with the span it was written at, so every check can point at the exact text.
/// </summary>
internal sealed class QapiValue
{
    private QapiValue(QapiValueKind kind, QapiFile file, int start)
    {
        Kind = kind;
        File = file;
        Start = start;
    }

    public QapiValueKind Kind { get; }

    public QapiFile File { get; }

    public int Start { get; }

    public int End { get; set; }

    public string? String { get; private set; }

    public bool Bool { get; private set; }

    private List<QapiMemberSyntax>? _members;
    private List<QapiValue>? _items;

    /// <summary>An object's members in written order (keys are unique: a duplicate is reported and dropped).</summary>
    /// <remarks>Made when first asked for: most values are strings, which have neither members nor items.</remarks>
    public List<QapiMemberSyntax> Members => _members ??= new List<QapiMemberSyntax>();

    public List<QapiValue> Items => _items ??= new List<QapiValue>();

    public SchemaLocation Location => File.Span(Start, End);

    public static QapiValue Object(QapiFile file, int start) => new(QapiValueKind.Object, file, start);

    public static QapiValue Array(QapiFile file, int start) => new(QapiValueKind.Array, file, start);

    public static QapiValue Str(QapiFile file, int start, int end, string value) => new(QapiValueKind.String, file, start) { End = end, String = value };

    public static QapiValue Boolean(QapiFile file, int start, int end, bool value) => new(QapiValueKind.Bool, file, start) { End = end, Bool = value };

    public QapiMemberSyntax? Member(string key)
    {
        if (_members is null)
        {
            return null;
        }

        foreach (var member in _members)
        {
            if (member.Key == key)
            {
                return member;
            }
        }
        return null;
    }

    public QapiValue? this[string key] => Member(key)?.Value;

    /// <summary>How QEMU's errors name a JSON type.</summary>
    public string Describe() => Kind switch
    {
        QapiValueKind.Object => "an object",
        QapiValueKind.Array => "an array",
        QapiValueKind.String => "a string",
        _ => "a boolean",
    };
}

/// <summary>A key of an object with its value; the key's span locates member-level diagnostics.</summary>
internal sealed class QapiMemberSyntax
{
    public QapiMemberSyntax(string key, int keyStart, int keyEnd, QapiValue value)
    {
        Key = key;
        KeyStart = keyStart;
        KeyEnd = keyEnd;
        Value = value;
    }

    public string Key { get; }

    public int KeyStart { get; }

    public int KeyEnd { get; }

    public QapiValue Value { get; }

    public SchemaLocation KeyLocation => Value.File.Span(KeyStart, KeyEnd);
}

/// <summary>
/// One line of a <c>##</c> documentation block in its file's text: <see cref="Offset"/> is where its
/// <c>#</c> is, <see cref="End"/> where the line ends (before the line break). Only offsets: the
/// doc parser cuts out the text it keeps, once.
/// </summary>
internal readonly record struct QapiDocLine(int Offset, int End);

/// <summary>A whole <c>##</c> ... <c>##</c> block, its lines not yet interpreted.</summary>
internal sealed class QapiDocBlock
{
    public QapiDocBlock(QapiFile file, int start)
    {
        File = file;
        Start = start;
    }

    public QapiFile File { get; }

    public int Start { get; }

    public int End { get; set; }

    public List<QapiDocLine> Lines { get; } = new();
}

/// <summary>A top-level definition (not include or pragma) with the doc comment just before it.</summary>
internal sealed class QapiExpression
{
    public QapiExpression(QapiValue value, QapiDoc? doc)
    {
        Value = value;
        Doc = doc;
    }

    public QapiValue Value { get; }

    public QapiDoc? Doc { get; }
}

/// <summary>The pragmas in force (QEMU shares one set across the include tree, so they are global).</summary>
internal sealed class QapiPragmas
{
    public bool DocRequired { get; set; }

    public HashSet<string> CommandNameExceptions { get; } = new();

    public HashSet<string> CommandReturnsExceptions { get; } = new();

    public HashSet<string> MemberNameExceptions { get; } = new();

    /// <summary>QEMU 10's pragma; its presence opts the schema into "every member of a documented definition is documented".</summary>
    public HashSet<string>? DocumentationExceptions { get; set; }
}
