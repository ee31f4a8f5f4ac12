using Qmp.Codegen.Model;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// Every diagnostic the QAPI reader reports, with its message format (the block QMP0200-QMP0299;
/// the .hx reader owns QMP00xx and QMP01xx). They mirror the errors of QEMU's scripts/qapi
/// (parser.py, expr.py, schema.py), in QEMU's words where QemuAgreementTests compares them. QEMU
/// stops at its first error; we report each and go on with the next definition. Ids are stable: never renumber one.
/// </summary>
public static class QapiDiagnostics
{
    /// <summary>The text is not QAPI's JSON dialect: {0} says what was expected or found.</summary>
    public static readonly SchemaDiagnosticDescriptor Syntax = new("QMP0200", SchemaSeverity.Error, "Not QAPI JSON", "{message}");
    public static readonly SchemaDiagnosticDescriptor DuplicateKey = new("QMP0201", SchemaSeverity.Error, "Duplicate key", "duplicate key '{key}'");
    public static readonly SchemaDiagnosticDescriptor IncludeUnreadable = new("QMP0202", SchemaSeverity.Error, "Include file unreadable", "cannot read include file '{file}'");
    public static readonly SchemaDiagnosticDescriptor IncludeLoop = new("QMP0203", SchemaSeverity.Error, "Inclusion loop", "inclusion loop for {file}");
    public static readonly SchemaDiagnosticDescriptor BadDirective = new("QMP0204", SchemaSeverity.Error, "Invalid include or pragma directive", "invalid '{directive}' directive: {problem}");
    public static readonly SchemaDiagnosticDescriptor BadPragma = new("QMP0205", SchemaSeverity.Error, "Invalid pragma", "pragma '{pragma}' {problem}");
    public static readonly SchemaDiagnosticDescriptor DocSyntax = new("QMP0206", SchemaSeverity.Error, "Malformed documentation comment", "{message}");
    public static readonly SchemaDiagnosticDescriptor DocNotFollowed = new("QMP0207", SchemaSeverity.Error, "Documentation not followed by its definition", "documentation for '{name}' is not followed by the definition");
    public static readonly SchemaDiagnosticDescriptor DocForOther = new("QMP0208", SchemaSeverity.Error, "Documentation for another definition", "documentation comment is for '{documented}', the definition is '{defined}'");
    public static readonly SchemaDiagnosticDescriptor DocRequired = new("QMP0209", SchemaSeverity.Error, "Documentation required", "documentation comment required");
    public static readonly SchemaDiagnosticDescriptor DocNamesAbsent = new("QMP0210", SchemaSeverity.Error, "Documentation names what the definition lacks", "documented {kind} '{name}' does not exist");
    public static readonly SchemaDiagnosticDescriptor DocMissing = new("QMP0211", SchemaSeverity.Error, "Member or feature without documentation", "{kind} '{name}' lacks documentation");
    public static readonly SchemaDiagnosticDescriptor ExpressionKind = new("QMP0212", SchemaSeverity.Error, "Expression of an unknown or wrong kind", "{message}");
    public static readonly SchemaDiagnosticDescriptor MissingKey = new("QMP0213", SchemaSeverity.Error, "Expression lacks a key", "{what} misses key '{key}'");
    public static readonly SchemaDiagnosticDescriptor UnknownKey = new("QMP0214", SchemaSeverity.Error, "Unknown key in an expression", "{what} has unknown key '{key}' (valid keys: {valid keys})");
    public static readonly SchemaDiagnosticDescriptor BadName = new("QMP0215", SchemaSeverity.Error, "Name outside QAPI naming rules", "{what} '{name}' {problem}");
    public static readonly SchemaDiagnosticDescriptor BadCondition = new("QMP0216", SchemaSeverity.Error, "Invalid if condition", "'if' of {what}: {problem}");
    public static readonly SchemaDiagnosticDescriptor BadValue = new("QMP0217", SchemaSeverity.Error, "Value of the wrong JSON type", "{what} must be {JSON type}");
    public static readonly SchemaDiagnosticDescriptor BadFlag = new("QMP0218", SchemaSeverity.Error, "Forbidden flag combination", "{message}");
    public static readonly SchemaDiagnosticDescriptor Duplicate = new("QMP0219", SchemaSeverity.Error, "Name defined twice",
        "{what} is already defined", "'{name}' is already defined (previous definition at line {line})");
    public static readonly SchemaDiagnosticDescriptor UnknownType = new("QMP0220", SchemaSeverity.Error, "Reference to an unknown type", "{what} uses unknown type '{type}'");
    public static readonly SchemaDiagnosticDescriptor MemberClash = new("QMP0221", SchemaSeverity.Error, "Colliding members", "{member} collides with {other member}");
    public static readonly SchemaDiagnosticDescriptor BadBase = new("QMP0222", SchemaSeverity.Error, "Invalid base", "base of '{type}': {problem}");
    public static readonly SchemaDiagnosticDescriptor BadDiscriminator = new("QMP0223", SchemaSeverity.Error, "Invalid union discriminator", "discriminator '{discriminator}' of union '{union}' {problem}");
    public static readonly SchemaDiagnosticDescriptor BranchNotInEnum = new("QMP0224", SchemaSeverity.Error, "Union branch not in the discriminator enum", "branch '{branch}' of union '{union}' is not a value of enum '{enum}'");
    public static readonly SchemaDiagnosticDescriptor BadBranchType = new("QMP0225", SchemaSeverity.Error, "Branch of a type its union or alternate cannot use", "branch '{branch}' of '{type}' cannot use {what}");
    public static readonly SchemaDiagnosticDescriptor AmbiguousAlternate = new("QMP0226", SchemaSeverity.Error, "Ambiguous alternate branches", "branch '{branch}' of alternate '{alternate}' cannot be told apart from branch '{other branch}' (both read a JSON {JSON type})");
    public static readonly SchemaDiagnosticDescriptor BadReturns = new("QMP0227", SchemaSeverity.Error, "Command returns what QMP cannot", "command '{command}' cannot return {what}");
    public static readonly SchemaDiagnosticDescriptor BadData = new("QMP0228", SchemaSeverity.Error, "data of a type it cannot use", "'data' of {meta} '{name}' cannot use {what}");
    public static readonly SchemaDiagnosticDescriptor ExampleNotJson = new("QMP0229", SchemaSeverity.Warning, "Example message not JSON", "example message of '{name}' is not JSON: {problem}");
    public static readonly SchemaDiagnosticDescriptor ReturnsNotCommand = new("QMP0230", SchemaSeverity.Error, "Returns documented for a non-command", "'Returns:' documents {meta} '{name}', but only commands return");

    public static readonly SchemaDiagnosticDescriptor SpecialFeatureOnType = new("QMP0231", SchemaSeverity.Error, "Special feature on a type", "feature '{feature}' is not supported for types");
    public static readonly SchemaDiagnosticDescriptor UnionNoBranches = new("QMP0232", SchemaSeverity.Error, "Union without branches", "union has no branches");

    internal static SchemaDiagnostic Make(SchemaDiagnosticDescriptor descriptor, SchemaLocation location, params object[] args) => Make(descriptor, 0, location, args);

    /// <summary>
    /// The diagnostic with message form number <paramref name="form"/> of the descriptor, its named
    /// placeholders filled with <paramref name="args"/> in the order they first appear (<see cref="SchemaDiagnosticDescriptor.Format"/>).
    /// </summary>
    internal static SchemaDiagnostic Make(SchemaDiagnosticDescriptor descriptor, int form, SchemaLocation location, params object[] args)
    {
        var values = new string[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = System.Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return descriptor.Report(location, form, values);
    }
}
