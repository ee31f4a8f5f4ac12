using System.Globalization;
using System.Text.Json;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;
using Qmp.Runtime;
using Qmp.Runtime.Introspection;

namespace QmpShell;

/// <summary>What <see cref="SchemaLearning.LearnAsync"/> found: the server's own catalog, or null and why not (null: the server has no <c>query-qmp-schema</c>).</summary>
internal sealed record LearnedSchema(CommandCatalog? Catalog, string? Warning);

/// <summary>
/// The connected server's commands, arguments and events from its <c>query-qmp-schema</c>
/// (QEMU 2.5 and later), read by the runtime's reader (<see cref="SchemaInfoReader"/>) and turned
/// into the schema model by the generator's <see cref="IntrospectedSchema"/>, with docs and QAPI's
/// type names from QAPI sources when given (<see cref="ReadQapi"/>). A server without the command
/// (QEMU 2.1, the emulator's default persona) keeps the shell on its built-in 2.1 table.
/// A server's answer is bounded before anything is built from it: <see cref="MaxSchemaBytes"/>,
/// <see cref="MaxSchemaEntries"/>, <see cref="Timeout"/>, names in QMP's character set only
/// (<see cref="SchemaNames"/>); past a limit the shell says so and keeps its built-in table.
/// </summary>
internal static class SchemaLearning
{
    /// <summary>The largest <c>query-qmp-schema</c> answer read (QEMU 7.2's is 207 KB).</summary>
    public const int MaxSchemaBytes = 8 * 1024 * 1024;

    /// <summary>The most entries read (QEMU 7.2's has 1,051).</summary>
    public const int MaxSchemaEntries = 20_000;

    /// <summary>How long the server may take to answer <c>query-qmp-schema</c>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<LearnedSchema> LearnAsync(QmpClient client, QmpSchema? source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        SchemaInfo info;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            info = await client.ExecuteAsync<object?, SchemaInfo>("query-qmp-schema", null, null, ReadBounded, timeout.Token).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass == QmpErrorClass.CommandNotFound)
        {
            return new LearnedSchema(null, null);
        }
        catch (QmpException e)
        {
            return Refused($"query-qmp-schema failed: {e.ErrorClassName}: {e.Description}");
        }
        catch (QmpProtocolException e)
        {
            return Refused(e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Refused($"the server did not answer query-qmp-schema within {Timeout.TotalSeconds:0} s");
        }

        if (SchemaNames.Invalid(info) is { Count: > 0 } bad)
        {
            return Refused($"its query-qmp-schema has {bad.Count} names outside QMP's character set, the first: {bad[0]}");
        }

        var schema = IntrospectedSchema.Build(info, "query-qmp-schema", source);
        var origin = source is null ? "the server's query-qmp-schema" : "the server's query-qmp-schema, with docs from the QAPI sources";
        return new LearnedSchema(new CommandCatalog(schema, origin, learned: true, hasDocs: source is not null), null);
    }

    private static LearnedSchema Refused(string why) => new(null, why + "; the shell keeps its built-in QEMU 2.1 table");

    /// <summary>
    /// <see cref="SchemaInfoReader.ReadEntries"/>, after a count on a copy of the reader (the reply is
    /// whole in memory) refuses an answer past <see cref="MaxSchemaBytes"/> or
    /// <see cref="MaxSchemaEntries"/> before a document or a model is built from it.
    /// </summary>
    internal static SchemaInfo ReadBounded(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var probe = reader;
            var start = probe.TokenStartIndex;
            var entries = 0;
            while (probe.Read() && probe.TokenType != JsonTokenType.EndArray)
            {
                if (++entries > MaxSchemaEntries)
                {
                    throw new FormatException($"the server's query-qmp-schema has more than {MaxSchemaEntries.ToString("N0", CultureInfo.InvariantCulture)} entries");
                }

                probe.Skip();
                if (probe.BytesConsumed - start > MaxSchemaBytes)
                {
                    throw new FormatException($"the server's query-qmp-schema is larger than {MaxSchemaBytes / (1024 * 1024)} MiB");
                }
            }
        }
        return SchemaInfoReader.ReadEntries(ref reader);
    }

    /// <summary>
    /// QEMU's QAPI schema (<c>qapi-schema.json</c> and its includes, e.g. from
    /// <c>qmp-codegen qemu-schema 7.2</c>) for docs and type names, by the generator's QAPI reader.
    /// The files are read as <c>qmp-codegen</c> reads them (<see cref="QapiFiles"/>, the same code):
    /// includes from beneath the top file's folder only, never through a symbolic link, regular files
    /// only (a FIFO or a device is refused at once, never read), within its size and count limits.
    /// Null and the reason (one line) when it cannot be used: a refused include, or a schema with
    /// errors (no guide to names, as for the generator).
    /// </summary>
    public static (QmpSchema? Schema, string? Error) ReadQapi(string topFile)
    {
        ArgumentNullException.ThrowIfNull(topFile);
        var top = new FileInfo(Path.GetFullPath(topFile));
        if (!top.Exists)
        {
            return (null, $"{topFile}: no such file");
        }

        // The first refusal is the answer: the reader reports a refused include as a missing one.
        string? refusal = null;
        void Refuse(string reason) => refusal ??= reason;
        if (QapiFiles.ReadTop(top, Refuse) is not { } text)
        {
            return (null, refusal);
        }

        using var includes = QapiFiles.Open(top, top.FullName, text, top.DirectoryName!, includeDirs: null, Refuse);
        if (includes is null)
        {
            return (null, refusal);
        }

        var read = QapiReader.ReadDetailed(top.FullName, includes.ReadFile);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var errors = read.Schema.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error).ToArray();
        return errors.Length > 0
            ? (null, $"{topFile}: {errors.Length} errors, the first: {errors[0].Format()}")
            : (read.Schema, null);
    }
}
