using System.CommandLine;
using System.Text;

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
        var command = new Command("docs", "Render the QMP reference (Markdown and single-page HTML) from the schema's documentation.") { schema, output };
        command.SetAction(parse =>
        {
            var files = parse.GetValue(schema)!;
            var directory = parse.GetValue(output)!;
            if (!files.All(f => string.Equals(f.Extension, ".hx", StringComparison.OrdinalIgnoreCase)))
                return RenderQapi(files, directory);
            var read = Commands.Read(files, out var failed);
            if (read is null)
                return 2;
            var written = Write(read, files.Select(f => f.Name), directory.FullName);
            Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({read.Schema.Commands.Count} commands, {read.Schema.Events.Count} events)");
            return failed ? 1 : 0;
        });
        return command;
    }

    /// <summary>
    /// A QAPI top file: read with its includes from disk (relative to it), rendered even with schema
    /// errors (the page shows them where they are), and exit code 1 then, as for .hx files.
    /// </summary>
    private static int RenderQapi(FileInfo[] files, DirectoryInfo directory)
    {
        if (files.Length != 1 || !string.Equals(files[0].Extension, ".json", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine("qmp-codegen docs: give .hx files (read together) or one QAPI top file (.json)");
            return 2;
        }
        var input = ReadQapi(files[0]);
        if (input is null)
            return 2;
        var (read, texts) = input.Value;
        var page = DocsBuilder.BuildQapi(read, files[0].Name, texts);
        var written = Write(page, directory.FullName);
        var errors = read.Schema.Diagnostics.Count(d => d.Severity == Qmp.Codegen.Model.SchemaSeverity.Error);
        Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({page.CommandCount} commands, {page.EventCount} events, {page.TypeCount} types from {page.FileCount} files{(errors > 0 ? $"; {errors} schema errors" : "")})");
        return errors > 0 ? 1 : 0;
    }

    /// <summary>The QAPI schema of a top file and what it includes, or null (with the reason on stderr) when the top file cannot be read.</summary>
    internal static (Qmp.Codegen.Qapi.QapiReadResult Read, IReadOnlyDictionary<string, string> Texts)? ReadQapi(FileInfo top)
    {
        if (!top.Exists)
        {
            Console.Error.WriteLine($"qmp-codegen docs: {top} does not exist");
            return null;
        }
        var root = top.DirectoryName!;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var read = Qmp.Codegen.Qapi.QapiReader.ReadDetailed(top.Name, path =>
        {
            var full = Path.Combine(root, path);
            try
            {
                var text = File.Exists(full) ? File.ReadAllText(full) : null;
                if (text is not null)
                    texts[path] = text;
                return text;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        });
        return (read, texts);
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
