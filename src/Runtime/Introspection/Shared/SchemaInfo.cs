// This file is compiled into two assemblies: the runtime (net10.0, namespace Qmp.Runtime.Introspection)
// and the generator's analyzer build (netstandard2.0, linked, the same namespace, internal there),
// so a generated client's description of its schema and a server's live schema are compared by the
// same code on both sides. It uses nothing beyond netstandard2.0 and no JSON library.
using System;
using System.Collections.Generic;

namespace Qmp.Runtime.Introspection;

/// <summary>The meta-types of QEMU's <c>SchemaInfo</c> (<c>SchemaMetaType</c> in qapi/introspect.json).</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class SchemaMetaType
{
    /// <summary><c>builtin</c>: a type QAPI predefines, such as <c>str</c> or <c>int</c> (<see cref="SchemaInfoBuiltin"/>).</summary>
    public const string Builtin = "builtin";
    /// <summary><c>enum</c>: a fixed set of string values (<see cref="SchemaInfoEnum"/>).</summary>
    public const string Enum = "enum";
    /// <summary><c>array</c>: a list of values of one element type (<see cref="SchemaInfoArray"/>).</summary>
    public const string Array = "array";
    /// <summary><c>object</c>: a struct or union, including the implicit type of a command's arguments or an event's data (<see cref="SchemaInfoObject"/>).</summary>
    public const string Object = "object";
    /// <summary><c>alternate</c>: a value of one of several types, told apart by JSON type (<see cref="SchemaInfoAlternate"/>).</summary>
    public const string Alternate = "alternate";
    /// <summary><c>command</c>: something a client can execute (<see cref="SchemaInfoCommand"/>).</summary>
    public const string Command = "command";
    /// <summary><c>event</c>: a notification the server can emit (<see cref="SchemaInfoEvent"/>).</summary>
    public const string Event = "event";
}

/// <summary>The features QMP gives special meaning to.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class SchemaInfoFeature
{
    /// <summary><c>deprecated</c>: the command, event, type, member or enum value carrying it is on its way out; stop relying on it.</summary>
    public const string Deprecated = "deprecated";
    /// <summary><c>unstable</c>: what carries it is experimental and may change or go away without first being deprecated.</summary>
    public const string Unstable = "unstable";
}

/// <summary>
/// One entry of <c>query-qmp-schema</c>: a command, an event or a type. A live QEMU masks the names
/// of enum, object and alternate types as numbers (<c>"37"</c>); builtins, arrays (<c>"[37]"</c>),
/// commands and events keep theirs. A client's own description carries the real names.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
abstract class SchemaInfoEntry
{
    private static readonly IReadOnlyList<string> s_noFeatures = Array.Empty<string>();

    /// <summary>Sets what every entry has: its name and its features (null for none).</summary>
    protected SchemaInfoEntry(string name, IReadOnlyList<string>? features)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Features = features ?? s_noFeatures;
    }

    /// <summary>The entry's name, masked or real.</summary>
    public string Name { get; }

    /// <summary>The meta-type as QEMU spells it (<see cref="SchemaMetaType"/>).</summary>
    public abstract string MetaType { get; }

    /// <summary>The entry's features, in schema order (<c>deprecated</c>, <c>unstable</c>, or any other).</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>Whether the entry lists <paramref name="feature"/> (compared exactly).</summary>
    public bool HasFeature(string feature) => SchemaInfo.Contains(Features, feature);

    /// <summary>The entry has the <c>deprecated</c> feature.</summary>
    public bool IsDeprecated => HasFeature(SchemaInfoFeature.Deprecated);

    /// <summary>The entry has the <c>unstable</c> feature.</summary>
    public bool IsUnstable => HasFeature(SchemaInfoFeature.Unstable);

    /// <summary>
    /// The QAPI condition (<c>if</c>) the schema puts on it, in QAPI's notation (<c>CONFIG_BLKIO</c>,
    /// <c>{'all': [TARGET_S390X, CONFIG_KVM]}</c>); null when it is unconditional. Only a client's own
    /// description carries conditions (a live QEMU answers for its build, with none): what the
    /// server lacks under a condition is what its build leaves out, not an incompatibility.
    /// </summary>
    public string? Condition { get; init; }

    /// <summary>The entry as compact JSON, as <see cref="SchemaInfo.ToJson"/> writes it inside the array.</summary>
    public string ToJson()
    {
        var w = new System.Text.StringBuilder(120);
        SchemaInfo.WriteEntry(w, this);
        return w.ToString();
    }

    /// <summary>The meta-type and the name, such as <c>command query-status</c> or <c>object 37</c>.</summary>
    public override string ToString() => MetaType + " " + Name;
}

/// <summary>A builtin type: <c>str</c>, <c>int</c>, <c>number</c>, <c>bool</c>, <c>null</c>, <c>any</c>. Every integer width is <c>int</c>.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoBuiltin : SchemaInfoEntry
{
    /// <summary>A builtin whose values have JSON type <paramref name="jsonType"/> on the wire (see <see cref="JsonType"/>).</summary>
    public SchemaInfoBuiltin(string name, string jsonType, IReadOnlyList<string>? features = null)
        : base(name, features) => JsonType = jsonType ?? throw new ArgumentNullException(nameof(jsonType));

    /// <summary>Always <c>builtin</c>.</summary>
    public override string MetaType => SchemaMetaType.Builtin;

    /// <summary><c>string</c>, <c>number</c>, <c>int</c>, <c>boolean</c>, <c>null</c>, <c>object</c>, <c>array</c> or <c>value</c>.</summary>
    public string JsonType { get; }
}

// Named after QEMU's SchemaInfoEnum (qapi/introspect.json).
#pragma warning disable CA1711
/// <summary>An enum. QEMU 6.2 and later send <c>members</c> (with features) and, until 9.1, <c>values</c> too; older ones only <c>values</c>.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoEnum : SchemaInfoEntry
#pragma warning restore CA1711
{
    /// <summary>An enum with its values in schema order, each with its own features.</summary>
    public SchemaInfoEnum(string name, IReadOnlyList<SchemaInfoEnumMember> members, IReadOnlyList<string>? features = null)
        : base(name, features) => Members = members ?? throw new ArgumentNullException(nameof(members));

    /// <summary>Always <c>enum</c>.</summary>
    public override string MetaType => SchemaMetaType.Enum;

    /// <summary>The values in schema order, each with its features (featureless when read from a QEMU before 6.2, which sends only <c>values</c>).</summary>
    public IReadOnlyList<SchemaInfoEnumMember> Members { get; }

    private Dictionary<string, SchemaInfoEnumMember>? _byName;

    /// <summary>The value <paramref name="value"/> (compared exactly), or null when the enum lacks it.</summary>
    public SchemaInfoEnumMember? FindMember(string value) => SchemaInfo.FindByName(Members, value, m => m.Name, ref _byName);
}

/// <summary>One value of an enum.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoEnumMember
{
    /// <summary>A value and its features (null for none).</summary>
    public SchemaInfoEnumMember(string name, IReadOnlyList<string>? features = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Features = features ?? Array.Empty<string>();
    }

    /// <summary>The value as it travels on the wire; enum values are never masked.</summary>
    public string Name { get; }

    /// <summary>The value's own features, such as <c>deprecated</c> on a value being phased out.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>
    /// The QAPI condition (<c>if</c>) the schema puts on the value, in QAPI's notation (<c>CONFIG_BLKIO</c>,
    /// <c>{'all': [TARGET_S390X, CONFIG_KVM]}</c>); null when it is unconditional. Only a client's own
    /// description carries conditions (a live QEMU answers for its build, with none): what the
    /// server lacks under a condition is what its build leaves out, not an incompatibility.
    /// </summary>
    public string? Condition { get; init; }

    /// <summary>The value itself.</summary>
    public override string ToString() => Name;
}

/// <summary>An array type, named <c>[ELEMENT]</c>.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoArray : SchemaInfoEntry
{
    /// <summary>An array type, named <c>[ELEMENT]</c>, of <paramref name="elementType"/>.</summary>
    public SchemaInfoArray(string name, string elementType, IReadOnlyList<string>? features = null)
        : base(name, features) => ElementType = elementType ?? throw new ArgumentNullException(nameof(elementType));

    /// <summary>Always <c>array</c>.</summary>
    public override string MetaType => SchemaMetaType.Array;

    /// <summary>The element type's name (a number on a live server when it is an enum, object or alternate).</summary>
    public string ElementType { get; }
}

/// <summary>
/// An object type, its members flattened (a base's members first). With <see cref="Variants"/> it is a
/// union: the value of member <see cref="Tag"/> picks the variant whose type's members are added.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoObject : SchemaInfoEntry
{
    /// <summary>An object with its flattened members and, for a union, its <paramref name="tag"/> member and <paramref name="variants"/>.</summary>
    public SchemaInfoObject(string name, IReadOnlyList<SchemaInfoObjectMember> members, string? tag = null,
        IReadOnlyList<SchemaInfoVariant>? variants = null, IReadOnlyList<string>? features = null)
        : base(name, features)
    {
        Members = members ?? throw new ArgumentNullException(nameof(members));
        Tag = tag;
        Variants = variants ?? Array.Empty<SchemaInfoVariant>();
    }

    /// <summary>Always <c>object</c>.</summary>
    public override string MetaType => SchemaMetaType.Object;

    /// <summary>The common members, a base's first, in schema order; a variant's members are not among them (see <see cref="Variants"/>).</summary>
    public IReadOnlyList<SchemaInfoObjectMember> Members { get; }

    /// <summary>The member whose value selects a variant; null when the object is not a union.</summary>
    public string? Tag { get; }

    /// <summary>A union's variants, by tag value; empty when the object is not a union.</summary>
    public IReadOnlyList<SchemaInfoVariant> Variants { get; }

    private Dictionary<string, SchemaInfoObjectMember>? _membersByName;
    private Dictionary<string, SchemaInfoVariant>? _variantsByCase;

    /// <summary>The member named <paramref name="name"/> (compared exactly), or null; variants' members are not searched.</summary>
    public SchemaInfoObjectMember? FindMember(string name) => SchemaInfo.FindByName(Members, name, m => m.Name, ref _membersByName);

    /// <summary>The variant selected by tag value <paramref name="case"/>, or null when the union has none.</summary>
    public SchemaInfoVariant? FindVariant(string @case) => SchemaInfo.FindByName(Variants, @case, v => v.Case, ref _variantsByCase);
}

/// <summary>
/// A member of an object. <see cref="IsOptional"/>: the entry has <c>default</c> (QEMU always sends
/// <c>"default": null</c> for an optional member; no QEMU so far sends another default).
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoObjectMember
{
    /// <summary>A member of type <paramref name="type"/>; <paramref name="isOptional"/> when a value may omit it.</summary>
    public SchemaInfoObjectMember(string name, string type, bool isOptional = false, IReadOnlyList<string>? features = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Type = type ?? throw new ArgumentNullException(nameof(type));
        IsOptional = isOptional;
        Features = features ?? Array.Empty<string>();
    }

    /// <summary>The member's name, the key in JSON (never masked).</summary>
    public string Name { get; }

    /// <summary>The name of the member's type (a number on a live server for enum, object and alternate types).</summary>
    public string Type { get; }

    /// <summary>A value may omit the member (introspection gives it a <c>default</c>).</summary>
    public bool IsOptional { get; }

    /// <summary>The member's own features, such as <c>deprecated</c> or <c>unstable</c>.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>
    /// The QAPI condition (<c>if</c>) the schema puts on the member, in QAPI's notation (<c>CONFIG_BLKIO</c>,
    /// <c>{'all': [TARGET_S390X, CONFIG_KVM]}</c>); null when it is unconditional. Only a client's own
    /// description carries conditions (a live QEMU answers for its build, with none): what the
    /// server lacks under a condition is what its build leaves out, not an incompatibility.
    /// </summary>
    public string? Condition { get; init; }

    /// <summary>The member in QAPI notation: <c>name: type</c>, with a leading <c>*</c> when optional.</summary>
    public override string ToString() => (IsOptional ? "*" : "") + Name + ": " + Type;
}

/// <summary>A variant of a union: when the tag is <see cref="Case"/>, the members of <see cref="Type"/> are added.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoVariant
{
    /// <summary>The variant that tag value <paramref name="case"/> selects, adding the members of <paramref name="type"/>.</summary>
    public SchemaInfoVariant(string @case, string type)
    {
        Case = @case ?? throw new ArgumentNullException(nameof(@case));
        Type = type ?? throw new ArgumentNullException(nameof(type));
    }

    /// <summary>The tag value that selects this variant.</summary>
    public string Case { get; }

    /// <summary>The object type whose members the variant adds.</summary>
    public string Type { get; }

    /// <summary>
    /// The QAPI condition (<c>if</c>) the schema puts on the branch, in QAPI's notation (<c>CONFIG_BLKIO</c>,
    /// <c>{'all': [TARGET_S390X, CONFIG_KVM]}</c>); null when it is unconditional. Only a client's own
    /// description carries conditions (a live QEMU answers for its build, with none): what the
    /// server lacks under a condition is what its build leaves out, not an incompatibility.
    /// </summary>
    public string? Condition { get; init; }

    /// <summary>The case and its type, as <c>case: type</c>.</summary>
    public override string ToString() => Case + ": " + Type;
}

/// <summary>An alternate: a value of one of its members' types, told apart by JSON type.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoAlternate : SchemaInfoEntry
{
    /// <summary>An alternate of <paramref name="memberTypes"/>, in schema order.</summary>
    public SchemaInfoAlternate(string name, IReadOnlyList<string> memberTypes, IReadOnlyList<string>? features = null)
        : base(name, features) => MemberTypes = memberTypes ?? throw new ArgumentNullException(nameof(memberTypes));

    /// <summary>Always <c>alternate</c>.</summary>
    public override string MetaType => SchemaMetaType.Alternate;

    /// <summary>The type of each member, in schema order (introspection gives alternate members no names).</summary>
    public IReadOnlyList<string> MemberTypes { get; }
}

/// <summary>A command. <see cref="ArgType"/> and <see cref="RetType"/> are always present (an empty object when the command has none).</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoCommand : SchemaInfoEntry
{
    /// <summary>A command taking <paramref name="argType"/> and returning <paramref name="retType"/>; <paramref name="allowOob"/> when it may run out of band.</summary>
    public SchemaInfoCommand(string name, string argType, string retType, bool allowOob = false, IReadOnlyList<string>? features = null)
        : base(name, features)
    {
        ArgType = argType ?? throw new ArgumentNullException(nameof(argType));
        RetType = retType ?? throw new ArgumentNullException(nameof(retType));
        AllowOob = allowOob;
    }

    /// <summary>Always <c>command</c>.</summary>
    public override string MetaType => SchemaMetaType.Command;

    /// <summary>The object type of the command's <c>arguments</c>.</summary>
    public string ArgType { get; }

    /// <summary>The type of the command's <c>return</c> value, of any meta-type (often an object or an array).</summary>
    public string RetType { get; }

    /// <summary>The command may run out of band (<c>exec-oob</c>).</summary>
    public bool AllowOob { get; }
}

/// <summary>An event; <see cref="ArgType"/> is the object type of its <c>data</c>.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoEvent : SchemaInfoEntry
{
    /// <summary>An event whose <c>data</c> is of type <paramref name="argType"/>.</summary>
    public SchemaInfoEvent(string name, string argType, IReadOnlyList<string>? features = null)
        : base(name, features) => ArgType = argType ?? throw new ArgumentNullException(nameof(argType));

    /// <summary>Always <c>event</c>.</summary>
    public override string MetaType => SchemaMetaType.Event;

    /// <summary>The object type of the event's <c>data</c>.</summary>
    public string ArgType { get; }
}

/// <summary>An entry of a meta-type this library does not know (a newer QEMU's): kept by name, never an error.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoUnknown : SchemaInfoEntry
{
    private readonly string _metaType;

    /// <summary>An entry of meta-type <paramref name="metaType"/>, which this library does not model.</summary>
    public SchemaInfoUnknown(string name, string metaType, IReadOnlyList<string>? features = null)
        : base(name, features) => _metaType = metaType ?? throw new ArgumentNullException(nameof(metaType));

    /// <summary>The meta-type as the server sent it.</summary>
    public override string MetaType => _metaType;
}

/// <summary>
/// A whole <c>query-qmp-schema</c> reply: its entries by name, the commands and events, and feature
/// probes in libvirt's schema-path syntax (<see cref="Has"/>). Entries are kept in the order given.
/// A second entry with a name already seen, and a type name nothing defines, are recorded in
/// <see cref="Problems"/>, never thrown: a server's schema is data, not our contract.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed partial class SchemaInfo
{
    // libvirt's bound on traversal steps (a schema whose arrays or alternates refer to themselves).
    private const int MaxTraversalSteps = 1000;

    private readonly Dictionary<string, SchemaInfoEntry> _byName = new(StringComparer.Ordinal);
    private readonly List<SchemaInfoEntry> _entries = new();
    private readonly List<SchemaInfoCommand> _commands = new();
    private readonly List<SchemaInfoEvent> _events = new();
    private readonly List<string> _problems = new();

    /// <summary>Indexes <paramref name="entries"/> by name; null entries are skipped, duplicates and dangling type names go to <see cref="Problems"/>.</summary>
    public SchemaInfo(IEnumerable<SchemaInfoEntry> entries)
    {
        SchemaInfo.NotNull(entries, nameof(entries));
        foreach (var entry in entries)
        {
            if (entry is null)
            {
                continue;
            }

            if (_byName.ContainsKey(entry.Name))
            {
                _problems.Add("entry '" + entry.Name + "' appears more than once; the first is kept");
                continue;
            }
            _byName.Add(entry.Name, entry);
            _entries.Add(entry);
            if (entry is SchemaInfoCommand c)
            {
                _commands.Add(c);
            }
            else if (entry is SchemaInfoEvent e)
            {
                _events.Add(e);
            }
        }
        foreach (var entry in _entries)
        {
            foreach (var type in ReferencedTypes(entry))
            {
                if (!_byName.ContainsKey(type))
                {
                    _problems.Add(entry.MetaType + " '" + entry.Name + "' refers to type '" + type + "', which the schema does not define");
                }
            }
        }
    }

    /// <summary>Every entry, in the order read.</summary>
    public IReadOnlyList<SchemaInfoEntry> Entries => _entries;

    /// <summary>The commands, in the order read.</summary>
    public IReadOnlyList<SchemaInfoCommand> Commands => _commands;

    /// <summary>The events, in the order read.</summary>
    public IReadOnlyList<SchemaInfoEvent> Events => _events;

    /// <summary>What was wrong with the entries (duplicates, dangling type names); empty for any real QEMU.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The entry named <paramref name="name"/> (a command, an event, or a type, masked or real), or null.</summary>
    public SchemaInfoEntry? Find(string name) => name is not null && _byName.TryGetValue(name, out var e) ? e : null;

    /// <summary>The command <paramref name="name"/>, or null when there is none or the name is another kind of entry.</summary>
    public SchemaInfoCommand? FindCommand(string name) => Find(name) as SchemaInfoCommand;

    /// <summary>The event <paramref name="name"/>, or null when there is none or the name is another kind of entry.</summary>
    public SchemaInfoEvent? FindEvent(string name) => Find(name) as SchemaInfoEvent;

    /// <summary>Whether the schema has the command <paramref name="name"/>: the quick probe before calling a command an older QEMU may lack.</summary>
    public bool HasCommand(string name) => FindCommand(name) is not null;

    /// <summary>Whether the schema has the event <paramref name="name"/>.</summary>
    public bool HasEvent(string name) => FindEvent(name) is not null;

    /// <summary>
    /// The JSON type a value of type <paramref name="typeName"/> has on the wire: a builtin's
    /// <c>json-type</c>, <c>string</c> for an enum, <c>object</c>, <c>array</c>; null for an
    /// alternate, an unknown meta-type or a name the schema lacks.
    /// </summary>
    public string? JsonTypeOf(string typeName) => Find(typeName) switch
    {
        SchemaInfoBuiltin b => b.JsonType,
        SchemaInfoEnum => "string",
        SchemaInfoObject => "object",
        SchemaInfoArray => "array",
        _ => null,
    };

    /// <summary>
    /// Answers a libvirt schema path (<c>virQEMUQAPISchemaPathExists</c>): true when it leads to an
    /// entry, or when its last (boolean) component holds. Components, separated by <c>/</c>:
    /// the first names a command, event or type; then, on a command or event, <c>arg-type</c> or
    /// <c>ret-type</c>; on an object, <c>name</c> (a member), <c>*name</c> (a member that must be
    /// optional), <c>+case</c> (a union variant); arrays are entered transparently and alternates
    /// are tried member by member until one succeeds. Boolean components end the path:
    /// <c>^value</c> (the enum has the value, optionally followed by <c>$feature</c> of that value),
    /// <c>!json-type</c> (the builtin has that JSON type), <c>$feature</c> (the command, event or
    /// object has the feature). A name starting with a character other than a letter is prefixed
    /// with one space. Throws <see cref="ArgumentException"/> for a malformed path (an empty
    /// component, a boolean component followed by more), as libvirt reports an error for it; a
    /// schema that refers to types it lacks answers false where libvirt would report an error.
    /// </summary>
    public bool Has(string path) => TryResolve(path, out _);

    /// <summary>
    /// <see cref="Has"/>, also giving the entry a type query leads to (null when the path ends in a
    /// boolean component).
    /// </summary>
    public bool TryResolve(string path, out SchemaInfoEntry? entry)
    {
        entry = null;
        SchemaInfo.NotNull(path, nameof(path));
        var components = path.Split('/');
        foreach (var c in components)
        {
            if (c.Length == 0)
            {
                throw new ArgumentException("the schema path '" + path + "' has an empty component", nameof(path));
            }
        }

        if (Find(components[0]) is null)
        {
            return false;
        }

        var walk = new PathWalk(this, components);
        var rc = walk.Traverse(components[0]);
        if (rc == PathWalk.Malformed)
        {
            throw new ArgumentException("the schema path '" + path + "' continues after its boolean component '" + walk.Previous + "'", nameof(path));
        }

        if (rc == PathWalk.Found)
        {
            entry = walk.Result;
        }

        return rc == PathWalk.Found;
    }

    internal static void NotNull(object? value, string name)
    {
#if NETSTANDARD2_0
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }
#else
        ArgumentNullException.ThrowIfNull(value, name);
#endif
    }

    // Past this many items a list is searched through an index: a hostile server's type with
    // thousands of members, compared with a client's, would otherwise cost members x members.
    private const int IndexFrom = 16;

    /// <summary>The first item named <paramref name="name"/>: a scan for a short list, an index (built once, first name wins) for a long one.</summary>
    internal static T? FindByName<T>(IReadOnlyList<T> items, string name, Func<T, string> nameOf, ref Dictionary<string, T>? index) where T : class
    {
        if (items.Count < IndexFrom)
        {
            foreach (var item in items)
            {
                if (string.Equals(nameOf(item), name, StringComparison.Ordinal))
                {
                    return item;
                }
            }

            return null;
        }
        if (index is null)
        {
            // Built aside and published whole: two threads may both build it, never see half of one.
            var built = new Dictionary<string, T>(items.Count, StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (!built.ContainsKey(nameOf(item)))
                {
                    built.Add(nameOf(item), item);
                }
            }

            index = built;
        }
        return name is not null && index.TryGetValue(name, out var found) ? found : null;
    }

    internal static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var s in list)
        {
            if (string.Equals(s, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every type name the entries named in <paramref name="roots"/> lead to, transitively: a
    /// command's arguments and returns, an event's data, an object's members and variants, an
    /// alternate's branches, an array's element. A name no entry defines is listed and leads nowhere;
    /// the roots are not listed unless something leads back to them. The one reachability for the
    /// compatibility report (what lies under a command) and a filtered saved answer (what it keeps).
    /// </summary>
    internal HashSet<string> TypesReachedFrom(IEnumerable<string> roots)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        void Follow(SchemaInfoEntry? entry)
        {
            if (entry is null)
            {
                return;
            }

            foreach (var type in ReferencedTypes(entry))
            {
                if (type is not null)
                {
                    pending.Push(type);
                }
            }
        }

        foreach (var root in roots)
        {
            Follow(Find(root));
        }

        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (reached.Add(name))
            {
                Follow(Find(name));
            }
        }
        return reached;
    }

    internal static IEnumerable<string> ReferencedTypes(SchemaInfoEntry entry)
    {
        switch (entry)
        {
            case SchemaInfoArray a:
                yield return a.ElementType;
                break;
            case SchemaInfoObject o:
                foreach (var m in o.Members)
                {
                    yield return m.Type;
                }

                foreach (var v in o.Variants)
                {
                    yield return v.Type;
                }

                break;
            case SchemaInfoAlternate alt:
                foreach (var t in alt.MemberTypes)
                {
                    yield return t;
                }

                break;
            case SchemaInfoCommand c:
                yield return c.ArgType;
                yield return c.RetType;
                break;
            case SchemaInfoEvent e:
                yield return e.ArgType;
                break;
        }
    }

    // libvirt's traversal (qemu_qapi.c), result for result: Found 1, NotFound 0, and its two errors,
    // a schema that names a type it lacks (-2) and a boolean component with followers (-3).
    private sealed class PathWalk
    {
        public const int Found = 1;
        public const int NotFound = 0;
        public const int BadSchema = -2;
        public const int Malformed = -3;

        private readonly SchemaInfo _schema;
        private readonly string[] _components;
        private int _next = 1;
        private int _steps;

        public PathWalk(SchemaInfo schema, string[] components)
        {
            _schema = schema;
            _components = components;
        }

        public SchemaInfoEntry? Result { get; private set; }

        public string? Previous { get; private set; }

        private bool HasNext => _next < _components.Length;

        private string Next()
        {
            Previous = _components[_next++];
            return Previous;
        }

        public int Traverse(string typeName)
        {
            if (_steps++ > MaxTraversalSteps)
            {
                return BadSchema;
            }

            var cur = _schema.Find(typeName);
            if (cur is null)
            {
                return BadSchema;
            }

            if (!HasNext)
            {
                Result = cur;
                return Found;
            }
            return cur switch
            {
                SchemaInfoObject o => TraverseObject(o),
                SchemaInfoArray a => Traverse(a.ElementType),
                SchemaInfoCommand c => TraverseCommand(c, c.ArgType, c.RetType),
                SchemaInfoEvent e => TraverseCommand(e, e.ArgType, null),
                SchemaInfoEnum en => TraverseEnum(en),
                SchemaInfoBuiltin b => TraverseBuiltin(b),
                SchemaInfoAlternate alt => TraverseAlternate(alt),
                _ => NotFound,
            };
        }

        private static char Modifier(string query, out string name)
        {
            var c = query[0];
            var isLetter = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
            name = isLetter ? query : query.Substring(1);
            return isLetter ? '\0' : c;
        }

        private int TraverseObject(SchemaInfoObject o)
        {
            var modifier = Modifier(Next(), out var name);
            if (modifier is '^' or '!')
            {
                return NotFound;
            }

            if (modifier == '$')
            {
                return HasNext ? Malformed : (o.HasFeature(name) ? Found : NotFound);
            }

            string? type;
            if (modifier == '+')
            {
                type = o.FindVariant(name)?.Type;
            }
            else
            {
                var member = o.FindMember(name);
                if (modifier == '*' && member is { IsOptional: false })
                {
                    return NotFound;
                }

                type = member?.Type;
            }
            return type is null ? NotFound : Traverse(type);
        }

        private int TraverseCommand(SchemaInfoEntry entity, string argType, string? retType)
        {
            var modifier = Modifier(Next(), out var name);
            if (modifier is '^' or '!' or '+' or '*')
            {
                return NotFound;
            }

            if (modifier == '$')
            {
                return HasNext ? Malformed : (entity.HasFeature(name) ? Found : NotFound);
            }

            var type = name switch
            {
                "arg-type" => argType,
                "ret-type" => retType,
                _ => null,
            };
            return type is null ? NotFound : Traverse(type);
        }

        private int TraverseEnum(SchemaInfoEnum e)
        {
            var query = Next();
            if (query[0] != '^')
            {
                return NotFound;
            }

            string? feature = null;
            if (HasNext)
            {
                // Only a feature of the value may follow a value.
                var featureQuery = Next();
                if (featureQuery[0] != '$' || HasNext)
                {
                    return Malformed;
                }

                feature = featureQuery.Substring(1);
            }
            var member = e.FindMember(query.Substring(1));
            if (member is null)
            {
                return NotFound;
            }

            return feature is null || Contains(member.Features, feature) ? Found : NotFound;
        }

        private int TraverseBuiltin(SchemaInfoBuiltin b)
        {
            var query = Next();
            if (query[0] != '!')
            {
                return NotFound;
            }

            if (HasNext)
            {
                return Malformed;
            }

            return string.Equals(b.JsonType, query.Substring(1), StringComparison.Ordinal) ? Found : NotFound;
        }

        private int TraverseAlternate(SchemaInfoAlternate alt)
        {
            var saveNext = _next;
            var savePrevious = Previous;
            foreach (var type in alt.MemberTypes)
            {
                _next = saveNext;
                Previous = savePrevious;
                var rc = Traverse(type);
                if (rc != NotFound)
                {
                    return rc;
                }
            }
            return NotFound;
        }
    }
}
