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
            Description = "One or more .hx schema files (commands, extra documentation, events), read together.",
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
            var read = Commands.Read(files, out var failed);
            if (read is null)
                return 2;
            var directory = parse.GetValue(output)!;
            var written = Write(read, files.Select(f => f.Name), directory.FullName);
            Console.Error.WriteLine($"qmp-codegen docs: {string.Join(", ", written)} ({read.Schema.Commands.Count} commands, {read.Schema.Events.Count} events)");
            return failed ? 1 : 0;
        });
        return command;
    }

    /// <summary>Renders both files into <paramref name="directory"/>. Always writes them, so their time stamps tell MSBuild they are up to date.</summary>
    internal static IReadOnlyList<string> Write(Hx.QmpSchemaResult read, IEnumerable<string> sources, string directory)
    {
        var page = DocsBuilder.Build(read, sources);
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
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        return written;
    }
}
