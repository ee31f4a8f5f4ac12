namespace Qmp.Codegen;

/// <summary>Names of the pipeline steps, so tests can assert what was cached.</summary>
public static class TrackingNames
{
    public const string SchemaFiles = nameof(SchemaFiles);
    public const string SchemaGroups = nameof(SchemaGroups);
    public const string ParsedSchemas = nameof(ParsedSchemas);
    public const string GenerationSpecs = nameof(GenerationSpecs);
    public const string Diagnostics = nameof(Diagnostics);
    public const string ClientOutput = nameof(ClientOutput);
    public const string ServerOutput = nameof(ServerOutput);
    public const string EventsOutput = nameof(EventsOutput);
    public const string ClientSchemaOutput = nameof(ClientSchemaOutput);
    public const string QapiIncludes = nameof(QapiIncludes);
    public const string ModulesOutput = nameof(ModulesOutput);

    public static readonly string[] All =
    {
        SchemaFiles, SchemaGroups, ParsedSchemas, GenerationSpecs, Diagnostics, ModulesOutput, ClientOutput, ServerOutput, EventsOutput, ClientSchemaOutput,
    };
}
