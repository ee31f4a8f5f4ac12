namespace Qmp.Codegen.Model;

public enum SchemaSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>A problem found in a schema file, located at its exact line and column.</summary>
public sealed record SchemaDiagnostic(string Id, SchemaSeverity Severity, string Message, SchemaLocation Location)
{
    /// <summary>The MSBuild/compiler format: <c>path(line,col): warning QMP0004: message</c>.</summary>
    public string Format(string? path = null) =>
        $"{path ?? Location.Path}({Location.Line},{Location.Column}): {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}
