using System;
using System.Linq;
using System.Text.RegularExpressions;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Generation;

/// <summary>
/// Turns the schema's doc text into IntelliSense summaries: QEMU 2.1's docs open many replies with a
/// lead-in that only introduces a member list, and leave some members and values undocumented.
/// </summary>
public static class DocText
{
    /// <summary>Where one sentence ends and the next (capitalised) begins; "e.g. this" does not split.</summary>
    private static readonly Regex s_sentenceBreak = new(@"(?<=[.!?:])\s+(?=[A-Z""'(])", RegexOptions.CultureInvariant);

    /// <summary>
    /// A sentence that only introduces what follows: ends with a colon and speaks of JSON values or
    /// of "the following" (<c>Return a json-object with the following information:</c>,
    /// <c>Each json-object contain the following:</c>).
    /// </summary>
    public static bool IsLeadIn(string sentence)
    {
        var s = sentence.Trim();
        return s.EndsWith(":", StringComparison.Ordinal)
            && (s.IndexOf("json-", StringComparison.OrdinalIgnoreCase) >= 0 || s.IndexOf("following", StringComparison.OrdinalIgnoreCase) >= 0);
    }

    /// <summary>The text without its lead-in sentences; null when nothing else is left.</summary>
    public static string? Meaningful(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var kept = s_sentenceBreak.Split(text!.Trim()).Where(s => !IsLeadIn(s)).ToList();
        var joined = string.Join(" ", kept).Trim();
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>
    /// A member's doc without a closing lead-in clause ("only present if the device is inserted, it
    /// is a json-object containing the following:" keeps its first clause); null when nothing is left.
    /// </summary>
    public static string? WithoutTrailingLeadIn(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text!.Trim();
        if (!IsLeadIn(trimmed))
        {
            return trimmed;
        }

        var cut = trimmed.LastIndexOfAny(s_clauseBreaks, trimmed.Length - 2);
        while (cut > 0 && IsLeadIn(trimmed.Substring(cut + 1)) && IsLeadIn(trimmed.Substring(0, cut) + ":"))
        {
            cut = trimmed.LastIndexOfAny(s_clauseBreaks, cut - 1);
        }

        return cut <= 0 ? null : trimmed.Substring(0, cut).Trim();
    }

    private static readonly char[] s_clauseBreaks = { ',', ';', '.' };

    /// <summary>The first sentence and the rest (null when none).</summary>
    public static (string? First, string? Others) FirstSentence(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        var parts = s_sentenceBreak.Split(text, 2);
        return (parts[0].Trim(), parts.Length > 1 && parts[1].Trim().Length > 0 ? parts[1].Trim() : null);
    }

    /// <summary>A QMP name in words, as a sentence: <c>slot-type</c> is "Slot type.".</summary>
    public static string Words(string name)
    {
        var words = name.Replace('-', ' ').Replace('_', ' ').Trim();
        if (words.Length == 0)
        {
            return name;
        }

        return char.ToUpperInvariant(words[0]) + words.Substring(1) + ".";
    }

    /// <summary>
    /// The summary of a command whose docs say nothing but a lead-in (XML): "Returns the status
    /// (<c>query-status</c>) as a <c>StatusInfo</c>." for a query, else "Runs <c>quit</c>.".
    /// </summary>
    public static string CommandFallback(string command, TypeRef? result)
    {
        const string QueryPrefix = "query-";
        if (result is not null && command.StartsWith(QueryPrefix, StringComparison.Ordinal) && command.Length > QueryPrefix.Length)
        {
            var what = command.Substring(QueryPrefix.Length).Replace('-', ' ').Replace('_', ' ');
            return "Returns the " + CSharpText.Xml(what) + " (<c>" + CSharpText.Xml(command) + "</c>) as " + Describe(result) + ".";
        }
        return "Runs <c>" + CSharpText.Xml(command) + "</c>" + (result is null ? "." : " and returns " + Describe(result) + ".");
    }

    /// <summary>A type in words, as XML: a see-reference to <c>BlockInfo</c>, or a list of them.</summary>
    private static string Describe(TypeRef type) => type.Kind switch
    {
        ValueKind.Object or ValueKind.Enum => "a <see cref=\"" + type.RecordName + "\"/>",
        ValueKind.List => "a list of " + Describe(type.Element!).Substring(2),
        ValueKind.Json => "a JSON value",
        ValueKind.Bool => "a <c>bool</c>",
        _ => "a <c>" + type.ClrType + "</c>",
    };
}
