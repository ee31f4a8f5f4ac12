using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>What <c>qmp-codegen docs</c> reads and writes on disk: planted links, includes that lead out, FIFOs, sizes.</summary>
public sealed class CliFilesTests : IDisposable
{
    private readonly TempFolder _folder = new("qmp-docs-files-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

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
        var output = Path.Combine(_folder.Path, "out");
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

    /// <summary>The schema's diagnostics in the compiler's format, read as <c>qmp-codegen docs</c> reads it.</summary>
    private static List<string> Diagnostics(string top, params string[] includeDirs)
    {
        var input = DocsCommand.ReadQapi(new FileInfo(top), includeDirs.Select(d => new DirectoryInfo(d)).ToList());
        Assert.NotNull(input);
        return input.Value.Read.Schema.Diagnostics.Select(d => d.Format()).ToList();
    }

    /// <summary>A victim outside the schema's folder, which no page may ever show.</summary>
    private string Victim() => Write("victim.json", "{ 'struct': 'VictimSecret', 'data': { 'victimsecret': 'int' } }\n");

    [Fact]
    public void Includes_that_lead_out_of_the_schema_folder_are_refused_on_their_line()
    {
        var victim = Victim();
        Directory.CreateDirectory(Path.Combine(_folder.Path, "schema", "sub"));
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "schema", "link.json"), victim);
        Directory.CreateSymbolicLink(Path.Combine(_folder.Path, "schema", "sub", "up"), _folder.Path);
        Write("schema/inside.json", "{ 'struct': 'Inside', 'data': { 'x': 'int' } }\n");
        var top = Write("schema/top.json", $$"""
            { 'include': 'inside.json' }
            { 'include': '../victim.json' }
            { 'include': '{{victim}}' }
            { 'include': 'link.json' }
            { 'include': 'sub/up/victim.json' }
            { 'include': 'missing.json' }

            """);
        // Each refusal is the missing file's error, on its own include line.
        Assert.Equal(
            [
                "top.json(2,14): error QMP0202: cannot read include file '../victim.json'",
                $"top.json(3,14): error QMP0202: cannot read include file '{victim}'",
                "top.json(4,14): error QMP0202: cannot read include file 'link.json'",
                "top.json(5,14): error QMP0202: cannot read include file 'sub/up/victim.json'",
                "top.json(6,14): error QMP0202: cannot read include file 'missing.json'",
            ],
            Diagnostics(top));
        var (markdown, html) = RepoFiles.RenderQapi(top);
        Assert.Contains("Inside", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("victimsecret", markdown + html, StringComparison.OrdinalIgnoreCase);
        // compat reads a QAPI schema the same way.
        var (exit, stdout, stderr) = QmpCodegenCli.Run("compat", top, "--against", victim);
        Assert.Equal(2, exit);
        // As check prints it: the include's path from where qmp-codegen runs, as QEMU names it.
        Assert.Contains("error QMP0202: cannot read include file '" + Path.GetRelativePath(AppContext.BaseDirectory, Path.Combine(_folder.Path, "schema", "link.json")) + "'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("victimsecret", stdout + stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_include_dir_is_read_beneath_it_and_its_links_still_refused()
    {
        Victim();
        Write("lib/shared.json", "{ 'struct': 'Shared', 'data': { 'x': 'int' } }\n");
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "lib", "link.json"), Path.Combine(_folder.Path, "victim.json"));
        var top = Write("schema/top.json", """
            { 'include': '../lib/shared.json' }
            { 'include': '../lib/link.json' }
            { 'include': '../victim.json' }

            """);
        Assert.Equal(
            [
                "top.json(2,14): error QMP0202: cannot read include file '../lib/link.json'",
                "top.json(3,14): error QMP0202: cannot read include file '../victim.json'",
            ],
            Diagnostics(top, Path.Combine(_folder.Path, "lib")));
        Assert.Equal(3, Diagnostics(top).Count); // without --include-dir, lib/ is outside too
        // The option on the command line, repeatable.
        var (exit, _, stderr) = QmpCodegenCli.Run("docs", top, "-o", Path.Combine(_folder.Path, "out"), "--include-dir", Path.Combine(_folder.Path, "lib"), "--include-dir", Path.Combine(_folder.Path, "schema"));
        Assert.Equal(1, exit);
        Assert.Contains("2 schema errors", stderr, StringComparison.Ordinal);
        Assert.Contains("include '../victim.json': outside the top file's folder and the --include-dir folders", stderr, StringComparison.Ordinal);
        Assert.Contains("Shared", File.ReadAllText(Path.Combine(_folder.Path, "out", DocsRenderer.MarkdownFile)), StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_fifo_a_device_and_a_folder_are_refused_without_reading()
    {
        // A FIFO nobody writes (opening it to read would wait for ever), a link to an endless device, a folder.
        Directory.CreateDirectory(Path.Combine(_folder.Path, "schema"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(_folder.Path, "schema", "fifo.json")))
        {
            Assert.True(mkfifo.WaitForExit(60_000));
            Assert.Equal(0, mkfifo.ExitCode);
        }
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "schema", "zero.json"), "/dev/zero");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "schema", "folder.json"));
        var top = Write("schema/top.json", """
            { 'include': 'fifo.json' }
            { 'include': 'zero.json' }
            { 'include': 'folder.json' }
            { 'struct': 'After', 'data': { 'x': 'int' } }

            """);
        // As a process, so a hang is killed (60 s) and a runaway read stops at a 256 MiB heap instead of the machine's memory.
        var (exit, _, stderr) = QmpCodegenCli.Run(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" },
            "docs", top, "-o", Path.Combine(_folder.Path, "out"));
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Contains("3 schema errors", stderr, StringComparison.Ordinal);
        Assert.Contains("include 'fifo.json': refused", stderr, StringComparison.Ordinal);
        Assert.Contains("include 'zero.json': refused", stderr, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(_folder.Path, "out", DocsRenderer.MarkdownFile));
        foreach (var (line, name) in new[] { (1, "fifo.json"), (2, "zero.json"), (3, "folder.json") })
        {
            Assert.Contains($"error QMP0202 at `top.json({line},14)`: cannot read include file '{name}'", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("After", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Includes_past_the_size_limits_are_refused()
    {
        // One file over the limit a file may have; then files each under it that pass the total together.
        var big = QapiFiles.MaxFileBytes + 1;
        var part = QapiFiles.MaxFileBytes - 1024;
        var parts = (int)(QapiFiles.MaxTotalBytes / part) + 1;
        Write("schema/big.json", "#" + new string('x', big - 2) + "\n");
        var includes = new System.Text.StringBuilder("{ 'include': 'big.json' }\n");
        for (var i = 0; i < parts; i++)
        {
            Write($"schema/part{i}.json", "#" + new string('x', part - 2) + "\n");
            includes.Append($"{{ 'include': 'part{i}.json' }}\n");
        }
        var top = Write("schema/top.json", includes.ToString());
        Assert.Equal(
            [
                "top.json(1,14): error QMP0202: cannot read include file 'big.json'",
                $"top.json({parts + 1},14): error QMP0202: cannot read include file 'part{parts - 1}.json'",
            ],
            Diagnostics(top));
    }
}
