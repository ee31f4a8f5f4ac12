using System;
using System.Collections.Generic;
using System.Linq;

namespace Qmp.Codegen.Schema;

/// <summary>
/// Lookups over a <see cref="QmpSchema"/>, as QEMU's schema.py offers them: an entity by name, every
/// member of an object (its base chain's first, then its own), the members a union branch adds, the
/// tag's enum and the enum values that have no branch (empty branches). Built once per schema; the
/// schema stays the value the generator caches on, this is only a view of it. Cycles and unknown
/// names (which the readers report) end a walk instead of looping or throwing.
/// </summary>
public sealed class SchemaIndex
{
    private readonly Dictionary<string, SchemaType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaEvent> _events = new(StringComparer.Ordinal);

    public SchemaIndex(QmpSchema schema)
    {
        Schema = schema;
        foreach (var type in schema.Types)
            _types[type.Name] = type;
        foreach (var command in schema.Commands)
            _commands[command.Name] = command;
        foreach (var e in schema.Events)
            _events[e.Name] = e;
    }

    public QmpSchema Schema { get; }

    /// <summary>The named type, or null for a builtin or an unknown name.</summary>
    public SchemaType? Type(string name) => _types.TryGetValue(name, out var type) ? type : null;

    public SchemaObjectType? ObjectType(string? name) => name is null ? null : Type(name) as SchemaObjectType;

    public SchemaCommand? Command(string name) => _commands.TryGetValue(name, out var command) ? command : null;

    public SchemaEvent? Event(string name) => _events.TryGetValue(name, out var e) ? e : null;

    /// <summary>The object types from the root of the base chain down to <paramref name="type"/>.</summary>
    public IReadOnlyList<SchemaObjectType> BaseChain(SchemaObjectType type)
    {
        var chain = new List<SchemaObjectType>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && seen.Add(t.Name); t = ObjectType(t.Base))
            chain.Add(t);
        chain.Reverse();
        return chain;
    }

    /// <summary>Every member of an object in wire order: the base chain's members, then its own. A union's branch members are not included (<see cref="BranchMembers"/>).</summary>
    public IReadOnlyList<SchemaMember> AllMembers(SchemaObjectType type) => BaseChain(type).SelectMany(t => t.Members).ToList();

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
            return Array.Empty<string>();
        var cases = new HashSet<string>(union.Variants!.Branches.Select(b => b.Case), StringComparer.Ordinal);
        return tagEnum.Values.Select(v => v.Name).Where(v => !cases.Contains(v)).ToList();
    }
}
