using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Generation;

// What a QAPI schema adds to the generation spec: unions and alternates (the .hx front end has
// neither), and the files a QAPI top file includes.

/// <summary>A file a QAPI top file may include: its path and text (the generator reads no file itself).</summary>
public sealed record QapiIncludeInput(string Path, string Text, string TopFile);

/// <summary>
/// A QAPI union: an abstract record holding the base members, its discriminator <see cref="Tag"/>
/// (an enum), a sealed record per value of the tag's enum (<see cref="Branches"/>), and an
/// <see cref="UnknownName"/> branch for a value this client does not know.
/// </summary>
public sealed record UnionSpec(
    string Name,
    string? Summary,
    PropertySpec Tag,
    EquatableArray<PropertySpec> BaseProperties,
    EquatableArray<UnionBranchSpec> Branches,
    string UnknownName,
    string UnknownMembersName);

/// <summary>One branch of a union: the tag value it is for, its record's name, its own members (after the base's).</summary>
public sealed record UnionBranchSpec(string Case, string Name, string? Summary, EquatableArray<PropertySpec> Properties);

/// <summary>A QAPI alternate: one of several types, chosen by the JSON token type.</summary>
public sealed record AlternateSpec(string Name, string? Summary, EquatableArray<AlternateBranchSpec> Branches);

/// <summary>One branch of an alternate; <see cref="Type"/> null for the <c>null</c> branch.</summary>
public sealed record AlternateBranchSpec(string JsonName, string ClrName, TypeRef? Type, string? Doc);

/// <summary>The unions and alternates of a QAPI schema, emitted beside the records and enums.</summary>
public sealed record QapiTypesSpec(string Namespace, string Stem, EquatableArray<UnionSpec> Unions, EquatableArray<AlternateSpec> Alternates)
{
    /// <summary><c>Access="Internal"</c>: the unions and alternates are internal too.</summary>
    public bool Internal { get; init; }
}
