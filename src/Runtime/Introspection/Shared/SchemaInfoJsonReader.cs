// Shared with the generator (see SchemaInfo.cs): the one reader of query-qmp-schema's wire format.
// It knows the keys and what each means; the JSON text is parsed by each side's own reader (the
// runtime's System.Text.Json, the generator's strict reader, which keeps string offsets) and handed
// over as a tree through ISchemaJson, so the format is read here once.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace Qmp.Runtime.Introspection;

/// <summary>The JSON kinds the schema reader tells apart; numbers and null are <see cref="Other"/>.</summary>
internal enum SchemaJsonKind
{
    Other,
    Object,
    Array,
    String,
    True,
    False,
}

/// <summary>A parsed JSON value as <see cref="SchemaInfoJsonReader"/> reads it.</summary>
internal interface ISchemaJson<TNode>
    where TNode : ISchemaJson<TNode>
{
    SchemaJsonKind Kind { get; }

    /// <summary>A string's value, a number's literal text (a <see cref="FormatException"/> when a string cannot be decoded).</summary>
    string Text { get; }

    /// <summary>Where a string opens in the text, or -1 when the parser does not say.</summary>
    int Offset { get; }

    /// <summary>Member <paramref name="key"/> of an object.</summary>
    bool TryGet(string key, out TNode value);

    /// <summary>An array's elements.</summary>
    IReadOnlyList<TNode> Items { get; }
}

/// <summary>A name of an answer outside <see cref="SchemaNames"/>' rules, and where its string opens (-1: unknown).</summary>
internal readonly record struct SchemaInfoBadName(string What, string Name, int Offset);

/// <summary>
/// A malformed <c>query-qmp-schema</c> answer: <see cref="Index"/> is the entry at fault, or -1
/// when the answer as a whole is not one.
/// </summary>
internal sealed class SchemaInfoFormatException : FormatException
{
    public SchemaInfoFormatException(int index, string message)
        : base(message) => Index = index;

    public int Index { get; }
}

/// <summary>
/// Reads <c>query-qmp-schema</c>'s answer: the array of <c>SchemaInfo</c>, the reply
/// <c>{"return": [...]}</c>, or <c>qmp-codegen introspect</c>'s file
/// <c>{"query-version": {...}, "query-qmp-schema": [...]}</c>. What a newer QEMU may add is never
/// an error: unknown keys are skipped, an unknown meta-type becomes a <see cref="SchemaInfoUnknown"/>.
/// What no QEMU sends is a <see cref="SchemaInfoFormatException"/> naming the entry: an entry
/// without <c>name</c> or <c>meta-type</c>, a required key of a known meta-type missing, a key of
/// the wrong JSON type, <c>tag</c> without <c>variants</c>. A client's description may carry QAPI
/// conditions as <c>"if"</c> strings (QEMU sends none); anything else there is skipped.
/// </summary>
internal static class SchemaInfoJsonReader
{
    /// <summary>The schema array of <paramref name="root"/>: the root itself, else its <c>return</c>, else its <c>query-qmp-schema</c>.</summary>
    public static TNode SchemaArray<TNode>(TNode root)
        where TNode : ISchemaJson<TNode>
    {
        if (root.Kind == SchemaJsonKind.Array)
        {
            return root;
        }
        if (root.Kind == SchemaJsonKind.Object
            && (root.TryGet("return", out var array) || root.TryGet("query-qmp-schema", out array)) && array.Kind == SchemaJsonKind.Array)
        {
            return array;
        }
        throw new SchemaInfoFormatException(-1, "expected query-qmp-schema's array of SchemaInfo, its reply {\"return\": [...]}, or a saved {\"query-qmp-schema\": [...]}");
    }

    /// <summary>
    /// The <c>query-version</c> saved beside the schema (<c>qemu</c>'s numbers and <c>package</c>;
    /// what is missing or of another type reads as 0 or empty); false when the root has none.
    /// </summary>
    public static bool TryVersion<TNode>(TNode root, out (int Major, int Minor, int Micro, string Package) version)
        where TNode : ISchemaJson<TNode>
    {
        version = default;
        if (root.Kind != SchemaJsonKind.Object || !root.TryGet("query-version", out var v) || v.Kind != SchemaJsonKind.Object)
        {
            return false;
        }
        int major = 0, minor = 0, micro = 0;
        if (v.TryGet("qemu", out var qemu) && qemu.Kind == SchemaJsonKind.Object)
        {
            major = Int(qemu, "major");
            minor = Int(qemu, "minor");
            micro = Int(qemu, "micro");
        }
        var package = v.TryGet("package", out var p) && p.Kind == SchemaJsonKind.String ? p.Text : "";
        version = (major, minor, micro, package);
        return true;

        static int Int(TNode o, string key) =>
            o.TryGet(key, out var n) && n.Kind == SchemaJsonKind.Other && int.TryParse(n.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : 0;
    }

    /// <summary>
    /// The entries of <paramref name="array"/>. With <paramref name="bad"/>, every name is checked
    /// (<see cref="SchemaNames"/>): an entry with one that breaks the rules is left out and its bad
    /// names go to <paramref name="bad"/> with the entry's index, so nothing a server sends outside
    /// QMP's character set reaches a model built from the result.
    /// </summary>
    public static SchemaInfo Entries<TNode>(TNode array, List<(int Index, SchemaInfoBadName Name)>? bad = null)
        where TNode : ISchemaJson<TNode>
    {
        var items = array.Items;
        var entries = new List<SchemaInfoEntry>(items.Count);
        var names = bad is null ? null : new List<SchemaInfoBadName>();
        for (var i = 0; i < items.Count; i++)
        {
            names?.Clear();
            var entry = Entry(items[i], i, names);
            if (names is { Count: > 0 })
            {
                foreach (var name in names)
                {
                    bad!.Add((i, name));
                }
                continue;
            }
            entries.Add(entry);
        }
        return new SchemaInfo(entries);
    }

    private static SchemaInfoEntry Entry<TNode>(TNode e, int index, List<SchemaInfoBadName>? bad)
        where TNode : ISchemaJson<TNode>
    {
        if (e.Kind != SchemaJsonKind.Object)
        {
            throw Bad(index, null, "it is not an object");
        }
        var name = Str(e, "name", index, null, null, null) ?? throw Bad(index, null, "it has no 'name'");
        var metaType = Str(e, "meta-type", index, name, null, null) ?? throw Bad(index, name, "it has no 'meta-type'");
        // Printable: a bad name is shown as \uXXXX escapes in the message, never as it is.
        var owner = SchemaNames.Printable(metaType) + " '" + SchemaNames.Printable(name) + "'";
        if (bad is not null)
        {
            var valid = metaType == SchemaMetaType.Array ? SchemaNames.IsTypeName(name) && name[0] == '[' : SchemaNames.IsName(name);
            if (!valid)
            {
                bad.Add(new SchemaInfoBadName(SchemaNames.IsName(metaType) ? metaType : "entry", name, OffsetOf(e, "name")));
            }
            if (!SchemaNames.IsName(metaType))
            {
                bad.Add(new SchemaInfoBadName("meta-type of entry " + index.ToString(CultureInfo.InvariantCulture), metaType, OffsetOf(e, "meta-type")));
            }
        }
        var features = Strings(e, "features", index, name, bad, "feature of " + owner);
        var condition = Condition(e);
        switch (metaType)
        {
            case SchemaMetaType.Builtin:
                return new SchemaInfoBuiltin(name, Required(e, "json-type", index, name, bad, "json-type of " + owner), features) { Condition = condition };
            case SchemaMetaType.Array:
                return new SchemaInfoArray(name, Required(e, "element-type", index, name, bad, "element-type of " + owner), features) { Condition = condition };
            case SchemaMetaType.Command:
                return new SchemaInfoCommand(name, Required(e, "arg-type", index, name, bad, "arg-type of " + owner), Required(e, "ret-type", index, name, bad, "ret-type of " + owner),
                    Bool(e, "allow-oob", index, name), features)
                { Condition = condition };
            case SchemaMetaType.Event:
                return new SchemaInfoEvent(name, Required(e, "arg-type", index, name, bad, "arg-type of " + owner), features) { Condition = condition };
            case SchemaMetaType.Enum:
                {
                    var list = new List<SchemaInfoEnumMember>();
                    if (e.TryGet("members", out var members))
                    {
                        foreach (var m in Objects(members, "members", index, name))
                        {
                            list.Add(new SchemaInfoEnumMember(Str(m, "name", index, name, bad, "value of " + owner) ?? throw Bad(index, name, "an enum member has no 'name'"),
                                Strings(m, "features", index, name, bad, "feature of a value of " + owner))
                            { Condition = Condition(m) });
                        }
                    }
                    else if (Strings(e, "values", index, name, bad, "value of " + owner) is { } values)
                    {
                        // Before QEMU 6.2 an enum had only "values".
                        foreach (var v in values)
                        {
                            list.Add(new SchemaInfoEnumMember(v));
                        }
                    }
                    else
                    {
                        throw Bad(index, name, "it has no 'members'");
                    }
                    return new SchemaInfoEnum(name, list, features) { Condition = condition };
                }
            case SchemaMetaType.Object:
                {
                    var members = new List<SchemaInfoObjectMember>();
                    foreach (var m in Objects(Member(e, "members", index, name), "members", index, name))
                    {
                        members.Add(new SchemaInfoObjectMember(
                            Str(m, "name", index, name, bad, "member of " + owner) ?? throw Bad(index, name, "an object member lacks 'name' or 'type'"),
                            Str(m, "type", index, name, bad, "type of a member of " + owner) ?? throw Bad(index, name, "an object member lacks 'name' or 'type'"),
                            m.TryGet("default", out _),
                            Strings(m, "features", index, name, bad, "feature of a member of " + owner))
                        { Condition = Condition(m) });
                    }
                    var tag = Str(e, "tag", index, name, bad, "tag of " + owner);
                    List<SchemaInfoVariant>? variants = null;
                    if (e.TryGet("variants", out var vs))
                    {
                        variants = new List<SchemaInfoVariant>();
                        foreach (var v in Objects(vs, "variants", index, name))
                        {
                            variants.Add(new SchemaInfoVariant(
                                Str(v, "case", index, name, bad, "branch of " + owner) ?? throw Bad(index, name, "a variant lacks 'case' or 'type'"),
                                Str(v, "type", index, name, bad, "type of a branch of " + owner) ?? throw Bad(index, name, "a variant lacks 'case' or 'type'"))
                            { Condition = Condition(v) });
                        }
                    }
                    if ((tag is null) != (variants is null))
                    {
                        throw Bad(index, name, "'tag' and 'variants' come together");
                    }
                    return new SchemaInfoObject(name, members, tag, variants, features) { Condition = condition };
                }
            case SchemaMetaType.Alternate:
                {
                    var types = new List<string>();
                    foreach (var m in Objects(Member(e, "members", index, name), "members", index, name))
                    {
                        types.Add(Str(m, "type", index, name, bad, "type of a branch of " + owner) ?? throw Bad(index, name, "an alternate member has no 'type'"));
                    }
                    return new SchemaInfoAlternate(name, types, features) { Condition = condition };
                }
            default:
                return new SchemaInfoUnknown(name, metaType, features) { Condition = condition };
        }
    }

    private static TNode Member<TNode>(TNode e, string key, int index, string name)
        where TNode : ISchemaJson<TNode> =>
        e.TryGet(key, out var v) ? v : throw Bad(index, name, "it has no '" + key + "'");

    private static string Required<TNode>(TNode e, string key, int index, string name, List<SchemaInfoBadName>? bad, string what)
        where TNode : ISchemaJson<TNode> =>
        Str(e, key, index, name, bad, what) ?? throw Bad(index, name, "it has no '" + key + "'");

    /// <summary>
    /// The string <paramref name="key"/> of <paramref name="e"/>, or null when it has none; with
    /// <paramref name="bad"/>, it is a name (a type's for the keys that name a type) and one that
    /// breaks the rules is added there as <paramref name="what"/>.
    /// </summary>
    private static string? Str<TNode>(TNode e, string key, int index, string? name, List<SchemaInfoBadName>? bad, string? what)
        where TNode : ISchemaJson<TNode>
    {
        if (!e.TryGet(key, out var v))
        {
            return null;
        }
        if (v.Kind != SchemaJsonKind.String)
        {
            throw Bad(index, name, "'" + key + "' is not a string");
        }
        var text = v.Text;
        var isType = key is "type" or "arg-type" or "ret-type" or "element-type";
        if (bad is not null && what is not null && !(isType ? SchemaNames.IsTypeName(text) : SchemaNames.IsName(text)))
        {
            bad.Add(new SchemaInfoBadName(what, text, v.Offset));
        }
        return text;
    }

    private static bool Bool<TNode>(TNode e, string key, int index, string name)
        where TNode : ISchemaJson<TNode>
    {
        if (!e.TryGet(key, out var v))
        {
            return false;
        }
        return v.Kind switch
        {
            SchemaJsonKind.True => true,
            SchemaJsonKind.False => false,
            _ => throw Bad(index, name, "'" + key + "' is not a boolean"),
        };
    }

    /// <summary>A client description's <c>"if"</c>: a string, or null (absent, or anything else, skipped as an unknown key is).</summary>
    private static string? Condition<TNode>(TNode e)
        where TNode : ISchemaJson<TNode> =>
        e.TryGet("if", out var v) && v.Kind == SchemaJsonKind.String ? v.Text : null;

    private static IReadOnlyList<TNode> Objects<TNode>(TNode v, string key, int index, string name)
        where TNode : ISchemaJson<TNode>
    {
        if (v.Kind != SchemaJsonKind.Array)
        {
            throw Bad(index, name, "'" + key + "' is not an array");
        }
        var items = v.Items;
        foreach (var item in items)
        {
            if (item.Kind != SchemaJsonKind.Object)
            {
                throw Bad(index, name, "an element of '" + key + "' is not an object");
            }
        }
        return items;
    }

    private static List<string>? Strings<TNode>(TNode e, string key, int index, string name, List<SchemaInfoBadName>? bad, string what)
        where TNode : ISchemaJson<TNode>
    {
        if (!e.TryGet(key, out var v))
        {
            return null;
        }
        if (v.Kind != SchemaJsonKind.Array)
        {
            throw Bad(index, name, "'" + key + "' is not an array");
        }
        var items = v.Items;
        var list = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item.Kind != SchemaJsonKind.String)
            {
                throw Bad(index, name, "an element of '" + key + "' is not a string");
            }
            var text = item.Text;
            if (bad is not null && !SchemaNames.IsName(text))
            {
                bad.Add(new SchemaInfoBadName(what, text, item.Offset));
            }
            list.Add(text);
        }
        return list;
    }

    private static int OffsetOf<TNode>(TNode e, string key)
        where TNode : ISchemaJson<TNode> =>
        e.TryGet(key, out var v) ? v.Offset : -1;

    private static SchemaInfoFormatException Bad(int index, string? name, string why) =>
        new(index, "schema entry " + index.ToString(CultureInfo.InvariantCulture) + (name is null ? "" : " ('" + SchemaNames.Printable(name) + "')") + " is malformed: " + why);
}
