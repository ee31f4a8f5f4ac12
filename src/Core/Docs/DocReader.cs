using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Docs;

/// <summary>
/// Reads the schema's doc text into <see cref="DocBlock"/>s once, for every output: paragraphs at
/// blank lines, rST lists (<c>-</c>/<c>*</c> bullets, <c>1.</c>/<c>#.</c> numbers, or bullets the
/// reader joined onto one line), literal blocks after <c>::</c>, and inside text QAPI's
/// <c>@name</c> references and rST <c>``literals``</c>. Also the facts every output words the
/// same: error cases apart from what is returned, a build condition as a sentence.
/// </summary>
public static class DocReader
{
    /// <summary><c>@name</c> not inside a word or an address (<c>user@host</c> stays); never ending in '-'.</summary>
    private static readonly Regex s_nameReference = new(@"(?<![\w@.])@(?<name>[A-Za-z_](?:[\w-]*\w)?)", RegexOptions.CultureInvariant);

    /// <summary>An rST inline literal: <c>``text``</c>.</summary>
    private static readonly Regex s_literal = new(@"``(?<text>[^`]+)``", RegexOptions.CultureInvariant);

    /// <summary>A line that starts a list item: a bullet (<c>-</c>, <c>*</c>) or a number (<c>1.</c>, <c>2)</c>, <c>#.</c>).</summary>
    private static readonly Regex s_itemStart = new(@"^[ \t]*(?:(?<bullet>[-*])|(?<number>\d{1,3}[.)]|#\.))[ \t]+(?<text>\S.*)$", RegexOptions.CultureInvariant);

    /// <summary>Where a bullet item begins in text the reader joined onto one line: <c>- </c> or <c>* </c> at the start or after white space.</summary>
    private static readonly Regex s_joinedBullet = new(@"(?:^|\s)[-*]\s+", RegexOptions.CultureInvariant);

    /// <summary>An error case: "If the device is not found, DeviceNotFound" (the class last, after a comma).</summary>
    private static readonly Regex s_errorCase = new(@"^(?<when>[Ii]f\b.+?),?\s+(?<class>[A-Z][A-Za-z]+)\.?$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private static readonly Regex s_whitespace = new(@"\s+", RegexOptions.CultureInvariant);

    /// <summary>Doc text as blocks (none for empty text).</summary>
    public static IReadOnlyList<DocBlock> Blocks(string? text)
    {
        var blocks = new List<DocBlock>();
        foreach (var (lead, items, numbered, code, start) in Chunks(text))
        {
            if (code is not null)
            {
                blocks.Add(new DocCodeBlock(code));
                continue;
            }
            if (lead.Length > 0)
            {
                blocks.Add(new DocParagraph(Inlines(lead)));
            }
            if (items.Count > 0)
            {
                blocks.Add(new DocList(numbered, items.Select(Inlines).ToList(), start));
            }
        }
        return blocks;
    }

    /// <summary>Text as inlines: plain runs, <c>@name</c> references, <c>``literals``</c>; white space as written.</summary>
    public static IReadOnlyList<DocInline> Inlines(string text)
    {
        var inlines = new List<DocInline>();
        var at = 0;
        foreach (Match literal in s_literal.Matches(text))
        {
            AddReferences(inlines, text.Substring(at, literal.Index - at));
            inlines.Add(new DocCode(literal.Groups["text"].Value));
            at = literal.Index + literal.Length;
        }
        AddReferences(inlines, text.Substring(at));
        return inlines;
    }

    private static void AddReferences(List<DocInline> inlines, string text)
    {
        var at = 0;
        foreach (Match reference in s_nameReference.Matches(text))
        {
            if (reference.Index > at)
            {
                inlines.Add(new DocPlain(text.Substring(at, reference.Index - at)));
            }
            inlines.Add(new DocReference(reference.Groups["name"].Value));
            at = reference.Index + reference.Length;
        }
        if (at < text.Length)
        {
            inlines.Add(new DocPlain(text.Substring(at)));
        }
    }

    /// <summary>
    /// A Returns section split in two: what is returned, and the error cases: QEMU lists
    /// "Nothing on success" and "If no background operation is active on this device, DeviceNotActive"
    /// under one heading.
    /// </summary>
    public static (IReadOnlyList<DocBlock> Returns, IReadOnlyList<DocErrorCase> Errors) Returns(string? text)
    {
        var returns = new List<DocBlock>();
        var errors = new List<DocErrorCase>();
        foreach (var (lead, items, numbered, code, start) in Chunks(text))
        {
            if (code is not null)
            {
                returns.Add(new DocCodeBlock(code));
                continue;
            }
            var kept = items.Where(i => !s_errorCase.IsMatch(i)).ToList();
            errors.AddRange(items.Where(i => s_errorCase.IsMatch(i)).Select(Error));
            if (lead.Length > 0)
            {
                returns.Add(new DocParagraph(Inlines(lead)));
            }
            // What is left of a list after its error cases: one item reads as a sentence.
            if (kept.Count == 1 && items.Count > 1)
            {
                returns.Add(new DocParagraph(Inlines(kept[0])));
            }
            else if (kept.Count > 0)
            {
                returns.Add(new DocList(numbered, kept.Select(Inlines).ToList(), start));
            }
        }
        return (returns, errors);
    }

    /// <summary>An Errors section (QEMU 8+ has one of its own) as error cases: each list item, or each paragraph.</summary>
    public static IReadOnlyList<DocErrorCase> Errors(string? text)
    {
        var errors = new List<DocErrorCase>();
        foreach (var (lead, items, _, code, _) in Chunks(text))
        {
            if (code is not null)
            {
                errors.Add(new DocErrorCase(new DocInline[] { new DocCode(code) }, null));
                continue;
            }
            if (lead.Length > 0)
            {
                errors.Add(Error(lead));
            }
            errors.AddRange(items.Select(Error));
        }
        return errors;
    }

    private static DocErrorCase Error(string text) => s_errorCase.Match(text) is { Success: true } m
        ? new DocErrorCase(Inlines(m.Groups["when"].Value), m.Groups["class"].Value)
        : new DocErrorCase(Inlines(text), null);

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
        _ when c.Operands.Count == 1 => Phrase(c.Operands[0]),
        ConditionKind.All => string.Join(" and ", c.Operands.Select(Grouped)),
        _ => string.Join(" or ", c.Operands.Select(Grouped)),
    };

    private static string Grouped(SchemaCondition c) =>
        c.Kind is ConditionKind.All or ConditionKind.Any && c.Operands.Count > 1 ? "(" + Phrase(c) + ")" : Phrase(c);

    /// <summary>
    /// An entity's docs, read once: the body and the text after the members (QAPI's untagged sections)
    /// as the description; Returns apart from its error cases, which join the Errors section's;
    /// the notes; each feature's text; the condition as a sentence; "Since" without its full stop.
    /// </summary>
    public static EntityDoc Entity(SchemaDoc? doc, SchemaCondition? condition = null)
    {
        var description = new List<DocBlock>();
        var notes = new List<DocBlock>();
        var errors = new List<DocErrorCase>();
        IReadOnlyList<DocBlock> returns = Array.Empty<DocBlock>();
        if (doc is not null)
        {
            description.AddRange(Blocks(doc.Body));
            foreach (var section in doc.Sections.Where(s => s.Tag == SchemaDoc.Untagged))
            {
                description.AddRange(Blocks(section.Text));
            }
            foreach (var section in doc.Sections.Where(s => s.Tag is SchemaDoc.Note or "Notes"))
            {
                notes.AddRange(Blocks(section.Text));
            }
            var (returned, returnErrors) = Returns(doc.Section(SchemaDoc.Returns));
            returns = returned;
            errors.AddRange(returnErrors);
            errors.AddRange(Errors(doc.Section(SchemaDoc.Errors)));
        }
        var features = (doc?.Features.AsEnumerable() ?? Array.Empty<SchemaFeatureDoc>())
            .Where(f => !string.IsNullOrWhiteSpace(f.Text))
            .Select(f => new DocFeature(f.Name, Blocks(f.Text)))
            .ToList();
        var since = doc?.SinceVersion is { } s && !string.IsNullOrWhiteSpace(s) ? Collapse(s_nameReference.Replace(s, "${name}")).TrimEnd('.') : null;
        return new EntityDoc(
            description, returns, errors, notes, features,
            condition is null ? null : ConditionSentence(condition),
            since,
            doc?.Examples.ToList() ?? new List<SchemaExample>());
    }

    /// <summary>
    /// Doc text cut into chunks, each a paragraph and the list after it (its items' raw text), or a
    /// literal block (its code set). Paragraph and item text has its white space collapsed.
    /// </summary>
    private static List<(string Lead, List<string> Items, bool Numbered, string? Code, int Start)> Chunks(string? text)
    {
        var chunks = new List<(string, List<string>, bool, string?, int)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return chunks;
        }
        var lines = text!.Replace("\r\n", "\n").Split('\n');
        var literalNext = false;
        var at = 0;
        while (at < lines.Length)
        {
            if (lines[at].Trim().Length == 0)
            {
                at++;
                continue;
            }
            var start = at;
            while (at < lines.Length && lines[at].Trim().Length > 0)
            {
                at++;
            }
            var paragraph = lines.Skip(start).Take(at - start).ToList();
            // rST: a paragraph ending in '::' makes the indented text after it a literal block.
            if (literalNext && char.IsWhiteSpace(paragraph[0], 0))
            {
                while (at + 1 < lines.Length && lines[at].Trim().Length == 0 && lines[at + 1].Length > 0 && char.IsWhiteSpace(lines[at + 1], 0))
                {
                    var more = at + 1;
                    at = more;
                    while (at < lines.Length && lines[at].Trim().Length > 0)
                    {
                        at++;
                    }
                    paragraph.Add(string.Empty);
                    paragraph.AddRange(lines.Skip(more).Take(at - more));
                }
                chunks.Add((string.Empty, new List<string>(), false, Dedent(paragraph), 1));
                literalNext = false;
                continue;
            }
            var last = paragraph[paragraph.Count - 1].TrimEnd();
            literalNext = last.EndsWith("::", StringComparison.Ordinal);
            if (literalNext)
            {
                // "Example::" reads "Example:", a lone "::" goes.
                var cut = last.Substring(0, last.Length - 2);
                paragraph[paragraph.Count - 1] = cut.TrimEnd().Length == 0 ? string.Empty : cut.EndsWith(" ", StringComparison.Ordinal) ? cut.TrimEnd() : cut + ":";
            }
            AddParagraph(chunks, paragraph);
        }
        // rST items may stand apart with blank lines between them: still one list.
        for (var i = chunks.Count - 1; i > 0; i--)
        {
            var (lead, items, numbered, code, _) = chunks[i];
            var before = chunks[i - 1];
            if (code is null && lead.Length == 0 && items.Count > 0 && before.Item4 is null && before.Item2.Count > 0 && before.Item3 == numbered)
            {
                before.Item2.AddRange(items);
                chunks.RemoveAt(i);
            }
        }
        return chunks;
    }

    private static void AddParagraph(List<(string, List<string>, bool, string?, int)> chunks, List<string> lines)
    {
        var lead = new StringBuilder();
        var items = new List<string>();
        var numbered = false;
        var first = 1;
        StringBuilder? item = null;
        // One line holding bullets is a list the reader joined ("- Nothing on success - If ..., DeviceNotFound"): cut at each.
        if (lines.Count == 1 && s_itemStart.Match(lines[0]) is { Success: true } single && single.Groups["bullet"].Success)
        {
            var (singleLead, singleItems) = JoinedItems(Collapse(lines[0]));
            chunks.Add((singleLead, singleItems, false, null, 1));
            return;
        }
        foreach (var line in lines)
        {
            var start = s_itemStart.Match(line);
            if (start.Success)
            {
                var isNumber = start.Groups["number"].Success;
                if (item is not null && isNumber != numbered)
                {
                    // A list of another kind starts: the one before is a chunk of its own.
                    items.Add(Collapse(item.ToString()));
                    chunks.Add((Collapse(lead.ToString()), items, numbered, null, first));
                    lead.Clear();
                    items = new List<string>();
                }
                if (items.Count == 0 && (item is null || isNumber != numbered))
                {
                    first = isNumber && int.TryParse(start.Groups["number"].Value.TrimEnd('.', ')'), out var n) ? n : 1;
                }
                else if (item is not null)
                {
                    items.Add(Collapse(item.ToString()));
                }
                numbered = isNumber;
                item = new StringBuilder(start.Groups["text"].Value);
            }
            else if (item is not null)
            {
                item.Append(' ').Append(line.Trim());
            }
            else
            {
                lead.Append(' ').Append(line.Trim());
            }
        }
        if (item is not null)
        {
            items.Add(Collapse(item.ToString()));
            chunks.Add((Collapse(lead.ToString()), items, numbered, null, first));
            return;
        }
        // No item starts a line: the reader may have joined a bullet list onto one line.
        var (joinedLead, joinedItems) = JoinedItems(Collapse(lead.ToString()));
        chunks.Add((joinedLead, joinedItems, false, null, 1));
    }

    /// <summary>The prose before a bullet list joined onto one line and its items (none when there is no list).</summary>
    private static (string Lead, List<string> Items) JoinedItems(string text)
    {
        var matches = s_joinedBullet.Matches(text);
        // A list is a bullet at the very start, or two bullets after a colon ("The modes: - one - two"):
        // dashes inside a sentence ("device type - deprecated - ...") are dashes.
        if (matches.Count == 0 || (matches[0].Index != 0 && (matches.Count < 2 || !text.Substring(0, matches[0].Index).TrimEnd().EndsWith(":", StringComparison.Ordinal))))
        {
            return (text, new List<string>());
        }
        var items = new List<string>();
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : text.Length;
            var item = text.Substring(start, end - start).Trim();
            if (item.Length > 0)
            {
                items.Add(item);
            }
        }
        return (text.Substring(0, matches[0].Index).Trim(), items);
    }

    private static string Collapse(string text) => s_whitespace.Replace(text, " ").Trim();

    private static string Dedent(List<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l.Substring(indent).TrimEnd() : l.Trim()));
    }
}
