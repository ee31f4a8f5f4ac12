using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Qmp.Codegen.Docs;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

/// <summary>
/// Schema doc text as XML documentation a .NET engineer reads in IntelliSense, written from the
/// blocks <see cref="DocReader"/> reads (the docs pages write the same blocks as Markdown and HTML):
/// <c>@name</c> as <c>&lt;paramref&gt;</c> (a parameter of the member), <c>&lt;see cref&gt;</c> (a
/// generated type) or <c>&lt;c&gt;</c>, rST literals as <c>&lt;c&gt;</c>, rST lists as
/// <c>&lt;list type="bullet"&gt;</c> or <c>"number"</c>, error cases out of <c>&lt;returns&gt;</c>
/// into their own <c>&lt;exception&gt;</c>, build conditions as a sentence, "Since" as a paragraph of its own.
/// </summary>
public static class XmlDocRenderer
{
    /// <summary>The exception a QMP error reply raises in the generated client (the errors' heading).</summary>
    public const string ErrorException = "global::Qmp.Runtime.QmpException";

    /// <summary>
    /// What an <c>@name</c> in a member's docs refers to, as XML: <c>&lt;paramref name="..."/&gt;</c> when it
    /// names one of <paramref name="parameters"/> (schema name, C# parameter name), else what
    /// <paramref name="typeOf"/> gives (a generated type's C# name, for <c>&lt;see cref&gt;</c>), else null (code).
    /// </summary>
    public static Func<string, string?> References(IEnumerable<(string SchemaName, string ParameterName)> parameters, Func<string, string?>? typeOf = null)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (schemaName, parameterName) in parameters)
        {
            byName[schemaName] = parameterName;
        }
        return name => byName.TryGetValue(name, out var parameter)
            ? "<paramref name=\"" + CSharpText.Xml(parameter.TrimStart('@')) + "\"/>"
            : typeOf?.Invoke(name) is { } type ? "<see cref=\"" + CSharpText.Xml(type) + "\"/>" : null;
    }

    /// <summary>
    /// <see cref="References"/> for a member whose schema members are the properties of <paramref name="typeName"/>
    /// (a command's arguments record, an event's record): <c>@device</c> is <c>&lt;see cref="BlockResizeArguments.Device"/&gt;</c>,
    /// or <c>&lt;paramref&gt;</c> when it is one of <paramref name="parameters"/> (the method's own).
    /// </summary>
    public static Func<string, string?>? MemberReferences(string? typeName, IEnumerable<PropertySpec> properties, IEnumerable<(string SchemaName, string ParameterName)>? parameters = null)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (typeName is not null)
        {
            foreach (var property in properties)
            {
                members[property.JsonName] = typeName + "." + property.ClrName;
            }
        }
        if (members.Count == 0 && parameters is null)
        {
            return null;
        }
        return References(parameters ?? Array.Empty<(string, string)>(), name => members.TryGetValue(name, out var cref) ? cref : null);
    }

    /// <summary>
    /// Doc text as XML: escaped, <c>@name</c> what <paramref name="parameterOf"/> gives for the schema name
    /// (a <c>&lt;paramref&gt;</c> or <c>&lt;see cref&gt;</c>, see <see cref="References"/>), else
    /// <c>&lt;c&gt;name&lt;/c&gt;</c>; <c>``x``</c> a <c>&lt;c&gt;</c>.
    /// </summary>
    public static string Inline(string text, Func<string, string?>? parameterOf = null) =>
        new XmlDocWriter(parameterOf).Write(DocReader.Inlines(text));

    /// <summary>
    /// Text that may hold rST lists (<c>- one - two</c>, <c>1. one</c>) or paragraphs as XML: a lone
    /// paragraph as it is, prose before a list then the <c>&lt;list&gt;</c>, several paragraphs each a <c>&lt;para&gt;</c>.
    /// </summary>
    public static string Block(string text, Func<string, string?>? parameterOf = null) =>
        Blocks(DocReader.Blocks(text), parameterOf);

    /// <summary>Blocks as XML (<see cref="Block"/>).</summary>
    public static string Blocks(IReadOnlyList<DocBlock> blocks, Func<string, string?>? parameterOf = null)
    {
        var writer = new XmlDocWriter(parameterOf);
        if (blocks.Count(b => b is not DocList) <= 1)
        {
            return string.Join(" ", blocks.Select(writer.Write));
        }
        return string.Concat(blocks.Select(b => b is DocParagraph ? "<para>" + writer.Write(b) + "</para>" : writer.Write(b)));
    }

    /// <summary>A bullet list of XML items.</summary>
    public static string List(IEnumerable<string> itemsXml) =>
        "<list type=\"bullet\">" + string.Concat(itemsXml.Select(i => "<item><description>" + i + "</description></item>")) + "</list>";

    /// <summary>
    /// A Returns section split in two: what is returned (XML, null when only errors) and the error cases
    /// (XML for an <c>&lt;exception&gt;</c>, null when none): QEMU lists "Nothing on success" and
    /// "If no background operation is active on this device, DeviceNotActive" under one heading.
    /// </summary>
    public static (string? Returns, string? Errors) Returns(string? text, Func<string, string?>? parameterOf = null)
    {
        var (returns, errors) = DocReader.Returns(text);
        return (returns.Count == 0 ? null : Blocks(returns, parameterOf), ErrorList(errors, parameterOf));
    }

    /// <summary>An Errors section (QEMU 8+ has one of its own) as XML for an <c>&lt;exception&gt;</c>.</summary>
    public static string? Errors(string? text, Func<string, string?>? parameterOf = null) =>
        ErrorList(DocReader.Errors(text), parameterOf);

    /// <summary>Error cases as XML for an <c>&lt;exception&gt;</c>: a heading sentence and a list; null when none.</summary>
    public static string? ErrorList(IReadOnlyList<DocErrorCase> errors, Func<string, string?>? parameterOf = null) =>
        errors.Count == 0 ? null : "The peer answered with an error:" + new XmlDocWriter(parameterOf).WriteErrors(errors);

    /// <summary>
    /// A build condition as a sentence: <c>{'not': CONFIG_PERMANENT}</c> is "Only in QEMU builds without
    /// CONFIG_PERMANENT.", <c>{'all': [A, B]}</c> "Only in QEMU builds with A and B." (<see cref="DocReader.ConditionSentence"/>).
    /// </summary>
    public static string ConditionSentence(SchemaCondition condition) => DocReader.ConditionSentence(condition);

    /// <summary>
    /// The remarks of a QAPI command or event as XML paragraphs, one per line of <c>\n</c>-separated
    /// text: the rest of the description, notes, the features and condition, then "Since QEMU x." alone.
    /// The errors are not here: they go under <c>&lt;exception&gt;</c> (<see cref="Errors"/>).
    /// </summary>
    public static string? QapiRemarks(string? rest, IEnumerable<string> notes, string featureSentences, IEnumerable<(string Name, string Text)> featureDocs, string? since) =>
        Remarks(
            DocReader.Blocks(rest),
            notes.SelectMany(n => DocReader.Blocks(n)).ToList(),
            featureSentences,
            featureDocs.Where(f => !string.IsNullOrWhiteSpace(f.Text)).Select(f => new DocFeature(f.Name, DocReader.Blocks(f.Text))).ToList(),
            string.IsNullOrWhiteSpace(since) ? null : since!.Trim(),
            null);

    private static string? Remarks(IReadOnlyList<DocBlock> rest, IReadOnlyList<DocBlock> notes, string featureSentences, IReadOnlyList<DocFeature> features, string? since, Func<string, string?>? parameterOf)
    {
        var paragraphs = new List<string>();
        if (rest.Count > 0)
        {
            paragraphs.Add(Blocks(rest, parameterOf));
        }
        paragraphs.AddRange(notes.Select(n => Blocks(new[] { n }, parameterOf)));
        if (featureSentences.Length > 0)
        {
            paragraphs.Add(CSharpText.Xml(featureSentences));
        }
        paragraphs.AddRange(features.Select(f => "Feature <c>" + CSharpText.Xml(f.Name) + "</c>: " + Blocks(f.Description, parameterOf)));
        if (since is not null)
        {
            paragraphs.Add("Since QEMU " + CSharpText.Xml(since) + ".");
        }
        if (paragraphs.Count == 0)
        {
            return null;
        }
        var xml = new StringBuilder();
        foreach (var paragraph in paragraphs)
        {
            xml.Append(xml.Length == 0 ? string.Empty : "\n").Append(paragraphs.Count == 1 ? paragraph : "<para>" + paragraph + "</para>");
        }
        return xml.ToString();
    }

    /// <summary>
    /// A QAPI command's or event's docs from <see cref="SpecBuilder"/>'s plain ones: the remarks as XML
    /// paragraphs (the rest of the description and notes, features, condition, "Since" last and alone),
    /// the Errors section (QEMU 8+) as <see cref="DocSpec.ErrorsXml"/>.
    /// </summary>
    public static DocSpec Qapi(DocSpec spec, SchemaDoc? doc, string featureSentences) => Qapi(spec, doc, featureSentences, null);

    /// <summary>
    /// <see cref="Qapi(DocSpec, SchemaDoc?, string)"/>, <c>@name</c> resolved by <paramref name="parameterOf"/>
    /// (<see cref="References"/>: the command's or event's parameters, the generated types).
    /// </summary>
    public static DocSpec Qapi(DocSpec spec, SchemaDoc? doc, string featureSentences, Func<string, string?>? parameterOf)
    {
        var entity = DocReader.Entity(doc);
        var remarks = Remarks(DocReader.Blocks(spec.Remarks), entity.Notes, featureSentences, entity.Features, entity.Since is null ? null : doc!.SinceVersion!.Trim(), parameterOf);
        return spec with { Remarks = remarks, RemarksIsXml = true, ErrorsXml = Errors(doc?.Section(SchemaDoc.Errors), parameterOf) };
    }

    /// <summary>
    /// The summary of an event's record (XML, one element: the record has no remarks of its own): the
    /// first sentence, then each paragraph of the remarks as a <c>&lt;para&gt;</c>, so "Since QEMU 1.1."
    /// does not run on from "Emitted when a block job has completed".
    /// </summary>
    public static string EventSummary(DocSpec doc, Func<string, string?>? references = null)
    {
        var summary = doc.SummaryIsXml ? doc.Summary : Inline(doc.Summary, references);
        if (doc.Remarks is null)
        {
            return summary;
        }
        if (!doc.RemarksIsXml)
        {
            return summary + " " + CSharpText.Xml(doc.Remarks);
        }
        return summary + string.Concat(doc.Remarks.Split('\n').Select(p => p.StartsWith("<para>", StringComparison.Ordinal) ? p : "<para>" + p + "</para>"));
    }

    /// <summary>The XML docs writer: escaped text, <c>&lt;c&gt;</c> code, references as the member resolves them, <c>&lt;list&gt;</c>s.</summary>
    private sealed class XmlDocWriter(Func<string, string?>? parameterOf) : DocWriter
    {
        protected override string BlockSeparator => " ";

        protected override string Text(string text) => CSharpText.Xml(text);

        protected override string Code(string text) => "<c>" + CSharpText.Xml(text) + "</c>";

        protected override string Reference(string name) => parameterOf?.Invoke(name) ?? Code(name);

        protected override string Paragraph(string inlines) => inlines;

        protected override string List(bool numbered, IReadOnlyList<string> items, int start) =>
            "<list type=\"" + (numbered ? "number" : "bullet") + "\">" + string.Concat(items.Select(i => "<item><description>" + i + "</description></item>")) + "</list>";

        // One line a code line: DocComments writes each on its own /// line.
        protected override string CodeBlock(string text) => "<code>" + string.Join("\n", text.Split('\n').Select(CSharpText.Xml)) + "</code>";
    }
}
