using System.CommandLine;
using Qmp.Codegen.Model;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Cli;

/// <summary>The subcommands of qmp-codegen. Each reads schema files, runs the shared parser, and reports.</summary>
internal static class Commands
{
    private static Argument<FileInfo[]> SchemaArgument() => new("schema")
    {
        Description = "One or more .hx schema files (commands, extra documentation, events), read together.",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Check()
    {
        var schema = SchemaArgument();
        var command = new Command("check", "Report the schema's diagnostics in the compiler's format; exit 1 when any is an error.") { schema };
        command.SetAction(parse =>
        {
            var model = Load(parse.GetValue(schema)!, out var failed);
            if (model is null)
                return 2;
            foreach (var diagnostic in model.Diagnostics)
                Console.Out.WriteLine(diagnostic.Format());
            var errors = model.Diagnostics.Count(d => d.Severity == SchemaSeverity.Error);
            var warnings = model.Diagnostics.Count(d => d.Severity == SchemaSeverity.Warning);
            var infos = model.Diagnostics.Count(d => d.Severity == SchemaSeverity.Info);
            Console.Error.WriteLine($"{model.Commands.Count} commands, {model.Events.Count} events, {model.Commands.Count(c => c.Doc is not null)} documented; {errors} error(s), {warnings} warning(s), {infos} info");
            return errors > 0 || failed ? 1 : 0;
        });
        return command;
    }

    public static Command Model()
    {
        var schema = SchemaArgument();
        var command = new Command("model", "Print the model read from the schema as JSON.") { schema };
        command.SetAction(parse =>
        {
            var read = Read(parse.GetValue(schema)!, out _);
            if (read is null)
                return 2;
            using var stdout = Console.OpenStandardOutput();
            ModelJsonWriter.Write(stdout, read.Hx, read.Schema);
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
                    Console.Out.WriteLine("    " + form);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Every descriptor, by id: the .hx reader's, the generator's, the QAPI reader's (whose title is its message format) and the introspection reader's.</summary>
    internal static IEnumerable<SchemaDiagnosticDescriptor> Catalogue() =>
        new[] { typeof(SchemaDiagnostics), typeof(GeneratorDiagnostics), typeof(Qmp.Codegen.Qapi.QapiDiagnostics), typeof(Qmp.Codegen.Introspection.IntrospectionDiagnostics) }
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Select(f => f.GetValue(null)).OfType<SchemaDiagnosticDescriptor>()
            .OrderBy(d => d.Id, StringComparer.Ordinal);

    /// <summary>Reads the files and parses them together; null when a file cannot be read at all.</summary>
    internal static SchemaModel? Load(FileInfo[] files, out bool failed) => Read(files, out failed)?.Hx;

    /// <summary>Reads the files into the QMP schema model (with the .hx records it was built from); null when a file cannot be read at all.</summary>
    internal static QmpSchemaResult? Read(FileInfo[] files, out bool failed)
    {
        failed = false;
        var sources = new List<SchemaSource>();
        foreach (var file in files)
        {
            try
            {
                sources.Add(new SchemaSource(DisplayPath(file), File.ReadAllText(file.FullName)));
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

    /// <summary>Paths as the user gave them, relative to the current directory, like compilers print them.</summary>
    private static string DisplayPath(FileInfo file) => Path.GetRelativePath(Environment.CurrentDirectory, file.FullName);
}
