using System;
using System.Collections.Generic;
using System.Globalization;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Introspection;

/// <summary>The QEMU version saved beside a schema (<c>query-version</c>'s answer).</summary>
public sealed record IntrospectedVersion(int Major, int Minor, int Micro, string Package)
{
    public override string ToString() =>
        Major + "." + Minor + "." + Micro + (string.IsNullOrWhiteSpace(Package) ? "" : " (" + Package.Trim() + ")");
}

/// <summary>One entry of a saved answer: its <c>name</c> and its JSON as saved (compact).</summary>
public sealed record SavedEntry(string Name, string Json);

/// <summary>The diagnostics of a saved introspection file (ids kept apart from the .hx and QAPI readers').</summary>
public static class IntrospectionDiagnostics
{
    public static readonly SchemaDiagnosticDescriptor Unreadable = new("QMP0301", SchemaSeverity.Error, "Introspection file is not a query-qmp-schema answer",
        "not strict JSON: {problem}", "{problem}");
    public static readonly SchemaDiagnosticDescriptor Problem = new("QMP0302", SchemaSeverity.Warning, "Introspection schema refers to a type it lacks or lists a name twice",
        "{problem}");
    public static readonly SchemaDiagnosticDescriptor Unsupported = new("QMP0303", SchemaSeverity.Warning, "Introspection entry cannot be represented",
        "entry '{name}' of meta-type '{meta-type}' is left out", "type '{type}' is {what}; read as 'any'");
    public static readonly SchemaDiagnosticDescriptor AlignmentConflict = new("QMP0304", SchemaSeverity.Warning, "Live type pairs with two source types",
        "{conflict}");
    public static readonly SchemaDiagnosticDescriptor InvalidName = new("QMP0305", SchemaSeverity.Error, "Introspection name outside QMP's character set",
        "{what} '{name}' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry {index} is left out");
}

/// <summary>
/// A saved <c>query-qmp-schema</c> answer: the array itself, the reply <c>{"return": [...]}</c>, or
/// what <c>qmp-codegen introspect</c> writes (<c>{"query-version": {...}, "query-qmp-schema": [...]}</c>).
/// The text is parsed with the generator's own JSON reader, strictly (any text a strict reader would
/// refuse is an error, <see cref="IntrospectionDiagnostics.Unreadable"/>); the entries are read by
/// the runtime's reader of the format (<c>Shared/SchemaInfoJsonReader.cs</c>, compiled into both), so
/// the two read the same shapes with the same tolerance (unknown keys skipped, unknown meta-types kept).
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class IntrospectionFile
{
    private IntrospectionFile(string path, SchemaInfo? info, IntrospectedVersion? version, List<SchemaDiagnostic> diagnostics)
    {
        Path = path;
        Info = info;
        Version = version;
        Diagnostics = diagnostics;
    }

    public string Path { get; }

    /// <summary>The schema read; null when the text could not be read (see <see cref="Diagnostics"/>).</summary>
    public SchemaInfo? Info { get; }

    public IntrospectedVersion? Version { get; }

    /// <summary>
    /// The answer's entries as saved, in its order, each as compact JSON with every member it has (a
    /// server generated from the file answers them as they are); empty when the file could not be read.
    /// </summary>
    public IReadOnlyList<SavedEntry> SavedEntries { get; private init; } = Array.Empty<SavedEntry>();

    public IReadOnlyList<SchemaDiagnostic> Diagnostics { get; }

    /// <summary>
    /// Whether a <c>.json</c> schema file is a saved <c>query-qmp-schema</c> answer rather than QAPI:
    /// its first character (after white space) opens a JSON array, or an object whose first key is
    /// double-quoted. QAPI's dialect has only single-quoted strings and its files start with
    /// <c>#</c> comments or <c>{ 'include'</c>, so no QAPI file looks like this. The package's props
    /// apply the same rule (a regular expression) to decide whether to add a top file's folder.
    /// </summary>
    public static bool LooksLikeIntrospection(string text)
    {
        if (text is null)
        {
            return false;
        }

        var i = 0;
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == '\uFEFF'))
        {
            i++;
        }

        if (i == text.Length)
        {
            return false;
        }

        if (text[i] == '[')
        {
            return true;
        }

        if (text[i] != '{')
        {
            return false;
        }

        i++;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i < text.Length && text[i] == '"';
    }

    public static IntrospectionFile Read(string text, string path)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var diagnostics = new List<SchemaDiagnostic>();
        var location = new SchemaLocation(path ?? string.Empty, 0, 0, 1, 1, 1, 1);
        var result = LenientJsonReader.Read(text, 0, text.Length);
        var end = result.End;
        while (end < text.Length && char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        if (result.Value is null || result.Repairs.Count > 0 || end < text.Length)
        {
            var why = result.Error?.Message ?? (result.Repairs.Count > 0 ? result.Repairs[0].Message : "text follows the JSON value");
            var offset = result.Error?.Offset ?? (result.Repairs.Count > 0 ? result.Repairs[0].Offset : end);
            diagnostics.Add(IntrospectionDiagnostics.Unreadable.Report(At(text, path, offset), 0, why));
            return new IntrospectionFile(path ?? string.Empty, null, null, diagnostics);
        }
        try
        {
            var root = new Node(result.Value);
            var array = SchemaInfoJsonReader.SchemaArray(root);
            IntrospectedVersion? version = null;
            if (SchemaInfoJsonReader.TryVersion(root, out var v))
            {
                version = new IntrospectedVersion(v.Major, v.Minor, v.Micro, v.Package);
            }

            var bad = new List<(int Index, SchemaInfoBadName Name)>();
            var info = SchemaInfoJsonReader.Entries(array, bad);
            foreach (var (index, name) in bad)
            {
                diagnostics.Add(IntrospectionDiagnostics.InvalidName.Report(At(text, path, name.Offset), name.What, SchemaNames.Printable(name.Name),
                    index.ToString(CultureInfo.InvariantCulture)));
            }
            foreach (var problem in info.Problems)
            {
                diagnostics.Add(IntrospectionDiagnostics.Problem.Report(location, problem));
            }

            var saved = new List<SavedEntry>(array.Items.Count);
            foreach (var item in array.Items)
            {
                saved.Add(new SavedEntry(item.TryGet("name", out var name) && name.Kind == SchemaJsonKind.String ? name.Text : string.Empty, item.ToJson()));
            }

            return new IntrospectionFile(path ?? string.Empty, info, version, diagnostics) { SavedEntries = saved };
        }
        catch (SchemaInfoFormatException e)
        {
            // A malformed entry is located where it starts, so the IDE goes to it in a file of one line.
            var at = e.Index >= 0 && EntryOffset(text, e.Index) is var offset and >= 0 ? At(text, path, offset) : location;
            diagnostics.Add(IntrospectionDiagnostics.Unreadable.Report(at, 1, e.Message));
            return new IntrospectionFile(path ?? string.Empty, null, null, diagnostics);
        }
    }

    /// <summary>A value of the strict JSON read, as the shared reader of the format sees it.</summary>
    private readonly struct Node : ISchemaJson<Node>
    {
        private readonly LenientJsonValue _value;

        public Node(LenientJsonValue value) => _value = value;

        public SchemaJsonKind Kind => _value.Kind switch
        {
            LenientJsonKind.Object => SchemaJsonKind.Object,
            LenientJsonKind.Array => SchemaJsonKind.Array,
            LenientJsonKind.String => SchemaJsonKind.String,
            LenientJsonKind.True => SchemaJsonKind.True,
            LenientJsonKind.False => SchemaJsonKind.False,
            _ => SchemaJsonKind.Other,
        };

        public string Text => _value.Text;

        public int Offset => _value.Offset;

        /// <summary>The value as compact JSON, as it was saved.</summary>
        public string ToJson() => _value.ToJson();

        public IReadOnlyList<Node> Items
        {
            get
            {
                var items = new List<Node>(_value.Items.Count);
                foreach (var item in _value.Items)
                {
                    items.Add(new Node(item));
                }

                return items;
            }
        }

        public bool TryGet(string key, out Node value)
        {
            if (_value.Kind == LenientJsonKind.Object && _value[key] is { } found)
            {
                value = new Node(found);
                return true;
            }
            value = default;
            return false;
        }
    }

    /// <summary>
    /// The schema as a doc-less <see cref="QmpSchema"/>, types named by where they are used; with
    /// <paramref name="source"/>, names and docs come from it wherever the alignment pairs a type
    /// (see <see cref="IntrospectedSchema"/>).
    /// </summary>
    public QmpSchema ToSchema(QmpSchema? source = null)
    {
        if (Info is null)
        {
            return QmpSchema.Empty with { Diagnostics = new Helpers.EquatableArray<SchemaDiagnostic>(Diagnostics) };
        }

        var schema = IntrospectedSchema.Build(Info, Path, source);
        var all = new List<SchemaDiagnostic>(Diagnostics);
        all.AddRange(schema.Diagnostics);
        return schema with { Diagnostics = new Helpers.EquatableArray<SchemaDiagnostic>(all) };
    }

    private static SchemaLocation At(string text, string? path, int offset)
    {
        offset = Math.Max(0, Math.Min(offset, text.Length));
        int line = 1, column = 1;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new SchemaLocation(path ?? string.Empty, offset, 0, line, column, line, column);
    }

    /// <summary>
    /// Where entry <paramref name="index"/> of the schema array starts in <paramref name="text"/> (strict
    /// JSON, read already): in the root array, or in the value of <c>return</c> (else
    /// <c>query-qmp-schema</c>) of the root object, as <see cref="Read"/> takes them; -1 when not found.
    /// </summary>
    private static int EntryOffset(string text, int index)
    {
        var root = SkipWhiteSpace(text, 0);
        if (root >= text.Length)
        {
            return -1;
        }

        if (text[root] == '[')
        {
            return ElementStart(text, root, index);
        }

        int returned = -1, saved = -1;
        // The root object's keys and where each value starts.
        var i = SkipWhiteSpace(text, root + 1);
        while (i < text.Length && text[i] == '"')
        {
            var end = StringEnd(text, i);
            var key = text.Substring(i + 1, end - i - 1);
            var value = SkipWhiteSpace(text, SkipWhiteSpace(text, end + 1) + 1);
            if (value < text.Length && text[value] == '[')
            {
                if (key == "return" && returned < 0)
                {
                    returned = value;
                }
                else if (key == "query-qmp-schema" && saved < 0)
                {
                    saved = value;
                }
            }
            i = SkipWhiteSpace(text, ValueEnd(text, value));
            if (i < text.Length && text[i] == ',')
            {
                i = SkipWhiteSpace(text, i + 1);
            }
        }
        var array = returned >= 0 ? returned : saved;
        return array < 0 ? -1 : ElementStart(text, array, index);
    }

    /// <summary>Where element <paramref name="index"/> of the array opening at <paramref name="open"/> starts; -1 past its end.</summary>
    private static int ElementStart(string text, int open, int index)
    {
        var i = SkipWhiteSpace(text, open + 1);
        for (var n = 0; i < text.Length && text[i] != ']'; n++)
        {
            if (n == index)
            {
                return i;
            }

            i = SkipWhiteSpace(text, ValueEnd(text, i));
            if (i < text.Length && text[i] == ',')
            {
                i = SkipWhiteSpace(text, i + 1);
            }
        }
        return -1;
    }

    private static int SkipWhiteSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The offset of the closing quote of the string opening at <paramref name="open"/>.</summary>
    private static int StringEnd(string text, int open)
    {
        var i = open + 1;
        while (i < text.Length && text[i] != '"')
        {
            i += text[i] == '\\' ? 2 : 1;
        }

        return Math.Min(i, text.Length);
    }

    /// <summary>The offset just past the JSON value starting at <paramref name="start"/>.</summary>
    private static int ValueEnd(string text, int start)
    {
        if (start >= text.Length)
        {
            return text.Length;
        }

        if (text[start] == '"')
        {
            return StringEnd(text, start) + 1;
        }

        if (text[start] is not ('[' or '{'))
        {
            var i = start;
            while (i < text.Length && text[i] is not (',' or ']' or '}') && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            return i;
        }
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    i = StringEnd(text, i);
                    break;
                case '[':
                case '{':
                    depth++;
                    break;
                case ']':
                case '}':
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }
        }
        return text.Length;
    }

}
