namespace Qmp.Emulator.Tests;

public sealed partial class Qemu72MonitorResourceTests
{
    [Fact]
    public async Task A_file_chardev_writes_only_inside_the_data_dir_never_through_a_link_or_fifo()
    {
        await using var started = await StartAsync(Target.Emulator);
        var (client, work) = (started.Client, started.Work);
        var outside = Directory.CreateDirectory(Path.Combine(started.Target.Directory, "outside")).FullName;
        var victim = Path.Combine(outside, "victim");
        File.WriteAllText(victim, "victim");
        File.CreateSymbolicLink(Path.Combine(work, "link"), victim);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(work, "fifo")]))
        {
            await mkfifo.WaitForExitAsync();
        }

        File.WriteAllText(Path.Combine(work, "kept.log"), "earlier");
        File.WriteAllText(Path.Combine(work, "cut.log"), "earlier");
        Assert.Equal("return", await AddFileChardevAsync(client, "c1", "serial.log"));
        Assert.Equal("return", await AddFileChardevAsync(client, "c2", "kept.log", append: true));
        Assert.Equal("return", await AddFileChardevAsync(client, "c3", "cut.log"));
        Assert.Equal("", File.ReadAllText(Path.Combine(work, "serial.log")));
        Assert.Equal("earlier", File.ReadAllText(Path.Combine(work, "kept.log")));
        Assert.Equal("", File.ReadAllText(Path.Combine(work, "cut.log")));

        var n = 10;
        foreach (var name in new[] { "link", "fifo", victim, "../outside/victim", Path.Combine(work, "link") })
        {
            foreach (var append in new[] { false, true })
            {
                var reply = await AddFileChardevAsync(client, "x" + n++, name, append);
                Assert.Equal($"GenericError: Failed to add chardev 'x{n - 1}': Could not open '{name}': Permission denied", reply);
            }
        }

        Assert.Equal("victim", File.ReadAllText(victim));
        Assert.Equal(["victim"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(Path.Combine(work, "link")) & FileAttributes.ReparsePoint);
        Assert.Equal("running", (await client.ExecuteAsync("query-status")).GetProperty("status").GetString());
    }

    [Fact]
    public void A_command_lines_file_chardev_is_made_inside_the_data_dir_and_refused_outside_it()
    {
        var dir = Target.NewDirectory();
        try
        {
            var data = Directory.CreateDirectory(Path.Combine(dir, "data")).FullName;
            var victim = Path.Combine(dir, "victim");
            File.WriteAllText(victim, "victim");
            File.CreateSymbolicLink(Path.Combine(data, "link"), victim);
            string? Parse(params string[] more)
            {
                var error = new StringWriter();
                return Qmp.Emulator.CommandLine.Qemu72CommandLine.Parse(["--qemu", "7.2", .. more], error) is null ? error.ToString().Trim() : null;
            }

            Assert.Null(Parse("--data-dir", data, "-chardev", "file,id=c,path=serial.log"));
            Assert.Equal("", File.ReadAllText(Path.Combine(data, "serial.log")));
            foreach (var path in new[] { victim, "link", "../victim" })
            {
                Assert.Equal($"qmp-emulator: -chardev file,id=c,path={path}: Could not open '{path}': Permission denied", Parse("--data-dir", data, "-chardev", $"file,id=c,path={path}"));
            }

            Assert.Equal("victim", File.ReadAllText(victim));

            // Without --data-dir or --image-dir the line is the operator's, as QEMU's is.
            Assert.Null(Parse("-chardev", $"file,id=c,path={dir}/plain.log"));
            Assert.True(File.Exists(Path.Combine(dir, "plain.log")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
