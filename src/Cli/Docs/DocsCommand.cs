using System.CommandLine;

namespace Qmp.Codegen.Cli.Docs;

/// <summary><c>qmp-codegen docs SCHEMA... -o DIR</c>: the reference as Markdown and as one self-contained HTML page.</summary>
internal static class DocsCommand
{
    public static Command Create()
    {
        var schema = new Argument<FileInfo[]>("schema")
        {
            Description = "One or more .hx schema files (commands, extra documentation, events), read together; or one QAPI top file (qapi-schema.json, with the files it includes).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Directory for qmp-reference.md and qmp-reference.html (created when missing).",
            Required = true,
        };
        var includeDirs = IncludeDirOption();
        var command = new Command("docs", "Render the QMP reference (Markdown and single-page HTML) from the schema's documentation.") { schema, output, includeDirs };
        command.SetAction(parse =>
        {
            var files = parse.GetValue(schema)!;
            var directory = parse.GetValue(output)!;
            if (!files.All(f => string.Equals(f.Extension, ".hx", StringComparison.OrdinalIgnoreCase)))
            {
                return RenderQapi(files, directory, parse.GetValue(includeDirs) ?? []);
            }

            var read = Commands.Read(files, out var failed);
            if (read is null)
            {
                return 2;
            }

            var written = Write(read, files.Select(f => f.Name), directory.FullName);
            Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({read.Schema.Commands.Count} commands, {read.Schema.Events.Count} events)");
            return failed ? 1 : 0;
        });
        return command;
    }

    /// <summary>
    /// <c>--include-dir DIR</c> (repeatable): a folder besides the top file's own that a QAPI include
    /// may be read from (<see cref="QapiFiles"/>).
    /// </summary>
    internal static Option<DirectoryInfo[]> IncludeDirOption() => new("--include-dir")
    {
        Description = "A QAPI top file's includes are read only from beneath its folder; this adds another folder they may be read from (repeatable). Symbolic links, non-regular files and files over 16 MiB (64 MiB in all) are refused.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// A QAPI top file: read with its includes from disk (relative to it, confined by QapiFiles), rendered even with schema
    /// errors (the page shows them where they are), and exit code 1 then, as for .hx files.
    /// </summary>
    private static int RenderQapi(FileInfo[] files, DirectoryInfo directory, DirectoryInfo[] includeDirs)
    {
        if (files.Length != 1 || !string.Equals(files[0].Extension, ".json", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine("qmp-codegen docs: give .hx files (read together) or one QAPI top file (.json)");
            return 2;
        }
        var input = ReadQapi(files[0], includeDirs);
        if (input is null)
        {
            return 2;
        }

        var (read, texts) = input.Value;
        var page = DocsBuilder.BuildQapi(read, files[0].Name, texts);
        var written = Write(page, directory.FullName);
        var errors = read.Schema.Diagnostics.Count(d => d.Severity == Qmp.Codegen.Model.SchemaSeverity.Error);
        Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({page.CommandCount} commands, {page.EventCount} events, {page.TypeCount} types from {page.FileCount} files{(errors > 0 ? $"; {errors} schema errors" : "")})");
        return errors > 0 ? 1 : 0;
    }

    /// <summary>The QAPI schema of a top file and what it includes, or null (with the reason on stderr) when the top file cannot be read.</summary>
    internal static (Qmp.Codegen.Qapi.QapiReadResult Read, IReadOnlyDictionary<string, string> Texts)? ReadQapi(FileInfo top, IReadOnlyList<DirectoryInfo>? includeDirs = null)
    {
        if (!top.Exists)
        {
            Console.Error.WriteLine($"qmp-codegen docs: {top} does not exist");
            return null;
        }
        return QapiFiles.ReadTop(top) is { } text ? QapiFiles.Read(top, text, includeDirs ?? []) : null;
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
