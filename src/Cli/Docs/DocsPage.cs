namespace Qmp.Codegen.Cli.Docs;

// The docs view model: plain records the templates read. Built from the QMP schema model (and the
// generator's GenerationSpec, for the C# client calls) by DocsBuilder; the templates never look at
// schema text or specs, and the builder never formats Markdown or HTML.
// Scriban sees the properties in snake_case: DocsEntry.ClientCall is entry.client_call.
// Prose strings of the QAPI page carry QAPI's @name references as DocsText markers; the templates
// render prose with html_prose / md_prose / md_prose_cell, which turn them into links or code.

/// <summary>The whole reference: the introduction, the command areas, the events, and what fits nowhere.</summary>
internal sealed record DocsPage(
    string Title,
    string Sources,
    int CommandCount,
    int EventCount,
    IReadOnlyList<DocsProse> Prose,
    IReadOnlyList<DocsArea> Areas,
    IReadOnlyList<DocsDiagnostic> OtherDiagnostics)
{
    /// <summary>Read from a QAPI schema: the areas are its sections, and the named types have sections too.</summary>
    public bool Qapi { get; init; }

    /// <summary>The generated client's class the snippets call (<c>QemuClient</c>, or the project's).</summary>
    public string ClientClass { get; init; } = "QemuClient";

    /// <summary>The generated client's namespace (<c>Qemu</c>, or the project's).</summary>
    public string ClientNamespace { get; init; } = "Qemu";

    /// <summary>The named types with a section (QAPI only).</summary>
    public int TypeCount { get; init; }

    /// <summary>How many files the schema was read from (QAPI: the top file and its includes).</summary>
    public int FileCount { get; init; }
}

/// <summary>A free-standing prose block of the schema (the introduction), cut at its <c>====</c>-underlined headings.</summary>
internal sealed record DocsProse(string Title, IReadOnlyList<DocsProseSection> Sections);

/// <summary>A part of a prose block: its heading (none for the text before the first) and paragraphs.</summary>
internal sealed record DocsProseSection(string? Heading, IReadOnlyList<string> Paragraphs);

/// <summary>A group of the index: an area of commands, or the events.</summary>
internal sealed record DocsArea(string Id, string Title, string Summary, IReadOnlyList<DocsEntry> Entries)
{
    /// <summary>The prose under the section's heading (QAPI); null on the .hx page.</summary>
    public IReadOnlyList<string>? Paragraphs { get; init; }
}

/// <summary>One command or event with everything its section shows.</summary>
internal sealed record DocsEntry(
    string Kind,
    string Name,
    string Anchor,
    bool Documented,
    IReadOnlyList<string> Description,
    string Synopsis,
    string ArgsType,
    string? Condition,
    bool Async,
    IReadOnlyList<DocsRow> Arguments,
    IReadOnlyList<string> ReturnsDescription,
    string? ReturnsType,
    IReadOnlyList<DocsRow> Returns,
    IReadOnlyList<DocsExample> Examples,
    IReadOnlyList<string> Notes,
    IReadOnlyList<DocsDiagnostic> Diagnostics,
    string ClientSignature,
    string ClientCall)
{
    /// <summary>What only a QAPI schema says (types, since, features, errors, all example messages); null for the .hx page.</summary>
    public DocsQapi? Qapi { get; init; }

    /// <summary>The anchor of the returned type's section (QAPI), so the templates need not look into <see cref="Qapi"/> for the .hx page.</summary>
    public string? ReturnsLink => Qapi?.ReturnsLink;

    /// <summary>The named arguments (or data) type and its anchor (QAPI); null when the members are written inline.</summary>
    public string? ArgumentsType => Qapi?.ArgumentsType;

    public string? ArgumentsLink => Qapi?.ArgumentsLink;
}

/// <summary>
/// The QAPI part of an entry's section. <see cref="Kind"/>: command, event, struct, union, enum,
/// alternate. Links are anchors on the same page (<c>type-NAME</c>), null for builtins.
/// </summary>
internal sealed record DocsQapi(
    string Kind,
    string? Since,
    IReadOnlyList<string> Badges,
    string? ConditionSentence,
    IReadOnlyList<DocsFeature> Features,
    string? ArgumentsType,
    string? ArgumentsLink,
    string? ReturnsLink,
    IReadOnlyList<string> Errors,
    string? Base,
    string? BaseLink,
    IReadOnlyList<DocsRow> Members,
    string? Discriminator,
    IReadOnlyList<DocsBranch> Branches,
    IReadOnlyList<DocsValue> Values,
    IReadOnlyList<DocsQapiExample> Examples)
{
    /// <summary>What a command's flags mean for a client (out-of-band, preconfig, no reply); empty otherwise.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>The line under the description: since, the build condition, the flags.</summary>
    public string Facts => string.Join(" ", new[] { Since is null ? null : "Since " + Since + ".", ConditionSentence }.Concat(Flags).Where(f => !string.IsNullOrEmpty(f)));
}

/// <summary>A feature of an entity: its name, what the schema says of it, whether it is special (deprecated, unstable).</summary>
internal sealed record DocsFeature(string Name, string Description, bool Special, string? ConditionSentence);

/// <summary>A union branch (tag value to a type) or an alternate branch (member name to a type); <see cref="Type"/> empty for a tag value with no members of its own.</summary>
internal sealed record DocsBranch(string Name, string Type, string? Link, string Description, string? ConditionSentence)
{
    /// <summary>The row's own anchor: an alternate's branch (<c>type-NAME.branch</c>, what <c>@branch</c> in its type's docs links to), a union's (<c>type-NAME.TAG.VALUE</c>); null on a command's table.</summary>
    public string? Anchor { get; init; }

    /// <summary>On a command whose arguments are a union: the anchor of the branch's row in the union's section; null elsewhere.</summary>
    public string? ValueLink { get; init; }

    /// <summary>A union branch's record in the generated C# (<c>BlockdevOptions.Qcow2</c>); null for an alternate's.</summary>
    public string? ClrName { get; init; }
}

/// <summary>An enum value with its doc and marks.</summary>
internal sealed record DocsValue(string Name, string Description, IReadOnlyList<string> Badges, string? ConditionSentence)
{
    /// <summary>The row's own anchor, <c>type-NAME.value</c>, what <c>@value</c> in the enum's docs links to.</summary>
    public string? Anchor { get; init; }
}

/// <summary>A QAPI example: every message in order, each pretty-printed with its arrow.</summary>
internal sealed record DocsQapiExample(string? Caption, IReadOnlyList<DocsMessage> Messages, string Status, IReadOnlyList<string> Repairs)
{
    /// <summary>Members the example sends that the typed client would not keep (status "dropped").</summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];
}

/// <summary>One message of an example: <c>-&gt;</c> or <c>&lt;-</c> and its text (indented JSON, or the text as written when unreadable).</summary>
internal sealed record DocsMessage(string Arrow, string Text);

/// <summary>One row of an arguments or members table; <see cref="Depth"/> &gt; 0 for nested members.</summary>
internal sealed record DocsRow(string Name, int Depth, string Type, bool Optional, string Description)
{
    /// <summary>The anchor of the member's type on the page (QAPI); null for builtins and on the .hx page.</summary>
    public string? Link { get; init; }

    /// <summary>Marks of the member (deprecated, unstable); null on the .hx page.</summary>
    public IReadOnlyList<string>? Badges { get; init; }

    /// <summary>The type the member comes from when not the one the table is of (a base); null otherwise.</summary>
    public string? From { get; init; }

    /// <summary>The row's own anchor (QAPI: <c>ENTRY-ANCHOR.member</c>), what <c>@member</c> in the entry's docs links to; null on the .hx page.</summary>
    public string? Anchor { get; init; }
}

/// <summary>
/// An example, pretty-printed; <see cref="Status"/> is checked, repaired, unreadable, or dropped (the
/// typed client would not keep the members in <see cref="Dropped"/>).
/// </summary>
internal sealed record DocsExample(
    string? Caption,
    string? Request,
    string? Reply,
    string Status,
    IReadOnlyList<string> Repairs)
{
    /// <summary>Members the example sends that the typed client would not keep.</summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];
}

/// <summary>A schema diagnostic as the docs show it.</summary>
internal sealed record DocsDiagnostic(string Id, string Severity, string Location, string Message);
