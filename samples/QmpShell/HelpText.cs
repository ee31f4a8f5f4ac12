using System.Globalization;
using System.Text;
using System.Text.Json;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;
using Spectre.Console;

namespace QmpShell;

/// <summary><c>help</c> and <c>help NAME</c>, from the QMP schema model: its documentation, arguments and return types.</summary>
internal static class HelpText
{
    /// <summary>How deep <c>help</c> follows a member's object type into its members (a schema may nest or loop without end).</summary>
    public const int MaxNesting = 4;

    /// <summary>The most member lines one <c>help</c> prints for a return type or an event's data.</summary>
    public const int MaxMemberLines = 300;

    public static string List(CommandCatalog catalog, int width = 100)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{catalog.Commands.Count} commands from {catalog.Origin} (help NAME shows one; Tab completes names and arguments):");

        // Name and summary, the summary wrapped to the terminal (Spectre.Console) rather than cut.
        var table = new Table().Border(TableBorder.None).HideHeaders();
        table.AddColumn(new TableColumn("name").NoWrap().PadLeft(0).PadRight(2));
        table.AddColumn(new TableColumn("summary").PadLeft(0).PadRight(0));
        foreach (var command in catalog.Commands)
        {
            table.AddRow(new Text(command.Name), new Text(command.Summary));
        }

        foreach (var line in SpectreText.Render(table, Math.Max(40, width - 2), colors: false).Split('\n'))
        {
            sb.AppendLine(("  " + line).TrimEnd());
        }

        sb.AppendLine();
        sb.AppendLine("Shell: NAME arg=value ... runs a command; quit, exit or Ctrl-D leaves (!quit sends QMP's quit);");
        sb.Append("values: true/false, integers, {...}/[...] JSON, \"quoted\" strings, else text.");
        return sb.ToString();
    }

    public static string Command(CommandCatalog catalog, string name, int width = 100)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var command = catalog.Find(name);
        if (command is null)
        {
            return catalog.FindEvent(name) is { } e
                ? Event(catalog, e)
                : $"error: no command '{TerminalText.Escape(name)}' in the schema (help lists them)";
        }

        var sb = new StringBuilder();
        sb.AppendLine(command.Name);
        var doc = command.Doc;
        AppendDescription(sb, catalog, doc);

        sb.AppendLine();
        // Wrapped to the terminal, continued under the command's first argument.
        var usage = new StringBuilder("Usage: " + command.Name);
        var column = usage.Length;
        var continuation = new string(' ', Math.Min(column + 1, 24));
        foreach (var argument in command.Arguments.OrderBy(a => a.Optional))
        {
            var word = argument.Optional ? $"[{argument.Name}=...]" : $"{argument.Name}=...";
            if (column + 1 + word.Length > width && column > continuation.Length)
            {
                usage.Append('\n').Append(continuation).Append(word);
                column = continuation.Length + word.Length;
            }
            else
            {
                usage.Append(' ').Append(word);
                column += 1 + word.Length;
            }
        }

        sb.AppendLine(usage.ToString());

        if (command.Arguments.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Arguments:");
            var table = new Table().Border(TableBorder.None);
            table.AddColumn(new TableColumn("name").NoWrap().PadLeft(0).PadRight(2));
            table.AddColumn(new TableColumn("type").NoWrap().PadLeft(0).PadRight(2));
            table.AddColumn(new TableColumn("optional").NoWrap().PadLeft(0).PadRight(2));
            table.AddColumn(new TableColumn("description").PadLeft(0).PadRight(0));
            foreach (var argument in command.Arguments)
            {
                table.AddRow(new Text(argument.Name), new Text(argument.TypeName), new Text(argument.Optional ? "yes" : ""), new Text(Describe(argument)));
            }

            foreach (var line in SpectreText.Render(table, Math.Max(40, width - 2), colors: false).Split('\n'))
            {
                sb.AppendLine(("  " + line).TrimEnd());
            }
        }

        if (command.Tag is { } tag && command.Branches.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Each {tag} adds its own arguments (Tab offers them once {tag}= is typed): {string.Join(", ", command.Branches.Keys)}.");
        }

        var returnsText = doc?.Section(SchemaDoc.Returns);
        if (command.Returns is { } returns)
        {
            sb.AppendLine();
            sb.AppendLine("Returns: " + catalog.DisplayType(returns));
            if (returnsText is { Length: > 0 } && returnsText != doc!.Body)
            {
                sb.AppendLine(Indent(returnsText, "  "));
            }

            if (catalog.ObjectType(returns) is { } type)
            {
                var budget = MaxMemberLines;
                AppendMembers(sb, catalog, type, "  ", [type.Name], ref budget);
            }
        }

        if (doc is not null)
        {
            foreach (var example in doc.Examples)
            {
                sb.AppendLine();
                sb.AppendLine(example.Caption is { Length: > 0 } caption ? $"Example ({caption}):" : "Example:");
                foreach (var message in example.Messages)
                {
                    sb.AppendLine((message.Direction == ExampleDirection.ToServer ? "  -> " : "  <- ") + Compact(message.Json ?? message.Text));
                }
            }
            if (doc.Section("Notes") is { Length: > 0 } notes)
            {
                sb.AppendLine();
                sb.AppendLine("Notes:");
                sb.AppendLine(Indent(notes, "  "));
            }
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>An event: its description and the members of its data.</summary>
    private static string Event(CommandCatalog catalog, EventInfo e)
    {
        var sb = new StringBuilder();
        sb.AppendLine("event " + e.Name);
        AppendDescription(sb, catalog, e.Doc);
        sb.AppendLine();
        if (catalog.ObjectType(e.Data) is { } type && catalog.MembersOf(type).Count > 0)
        {
            sb.AppendLine("Data:");
            var budget = MaxMemberLines;
            AppendMembers(sb, catalog, type, "  ", [type.Name], ref budget);
        }
        else
        {
            sb.AppendLine("Data: none");
        }

        return sb.ToString().TrimEnd();
    }

    private static void AppendDescription(StringBuilder sb, CommandCatalog catalog, SchemaDoc? doc)
    {
        if (doc is not null && doc.Body.Length > 0)
        {
            sb.AppendLine(Indent(doc.Body, "  "));
        }
        else if (catalog.IsLearned && !catalog.HasDocs)
        {
            sb.AppendLine("  (query-qmp-schema carries no docs: --qapi DIR/qapi-schema.json adds QEMU's)");
        }
    }

    /// <summary>An argument's values (an enum's) and its description.</summary>
    private static string Describe(ArgInfo argument)
    {
        var values = argument.Values.Count > 0 && argument.Type != ArgValueType.Bool ? "one of: " + string.Join(", ", argument.Values) : "";
        // The table wraps the text to its column: the schema's own line breaks would cut it short (QAPI's docs are wrapped at 70).
        var description = Reflow(argument.Description ?? "");
        return values.Length > 0 && description.Length > 0 ? values + ". " + description : values + description;
    }

    /// <summary>
    /// An object type's members (a base's first), each followed by the members of its own object
    /// type, indented: a type inside itself once, at most <see cref="MaxNesting"/> levels and
    /// <see cref="MaxMemberLines"/> lines in all.
    /// </summary>
    private static void AppendMembers(StringBuilder sb, CommandCatalog catalog, SchemaObjectType type, string indent, HashSet<string> enclosing, ref int budget)
    {
        foreach (var member in catalog.MembersOf(type))
        {
            if (budget <= 0)
            {
                // Said once, where the budget ran out; the enclosing levels stop quietly.
                if (budget == 0)
                {
                    sb.Append(indent).AppendLine("... (more members left out)");
                    budget--;
                }

                return;
            }

            budget--;

            sb.Append(indent).Append("- ").Append(member.Name).Append(" (").Append(catalog.DisplayType(member.Type)).Append(member.Optional ? ", optional)" : ")");
            var values = catalog.ValuesOf(member.Type);
            var doc = member.Doc?.TrimEnd();
            if (values.Count > 0 && SchemaBuiltins.JsonTypeOf(member.Type.Name) != JsonType.Boolean)
            {
                doc = "one of: " + string.Join(", ", values) + (doc is { Length: > 0 } ? ". " + doc : "");
            }

            sb.AppendLine(doc is null ? "" : ": " + doc);
            if (catalog.ObjectType(member.Type) is { IsImplicit: false } nested && enclosing.Count <= MaxNesting && enclosing.Add(nested.Name))
            {
                AppendMembers(sb, catalog, nested, indent + "  ", enclosing, ref budget);
                enclosing.Remove(nested.Name);
            }
        }
    }

    /// <summary>Lines of one paragraph joined (blank lines, between paragraphs, kept).</summary>
    private static string Reflow(string text) =>
        string.Join("\n\n", text.ReplaceLineEndings("\n").Split("\n\n").Select(p => string.Join(' ', p.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))));

    /// <summary>Example JSON on one line.</summary>
    private static string Compact(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, JsonText.Compact);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static string Indent(string text, string indent) =>
        string.Join(Environment.NewLine, text.Split('\n').Select(l => indent + l.TrimEnd()));
}
