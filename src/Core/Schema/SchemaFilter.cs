using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Schema;

/// <summary>
/// A <c>QmpSchema</c> item's <c>Commands</c>/<c>Events</c> filter on the model, whichever front end
/// read it: only the commands (and events) whose names match a pattern stay, with every type they
/// reach (arguments, returns, event data; then members, bases, union branches and alternate
/// branches, transitively). Types nothing kept reaches go. Patterns are QMP names with <c>*</c>
/// for any run of characters, compared case-sensitively as QMP compares names; a list is separated
/// by <c>;</c> or <c>,</c> (MSBuild metadata reaches the generator with <c>,</c>).
/// </summary>
public static class SchemaFilter
{
    private static readonly char[] s_separators = { ';', ',' };

    /// <summary>The patterns of a metadata value; empty when there is none (no filter).</summary>
    public static IReadOnlyList<string> Patterns(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? Array.Empty<string>()
            : value!.Split(s_separators, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The name a pattern that matched nothing was most likely meant to be: the closest by edit distance
    /// (letters inserted, deleted or replaced; case and <c>-</c>/<c>_</c> count as differences), when it is
    /// within a third of the pattern's length (at least 1, at most 3) and no other name is as close.
    /// A pattern with <c>*</c> gets none: it is a choice, not a spelling.
    /// </summary>
    public static string? Nearest(string pattern, IEnumerable<string> names)
    {
        if (pattern.IndexOf('*') >= 0)
        {
            return null;
        }

        var limit = Math.Min(3, Math.Max(1, pattern.Length / 3));
        string? best = null;
        var bestDistance = int.MaxValue;
        var tie = false;
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (Math.Abs(name.Length - pattern.Length) > limit)
            {
                continue;
            }

            var distance = EditDistance(pattern, name);
            if (distance < bestDistance)
            {
                (best, bestDistance, tie) = (name, distance, false);
            }
            else if (distance == bestDistance)
            {
                tie = true;
            }
        }

        return bestDistance <= limit && !tie ? best : null;
    }

    /// <summary>Levenshtein distance, two rows: names are short (QMP's longest is under 40 characters).</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var replace = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(replace, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>True when <paramref name="name"/> matches <paramref name="pattern"/> (<c>*</c> is any run of characters, the rest literal).</summary>
    public static bool Matches(string pattern, string name)
    {
        // Iterative glob with one backtrack point: linear enough for QMP names, never recursive.
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (p < pattern.Length && pattern[p] == name[n])
            {
                p++;
                n++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>What a filter kept, and the patterns that matched nothing (for a diagnostic each).</summary>
    public sealed record Result(QmpSchema Schema, IReadOnlyList<string> UnmatchedCommands, IReadOnlyList<string> UnmatchedEvents);

    /// <summary>
    /// Keeps the commands <paramref name="commands"/> names and the events <paramref name="events"/>
    /// names (an empty list keeps them all), and the types they reach; the schema itself when both are empty.
    /// </summary>
    public static Result Apply(QmpSchema schema, IReadOnlyList<string> commands, IReadOnlyList<string> events)
    {
        if (commands.Count == 0 && events.Count == 0)
        {
            return new Result(schema, Array.Empty<string>(), Array.Empty<string>());
        }

        var keptCommands = Select(schema.Commands, c => c.Name, commands, out var unmatchedCommands);
        var keptEvents = Select(schema.Events, e => e.Name, events, out var unmatchedEvents);

        var index = SchemaIndex.Of(schema);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        void Reach(SchemaTypeRef? type)
        {
            if (type is not null && index.Type(type.Name) is not null && reached.Add(type.Name))
            {
                pending.Push(type.Name);
            }
        }
        foreach (var command in keptCommands)
        {
            Reach(command.Arguments);
            Reach(command.Returns);
        }
        foreach (var e in keptEvents)
        {
            Reach(e.Data);
        }

        while (pending.Count > 0)
        {
            switch (index.Type(pending.Pop()))
            {
                case SchemaObjectType o:
                    if (o.Base is not null)
                    {
                        Reach(SchemaTypeRef.Of(o.Base));
                    }

                    foreach (var member in o.Members)
                    {
                        Reach(member.Type);
                    }

                    foreach (var variant in o.Variants?.Branches ?? EquatableArray<SchemaVariant>.Empty)
                    {
                        Reach(variant.Type);
                    }

                    break;
                case SchemaAlternateType a:
                    foreach (var branch in a.Branches)
                    {
                        Reach(branch.Type);
                    }

                    break;
            }
        }
        var filtered = schema with
        {
            Commands = keptCommands.ToEquatableArray(),
            Events = keptEvents.ToEquatableArray(),
            Types = schema.Types.Where(t => reached.Contains(t.Name)).ToEquatableArray(),
        };
        return new Result(filtered, unmatchedCommands, unmatchedEvents);
    }

    private static List<T> Select<T>(EquatableArray<T> all, Func<T, string> nameOf, IReadOnlyList<string> patterns, out List<string> unmatched)
        where T : IEquatable<T>
    {
        unmatched = new List<string>();
        if (patterns.Count == 0)
        {
            return all.ToList();
        }

        var matched = new bool[patterns.Count];
        var kept = new List<T>();
        foreach (var item in all)
        {
            var keep = false;
            for (var i = 0; i < patterns.Count; i++)
            {
                if (Matches(patterns[i], nameOf(item)))
                {
                    keep = matched[i] = true;
                }
            }
            if (keep)
            {
                kept.Add(item);
            }
        }
        for (var i = 0; i < patterns.Count; i++)
        {
            if (!matched[i])
            {
                unmatched.Add(patterns[i]);
            }
        }
        return kept;
    }
}
