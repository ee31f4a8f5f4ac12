using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Schema;

// The QMP schema model: what a QMP server accepts and sends, whichever text described it. Every
// reader of schema text (Hx/ for QEMU 2.1's qmp-commands.hx, Qapi/ for QEMU's QAPI schema, a saved
// query-qmp-schema) fills it; every output (the C# specs and emitters, the docs, `qmp-codegen model`,
// the shell) reads only it. It knows nothing of C#: names are the schema's own (QAPI style), types
// are referenced by name, and nothing here is formatted for a target language.
//
// It follows QEMU's scripts/qapi/schema.py: entities (commands, events, named types) with their
// source location, condition ('if'), features and documentation. A struct and a union are both
// object types (a union is an object type with variants), as in schema.py. Records and
// EquatableArray keep it value-equatable, so the incremental generator can cache on it.

/// <summary>A whole schema: every command, event and named type, free-standing documentation, and what was wrong with the text.</summary>
public sealed record QmpSchema(
    EquatableArray<SchemaCommand> Commands,
    EquatableArray<SchemaEvent> Events,
    EquatableArray<SchemaType> Types,
    EquatableArray<SchemaProse> Prose,
    EquatableArray<SchemaDiagnostic> Diagnostics)
{
    /// <summary>
    /// The modules (schema files) in reading order, the top one first, each with its <c>include</c>
    /// directives (QEMU's QAPISchemaModule and QAPISchemaInclude). A reader of one text (.hx, a saved
    /// <c>query-qmp-schema</c>) leaves it empty: its entities all come from the one file their locations name.
    /// </summary>
    public EquatableArray<SchemaModule> Modules { get; init; } = EquatableArray<SchemaModule>.Empty;

    public static readonly QmpSchema Empty = new(
        EquatableArray<SchemaCommand>.Empty, EquatableArray<SchemaEvent>.Empty, EquatableArray<SchemaType>.Empty,
        EquatableArray<SchemaProse>.Empty, EquatableArray<SchemaDiagnostic>.Empty);
}

/// <summary>
/// A command. <see cref="Arguments"/> names the object type of its <c>arguments</c> (an implicit
/// type for members written inline, <see cref="SchemaObjectType.IsImplicit"/>), null when it takes
/// none; <see cref="Returns"/> is null when it returns <c>{}</c>.
/// </summary>
public sealed record SchemaCommand(
    string Name,
    SchemaTypeRef? Arguments,
    SchemaTypeRef? Returns,
    SchemaCommandFlags Flags,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
{
    public bool IsDeprecated => SchemaFeature.Has(Features, SchemaFeature.Deprecated);

    public bool IsUnstable => SchemaFeature.Has(Features, SchemaFeature.Unstable);
}

/// <summary>The QAPI command flags; the defaults are what a command without them means.</summary>
public sealed record SchemaCommandFlags(
    bool Boxed = false,
    bool SuccessResponse = true,
    bool AllowOob = false,
    bool AllowPreconfig = false,
    bool Coroutine = false,
    bool Generated = true)
{
    public static readonly SchemaCommandFlags Default = new();
}

/// <summary>An event. <see cref="Data"/> names the object type of its <c>data</c>; null when it has none.</summary>
public sealed record SchemaEvent(
    string Name,
    SchemaTypeRef? Data,
    bool Boxed,
    SchemaCondition? Condition,
    EquatableArray<SchemaFeature> Features,
    SchemaDoc? Doc,
    SchemaLocation Location)
{
    public bool IsDeprecated => SchemaFeature.Has(Features, SchemaFeature.Deprecated);

    public bool IsUnstable => SchemaFeature.Has(Features, SchemaFeature.Unstable);
}

/// <summary>Documentation that belongs to no entity: an introduction, a section heading (QAPI's <c>= Heading</c>).</summary>
public sealed record SchemaProse(string? Heading, int Level, string Text, SchemaLocation Location);

/// <summary>A schema file: its path (as the reader names it, '/'-separated) and the files it includes.</summary>
public sealed record SchemaModule(string Path, EquatableArray<SchemaInclude> Includes);

/// <summary>An <c>include</c> directive: the included file's path (relative paths resolved against the including file) and where the directive stands.</summary>
public sealed record SchemaInclude(string Path, SchemaLocation Location);
