using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

/// <summary>
/// Schema doc text as XML documentation a .NET engineer reads in IntelliSense: <c>@name</c> as
/// <c>&lt;paramref&gt;</c> (a parameter of the member) or <c>&lt;c&gt;</c>, rST literals as
/// <c>&lt;c&gt;</c>, rST bullet lists as <c>&lt;list&gt;</c>, error cases out of <c>&lt;returns&gt;</c>
/// into their own <c>&lt;exception&gt;</c>, build conditions as a sentence, "Since" as a paragraph of its own.
/// </summary>
public static class XmlDocRenderer
{
    /// <summary>The exception a QMP error reply raises in the generated client (the errors' heading).</summary>
    public const string ErrorException = "global::Qmp.Runtime.QmpException";

    /// <summary><c>@name</c> not inside a word or an address (<c>user@host</c> stays).</summary>
    private static readonly Regex NameReference = new(@"(?<![\w@.])@(?<name>[A-Za-z_](?:[\w-]*\w)?)", RegexOptions.CultureInvariant);

    /// <summary>An rST inline literal: <c>``text``</c>.</summary>
    private static readonly Regex Literal = new(@"``(?<text>[^`]+)``", RegexOptions.CultureInvariant);

    /// <summary>Where a bullet item begins: <c>- </c> or <c>* </c> at the start or after white space (the reader may have joined the lines).</summary>
    private static readonly Regex Bullet = new(@"(?:^|\s)[-*]\s+", RegexOptions.CultureInvariant);

    /// <summary>An error case: "If the device is not found, DeviceNotFound" (the class last, after a comma).</summary>
    private static readonly Regex ErrorCase = new(@"^(?<when>[Ii]f\b.+?),?\s+(?<class>[A-Z][A-Za-z]+)\.?$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    /// <summary>
    /// Doc text as XML: escaped, <c>@name</c> what <paramref name="parameterOf"/> gives for the schema name
    /// (a <c>&lt;paramref&gt;</c> or <c>&lt;see cref&gt;</c>), else <c>&lt;c&gt;name&lt;/c&gt;</c>; <c>``x``</c> a <c>&lt;c&gt;</c>.
    /// </summary>
    public static string Inline(string text, Func<string, string?>? parameterOf = null)
    {
        var xml = CSharpText.Xml(text);
        if (xml.IndexOf('@') >= 0)
        {
            xml = NameReference.Replace(xml, m =>
            {
                var name = m.Groups["name"].Value;
                return parameterOf?.Invoke(name) ?? "<c>" + name + "</c>";
            });
        }
        if (xml.IndexOf("``", StringComparison.Ordinal) >= 0)
        {
            xml = Literal.Replace(xml, m => "<c>" + m.Groups["text"].Value + "</c>");
        }

        return xml;
    }

    /// <summary>
    /// Text that may hold an rST bullet list (<c>- one - two</c>) as XML: prose before the list, then a
    /// <c>&lt;list type="bullet"&gt;</c>; text without one is <see cref="Inline"/>.
    /// </summary>
    public static string Block(string text, Func<string, string?>? parameterOf = null)
    {
        var (lead, items) = Items(text);
        if (items.Count == 0)
        {
            return Inline(text.Trim(), parameterOf);
        }

        return (lead.Length == 0 ? string.Empty : Inline(lead, parameterOf) + " ") + List(items.Select(i => Inline(i, parameterOf)));
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
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        var (lead, items) = Items(text!);
        if (items.Count == 0)
        {
            return (Inline(text!.Trim(), parameterOf), null);
        }

        var errors = items.Where(i => ErrorCase.IsMatch(i)).ToList();
        var returns = items.Where(i => !ErrorCase.IsMatch(i)).ToList();
        var returnsXml = returns.Count switch
        {
            0 => null,
            1 => Inline(returns[0], parameterOf),
            _ => List(returns.Select(r => Inline(r, parameterOf))),
        };
        if (lead.Length > 0)
        {
            returnsXml = Inline(lead, parameterOf) + (returnsXml is null ? string.Empty : " " + returnsXml);
        }

        return (returnsXml, errors.Count == 0 ? null : ErrorList(errors, parameterOf));
    }

    /// <summary>An Errors section (QEMU 8+ has one of its own) as XML for an <c>&lt;exception&gt;</c>.</summary>
    public static string? Errors(string? text, Func<string, string?>? parameterOf = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var (lead, items) = Items(text!);
        return items.Count == 0 ? Inline(text!.Trim(), parameterOf) : (lead.Length == 0 ? string.Empty : Inline(lead, parameterOf) + " ") + ErrorList(items, parameterOf);
    }

    private static string ErrorList(IEnumerable<string> items, Func<string, string?>? parameterOf) =>
        "The peer answered with an error:" + List(items.Select(i => ErrorCase.Match(i) is { Success: true } m
            ? Inline(m.Groups["when"].Value, parameterOf) + ": <c>" + m.Groups["class"].Value + "</c>"
            : Inline(i, parameterOf)));

    /// <summary>The prose before an rST bullet list and the list's items (none when the text has no list).</summary>
    private static (string Lead, List<string> Items) Items(string text)
    {
        var trimmed = text.Trim();
        var matches = Bullet.Matches(trimmed);
        // A list is at least one bullet at the very start or two bullets: a lone " - " mid-sentence is a dash.
        if (matches.Count == 0 || (matches[0].Index != 0 && matches.Count < 2))
        {
            return (trimmed, new List<string>());
        }

        var items = new List<string>();
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : trimmed.Length;
            var item = trimmed.Substring(start, end - start).Trim();
            if (item.Length > 0)
            {
                items.Add(item);
            }
        }
        return (trimmed.Substring(0, matches[0].Index).Trim(), items);
    }

    /// <summary>
    /// A build condition as a sentence: <c>{'not': CONFIG_PERMANENT}</c> is "Only in QEMU builds without
    /// CONFIG_PERMANENT.", <c>{'all': [A, B]}</c> "Only in QEMU builds with A and B.".
    /// </summary>
    public static string ConditionSentence(SchemaCondition condition) => "Only in QEMU builds " + Phrase(condition) + ".";

    private static string Phrase(SchemaCondition c) => c.Kind switch
    {
        ConditionKind.Config => "with " + c.Config,
        ConditionKind.Not when c.Operands[0].Kind == ConditionKind.Config => "without " + c.Operands[0].Config,
        ConditionKind.Not => "not " + Grouped(c.Operands[0]),
        ConditionKind.All => string.Join(" and ", c.Operands.Select(Grouped)),
        _ => string.Join(" or ", c.Operands.Select(Grouped)),
    };

    private static string Grouped(SchemaCondition c) =>
        c.Kind is ConditionKind.All or ConditionKind.Any && c.Operands.Count > 1 ? "(" + Phrase(c) + ")" : Phrase(c);

    /// <summary>
    /// The remarks of a QAPI command or event as XML paragraphs, one per line of <c>\n</c>-separated
    /// text: the rest of the description, notes, the features and condition, then "Since QEMU x." alone.
    /// The errors are not here: they go under <c>&lt;exception&gt;</c> (<see cref="Errors"/>).
    /// </summary>
    public static string? QapiRemarks(string? rest, IEnumerable<string> notes, string featureSentences, IEnumerable<(string Name, string Text)> featureDocs, string? since)
    {
        var paragraphs = new List<string>();
        if (!string.IsNullOrWhiteSpace(rest))
        {
            paragraphs.Add(Block(rest!));
        }

        paragraphs.AddRange(notes.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => Block(n.Trim())));
        if (featureSentences.Length > 0)
        {
            paragraphs.Add(CSharpText.Xml(featureSentences));
        }

        paragraphs.AddRange(featureDocs.Where(f => !string.IsNullOrWhiteSpace(f.Text)).Select(f => "Feature <c>" + CSharpText.Xml(f.Name) + "</c>: " + Block(f.Text.Trim())));
        if (!string.IsNullOrWhiteSpace(since))
        {
            paragraphs.Add("Since QEMU " + CSharpText.Xml(since!.Trim()) + ".");
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
    public static DocSpec Qapi(DocSpec spec, SchemaDoc? doc, string featureSentences)
    {
        var notes = (doc?.Sections ?? EquatableArray<SchemaDocSection>.Empty).Where(s => s.Tag == SchemaDoc.Note).Select(s => s.Text);
        var features = (doc?.Features ?? EquatableArray<SchemaFeatureDoc>.Empty).Select(f => (f.Name, f.Text));
        var remarks = QapiRemarks(spec.Remarks, notes, featureSentences, features, doc?.SinceVersion);
        return spec with { Remarks = remarks, RemarksIsXml = true, ErrorsXml = Errors(doc?.Section(SchemaDoc.Errors)) };
    }

    /// <summary>
    /// The summary of an event's record (XML, one element: the record has no remarks of its own): the
    /// first sentence, then each paragraph of the remarks as a <c>&lt;para&gt;</c>, so "Since QEMU 1.1."
    /// does not run on from "Emitted when a block job has completed".
    /// </summary>
    public static string EventSummary(DocSpec doc)
    {
        var summary = doc.SummaryIsXml ? doc.Summary : CSharpText.Xml(doc.Summary);
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
}
