using Qmp.Codegen.Cli.Docs;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>What <c>qmp-codegen docs</c> reads and writes on disk: planted links, includes that lead out, FIFOs, sizes.</summary>
public sealed class CliFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-docs-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Lamp = """
        ##
        # @Lamp:
        #
        # @on: lit
        #
        # Since: 1.0
        ##
        { 'struct': 'Lamp', 'data': { 'on': 'bool' } }
        """;

    [Fact]
    public void Docs_output_replaces_planted_links_and_never_writes_through_them()
    {
        var top = Write("schema/top.json", Lamp);
        var output = Path.Combine(_dir, "out");
        Directory.CreateDirectory(output);
        var victim = Write("victim.txt", "victim");
        // A link at the target itself, and one at each name a fixed temporary scheme would use.
        File.CreateSymbolicLink(Path.Combine(output, DocsRenderer.MarkdownFile), victim);
        File.CreateSymbolicLink(Path.Combine(output, DocsRenderer.MarkdownFile + ".tmp"), victim);
        File.CreateSymbolicLink(Path.Combine(output, DocsRenderer.HtmlFile + ".tmp"), victim);
        DocsCommand.Write(RepoFiles.QapiPage(top), output);
        Assert.Equal("victim", File.ReadAllText(victim));
        foreach (var name in new[] { DocsRenderer.MarkdownFile, DocsRenderer.HtmlFile })
        {
            var file = new FileInfo(Path.Combine(output, name));
            Assert.Null(file.LinkTarget);
            Assert.Contains("Lamp", File.ReadAllText(file.FullName), StringComparison.Ordinal);
        }
        Assert.Equal(4, Directory.GetFileSystemEntries(output).Length); // the two pages and the two planted links; no temporary left
    }
}
