using System;
using System.Collections.Generic;
using System.Globalization;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Introspection;

/// <summary>The QEMU version saved beside a schema (<c>query-version</c>'s answer).</summary>
public sealed record IntrospectedVersion(int Major, int Minor, int Micro, string Package)
{
    public override string ToString() =>
        Major + "." + Minor + "." + Micro + (string.IsNullOrWhiteSpace(Package) ? "" : " (" + Package.Trim() + ")");
}

/// <summary>The diagnostics of a saved introspection file (ids kept apart from the .hx and QAPI readers').</summary>
public static class IntrospectionDiagnostics
{
    public static readonly SchemaDiagnosticDescriptor Unreadable = new("QMP0301", SchemaSeverity.Error, "Introspection file is not a query-qmp-schema answer");
    public static readonly SchemaDiagnosticDescriptor Problem = new("QMP0302", SchemaSeverity.Warning, "Introspection schema refers to a type it lacks or lists a name twice");
    public static readonly SchemaDiagnosticDescriptor Unsupported = new("QMP0303", SchemaSeverity.Warning, "Introspection entry cannot be represented");
    public static readonly SchemaDiagnosticDescriptor AlignmentConflict = new("QMP0304", SchemaSeverity.Warning, "Live type pairs with two source types");
    public static readonly SchemaDiagnosticDescriptor InvalidName = new("QMP0305", SchemaSeverity.Error, "Introspection name outside QMP's character set",
        "{what} '{name}' is not a QMP name (letters, digits, '-', '_', '.'; a type also '[' type ']'); schema entry {index} is left out");
}

/// <summary>
/// A saved <c>query-qmp-schema</c> answer: the array itself, the reply <c>{"return": [...]}</c>, or
/// what <c>qmp-codegen introspect</c> writes (<c>{"query-version": {...}, "query-qmp-schema": [...]}</c>).
/// The same shapes and the same tolerance as the runtime's <c>SchemaInfoReader</c> (unknown keys
/// skipped, unknown meta-types kept); read here with the generator's own JSON reader, strictly:
/// any text a strict reader would refuse is an error (<see cref="IntrospectionDiagnostics.Unreadable"/>).
/// </summary>
public sealed class IntrospectionFile
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
            diagnostics.Add(IntrospectionDiagnostics.Unreadable.Create(At(text, path, offset), "not strict JSON: " + why));
            return new IntrospectionFile(path ?? string.Empty, null, null, diagnostics);
        }
        try
        {
            var root = result.Value;
            LenientJsonValue? array = null;
            IntrospectedVersion? version = null;
            if (root.Kind == LenientJsonKind.Array)
            {
                array = root;
            }
            else if (root.Kind == LenientJsonKind.Object)
            {
                array = root["return"] ?? root["query-qmp-schema"];
                if (root["query-version"] is { Kind: LenientJsonKind.Object } v)
                {
                    version = ReadVersion(v);
                }
            }
            if (array is null || array.Kind != LenientJsonKind.Array)
            {
                throw new FormatException("expected query-qmp-schema's array of SchemaInfo, its reply {\"return\": [...]}, or a saved {\"query-qmp-schema\": [...]}");
            }

            var entries = new List<SchemaInfoEntry>(array.Items.Count);
            var bad = new List<BadName>();
            for (var i = 0; i < array.Items.Count; i++)
            {
                var first = bad.Count;
                if (ReadEntry(array.Items[i], i, bad) is { } entry)
                {
                    entries.Add(entry);
                }

                for (var b = first; b < bad.Count; b++)
                {
                    var name = bad[b];
                    diagnostics.Add(IntrospectionDiagnostics.InvalidName.Report(At(text, path, name.Offset), name.What, SchemaNames.Printable(name.Name),
                        i.ToString(CultureInfo.InvariantCulture)));
                }
            }
            var info = new SchemaInfo(entries);
            foreach (var problem in info.Problems)
            {
                diagnostics.Add(IntrospectionDiagnostics.Problem.Create(location, problem));
            }

            return new IntrospectionFile(path ?? string.Empty, info, version, diagnostics);
        }
        catch (FormatException e)
        {
            // A malformed entry is located where it starts, so the IDE goes to it in a file of one line.
            var at = e is EntryException entry && EntryOffset(text, entry.Index) is var offset and >= 0 ? At(text, path, offset) : location;
            diagnostics.Add(IntrospectionDiagnostics.Unreadable.Create(at, e.Message));
            return new IntrospectionFile(path ?? string.Empty, null, null, diagnostics);
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

    private static IntrospectedVersion ReadVersion(LenientJsonValue v)
    {
        int major = 0, minor = 0, micro = 0;
        if (v["qemu"] is { Kind: LenientJsonKind.Object } qemu)
        {
            major = Int(qemu["major"]);
            minor = Int(qemu["minor"]);
            micro = Int(qemu["micro"]);
        }
        var package = v["package"] is { Kind: LenientJsonKind.String } p ? p.Text : "";
        return new IntrospectedVersion(major, minor, micro, package);

        static int Int(LenientJsonValue? n) =>
            n is { Kind: LenientJsonKind.Number } && int.TryParse(n.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : 0;
    }

    /// <summary>A name of the answer that breaks <see cref="SchemaNames"/>' rules, and where its string opens.</summary>
    private readonly record struct BadName(string What, string Name, int Offset);

    /// <summary>
    /// Entry <paramref name="index"/>, or null when one of its names (its own, its members', values',
    /// features', branches', tag's, or a type it names) is not a QMP name: those go to
    /// <paramref name="bad"/> and the entry is left out, so nothing a server sends outside QMP's
    /// character set reaches the model, let alone the C# written from it.
    /// </summary>
    private static SchemaInfoEntry? ReadEntry(LenientJsonValue e, int index, List<BadName> bad)
    {
        var first = bad.Count;
        var entry = ParseEntry(e, index, bad);
        return bad.Count > first ? null : entry;
    }

    private static SchemaInfoEntry ParseEntry(LenientJsonValue e, int index, List<BadName> bad)
    {
        if (e.Kind != LenientJsonKind.Object)
        {
            throw Bad(index, null, "it is not an object");
        }

        var name = Str(e, "name", index, null, null, null) ?? throw Bad(index, null, "it has no 'name'");
        var metaType = Str(e, "meta-type", index, name, null, null) ?? throw Bad(index, name, "it has no 'meta-type'");
        // Printable: a bad name is shown as \uXXXX escapes in the message, never as it is.
        var owner = SchemaNames.Printable(metaType) + " '" + SchemaNames.Printable(name) + "'";
        var valid = metaType == SchemaMetaType.Array ? SchemaNames.IsTypeName(name) && name[0] == '[' : SchemaNames.IsName(name);
        if (!valid)
        {
            bad.Add(new BadName(SchemaNames.IsName(metaType) ? metaType : "entry", name, e["name"]!.Offset));
        }

        if (!SchemaNames.IsName(metaType))
        {
            bad.Add(new BadName("meta-type of entry " + index, metaType, e["meta-type"]!.Offset));
        }

        var features = Strings(e["features"], "features", index, name, bad, "feature of " + owner);
        switch (metaType)
        {
            case SchemaMetaType.Builtin:
                return new SchemaInfoBuiltin(name, Required(e, "json-type", index, name, bad, "json-type of " + owner), features);
            case SchemaMetaType.Array:
                return new SchemaInfoArray(name, Required(e, "element-type", index, name, bad, "element-type of " + owner), features);
            case SchemaMetaType.Command:
                return new SchemaInfoCommand(name, Required(e, "arg-type", index, name, bad, "arg-type of " + owner), Required(e, "ret-type", index, name, bad, "ret-type of " + owner),
                    e["allow-oob"]?.Kind == LenientJsonKind.True, features);
            case SchemaMetaType.Event:
                return new SchemaInfoEvent(name, Required(e, "arg-type", index, name, bad, "arg-type of " + owner), features);
            case SchemaMetaType.Enum:
                {
                    var list = new List<SchemaInfoEnumMember>();
                    if (e["members"] is { } members)
                    {
                        foreach (var m in Items(members, "members", index, name))
                        {
                            list.Add(new SchemaInfoEnumMember(Str(m, "name", index, name, bad, "value of " + owner) ?? throw Bad(index, name, "an enum member has no 'name'"),
                                Strings(m["features"], "features", index, name, bad, "feature of a value of " + owner)));
                        }
                    }
                    else if (e["values"] is { } values)
                    {
                        // Before QEMU 6.2 an enum had only "values".
                        foreach (var v in Strings(values, "values", index, name, bad, "value of " + owner) ?? new List<string>())
                        {
                            list.Add(new SchemaInfoEnumMember(v));
                        }
                    }
                    else
                    {
                        throw Bad(index, name, "it has no 'members'");
                    }
                    return new SchemaInfoEnum(name, list, features);
                }
            case SchemaMetaType.Object:
                {
                    var members = new List<SchemaInfoObjectMember>();
                    foreach (var m in Items(e["members"] ?? throw Bad(index, name, "it has no 'members'"), "members", index, name))
                    {
                        members.Add(new SchemaInfoObjectMember(
                            Str(m, "name", index, name, bad, "member of " + owner) ?? throw Bad(index, name, "an object member lacks 'name' or 'type'"),
                            Str(m, "type", index, name, bad, "type of a member of " + owner) ?? throw Bad(index, name, "an object member lacks 'name' or 'type'"),
                            m["default"] is not null,
                            Strings(m["features"], "features", index, name, bad, "feature of a member of " + owner)));
                    }
                    var tag = Str(e, "tag", index, name, bad, "tag of " + owner);
                    List<SchemaInfoVariant>? variants = null;
                    if (e["variants"] is { } vs)
                    {
                        variants = new List<SchemaInfoVariant>();
                        foreach (var v in Items(vs, "variants", index, name))
                        {
                            variants.Add(new SchemaInfoVariant(
                                Str(v, "case", index, name, bad, "branch of " + owner) ?? throw Bad(index, name, "a variant lacks 'case' or 'type'"),
                                Str(v, "type", index, name, bad, "type of a branch of " + owner) ?? throw Bad(index, name, "a variant lacks 'case' or 'type'")));
                        }
                    }
                    if ((tag is null) != (variants is null))
                    {
                        throw Bad(index, name, "'tag' and 'variants' come together");
                    }

                    return new SchemaInfoObject(name, members, tag, variants, features);
                }
            case SchemaMetaType.Alternate:
                {
                    var types = new List<string>();
                    foreach (var m in Items(e["members"] ?? throw Bad(index, name, "it has no 'members'"), "members", index, name))
                    {
                        types.Add(Str(m, "type", index, name, bad, "type of a branch of " + owner) ?? throw Bad(index, name, "an alternate member has no 'type'"));
                    }

                    return new SchemaInfoAlternate(name, types, features);
                }
            default:
                return new SchemaInfoUnknown(name, metaType, features);
        }
    }

    private static string Required(LenientJsonValue e, string key, int index, string name, List<BadName> bad, string what) =>
        Str(e, key, index, name, bad, what) ?? throw Bad(index, name, "it has no '" + key + "'");

    /// <summary>
    /// The string <paramref name="key"/> of <paramref name="e"/>; with <paramref name="what"/>, it is a
    /// name (a type's for the keys that name a type) and one that breaks the rules goes to <paramref name="bad"/>.
    /// </summary>
    private static string? Str(LenientJsonValue e, string key, int index, string? name, List<BadName>? bad, string? what)
    {
        if (e.Kind != LenientJsonKind.Object)
        {
            throw Bad(index, name, "'" + key + "' is looked up in something that is not an object");
        }

        var v = e[key];
        if (v is null)
        {
            return null;
        }

        if (v.Kind != LenientJsonKind.String)
        {
            throw Bad(index, name, "'" + key + "' is not a string");
        }

        var isType = key is "type" or "arg-type" or "ret-type" or "element-type";
        if (bad is not null && what is not null && !(isType ? SchemaNames.IsTypeName(v.Text) : SchemaNames.IsName(v.Text)))
        {
            bad.Add(new BadName(what, v.Text, v.Offset));
        }

        return v.Text;
    }

    private static List<LenientJsonValue> Items(LenientJsonValue v, string key, int index, string name)
    {
        if (v.Kind != LenientJsonKind.Array)
        {
            throw Bad(index, name, "'" + key + "' is not an array");
        }

        foreach (var item in v.Items)
        {
            if (item.Kind != LenientJsonKind.Object)
            {
                throw Bad(index, name, "an element of '" + key + "' is not an object");
            }
        }

        return v.Items;
    }

    private static List<string>? Strings(LenientJsonValue? v, string key, int index, string name, List<BadName> bad, string what)
    {
        if (v is null)
        {
            return null;
        }

        if (v.Kind != LenientJsonKind.Array)
        {
            throw Bad(index, name, "'" + key + "' is not an array");
        }

        var list = new List<string>(v.Items.Count);
        foreach (var item in v.Items)
        {
            if (item.Kind != LenientJsonKind.String)
            {
                throw Bad(index, name, "an element of '" + key + "' is not a string");
            }

            if (!SchemaNames.IsName(item.Text))
            {
                bad.Add(new BadName(what, item.Text, item.Offset));
            }

            list.Add(item.Text);
        }
        return list;
    }
    private static EntryException Bad(int index, string? name, string why) =>
        new EntryException(index, "schema entry " + index + (name is null ? "" : " ('" + SchemaNames.Printable(name) + "')") + " is malformed: " + why);

    private sealed class EntryException : FormatException
    {
        public EntryException(int index, string message)
            : base(message) => Index = index;

        public int Index { get; }
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
