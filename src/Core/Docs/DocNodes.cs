using System.Collections.Generic;

namespace Qmp.Codegen.Docs;

// Doc text as a structure no output format owns: the schema's prose (QAPI's rST subset and the .hx
// prose alike) is read once into blocks and inlines by DocReader, and each output writes them its
// own way through a DocWriter: XML docs (the generator), Markdown and HTML (qmp-codegen docs).
// Nothing here knows C#, Markdown or HTML.

/// <summary>A run of text inside a block.</summary>
public abstract record DocInline;

/// <summary>Plain text, unescaped.</summary>
public sealed record DocPlain(string Text) : DocInline;

/// <summary>An inline literal (rST <c>``text``</c>): code, never a reference.</summary>
public sealed record DocCode(string Text) : DocInline;

/// <summary>
/// QAPI's <c>@name</c>: a name the schema writer points at (a parameter, a member, a type, a
/// command). What it becomes is the writer's choice: a parameter reference, a link, or code.
/// </summary>
public sealed record DocReference(string Name) : DocInline;

/// <summary>A block of doc text.</summary>
public abstract record DocBlock;

/// <summary>A paragraph.</summary>
public sealed record DocParagraph(IReadOnlyList<DocInline> Inlines) : DocBlock;

/// <summary>
/// An rST list: <c>-</c>/<c>*</c> bullets, or numbered (<c>1.</c>, <c>#.</c>) from <see cref="Start"/>
/// (the first item's number: a list cut apart by prose goes on counting); each item a run of inlines.
/// </summary>
public sealed record DocList(bool Numbered, IReadOnlyList<IReadOnlyList<DocInline>> Items, int Start = 1) : DocBlock;

/// <summary>A literal block (rST <c>::</c> then indented lines), its lines as written, the common indentation removed.</summary>
public sealed record DocCodeBlock(string Text) : DocBlock;

/// <summary>
/// One error case of a command: "If the device is not found, DeviceNotFound" reads as
/// <see cref="When"/> ("If the device is not found") and <see cref="ErrorClass"/> (DeviceNotFound);
/// an error text of another shape is all <see cref="When"/>, with no class.
/// </summary>
public sealed record DocErrorCase(IReadOnlyList<DocInline> When, string? ErrorClass);

/// <summary>A feature of the entity and what the doc says of it.</summary>
public sealed record DocFeature(string Name, IReadOnlyList<DocBlock> Description);

/// <summary>
/// An entity's docs as every output shows them, built once from its <c>SchemaDoc</c>
/// (<see cref="DocReader.Entity"/>): the description, what it returns apart from the error cases,
/// the errors, the notes, the features, the build condition as a sentence, "Since" and the examples.
/// </summary>
public sealed record EntityDoc(
    IReadOnlyList<DocBlock> Description,
    IReadOnlyList<DocBlock> Returns,
    IReadOnlyList<DocErrorCase> Errors,
    IReadOnlyList<DocBlock> Notes,
    IReadOnlyList<DocFeature> Features,
    string? ConditionSentence,
    string? Since,
    IReadOnlyList<Schema.SchemaExample> Examples);
