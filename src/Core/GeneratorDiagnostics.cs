using Qmp.Codegen.Model;

namespace Qmp.Codegen;

/// <summary>
/// Diagnostics of the generator itself (about a <c>QmpSchema</c> item, not the schema text),
/// reported like the schema's: located at the start of the .hx file. Ids from QMP0100 up.
/// </summary>
public static class GeneratorDiagnostics
{
    public static readonly SchemaDiagnosticDescriptor InvalidNamespace = new("QMP0100", SchemaSeverity.Error, "Invalid QmpSchema Namespace",
        "QmpSchema Namespace '{namespace}' is not a valid C# namespace; nothing is generated for it");
    public static readonly SchemaDiagnosticDescriptor UnknownGenerateValue = new("QMP0101", SchemaSeverity.Warning, "Unknown QmpSchema Generate value",
        "QmpSchema Generate value '{values}' is not one of Client, Server, Types");
    public static readonly SchemaDiagnosticDescriptor ReservedMemberName = new("QMP0102", SchemaSeverity.Warning, "Member name is reserved in a C# record",
        "member '{name}' of {type} is generated as '{csharp}': '{reserved}' is reserved in a C# record");
    public static readonly SchemaDiagnosticDescriptor SameIdentifier = new("QMP0103", SchemaSeverity.Warning, "Names that are one C# identifier",
        "event '{name}' is '{csharp}' in C#, as another name is; it is generated as '{generated}'", "command '{name}' is '{csharp}' in C#, as another name is; it is generated as '{generated}'");
    public static readonly SchemaDiagnosticDescriptor UnknownAccessValue = new("QMP0104", SchemaSeverity.Error, "Unknown QmpSchema Access value",
        "QmpSchema Access value '{value}' is not Public or Internal; the generated types are {public or internal}");
    public static readonly SchemaDiagnosticDescriptor UnknownDiagnosticsValue = new("QMP0105", SchemaSeverity.Warning, "Unknown QmpSchema Diagnostics value",
        "QmpSchema Diagnostics value '{value}' is not all or default");
    public static readonly SchemaDiagnosticDescriptor FilterMatchesNothing = new("QMP0106", SchemaSeverity.Warning, "A QmpSchema filter pattern matches nothing",
        "QmpSchema Commands pattern '{pattern}' matches no command of the schema",
        "QmpSchema Events pattern '{pattern}' matches no event of the schema",
        "QmpSchema Commands pattern '{pattern}' matches no command of the schema; did you mean '{name}'?",
        "QmpSchema Events pattern '{pattern}' matches no event of the schema; did you mean '{name}'?");
    public static readonly SchemaDiagnosticDescriptor QapiNotAlone = new("QMP0111", SchemaSeverity.Error, "A QAPI schema generates alone",
        "'{file}' shares Namespace '{namespace}' with the QAPI schema '{top}'; a QAPI schema generates alone, so this file is ignored");
    public static readonly SchemaDiagnosticDescriptor UnknownFormatValue = new("QMP0120", SchemaSeverity.Warning, "Unknown QmpSchema Format value",
        "QmpSchema Format value '{value}' is not Qapi or Introspection; the file is read as {what its content says it is}");
}
