using System.CommandLine;

namespace Qmp.Codegen.Cli.Docs;

/// <summary><c>qmp-codegen docs SCHEMA... -o DIR</c>: the reference as Markdown and as one self-contained HTML page.</summary>
internal static class DocsCommand
{
    public static Command Create()
    {
        var schema = new Argument<FileInfo[]>("schema")
        {
            Description = "One or more .hx schema files (commands, extra documentation, events), read together; or one QAPI top file (qapi-schema.json, with the files it includes); or one saved query-qmp-schema answer.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Directory for qmp-reference.md and qmp-reference.html (created when missing).",
            Required = true,
        };
        var includeDirs = IncludeDirOption();
        var ns = new Option<string?>("--namespace")
        {
            Description = "The namespace of the project's generated client (the QmpSchema item's Namespace): the snippets call its client class, e.g. Acme.Vm gives VmClient. Default: Qemu (QemuClient).",
        };
        var command = new Command("docs", "Render the QMP reference (Markdown and single-page HTML) from the schema's documentation.") { schema, output, includeDirs, ns };
        command.SetAction(parse =>
        {
            var files = parse.GetValue(schema)!;
            var directory = parse.GetValue(output)!;
            // Read as every command reads a schema (SchemaLoader): the same files, limits and diagnostics as
            // check, with paths from the first file's folder, as the page names files (not from wherever it is run).
            var loaded = SchemaLoader.LoadWithTexts(files, parse.GetValue(includeDirs), files[0].DirectoryName);
            if (loaded is null)
            {
                return 2;
            }

            var read = loaded.Read;
            var clientNamespace = parse.GetValue(ns) is { Length: > 0 } given ? given : null;
            var page = read.Kind == SchemaInputKind.Hx
                ? DocsBuilder.Build(new Hx.QmpSchemaResult(read.Hx!, read.Schema), files.Select(f => f.Name), clientNamespace)
                : DocsBuilder.BuildQapi(new Qapi.QapiReadResult(read.Schema, read.Files, DocBlocks: 0), files[0].Name, loaded.Texts, clientNamespace);
            var written = Write(page, directory.FullName);
            var errors = read.Diagnostics.Count(d => d.Severity == Qmp.Codegen.Model.SchemaSeverity.Error);
            var counts = read.Kind == SchemaInputKind.Hx
                ? $"{read.Schema.Commands.Count} commands, {read.Schema.Events.Count} events"
                : $"{page.CommandCount} commands, {page.EventCount} events, {page.TypeCount} types from {page.FileCount} files";
            Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({counts}{(errors > 0 ? $"; {errors} schema errors" : "")})");
            // Rendered even with schema errors (the page shows them where they are); exit 1 then, as check does.
            return errors > 0 ? 1 : 0;
        });
        return command;
    }

    /// <summary>
    /// <c>--include-dir DIR</c> (repeatable): a folder besides the top file's own that a QAPI include
    /// may be read from (<see cref="Qapi.QapiFiles"/>).
    /// </summary>
    internal static Option<DirectoryInfo[]> IncludeDirOption() => new("--include-dir")
    {
        Description = "A QAPI top file's includes are read only from beneath its folder; this adds another folder they may be read from (repeatable). Symbolic links, non-regular files and files over 16 MiB (64 MiB in all) are refused.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// The QAPI schema of a top file and what it includes, read by <see cref="SchemaLoader"/> with
    /// paths relative to the top file's folder (as the page names files); null (with the reason on
    /// stderr) when the top file cannot be read.
    /// </summary>
    internal static (Qmp.Codegen.Qapi.QapiReadResult Read, IReadOnlyDictionary<string, string> Texts)? ReadQapi(FileInfo top, IReadOnlyList<DirectoryInfo>? includeDirs = null)
    {
        if (!top.Exists)
        {
            Console.Error.WriteLine($"qmp-codegen docs: {top} does not exist");
            return null;
        }
        if (SchemaLoader.LoadWithTexts([top], includeDirs, top.DirectoryName) is not { } loaded)
        {
            return null;
        }

        return (new Qmp.Codegen.Qapi.QapiReadResult(loaded.Read.Schema, loaded.Read.Files, DocBlocks: 0), loaded.Texts);
    }

    /// <summary>Renders both files into <paramref name="directory"/>. Always writes them, so their time stamps tell MSBuild they are up to date.</summary>
    internal static IReadOnlyList<string> Write(Hx.QmpSchemaResult read, IEnumerable<string> sources, string directory)
    {
        return Write(DocsBuilder.Build(read, sources), directory);
    }

    /// <summary>Renders a page's two files into <paramref name="directory"/>.</summary>
    internal static IReadOnlyList<string> Write(DocsPage page, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new[]
        {
            (DocsRenderer.MarkdownFile, DocsRenderer.RenderMarkdown(page)),
            (DocsRenderer.HtmlFile, DocsRenderer.RenderHtml(page)),
        };
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(directory, name);
            written.Add(path);
            OutputFile.Write(path, text);
        }
        return written;
    }
}
