using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Generation;

// Unions, alternates and modules in the generation spec, and the files a QAPI top file includes.

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

/// <summary>
/// One branch of a union: the tag value it is for, its record's name, its own members (after the base's).
/// <see cref="Data"/>: the branch's members are a generated record's (QAPI's branch type), carried as one
/// property of that type instead of copied into the branch (<see cref="Properties"/> is then empty).
/// </summary>
public sealed record UnionBranchSpec(string Case, string Name, string? Summary, EquatableArray<PropertySpec> Properties, PropertySpec? Data = null);

/// <summary>A QAPI alternate: one of several types, chosen by the JSON token type.</summary>
public sealed record AlternateSpec(string Name, string? Summary, EquatableArray<AlternateBranchSpec> Branches);

/// <summary>One branch of an alternate; <see cref="Type"/> null for the <c>null</c> branch.</summary>
public sealed record AlternateBranchSpec(string JsonName, string ClrName, TypeRef? Type, string? Doc);

/// <summary>
/// What one module (one file of the schema, as QEMU's <c>qapi-types-MODULE.h</c>) generates:
/// its types, its commands' client members, its events' records. <see cref="Name"/> names its files
/// (<c>BlockCore</c>: <c>Acme.Qemu72.BlockCore.Types.g.cs</c>); <see cref="File"/> is the file as the
/// schema names it, relative to the top file (<c>block-core.json</c>, <c>qmp-commands.hx</c>), or <c>builtin</c> for QAPI's builtin types.
/// <see cref="Commands"/> is empty when no client is generated.
/// </summary>
public sealed record ModuleOutputSpec(
    string Namespace,
    string Stem,
    string Name,
    string File,
    EquatableArray<EnumSpec> Enums,
    EquatableArray<RecordSpec> Records,
    EquatableArray<UnionSpec> Unions,
    EquatableArray<AlternateSpec> Alternates,
    EquatableArray<CommandGenerationSpec> Commands,
    EquatableArray<RecordSpec> EventRecords)
{
    /// <summary><c>Access="Internal"</c>.</summary>
    public bool Internal { get; init; }
}
