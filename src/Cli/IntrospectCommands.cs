using System.CommandLine;
using Qmp.Runtime;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Cli;

/// <summary>
/// <c>introspect</c>: saves a live server's <c>query-qmp-schema</c> with its <c>query-version</c>.
/// <c>compat</c>: the compatibility report of a schema against a live server or a saved schema.
/// </summary>
internal static class IntrospectCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Introspect());
        root.Subcommands.Add(Compat());
    }

    private static Option<int> TimeoutOption() => new("--timeout")
    {
        Description = "Seconds to wait for the connection and each answer.",
        DefaultValueFactory = _ => 30,
    };

    /// <summary>How many invalid names <c>introspect</c> lists before it counts the rest.</summary>
    private const int MaxInvalidShown = 20;

    public static Command Introspect()
    {
        var address = new Argument<string>("address") { Description = "The server's QMP address: unix:PATH or tcp:HOST:PORT." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write ({\"query-version\": ..., \"query-qmp-schema\": [...]}).", Required = true };
        var timeout = TimeoutOption();
        var command = new Command("introspect", "Save a live server's query-qmp-schema and query-version to a file, as the generator and compat read it.") { address, output, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(output)!;
            var saved = await Fetch(parse.GetValue(address)!, parse.GetValue(timeout), async client => await client.SaveSchemaAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            if (saved is null)
            {
                return 2;
            }

            var schema = SchemaInfoReader.Read(saved, out var version);
            // The generator refuses such an answer (QMP0305): a name outside QMP's character set is
            // not QEMU's, and a file that would carry it into generated C# is not written at all.
            var invalid = SchemaNames.Invalid(schema);
            if (invalid.Count > 0)
            {
                Console.Error.WriteLine($"qmp-codegen: the server's schema has {invalid.Count} name(s) outside QMP's character set (letters, digits, '-', '_', '.'); {file} is not written:");
                foreach (var name in invalid.Take(MaxInvalidShown))
                {
                    Console.Error.WriteLine("  " + name);
                }
                if (invalid.Count > MaxInvalidShown)
                {
                    Console.Error.WriteLine($"  ... and {invalid.Count - MaxInvalidShown} more");
                }
                return 1;
            }
            try
            {
                OutputFile.Write(file.FullName, saved);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"qmp-codegen: cannot write {file}: {e.Message}");
                return 2;
            }
            // The version string is the server's own text: escaped, so it cannot steer the terminal.
            Console.Error.WriteLine($"QEMU {TerminalText.Escape(version?.ToString())}: {schema.Entries.Count} entries, {schema.Commands.Count} commands, {schema.Events.Count} events -> {file}");
            return 0;
        });
        return command;
    }

    public static Command Compat()
    {
        var schema = new Argument<FileInfo[]>("schema")
        {
            Description = "The client's schema: .hx files (read together), a QAPI top file (qapi-schema.json, with its includes), or a saved schema (qmp-codegen introspect's file, or a generated client's description).",
            Arity = ArgumentArity.OneOrMore,
        };
        var against = new Option<string>("--against")
        {
            Description = "The server: a QMP address (unix:PATH, tcp:HOST:PORT) or a saved schema file.",
            Required = true,
        };
        var timeout = TimeoutOption();
        var includeDirs = Docs.DocsCommand.IncludeDirOption();
        var command = new Command("compat", "Report what differs between a client's schema and a server's; exit 0 when everything the client uses exists on the server, 1 when not.") { schema, against, timeout, includeDirs };
        command.SetAction(async (parse, ct) =>
        {
            var client = Describe(parse.GetValue(schema)!, parse.GetValue(includeDirs));
            if (client is null)
            {
                return 2;
            }

            var target = parse.GetValue(against)!;
            SchemaInfo? server;
            if (File.Exists(target))
            {
                server = ReadFile(new FileInfo(target));
            }
            else
            {
                server = await Fetch(target, parse.GetValue(timeout), client => client.QueryQmpSchemaAsync(ct), ct).ConfigureAwait(false);
            }
            if (server is null)
            {
                return 2;
            }

            var report = SchemaCompatibilityReport.Compare(client, server);
            Console.Out.Write(report.ToString());
            return report.IsCompatible ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// The client's schema as <c>query-qmp-schema</c> would describe it, read as <c>check</c> reads it
    /// (<see cref="SchemaLoader"/>); null when it has errors, which are printed as <c>check</c> prints them.
    /// A saved answer (a live schema, or a generated client's description, whose <c>"if"</c>
    /// conditions the report groups by) is the description itself.
    /// </summary>
    private static SchemaInfo? Describe(FileInfo[] files, IReadOnlyList<DirectoryInfo>? includeDirs)
    {
        var loaded = SchemaLoader.LoadWithTexts(files, includeDirs);
        if (loaded is null)
        {
            return null;
        }

        var read = loaded.Read;
        var errors = read.Diagnostics.Where(d => d.Severity == Model.SchemaSeverity.Error).ToList();
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error.Format());
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return read.Kind == SchemaInputKind.Introspection
            ? SchemaInfoReader.Read(loaded.Texts[read.Files[0]])
            : Introspection.SchemaInfoBuilder.Build(read.Schema);
    }

    private static SchemaInfo? ReadFile(FileInfo file)
    {
        try
        {
            return SchemaInfoReader.Read(File.ReadAllBytes(file.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"qmp-codegen: cannot read {file}: {e.Message}");
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"qmp-codegen: {file} is not a schema: {TerminalText.Escape(e.Message)}");
        }
        return null;
    }

    /// <summary>Connects, runs <paramref name="fetch"/>, disconnects; null (with the reason on stderr) when any step fails.</summary>
    private static async Task<T?> Fetch<T>(string address, int timeoutSeconds, Func<QmpClient, Task<T>> fetch, CancellationToken ct) where T : class
    {
        var seconds = TimeSpan.FromSeconds(Math.Max(1, timeoutSeconds));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The connection and the answers get the time each: a QEMU started a moment ago has its
        // socket file before it listens, and the tool waits for it as a user would, then asks.
        timeout.CancelAfter(seconds * 2);
        try
        {
            var options = new QmpClientOptions { ConnectTimeout = seconds, CommandTimeout = seconds };
            await using var client = await QmpClient.ConnectAsync(address, options, timeout.Token).ConfigureAwait(false);
            return await fetch(client).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (QmpException e)
        {
            // Before QEMU 2.5 there is no query-qmp-schema.
            Console.Error.WriteLine($"qmp-codegen: {address}: {TerminalText.Escape(e.Message)}");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or QmpProtocolException or QmpDisconnectedException
            or OperationCanceledException or TimeoutException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"qmp-codegen: {address}: {(e is OperationCanceledException ? "timed out" : TerminalText.Escape(e.Message))}");
        }
        return null;
    }
}
