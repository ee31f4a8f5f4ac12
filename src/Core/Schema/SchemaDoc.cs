using System;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Schema;

/// <summary>
/// The documentation of an entity. <see cref="Body"/> is the description (paragraphs separated by
/// blank lines, as written); member docs live on the members themselves (<see cref="SchemaMember.Doc"/>,
/// <see cref="SchemaEnumValue.Doc"/>), feature docs in <see cref="Features"/>; tagged sections
/// (<c>Returns</c>, <c>Errors</c>, <c>Since</c>, <c>Note</c>, ...) in order in <see cref="Sections"/>;
/// examples, parsed into messages, in <see cref="Examples"/>. Text is kept as the schema writes
/// it (QAPI's <c>@name</c> references and rST included): each output renders it.
/// </summary>
public sealed record SchemaDoc(
    string Body,
    EquatableArray<SchemaDocSection> Sections,
    EquatableArray<SchemaFeatureDoc> Features,
    EquatableArray<SchemaExample> Examples,
    SchemaLocation Location)
{
    public const string Returns = "Returns";
    public const string Errors = "Errors";
    public const string Since = "Since";
    public const string Note = "Note";

    /// <summary>The tag of text that follows the member descriptions without a tag of its own (QAPI readers).</summary>
    public const string Untagged = "";

    /// <summary>The text of the first section with this tag, or null.</summary>
    public string? Section(string tag) => Sections.FirstOrDefault(s => string.Equals(s.Tag, tag, StringComparison.Ordinal))?.Text;

    public string? SinceVersion => Section(Since);
}

/// <summary>A tagged section of a doc (<c>Returns: ...</c>, <c>Since: 7.2</c>, <c>Notes: ...</c>); <see cref="Tag"/> as normalized by the reader.</summary>
public sealed record SchemaDocSection(string Tag, string Text, SchemaLocation Location);

/// <summary>The documentation of one feature of the entity.</summary>
public sealed record SchemaFeatureDoc(string Name, string Text);

/// <summary>An example: its caption and its messages in order (a request, its reply, events).</summary>
public sealed record SchemaExample(string? Caption, EquatableArray<SchemaExampleMessage> Messages, SchemaLocation Location);

/// <summary>
/// One message of an example. <see cref="Json"/> is compact JSON after the reader's repairs
/// (<see cref="Repairs"/> says which), or null when the text could not be read as JSON even
/// leniently (then <see cref="Text"/> still holds it as written).
/// </summary>
public sealed record SchemaExampleMessage(
    ExampleDirection Direction,
    string Text,
    string? Json,
    EquatableArray<string> Repairs,
    SchemaLocation Location);

/// <summary>Which way an example message travels: <c>-&gt;</c> to the server, <c>&lt;-</c> from it.</summary>
public enum ExampleDirection
{
    ToServer,
    FromServer,
}
