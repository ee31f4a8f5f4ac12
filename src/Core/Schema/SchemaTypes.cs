using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Schema;

/// <summary>
/// A reference to a type by name: a builtin (<see cref="SchemaBuiltins"/>) or a named type of the
/// schema, or an array of one (<c>['T']</c>; QAPI has no arrays of arrays).
/// </summary>
public sealed record SchemaTypeRef(string Name, bool IsArray = false)
{
    public static SchemaTypeRef Of(string name) => new(name);

    public static SchemaTypeRef ArrayOf(string name) => new(name, true);

    /// <summary>The element type of an array, the type itself otherwise.</summary>
    public SchemaTypeRef Element => IsArray ? new SchemaTypeRef(Name) : this;

    /// <summary>QAPI's spelling: <c>T</c> or <c>[T]</c>.</summary>
    public override string ToString() => IsArray ? "[" + Name + "]" : Name;
}

/// <summary>The JSON type of a value on the wire (QAPI's <c>json-type</c> of introspection).</summary>
public enum JsonType
{
    String,
    /// <summary>An integer (QEMU 2.1 calls it <c>int</c> in its errors).</summary>
    Int,
    /// <summary>A number, integer or not.</summary>
    Number,
    Boolean,
    Null,
    Object,
    Array,
    /// <summary>Any JSON value (<c>any</c>).</summary>
    Value,
}

/// <summary>The builtin types, named as QAPI names them, with their JSON type and range.</summary>
public static class SchemaBuiltins
{
    public const string Str = "str";
    public const string Number = "number";
    public const string Int = "int";
    public const string Int8 = "int8";
    public const string Int16 = "int16";
    public const string Int32 = "int32";
    public const string Int64 = "int64";
    public const string UInt8 = "uint8";
    public const string UInt16 = "uint16";
    public const string UInt32 = "uint32";
    public const string UInt64 = "uint64";
    public const string Size = "size";
    public const string Bool = "bool";
    public const string Any = "any";
    public const string Null = "null";
    public const string QType = "QType";

    private static readonly Dictionary<string, JsonType> s_jsonTypes = new(StringComparer.Ordinal)
    {
        [Str] = JsonType.String,
        [Number] = JsonType.Number,
        [Int] = JsonType.Int,
        [Int8] = JsonType.Int,
        [Int16] = JsonType.Int,
        [Int32] = JsonType.Int,
        [Int64] = JsonType.Int,
        [UInt8] = JsonType.Int,
        [UInt16] = JsonType.Int,
        [UInt32] = JsonType.Int,
        [UInt64] = JsonType.Int,
        [Size] = JsonType.Int,
        [Bool] = JsonType.Boolean,
        [Any] = JsonType.Value,
        [Null] = JsonType.Null,
        // QType is an enum of JSON type names; QEMU lists it among the builtins.
        [QType] = JsonType.String,
    };

    public static IEnumerable<string> Names => s_jsonTypes.Keys;

    /// <summary>
    /// QEMU's predefined enum <c>QType</c>: the JSON types by QEMU's names for them, in QEMU's order
    /// (schema.py defines it among the builtins). Every consumer (the C# enum, introspection) reads its values here.
    /// </summary>
    public static readonly SchemaEnumType QTypeEnum = new(
        QType, null,
        new[] { "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool" }
            .Select(v => new SchemaEnumValue(v, null, null, EquatableArray<SchemaFeature>.Empty, SchemaLocation.None)).ToEquatableArray(),
        null, EquatableArray<SchemaFeature>.Empty,
        null, SchemaLocation.None);

    public static bool IsBuiltin(string name) => s_jsonTypes.ContainsKey(name);

    /// <summary>The JSON type of a builtin; null for a name that is not one.</summary>
    public static JsonType? JsonTypeOf(string name) => s_jsonTypes.TryGetValue(name, out var type) ? type : null;
}

/// <summary>A named type of the schema: an object (struct or union), an enum or an alternate.</summary>
public abstract record SchemaType(
    string Name,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
{
    /// <summary>The QAPI meta-type: <c>object</c>, <c>enum</c>, <c>alternate</c>.</summary>
    public abstract string MetaType { get; }

    public bool IsDeprecated => SchemaFeature.Has(Features, SchemaFeature.Deprecated);

    public bool IsUnstable => SchemaFeature.Has(Features, SchemaFeature.Unstable);
}

/// <summary>
/// An object type. <see cref="Members"/> are its own (local) members; <see cref="Base"/> names the
/// object type whose members come first. With <see cref="Variants"/> it is a union: the base's
/// member <see cref="SchemaVariants.Tag"/> selects a branch whose members are added.
/// <see cref="IsImplicit"/>: the schema gave it no name (a command's inline arguments, an event's
/// inline data); its name is then QEMU's <c>q_obj_NAME-arg</c>. <see cref="AcceptsAnyMember"/>:
/// members beyond the listed ones are accepted and kept (QEMU 2.1's <c>O</c> option lists, and
/// objects the docs describe only in part).
/// </summary>
public sealed record SchemaObjectType(
    string Name,
    string? Base,
    EquatableArray<SchemaMember> Members,
    SchemaVariants? Variants,
    bool IsImplicit,
    bool AcceptsAnyMember,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
    : SchemaType(Name, Condition, Features, Doc, Location)
{
    public override string MetaType => "object";

    public bool IsUnion => Variants is not null;

    /// <summary>The name QEMU gives the implicit arguments type of a command or data type of an event.</summary>
    public static string ImplicitName(string entity) => "q_obj_" + entity + "-arg";
}

/// <summary>A member of an object type.</summary>
public sealed record SchemaMember(
    string Name,
    SchemaTypeRef Type,
    bool Optional,
    string? Doc,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaLocation Location)
{
    public bool IsDeprecated => SchemaFeature.Has(Features, SchemaFeature.Deprecated);

    public bool IsUnstable => SchemaFeature.Has(Features, SchemaFeature.Unstable);
}

/// <summary>The branches of a union: the tag member (an enum member of the base) and a type per tag value.</summary>
public sealed record SchemaVariants(string Tag, EquatableArray<SchemaVariant> Branches);

/// <summary>One branch of a union: for tag value <see cref="Case"/>, the members of object type <see cref="Type"/> are added.</summary>
public sealed record SchemaVariant(string Case, SchemaTypeRef Type, SchemaCondition? Condition, SchemaLocation Location);

/// <summary>An enum: a string from a known set of values. A client keeps values it does not know.</summary>
public sealed record SchemaEnumType(
    string Name,
    string? Prefix,
    EquatableArray<SchemaEnumValue> Values,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
    : SchemaType(Name, Condition, Features, Doc, Location)
{
    public override string MetaType => "enum";
}

/// <summary>One value of an enum.</summary>
public sealed record SchemaEnumValue(
    string Name,
    string? Doc,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaLocation Location)
{
    public bool IsDeprecated => SchemaFeature.Has(Features, SchemaFeature.Deprecated);
}

/// <summary>An alternate: a value of one of several types, told apart by its JSON type.</summary>
public sealed record SchemaAlternateType(
    string Name,
    EquatableArray<SchemaAlternateBranch> Branches,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
    : SchemaType(Name, Condition, Features, Doc, Location)
{
    public override string MetaType => "alternate";
}

/// <summary>One branch of an alternate, named as the member it is written as.</summary>
public sealed record SchemaAlternateBranch(string Name, SchemaTypeRef Type, string? Doc, SchemaCondition? Condition, SchemaLocation Location);
