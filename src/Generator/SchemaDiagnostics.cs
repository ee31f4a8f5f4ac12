using Qmp.Codegen.Model;

namespace Qmp.Codegen;

/// <summary>A diagnostic kind: a stable id, its severity, and a title (message format).</summary>
public sealed record SchemaDiagnosticDescriptor(string Id, SchemaSeverity Severity, string Title)
{
    public SchemaDiagnostic Create(SchemaLocation location, string message) => new(Id, Severity, message, location);
}

/// <summary>
/// Every diagnostic the schema toolchain reports, in one place. Ids are stable: users suppress
/// them by id (<c>NoWarn</c>), so never renumber one.
/// </summary>
public static class SchemaDiagnostics
{
    public static readonly SchemaDiagnosticDescriptor UnknownArgsTypeCode = new("QMP0001", SchemaSeverity.Error, "Unknown args_type code");
    public static readonly SchemaDiagnosticDescriptor DuplicateCommand = new("QMP0002", SchemaSeverity.Error, "Duplicate command");
    public static readonly SchemaDiagnosticDescriptor MalformedTableEntry = new("QMP0003", SchemaSeverity.Error, "Malformed table entry");
    public static readonly SchemaDiagnosticDescriptor UnterminatedDocBlock = new("QMP0004", SchemaSeverity.Error, "Unterminated documentation block");
    public static readonly SchemaDiagnosticDescriptor DocTitleMatchesNoCommand = new("QMP0005", SchemaSeverity.Warning, "Documentation block matches no command");
    public static readonly SchemaDiagnosticDescriptor CommandWithoutDoc = new("QMP0006", SchemaSeverity.Warning, "Command has no documentation block");
    public static readonly SchemaDiagnosticDescriptor DocumentedArgumentNotInArgsType = new("QMP0007", SchemaSeverity.Warning, "Documented argument is not in args_type");
    public static readonly SchemaDiagnosticDescriptor ArgumentNotDocumented = new("QMP0008", SchemaSeverity.Warning, "Argument is not documented");
    public static readonly SchemaDiagnosticDescriptor UnknownDocumentedType = new("QMP0009", SchemaSeverity.Warning, "Unknown documented type");
    public static readonly SchemaDiagnosticDescriptor ExampleRepaired = new("QMP0010", SchemaSeverity.Warning, "Example JSON repaired");
    public static readonly SchemaDiagnosticDescriptor ExampleUnreadable = new("QMP0011", SchemaSeverity.Warning, "Example JSON unreadable");
    public static readonly SchemaDiagnosticDescriptor ExampleExecuteMismatch = new("QMP0012", SchemaSeverity.Warning, "Example executes another command");
    public static readonly SchemaDiagnosticDescriptor DocTitleAlias = new("QMP0013", SchemaSeverity.Warning, "Documentation title names the command differently");
    public static readonly SchemaDiagnosticDescriptor UnbalancedConditional = new("QMP0014", SchemaSeverity.Error, "Unbalanced #if/#endif");
    public static readonly SchemaDiagnosticDescriptor ConditionalCommand = new("QMP0015", SchemaSeverity.Warning, "Conditional command");
    public static readonly SchemaDiagnosticDescriptor StringConcatenation = new("QMP0016", SchemaSeverity.Warning, "args_type uses C string literal concatenation");
    public static readonly SchemaDiagnosticDescriptor MarkerInComment = new("QMP0017", SchemaSeverity.Warning, "Comment contains a block marker");
    public static readonly SchemaDiagnosticDescriptor ForeignTextInDocBlock = new("QMP0018", SchemaSeverity.Warning, "Documentation block contains a comment or section heading");
    public static readonly SchemaDiagnosticDescriptor MemberInsideOptionList = new("QMP0019", SchemaSeverity.Warning, "Documented argument travels inside an option list");
    public static readonly SchemaDiagnosticDescriptor UnexpectedText = new("QMP0020", SchemaSeverity.Warning, "Unexpected text outside any block");
    public static readonly SchemaDiagnosticDescriptor DuplicateDocBlock = new("QMP0021", SchemaSeverity.Warning, "Duplicate documentation block");
    public static readonly SchemaDiagnosticDescriptor DuplicateArgument = new("QMP0022", SchemaSeverity.Error, "Duplicate argument in args_type");
    public static readonly SchemaDiagnosticDescriptor UnknownTableField = new("QMP0024", SchemaSeverity.Warning, "Unknown table field");
    public static readonly SchemaDiagnosticDescriptor UnquotedArgumentName = new("QMP0023", SchemaSeverity.Warning, "Documented argument name is not quoted");
    public static readonly SchemaDiagnosticDescriptor InvalidName = new("QMP0025", SchemaSeverity.Error, "Name outside QMP's character set");
}
