using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Model;

/// <summary>
/// One documented member: an argument of a command, a member of a reply or of an event's data.
/// <see cref="Members"/> holds the members of a nested object (or of the objects in an array).
/// </summary>
public sealed record DocMember(
    string Name,
    string? Type,
    bool Optional,
    string Description,
    EquatableArray<DocMember> Members,
    SchemaLocation Location);

/// <summary>
/// One <c>-&gt;</c>/<c>&lt;-</c> example. <see cref="Request"/> and <see cref="Reply"/> are compact
/// JSON after the lenient reader's repairs; <see cref="Repairs"/> says what it had to repair.
/// </summary>
public sealed record DocExample(
    string? Caption,
    string? Request,
    string? Reply,
    EquatableArray<string> Repairs,
    SchemaLocation Location)
{
    public bool Repaired => !Repairs.IsEmpty;
}

/// <summary>What a command's documentation says it returns.</summary>
public sealed record DocReturns(string Description, EquatableArray<DocMember> Members);

/// <summary>A documentation block (<c>SQMP</c> ... <c>EQMP</c>) of a command or an event.</summary>
public sealed record DocBlock(
    string Title,
    string Description,
    EquatableArray<DocMember> Arguments,
    DocReturns? Returns,
    EquatableArray<DocExample> Examples,
    string Notes,
    SchemaLocation Location);

/// <summary>A documentation block that is prose (the introduction, a section heading).</summary>
public sealed record ProseBlock(string Title, string Text, SchemaLocation Location);
