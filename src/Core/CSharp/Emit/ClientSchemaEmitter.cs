using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits the part of <c>{Stem}Client</c> that knows its own schema: <c>SchemaDescription</c> (the
/// model as <c>query-qmp-schema</c> entries with real names, one entry per line), and
/// <c>CheckSchemaAsync</c>/<c>GetSchemaAsync</c> over the runtime's <c>QmpIntrospection</c>, which
/// reads the description once and compares it with the server's live schema.
/// </summary>
public static class ClientSchemaEmitter
{
    private const string Ct = "global::System.Threading.CancellationToken";

    /// <summary>The two members' signatures, shared with the client's interface (ClientEmitter).</summary>
    internal const string CheckSchemaSignature = "global::System.Threading.Tasks.Task<global::Qmp.Runtime.Introspection.SchemaCompatibilityReport> CheckSchemaAsync(" + Ct + " cancellationToken = default)";

    internal const string GetSchemaSignature = "global::System.Threading.Tasks.Task<global::Qmp.Runtime.Introspection.SchemaInfo> GetSchemaAsync(" + Ct + " cancellationToken = default)";

    public static string Emit(ClientSchemaSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace);
        var name = spec.Stem + "Client";
        writer.Open("partial class " + name);
        writer.Line("/// <summary>");
        writer.Line("/// The QMP schema this client was generated from, as <c>query-qmp-schema</c> JSON with the schema's own");
        writer.Line("/// type names: what <see cref=\"CheckSchemaAsync\"/> compares with a server's live schema.");
        writer.Line("/// </summary>");
        writer.Line("public const string SchemaDescription =");
        writer.Indentation++;
        var entries = spec.Entries;
        writer.Line("\"[\" +");
        for (var i = 0; i < entries.Count; i++)
        {
            writer.Line(CSharpText.Literal(entries[i] + (i + 1 < entries.Count ? "," : "")) + " +");
        }

        writer.Line("\"]\";");
        writer.Indentation--;
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Compares this client's schema with the server's (<c>query-qmp-schema</c>, fetched once per connection):");
        writer.Line("/// commands and events the server lacks or adds, members missing, added or retyped, enum values and");
        writer.Line("/// union branches either side lacks, features that differ. <c>IsCompatible</c> is true when everything");
        writer.Line("/// this client may send or read exists on the server. Before QEMU 2.5 there is no <c>query-qmp-schema</c>:");
        writer.Line("/// that throws <see cref=\"global::Qmp.Runtime.QmpException\"/> (CommandNotFound).");
        writer.Line("/// </summary>");
        writer.Line("public " + CheckSchemaSignature + " =>");
        writer.Line("    global::Qmp.Runtime.Introspection.QmpIntrospection.CheckSchemaAsync(Client, SchemaDescription, cancellationToken);");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// The server's live schema (fetched once per connection), for feature probes with libvirt's paths:");
        writer.Line("/// <c>HasCommand(\"blockdev-reopen\")</c>, <c>Has(\"blockdev-add/arg-type/+file/aio/^io_uring\")</c>.");
        writer.Line("/// </summary>");
        writer.Line("public " + GetSchemaSignature + " =>");
        writer.Line("    global::Qmp.Runtime.Introspection.QmpIntrospection.GetSchemaAsync(Client, cancellationToken);");
        writer.Close();
        return writer.ToString();
    }
}
