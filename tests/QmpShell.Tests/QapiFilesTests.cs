namespace QmpShell.Tests;

/// <summary>
/// <c>--qapi FILE</c> reads a QAPI top file and its includes as <c>qmp-codegen</c> does (the same
/// QapiFiles): an include that is a FIFO, a device or a link is refused, in one line, and never read.
/// Each test plants its dummies in its own temp folder.
/// </summary>
public sealed class QapiFilesTests : IDisposable
{
    private readonly TempFolder _folder = new("qmpshell-qapi-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

    [LinuxFact]
    public async Task A_fifo_include_is_refused_in_one_line_without_waiting_for_a_writer()
    {
        // Nobody ever writes this FIFO: opening it to read would wait for ever.
        Directory.CreateDirectory(Path.Combine(_folder.Path, "qapi"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(_folder.Path, "qapi", "fifo.json")))
        {
            Assert.True(mkfifo.WaitForExit(60_000));
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var top = Write("qapi/qapi-schema.json", "{ 'include': 'fifo.json' }\n{ 'command': 'after' }\n");
        await using var server = new FakeQmpServer();
        // As a process: a hang is killed after 60 s (RunPipedAsync's bound) and fails the test.
        var (exitCode, _, error) = await ShellProcess.RunPipedAsync(server.Address, "quit\n", _folder.Path, "--qapi", top);
        Assert.Equal("qmp-shell: the QAPI schema is not used: include 'fifo.json': refused: a symbolic link, or not a regular file\n",
            error.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal(0, exitCode);
    }

    [LinuxFact]
    public void A_link_or_a_name_out_of_the_folder_is_refused_one_beside_the_top_file_is_read()
    {
        var victim = Write("victim.json", "{ 'command': 'victim-secret' }\n");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "qapi"));
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "qapi", "out.json"), victim);
        var top = Write("qapi/qapi-schema.json", "{ 'include': 'out.json' }\n{ 'command': 'after' }\n");
        var (schema, problem) = SchemaLearning.ReadQapi(top);
        Assert.Null(schema);
        Assert.Equal("include 'out.json': refused: a symbolic link, or not a regular file", problem);

        // An include that leads out by name is refused too; one beside the top file is read.
        Write("qapi/qapi-schema.json", "{ 'include': '../victim.json' }\n");
        Assert.Equal("include '../victim.json': outside the top file's folder", SchemaLearning.ReadQapi(top).Error);
        Write("qapi/ok.json", "{ 'command': 'inside' }\n");
        Write("qapi/qapi-schema.json", "{ 'include': 'ok.json' }\n");
        var (read, none) = SchemaLearning.ReadQapi(top);
        Assert.Null(none);
        Assert.Contains(read!.Commands, c => c.Name == "inside");
    }
}
