using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Generation;

/// <summary>One schema file as the pipeline sees it: path, text and its <c>QmpSchema</c> metadata (Namespace, Generate, Access, Diagnostics, the Commands and Events filters, Format, QapiSource).</summary>
public sealed record SchemaFileInput(string Path, string Text, string Namespace, string? Generate, bool Client, bool Server, string? Access = null, string? Diagnostics = null)
{
    /// <summary>The <c>Commands</c> metadata: the commands to keep (patterns with <c>*</c>); null or empty keeps all.</summary>
    public string? Commands { get; init; }

    /// <summary>The <c>Events</c> metadata: the events to keep; null or empty keeps all.</summary>
    public string? Events { get; init; }

    /// <summary>The item's <c>Format</c>: <c>Qapi</c>, <c>Introspection</c>, or empty to recognise a .json file by its content.</summary>
    public string? Format { get; init; }

    /// <summary>For a saved query-qmp-schema answer: the full path of the QAPI top file its names and docs come from (<c>QapiSource</c>); null when none.</summary>
    public string? QapiSource { get; init; }

    /// <summary>The <c>QemuConfig</c> metadata: the build configuration a QAPI server's <c>query-qmp-schema</c> answers for (<see cref="Schema.SchemaBuildConfig.Parse"/>).</summary>
    public string? QemuConfig { get; init; }
}

/// <summary>The schema files that generate into one namespace.</summary>
public sealed record SchemaGroup(string Namespace, bool Client, bool Server, EquatableArray<SchemaFileInput> Files, EquatableArray<QapiIncludeInput> Includes = default)
{
    /// <summary>Some file says <c>Access="Internal"</c>: every generated type is internal.</summary>
    public bool Internal { get; init; }
}

/// <summary>A parsed group: what to generate (null when the group cannot generate, e.g. a bad namespace), and what was wrong with the schema (value types only, never a Roslyn Diagnostic).</summary>
public sealed record ParsedSchema(GenerationSpec? Spec, EquatableArray<SchemaDiagnostic> Diagnostics, ClientSchemaSpec? ClientSchema = null);

/// <summary>
/// The schema a generated client carries for the check at connect: <see cref="Entries"/> are the
/// model described as <c>query-qmp-schema</c> entries (one JSON object each) with real type names.
/// </summary>
public sealed record ClientSchemaSpec(string Namespace, string Stem, EquatableArray<string> Entries);
