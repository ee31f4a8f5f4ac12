using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Qmp.Runtime.Introspection;

/// <summary>
/// A server's live schema and the check at connect, on any <see cref="QmpClient"/>. A generated
/// client carries its own schema as a <c>SchemaInfo</c> JSON string (real names) and calls
/// <see cref="CheckSchemaAsync(QmpClient, string, CancellationToken)"/> with it; its
/// <c>Schema</c> is <see cref="GetSchemaAsync"/>'s answer (fetched once per connection).
/// </summary>
public static class QmpIntrospection
{
    // One live schema per connection, fetched on first use; a failed fetch is not kept.
    private static readonly ConditionalWeakTable<QmpClient, Task<SchemaInfo>> s_liveSchemas = new();

    // A generated client passes the same string constant each time: read it once.
    private static readonly ConditionalWeakTable<string, SchemaInfo> s_descriptions = new();

    /// <summary>
    /// The server's live schema, fetched with <see cref="QueryQmpSchemaAsync"/> on the first call for
    /// this connection and kept for the next ones (a server's schema does not change while it runs).
    /// A fetch that fails or is cancelled is not kept.
    /// </summary>
    public static async Task<SchemaInfo> GetSchemaAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var fetch = s_liveSchemas.GetValue(client, c => c.QueryQmpSchemaAsync(CancellationToken.None));
        try
        {
            return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (fetch.IsFaulted || fetch.IsCanceled)
        {
            s_liveSchemas.Remove(client);
            throw;
        }
    }

    /// <summary>Runs <c>query-qmp-schema</c> and reads the answer in place (QEMU 2.5 and later have it).</summary>
    public static Task<SchemaInfo> QueryQmpSchemaAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ExecuteAsync<object?, SchemaInfo>("query-qmp-schema", null, null, SchemaInfoReader.ReadEntries, cancellationToken);
    }

    /// <summary>Runs <c>query-version</c>: the server's QEMU version and package, as the greeting gives them.</summary>
    public static async Task<QmpVersion> QueryVersionAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = await client.ExecuteAsync("query-version", null, cancellationToken).ConfigureAwait(false);
        // query-version's answer is the greeting's "version" member; read it through the greeting.
        using var greeting = JsonDocument.Parse("{\"QMP\":{\"version\":" + reply.GetRawText() + ",\"capabilities\":[]}}");
        return QmpGreeting.Parse(greeting.RootElement).Version;
    }

    /// <summary>
    /// Compares a client's schema (<paramref name="clientSchemaJson"/>: <c>SchemaInfo</c> JSON, as a
    /// generated client carries it, read once per string instance) with the server's live one
    /// (<see cref="GetSchemaAsync"/>). Throws <see cref="FormatException"/>
    /// when <paramref name="clientSchemaJson"/> is not a schema, <see cref="QmpException"/> when the
    /// server has no <c>query-qmp-schema</c> (before QEMU 2.5).
    /// </summary>
    public static Task<SchemaCompatibilityReport> CheckSchemaAsync(this QmpClient client, string clientSchemaJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientSchemaJson);
        return client.CheckSchemaAsync(s_descriptions.GetValue(clientSchemaJson, SchemaInfoReader.Read), cancellationToken);
    }

    /// <inheritdoc cref="CheckSchemaAsync(QmpClient, string, CancellationToken)"/>
    public static async Task<SchemaCompatibilityReport> CheckSchemaAsync(this QmpClient client, SchemaInfo clientSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientSchema);
        var live = await client.GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        return SchemaCompatibilityReport.Compare(clientSchema, live);
    }

    /// <summary>
    /// The JSON <c>qmp-codegen introspect</c> saves: <c>{"query-version": ..., "query-qmp-schema": [...]}</c>,
    /// the two answers as the server sent them (read back with <see cref="SchemaInfoReader.Read(ReadOnlySpan{byte}, out QmpVersion?)"/>).
    /// </summary>
    public static async Task<byte[]> SaveSchemaAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var version = await client.ExecuteAsync("query-version", null, cancellationToken).ConfigureAwait(false);
        var schema = await client.ExecuteAsync("query-qmp-schema", null, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps QEMU's package string ("7.2+dfsg") readable in the file.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WritePropertyName("query-version");
            version.WriteTo(w);
            w.WritePropertyName("query-qmp-schema");
            schema.WriteTo(w);
            w.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        // What we save must read back: fail here rather than leave a file nothing can read.
        SchemaInfoReader.Read(bytes);
        return bytes;
    }
}
