using Qmp.Codegen.Model;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// Every diagnostic the QAPI reader reports, with its message format (the block QMP0200-QMP0299;
/// the .hx reader owns QMP00xx and QMP01xx). They mirror the errors of QEMU's scripts/qapi
/// (parser.py, expr.py, schema.py) with our own wording; QEMU stops at its first error, we report
/// each and go on with the next definition. Ids are stable: never renumber one.
/// </summary>
public static class QapiDiagnostics
{
    /// <summary>The text is not QAPI's JSON dialect: {0} says what was expected or found.</summary>
    public static readonly SchemaDiagnosticDescriptor Syntax = new("QMP0200", SchemaSeverity.Error, "{0}");
    public static readonly SchemaDiagnosticDescriptor DuplicateKey = new("QMP0201", SchemaSeverity.Error, "duplicate key '{0}'");
    public static readonly SchemaDiagnosticDescriptor IncludeUnreadable = new("QMP0202", SchemaSeverity.Error, "cannot read include file '{0}'");
    public static readonly SchemaDiagnosticDescriptor IncludeLoop = new("QMP0203", SchemaSeverity.Error, "inclusion loop for '{0}'");
    public static readonly SchemaDiagnosticDescriptor BadDirective = new("QMP0204", SchemaSeverity.Error, "invalid '{0}' directive: {1}");
    public static readonly SchemaDiagnosticDescriptor BadPragma = new("QMP0205", SchemaSeverity.Error, "pragma '{0}' {1}");
    public static readonly SchemaDiagnosticDescriptor DocSyntax = new("QMP0206", SchemaSeverity.Error, "documentation comment: {0}");
    public static readonly SchemaDiagnosticDescriptor DocNotFollowed = new("QMP0207", SchemaSeverity.Error, "documentation for '{0}' is not followed by its definition");
    public static readonly SchemaDiagnosticDescriptor DocForOther = new("QMP0208", SchemaSeverity.Error, "documentation comment is for '{0}', the definition is '{1}'");
    public static readonly SchemaDiagnosticDescriptor DocRequired = new("QMP0209", SchemaSeverity.Error, "{0} '{1}' has no documentation comment, which pragma 'doc-required' requires");
    public static readonly SchemaDiagnosticDescriptor DocNamesAbsent = new("QMP0210", SchemaSeverity.Error, "documentation of '{0}' names {1} '{2}', which it does not have");
    public static readonly SchemaDiagnosticDescriptor DocMissing = new("QMP0211", SchemaSeverity.Error, "{0} '{1}' of '{2}' has no documentation");
    public static readonly SchemaDiagnosticDescriptor ExpressionKind = new("QMP0212", SchemaSeverity.Error, "{0}");
    public static readonly SchemaDiagnosticDescriptor MissingKey = new("QMP0213", SchemaSeverity.Error, "{0} lacks key '{1}'");
    public static readonly SchemaDiagnosticDescriptor UnknownKey = new("QMP0214", SchemaSeverity.Error, "{0} has unknown key '{1}' (valid keys: {2})");
    public static readonly SchemaDiagnosticDescriptor BadName = new("QMP0215", SchemaSeverity.Error, "{0} '{1}' {2}");
    public static readonly SchemaDiagnosticDescriptor BadCondition = new("QMP0216", SchemaSeverity.Error, "'if' of {0}: {1}");
    public static readonly SchemaDiagnosticDescriptor BadValue = new("QMP0217", SchemaSeverity.Error, "{0} must be {1}");
    public static readonly SchemaDiagnosticDescriptor BadFlag = new("QMP0218", SchemaSeverity.Error, "{0}");
    public static readonly SchemaDiagnosticDescriptor Duplicate = new("QMP0219", SchemaSeverity.Error, "'{0}' is already defined ({1})");
    public static readonly SchemaDiagnosticDescriptor UnknownType = new("QMP0220", SchemaSeverity.Error, "{0} uses unknown type '{1}'");
    public static readonly SchemaDiagnosticDescriptor MemberClash = new("QMP0221", SchemaSeverity.Error, "{0} collides with {1}");
    public static readonly SchemaDiagnosticDescriptor BadBase = new("QMP0222", SchemaSeverity.Error, "base of '{0}': {1}");
    public static readonly SchemaDiagnosticDescriptor BadDiscriminator = new("QMP0223", SchemaSeverity.Error, "discriminator '{0}' of union '{1}' {2}");
    public static readonly SchemaDiagnosticDescriptor BranchNotInEnum = new("QMP0224", SchemaSeverity.Error, "branch '{0}' of union '{1}' is not a value of enum '{2}'");
    public static readonly SchemaDiagnosticDescriptor BadBranchType = new("QMP0225", SchemaSeverity.Error, "branch '{0}' of '{1}' cannot use {2}");
    public static readonly SchemaDiagnosticDescriptor AmbiguousAlternate = new("QMP0226", SchemaSeverity.Error, "branch '{0}' of alternate '{1}' cannot be told apart from branch '{2}' (both read a JSON {3})");
    public static readonly SchemaDiagnosticDescriptor BadReturns = new("QMP0227", SchemaSeverity.Error, "command '{0}' cannot return {1}");
    public static readonly SchemaDiagnosticDescriptor BadData = new("QMP0228", SchemaSeverity.Error, "'data' of {0} '{1}' cannot use {2}");
    public static readonly SchemaDiagnosticDescriptor ExampleNotJson = new("QMP0229", SchemaSeverity.Warning, "example message of '{0}' is not JSON: {1}");
    public static readonly SchemaDiagnosticDescriptor ReturnsNotCommand = new("QMP0230", SchemaSeverity.Error, "'Returns:' documents {0} '{1}', but only commands return");

    internal static SchemaDiagnostic Make(SchemaDiagnosticDescriptor descriptor, SchemaLocation location, params object[] args) =>
        descriptor.Create(location, string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.Title, args));
}
