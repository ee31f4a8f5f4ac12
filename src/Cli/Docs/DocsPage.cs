namespace Qmp.Codegen.Cli.Docs;

// The docs view model: plain records the templates read. Built from the QMP schema model (and the
// generator's GenerationSpec, for the C# client calls) by DocsBuilder; the templates never look at
// schema text or specs, and the builder never formats Markdown or HTML.
// Scriban sees the properties in snake_case: DocsEntry.ClientCall is entry.client_call.

/// <summary>The whole reference: the introduction, the command areas, the events, and what fits nowhere.</summary>
internal sealed record DocsPage(
    string Title,
    string Sources,
    int CommandCount,
    int EventCount,
    IReadOnlyList<DocsProse> Prose,
    IReadOnlyList<DocsArea> Areas,
    IReadOnlyList<DocsDiagnostic> OtherDiagnostics);

/// <summary>A free-standing prose block of the schema (the introduction), cut at its <c>====</c>-underlined headings.</summary>
internal sealed record DocsProse(string Title, IReadOnlyList<DocsProseSection> Sections);

/// <summary>A part of a prose block: its heading (none for the text before the first) and paragraphs.</summary>
internal sealed record DocsProseSection(string? Heading, IReadOnlyList<string> Paragraphs);

/// <summary>A group of the index: an area of commands, or the events.</summary>
internal sealed record DocsArea(string Id, string Title, string Summary, IReadOnlyList<DocsEntry> Entries);

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
    string ClientCall);

/// <summary>One row of an arguments or members table; <see cref="Depth"/> &gt; 0 for nested members.</summary>
internal sealed record DocsRow(string Name, int Depth, string Type, bool Optional, string Description);

/// <summary>An example, pretty-printed; <see cref="Status"/> is checked, repaired or unreadable.</summary>
internal sealed record DocsExample(
    string? Caption,
    string? Request,
    string? Reply,
    string Status,
    IReadOnlyList<string> Repairs);

/// <summary>A schema diagnostic as the docs show it.</summary>
internal sealed record DocsDiagnostic(string Id, string Severity, string Location, string Message);
