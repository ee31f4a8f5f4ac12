using System.CommandLine;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Cli;

/// <summary>The subcommands of qmp-codegen. Each reads schema files, runs the shared parser, and reports.</summary>
internal static class Commands
{
    private static Argument<FileInfo[]> SchemaArgument() => new("schema")
    {
        Description = "The schema: .hx files (commands, extra documentation, events, read together), or one QAPI top file (qapi-schema.json, its includes read beside it), or one saved query-qmp-schema answer.",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Check()
    {
        var schema = SchemaArgument();
        var includeDirs = Docs.DocsCommand.IncludeDirOption();
        var command = new Command("check", "Report the schema's diagnostics in the compiler's format; exit 1 when any is an error.") { schema, includeDirs };
        command.SetAction(parse =>
        {
            var read = SchemaLoader.Load(parse.GetValue(schema)!, parse.GetValue(includeDirs));
            if (read is null)
            {
                return 2;
            }

            foreach (var diagnostic in read.Diagnostics)
            {
                Console.Out.WriteLine(diagnostic.Format());
            }

            var model = read.Schema;
            var errors = read.Diagnostics.Count(d => d.Severity == SchemaSeverity.Error);
            var warnings = read.Diagnostics.Count(d => d.Severity == SchemaSeverity.Warning);
            var infos = read.Diagnostics.Count(d => d.Severity == SchemaSeverity.Info);
            Console.Error.WriteLine($"{model.Commands.Count} commands, {model.Events.Count} events, {model.Commands.Count(c => c.Doc is not null)} documented; {errors} error(s), {warnings} warning(s), {infos} info");
            return errors > 0 ? 1 : 0;
        });
        return command;
    }

    public static Command Model()
    {
        var schema = SchemaArgument();
        var includeDirs = Docs.DocsCommand.IncludeDirOption();
        var command = new Command("model", "Print the model read from the schema as JSON (one shape for .hx, QAPI and a saved answer).") { schema, includeDirs };
        command.SetAction(parse =>
        {
            var read = SchemaLoader.Load(parse.GetValue(schema)!, parse.GetValue(includeDirs));
            if (read is null)
            {
                return 2;
            }

            using var stdout = Console.OpenStandardOutput();
            ModelJsonWriter.Write(stdout, read);
            stdout.Flush();
            Console.Out.WriteLine();
            return 0;
        });
        return command;
    }

    /// <summary>
    /// <c>qmp-codegen diagnostics</c>: the catalogue of every diagnostic, with every form of its
    /// message (<c>{placeholders}</c> for what varies). The .hx reader and the generator build their
    /// messages only from these forms, so this is every message they can report.
    /// </summary>
    public static Command Diagnostics()
    {
        var command = new Command("diagnostics", "Print every diagnostic id with its severity, title and the forms of its messages.");
        command.SetAction(_ =>
        {
            foreach (var descriptor in Catalogue())
            {
                Console.Out.WriteLine($"{descriptor.Id} {descriptor.Severity.ToString().ToLowerInvariant()}: {descriptor.Title}");
                foreach (var form in descriptor.Messages)
                {
                    Console.Out.WriteLine("    " + form);
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>Every descriptor, by id (the generator's one catalogue).</summary>
    internal static IEnumerable<SchemaDiagnosticDescriptor> Catalogue() => DiagnosticCatalogue.All;

    /// <summary>Reads the files into the QMP schema model (with the .hx records it was built from); null when a file cannot be read at all.</summary>
    internal static QmpSchemaResult? Read(FileInfo[] files, out bool failed)
    {
        failed = false;
        var sources = new List<SchemaSource>();
        foreach (var file in files)
        {
            try
            {
                sources.Add(new SchemaSource(SchemaLoader.DisplayPath(file), File.ReadAllText(file.FullName)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"qmp-codegen: cannot read {file}: {e.Message}");
                failed = true;
                return null;
            }
        }
        return SchemaParser.Read(sources);
    }
}
