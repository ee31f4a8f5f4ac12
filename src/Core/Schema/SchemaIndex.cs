using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Qmp.Codegen.Schema;

/// <summary>
/// The resolved view of a <see cref="QmpSchema"/>, what QEMU's schema.py settles once in
/// <c>check()</c>: the one index of names (an entity by name; the first of duplicates, which the
/// readers report), every object type's members with its base chain flattened (base first), a
/// union's tag, tag enum and branches, and which types sit in a base cycle (QMP0222, reported by the
/// readers: their chain ends where it comes back, so nothing loops or recurses without end). Every
/// consumer of the model reads these instead of deriving them. Built once per schema value
/// (<see cref="Of"/>); the schema stays the value the generator caches on, this is only a view of it.
/// </summary>
public sealed class SchemaIndex
{
    private static readonly ConditionalWeakTable<QmpSchema, SchemaIndex> s_resolved = new();

    private readonly Dictionary<string, SchemaType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<SchemaMember>> _members = new(StringComparer.Ordinal);

    public SchemaIndex(QmpSchema schema)
    {
        Schema = schema;
        foreach (var type in schema.Types)
        {
            if (!_types.ContainsKey(type.Name))
            {
                _types[type.Name] = type;
            }
        }
        foreach (var command in schema.Commands)
        {
            if (!_commands.ContainsKey(command.Name))
            {
                _commands[command.Name] = command;
            }
        }
        foreach (var e in schema.Events)
        {
            if (!_events.ContainsKey(e.Name))
            {
                _events[e.Name] = e;
            }
        }
    }

    /// <summary>The resolved view of <paramref name="schema"/>, built at its first use and kept while the schema lives.</summary>
    public static SchemaIndex Of(QmpSchema schema) => s_resolved.GetValue(schema, s => new SchemaIndex(s));

    public QmpSchema Schema { get; }

    /// <summary>The named type, or null for a builtin (<c>QType</c>'s values are <see cref="SchemaBuiltins.QTypeEnum"/>) or an unknown name.</summary>
    public SchemaType? Type(string name) =>
        _types.TryGetValue(name, out var type) ? type : null;

    public SchemaObjectType? ObjectType(string? name) => name is null ? null : Type(name) as SchemaObjectType;

    /// <summary>The object type a reference names (not an array of one), or null.</summary>
    public SchemaObjectType? ObjectType(SchemaTypeRef? reference) => reference is null || reference.IsArray ? null : ObjectType(reference.Name);

    public SchemaCommand? Command(string name) => _commands.TryGetValue(name, out var command) ? command : null;

    public SchemaEvent? Event(string name) => _events.TryGetValue(name, out var e) ? e : null;

    /// <summary>The object types from the root of the base chain down to <paramref name="type"/>; a cycle ends the chain where it comes back.</summary>
    public IReadOnlyList<SchemaObjectType> BaseChain(SchemaObjectType type)
    {
        var chain = new List<SchemaObjectType>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && seen.Add(t.Name); t = ObjectType(t.Base))
        {
            chain.Add(t);
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// Whether an object's members are more than it declares, so a client keeps the rest (a record's
    /// <c>AdditionalProperties</c>), a server takes any key, and the docs show <c>...</c>: an .hx option
    /// list (<c>O</c>) or an argument object the docs describe only in part
    /// (<see cref="SchemaObjectType.AcceptsAnyMember"/>), and the arguments of a command with QAPI's
    /// <c>'gen': false</c> (QEMU's handler takes them as they come: <c>device_add</c>'s device
    /// properties); a union's are never open, its branches say what comes. A member of type <c>any</c>
    /// does not open its object: its value is any JSON already, and QEMU's visitor still refuses a
    /// member nobody declared. Decided here once; every output reads it.
    /// </summary>
    public bool IsOpen(SchemaObjectType type)
    {
        if (type.AcceptsAnyMember)
        {
            return true;
        }

        if (type.IsUnion)
        {
            return false;
        }

        lock (_members)
        {
            _openArguments ??= new HashSet<string>(
                Schema.Commands.Where(c => !c.Flags.Generated && c.Arguments is not null).Select(c => c.Arguments!.Name),
                StringComparer.Ordinal);
            return _openArguments.Contains(type.Name);
        }
    }

    /// <summary>Whether a command's arguments are open (<see cref="IsOpen(SchemaObjectType)"/>); false for a command without an arguments object.</summary>
    public bool TakesOpenArguments(SchemaCommand command) => ObjectType(command.Arguments) is { } arguments && IsOpen(arguments);

    private HashSet<string>? _openArguments;

    /// <summary>Whether the type's base chain comes back to a type already in it (QMP0222): such a type has no members to speak of.</summary>
    public bool InBaseCycle(SchemaType type)
    {
        if (type is not SchemaObjectType o || o.Base is null)
        {
            return false;
        }

        var chain = BaseChain(o);
        // The chain stopped at its root for a reason: the root has no base, or a base already in the chain.
        return chain[0].Base is { } b && ObjectType(b) is not null && chain.Any(t => t.Name == b);
    }

    /// <summary>Every member of an object in wire order: the base chain's members, then its own. A union's branch members are not included (<see cref="BranchMembers"/>).</summary>
    public IReadOnlyList<SchemaMember> AllMembers(SchemaObjectType type)
    {
        if (type.Base is null)
        {
            return type.Members;
        }

        lock (_members)
        {
            if (_members.TryGetValue(type.Name, out var known) && ReferenceEquals(Type(type.Name), type))
            {
                return known;
            }
        }
        var members = BaseChain(type).SelectMany(t => t.Members).ToList();
        if (ReferenceEquals(Type(type.Name), type))
        {
            lock (_members)
            {
                _members[type.Name] = members;
            }
        }
        return members;
    }

    /// <summary>The members a branch of a union adds (all members of the branch's type), or none for a tag value without a branch.</summary>
    public IReadOnlyList<SchemaMember> BranchMembers(SchemaObjectType union, string tagValue)
    {
        var branch = union.Variants?.Branches.FirstOrDefault(b => b.Case == tagValue);
        return ObjectType(branch?.Type.Name) is { } type ? AllMembers(type) : Array.Empty<SchemaMember>();
    }

    /// <summary>The tag member of a union (a member of its base chain), or null.</summary>
    public SchemaMember? Tag(SchemaObjectType union) =>
        union.Variants is { } variants ? AllMembers(union).FirstOrDefault(m => m.Name == variants.Tag) : null;

    /// <summary>The enum of a union's tag, or null.</summary>
    public SchemaEnumType? TagEnum(SchemaObjectType union) =>
        Tag(union) is { Type.IsArray: false } tag ? Type(tag.Type.Name) as SchemaEnumType : null;

    /// <summary>The tag values that have no branch: with such a value, the union has only its base members.</summary>
    public IReadOnlyList<string> EmptyBranches(SchemaObjectType union)
    {
        if (TagEnum(union) is not { } tagEnum)
        {
            return Array.Empty<string>();
        }

        var cases = new HashSet<string>(union.Variants!.Branches.Select(b => b.Case), StringComparer.Ordinal);
        return tagEnum.Values.Select(v => v.Name).Where(v => !cases.Contains(v)).ToList();
    }
}
