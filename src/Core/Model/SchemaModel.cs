using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Model;

/// <summary>A command of the dispatch table, with its documentation when the schema has it.</summary>
public sealed record CommandSpec(
    string Name,
    string ArgsType,
    EquatableArray<ArgumentSpec> Arguments,
    string Handler,
    bool Async,
    string? Params,
    string? Help,
    string? Flags,
    string? Condition,
    DocBlock? Doc,
    SchemaLocation Location);

/// <summary>
/// An event: a table entry <c>{ .event = "NAME", .args_type = "..." }</c> whose <c>args_type</c>
/// lists the members of its <c>data</c>.
/// </summary>
public sealed record EventSpec(
    string Name,
    string ArgsType,
    EquatableArray<ArgumentSpec> Data,
    string? Condition,
    DocBlock? Doc,
    SchemaLocation Location);

/// <summary>Everything read from one or more schema files, and what was wrong with them.</summary>
public sealed record SchemaModel(
    EquatableArray<CommandSpec> Commands,
    EquatableArray<EventSpec> Events,
    EquatableArray<ProseBlock> Prose,
    EquatableArray<SchemaDiagnostic> Diagnostics);
