using System.Globalization;
using System.Text;
using System.Text.Json;
using Qmp.Codegen.Schema;
using Spectre.Console;

namespace QmpShell;

/// <summary><c>help</c> and <c>help NAME</c>, from the QMP schema model: its documentation, arguments and return types.</summary>
internal static class HelpText
{
    public static string List(CommandCatalog catalog, int width = 100)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{catalog.Commands.Count} commands (help NAME shows one; Tab completes names and arguments):");

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
            return $"error: no command '{name}' in the schema (help lists them)";
        }

        var sb = new StringBuilder();
        sb.AppendLine(command.Name);
        var doc = command.Doc;
        if (doc is not null && doc.Body.Length > 0)
        {
            sb.AppendLine(Indent(doc.Body, "  "));
        }

        sb.AppendLine();
        sb.Append("Usage: ").Append(command.Name);
        foreach (var argument in command.Arguments.OrderBy(a => a.Optional))
        {
            sb.Append(' ').Append(argument.Optional ? $"[{argument.Name}=...]" : $"{argument.Name}=...");
        }

        sb.AppendLine();

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
                table.AddRow(new Text(argument.Name), new Text(argument.TypeName), new Text(argument.Optional ? "yes" : ""), new Text(argument.Description ?? ""));
            }

            foreach (var line in SpectreText.Render(table, Math.Max(40, width - 2), colors: false).Split('\n'))
            {
                sb.AppendLine(("  " + line).TrimEnd());
            }
        }

        var returnsText = doc?.Section(SchemaDoc.Returns);
        if (command.Returns is { } returns)
        {
            sb.AppendLine();
            sb.AppendLine("Returns: " + returns);
            if (returnsText is { Length: > 0 } && returnsText != doc!.Body)
            {
                sb.AppendLine(Indent(returnsText, "  "));
            }

            if (catalog.ObjectType(returns) is { } type)
            {
                AppendMembers(sb, catalog, type, "  ", [type.Name]);
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

    /// <summary>An object type's members, each followed by the members of its own object type, indented (a type inside itself once).</summary>
    private static void AppendMembers(StringBuilder sb, CommandCatalog catalog, SchemaObjectType type, string indent, HashSet<string> enclosing)
    {
        foreach (var member in type.Members)
        {
            sb.Append(indent).Append("- ").Append(member.Name).Append(" (").Append(member.Type).Append(member.Optional ? ", optional)" : ")");
            sb.AppendLine(member.Doc is null ? "" : ": " + member.Doc.TrimEnd());
            if (catalog.ObjectType(member.Type) is { IsImplicit: false } nested && enclosing.Add(nested.Name))
            {
                AppendMembers(sb, catalog, nested, indent + "  ", enclosing);
                enclosing.Remove(nested.Name);
            }
        }
    }

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
