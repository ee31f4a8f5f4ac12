using Qmp.Codegen.Model;

namespace Qmp.Codegen;

/// <summary>
/// A diagnostic kind: a stable id, its severity, a title, and <see cref="Messages"/>, the forms of
/// every message it reports, with <c>{placeholders}</c> for what varies; so this file is the
/// catalogue of every message a user can see. Every reader (.hx, QAPI, introspection) and the
/// generator build their messages only from these forms (<see cref="Report(SchemaLocation, string[])"/>),
/// so the catalogue and what users see cannot drift apart.
/// </summary>
public sealed record SchemaDiagnosticDescriptor(string Id, SchemaSeverity Severity, string Title, params string[] Messages)
{
    /// <summary>A diagnostic with the message of the descriptor's only form, its placeholders filled with <paramref name="args"/>.</summary>
    public SchemaDiagnostic Report(SchemaLocation location, params string[] args)
    {
        if (Messages.Length != 1)
        {
            throw new System.InvalidOperationException(Id + " has " + Messages.Length + " message forms; name the form");
        }

        return new(Id, Severity, Format(0, args), location);
    }

    /// <summary>A diagnostic with the message of form number <paramref name="form"/> (0-based, in the order of <see cref="Messages"/>).</summary>
    public SchemaDiagnostic Report(SchemaLocation location, int form, params string[] args) => new(Id, Severity, Format(form, args), location);

    /// <summary>
    /// Form <paramref name="form"/> with its placeholders filled: <paramref name="args"/> in the
    /// order the distinct placeholders first appear; a placeholder named twice gets the same value
    /// (<c>'{list}' ... '{list}:O'</c>). The values are not scanned again, so a value may hold braces.
    /// </summary>
    public string Format(int form, params string[] args)
    {
        var text = Messages[form];
        var names = new System.Collections.Generic.List<string>();
        var builder = new System.Text.StringBuilder(text.Length + 32);
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            var close = open < 0 ? -1 : text.IndexOf('}', open + 1);
            if (close < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }
            builder.Append(text, i, open - i);
            var name = text.Substring(open + 1, close - open - 1);
            var index = names.IndexOf(name);
            if (index < 0)
            {
                index = names.Count;
                names.Add(name);
            }
            if (index >= args.Length)
            {
                throw new System.ArgumentException(Id + ": no value for '{" + name + "}'", nameof(args));
            }

            builder.Append(args[index]);
            i = close + 1;
        }
        if (names.Count != args.Length)
        {
            throw new System.ArgumentException(Id + ": " + args.Length + " values for " + names.Count + " placeholders", nameof(args));
        }

        return builder.ToString();
    }

    /// <summary>True when <paramref name="message"/> has one of the forms of <see cref="Messages"/>.</summary>
    public bool Describes(string message) =>
        System.Array.Exists(Messages, form => System.Text.RegularExpressions.Regex.IsMatch(message,
            "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(form), @"\\\{[^}]*}", ".*") + "$",
            System.Text.RegularExpressions.RegexOptions.Singleline));

    /// <summary>
    /// Where every diagnostic is explained: its row of the diagnostics table in docs/diagnostics.md (anchor
    /// <c>qmpNNNN</c>) on the repository's site, an absolute address, as a help link in a package's
    /// consumer must be (the repository's RepositoryUrl in Directory.Build.props; a test keeps them equal).
    /// </summary>
    public const string HelpLinkBase = "https://github.com/qmp-codegen/qmp-codegen/blob/main/docs/diagnostics.md#";

    /// <summary>This diagnostic's row in docs/diagnostics.md: its Roslyn descriptor's <c>helpLinkUri</c>.</summary>
    public string HelpLinkUri => HelpLinkBase + Id.ToLowerInvariant();
}

/// <summary>
/// Every diagnostic the schema toolchain reports, in one place. Ids are stable: users suppress
/// them by id (<c>NoWarn</c>), so never renumber one.
/// Severity: an error stops generation; the quirks of an .hx file's text that the reader recovers
/// from as QEMU meant them (documentation, examples, comments, C literal syntax, a <c>#if</c> the
/// generated code cannot follow) are <see cref="SchemaSeverity.Info"/>, so QEMU's own untouched
/// schema builds without warnings; <c>Diagnostics="all"</c> on a <c>QmpSchema</c> item or an
/// .editorconfig severity raises them. Warnings are the generator's choices about the C# it emits
/// (GeneratorDiagnostics).
/// </summary>
public static class SchemaDiagnostics
{
    public static readonly SchemaDiagnosticDescriptor UnknownArgsTypeCode = new("QMP0001", SchemaSeverity.Error, "Unknown args_type code",
        "unknown args_type code '{code}' for argument '{name}' (known: {codes}, -x, each optionally followed by '?')");
    public static readonly SchemaDiagnosticDescriptor DuplicateCommand = new("QMP0002", SchemaSeverity.Error, "Duplicate command",
        "{command or event} '{name}' is declared twice (first at {path}({line},{column}))");
    public static readonly SchemaDiagnosticDescriptor MalformedTableEntry = new("QMP0003", SchemaSeverity.Error, "Malformed table entry",
        "table entry has no '.name'", "'{name}' has no '.args_type'", "command '{name}' has no '.mhandler.cmd_new' or '.mhandler.cmd_async'", "args_type item '{item}' is not 'name:code'",
        "table entry has no closing '}'", "expected '.field = value' in table entry, found '{character}'", "expected '=' after field '.{field}'",
        "field '.{field}' is set twice", "unterminated string in field '.{field}'", "field '.{field}' has no value", "expected ',' or '}' after field '.{field}'");
    public static readonly SchemaDiagnosticDescriptor UnterminatedDocBlock = new("QMP0004", SchemaSeverity.Error, "Unterminated documentation block",
        "documentation block opened by SQMP has no EQMP");
    public static readonly SchemaDiagnosticDescriptor DocTitleMatchesNoCommand = new("QMP0005", SchemaSeverity.Info, "Documentation block matches no command",
        "documentation block '{title}' matches no command or event");
    public static readonly SchemaDiagnosticDescriptor CommandWithoutDoc = new("QMP0006", SchemaSeverity.Info, "Command has no documentation block",
        "{command or event} '{name}' has no documentation block");
    public static readonly SchemaDiagnosticDescriptor DocumentedArgumentNotInArgsType = new("QMP0007", SchemaSeverity.Info, "Documented argument is not in args_type",
        "{argument or data member} '{name}' of '{command}' is documented but args_type names '{other}'", "{argument or data member} '{name}' of '{command}' is documented but args_type has no such {argument or data member}");
    public static readonly SchemaDiagnosticDescriptor ArgumentNotDocumented = new("QMP0008", SchemaSeverity.Info, "Argument is not documented",
        "{argument or data member} '{name}' of '{command}' is in args_type but not documented");
    public static readonly SchemaDiagnosticDescriptor UnknownDocumentedType = new("QMP0009", SchemaSeverity.Info, "Unknown documented type",
        "unknown documented type '{type}'", "unknown documented type '{type}'; read as '{guess}'");
    public static readonly SchemaDiagnosticDescriptor ExampleRepaired = new("QMP0010", SchemaSeverity.Info, "Example JSON repaired",
        "example {request, reply or event} of '{name}' is not valid JSON: {repair}");
    public static readonly SchemaDiagnosticDescriptor ExampleUnreadable = new("QMP0011", SchemaSeverity.Info, "Example JSON unreadable",
        "example {request, reply or event} of '{name}' cannot be read as JSON: {error}");
    public static readonly SchemaDiagnosticDescriptor ExampleExecuteMismatch = new("QMP0012", SchemaSeverity.Info, "Example executes another command",
        "example of '{name}' executes '{other}'");
    public static readonly SchemaDiagnosticDescriptor DocTitleAlias = new("QMP0013", SchemaSeverity.Info, "Documentation title names the command differently",
        "documentation block '{title}' is taken as the documentation of '{name}'");
    public static readonly SchemaDiagnosticDescriptor UnbalancedConditional = new("QMP0014", SchemaSeverity.Error, "Unbalanced #if/#endif",
        "'#if {condition}' is never closed by '#endif'", "'{directive}' without '#if'", "'#endif' without '#if'");
    public static readonly SchemaDiagnosticDescriptor ConditionalCommand = new("QMP0015", SchemaSeverity.Info, "Conditional command",
        "command '{name}' is declared only '#if {condition}'; the generated code always includes it");
    public static readonly SchemaDiagnosticDescriptor StringConcatenation = new("QMP0016", SchemaSeverity.Info, "args_type uses C string literal concatenation",
        "args_type of '{name}' is {count} concatenated C string literals; read as \"{text}\"");
    public static readonly SchemaDiagnosticDescriptor MarkerInComment = new("QMP0017", SchemaSeverity.Info, "Comment contains a block marker",
        "HXCOMM comment contains the word '{marker}'; it is read as comment text, not as a block marker");
    public static readonly SchemaDiagnosticDescriptor ForeignTextInDocBlock = new("QMP0018", SchemaSeverity.Info, "Documentation block contains a comment or section heading",
        "HXCOMM comment inside the documentation block of '{title}' is left out of its documentation", "section heading '{heading}' inside the documentation block of '{title}' is kept as prose");
    public static readonly SchemaDiagnosticDescriptor MemberInsideOptionList = new("QMP0019", SchemaSeverity.Info, "Documented argument travels inside an option list",
        "{argument or data member} '{name}' of '{command}' is documented but travels inside the option list '{list}' (args_type '{list}:O')");
    public static readonly SchemaDiagnosticDescriptor UnexpectedText = new("QMP0020", SchemaSeverity.Info, "Unexpected text outside any block",
        "unexpected text '{text}' outside any table entry or documentation block", "unknown preprocessor directive '{directive}'");
    public static readonly SchemaDiagnosticDescriptor DuplicateDocBlock = new("QMP0021", SchemaSeverity.Info, "Duplicate documentation block",
        "'{name}' is documented twice; this block is ignored");
    public static readonly SchemaDiagnosticDescriptor DuplicateArgument = new("QMP0022", SchemaSeverity.Error, "Duplicate argument in args_type",
        "argument '{name}' appears twice in args_type");
    public static readonly SchemaDiagnosticDescriptor UnknownTableField = new("QMP0024", SchemaSeverity.Info, "Unknown table field",
        "unknown table field '.{field}' is ignored");
    public static readonly SchemaDiagnosticDescriptor UnquotedArgumentName = new("QMP0023", SchemaSeverity.Info, "Documented argument name is not quoted",
        "{argument or data member} name {name} of '{command}' is not quoted");
    public static readonly SchemaDiagnosticDescriptor InvalidName = new("QMP0025", SchemaSeverity.Error, "Name outside QMP's character set",
        "{command or event} name '{name}' is not a QMP name (letters, digits, '-', '_', '.'); the entry is ignored", "argument name '{name}' is not a QMP name (letters, digits, '-', '_', '.'); the argument is ignored");
}
