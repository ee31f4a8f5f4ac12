namespace QmpShell;

/// <summary>What Tab offers: candidates for the text from <see cref="Start"/> to the cursor.</summary>
internal sealed record CompletionResult(int Start, IReadOnlyList<string> Candidates)
{
    public static CompletionResult None { get; } = new(0, []);

    /// <summary>The longest prefix every candidate shares.</summary>
    public string CommonPrefix
    {
        get
        {
            if (Candidates.Count == 0)
            {
                return string.Empty;
            }

            var prefix = Candidates[0];
            foreach (var candidate in Candidates.Skip(1))
            {
                var n = 0;
                while (n < prefix.Length && n < candidate.Length && prefix[n] == candidate[n])
                {
                    n++;
                }

                prefix = prefix[..n];
            }
            return prefix;
        }
    }
}

/// <summary>
/// Completion from the schema: the first word is a command (or a shell word), the word after
/// <c>help</c> a command, later words the command's arguments as <c>name=</c> (those not typed yet;
/// a union's branch adds its own once the tag is typed), and after <c>name=</c> the argument's values
/// (an enum's, <c>true</c>/<c>false</c> for a boolean).
/// </summary>
internal sealed class Completer(CommandCatalog catalog)
{
    /// <summary>Words the shell handles itself.</summary>
    public static readonly string[] ShellWords = ["help", "quit", "exit"];

    public CompletionResult Complete(string line, int cursor)
    {
        ArgumentNullException.ThrowIfNull(line);
        cursor = Math.Clamp(cursor, 0, line.Length);
        var start = cursor;
        while (start > 0 && !char.IsWhiteSpace(line[start - 1]))
        {
            start--;
        }

        var word = line[start..cursor];
        var before = line[..start].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        if (before.Length == 0)
        {
            var names = catalog.Commands.Select(c => c.Name).Concat(ShellWords).Distinct(StringComparer.Ordinal);
            return Result(start, names, word);
        }
        if (before[0] == "help")
        {
            return before.Length == 1 ? Result(start, catalog.Commands.Select(c => c.Name), word) : CompletionResult.None;
        }

        var command = catalog.Find(before[0].TrimStart('!'));
        if (command is null)
        {
            return CompletionResult.None;
        }

        // A union's branch (blockdev-add driver=qcow2 ...) adds its own arguments once its tag is given.
        var given = before.Skip(1).Select(t => t.Split('=', 2)).ToArray();
        var tagValue = command.Tag is { } tag ? given.FirstOrDefault(g => g[0] == tag && g.Length == 2)?[1] : null;
        var arguments = command.ArgumentsFor(tagValue).ToArray();
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            var name = word[..eq];
            var argument = arguments.FirstOrDefault(a => a.Name == name) ?? command.FindArgument(name);
            return argument is null ? CompletionResult.None : Result(start + eq + 1, argument.Values, word[(eq + 1)..]);
        }
        var typed = given.Select(g => g[0]).ToHashSet(StringComparer.Ordinal);
        var offered = arguments.Where(a => !typed.Contains(a.Name)).Select(a => a.Name + "=");
        return Result(start, offered, word);
    }

    private static CompletionResult Result(int start, IEnumerable<string> names, string word) =>
        new(start, names.Where(n => n.StartsWith(word, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray());
}
