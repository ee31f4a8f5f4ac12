namespace Qmp.Robustness.Tests;

/// <summary>
/// Commands that write files write only inside the emulator's data directory: <c>..</c>, absolute paths,
/// symbolic links (to files, to directories, chained, dangling) and symlinked parents are refused with QEMU's
/// open() error, and nothing appears outside. (Emulator.Tests covers one case of each kind for screendump and
/// memsave; these cover every file-writing command with every trick.)
/// </summary>
public sealed class FileConfinementTests
{
    /// <summary>Each command with the file name substituted for NAME.</summary>
    public static TheoryData<string> Commands => new()
    {
        "{\"execute\":\"screendump\",\"arguments\":{\"filename\":NAME}}",
        "{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":16,\"filename\":NAME}}",
        "{\"execute\":\"pmemsave\",\"arguments\":{\"val\":0,\"size\":16,\"filename\":NAME}}",
        "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":FILENAME,\"begin\":0,\"end\":4096}}",
        "{\"execute\":\"xen-save-devices-state\",\"arguments\":{\"filename\":NAME}}",
    };

    /// <summary>Names that lead outside; <c>OUT</c> is the outside directory's absolute path.</summary>
    private static readonly string[] s_escapes =
    [
        "../outside/dotdot",
        "./../outside/dotdot2",
        "sub/../../outside/dotdot3",
        "OUT/absolute",
        "/tmp/../OUT/absolute2",
        "dirlink/via-dir-link",
        "sub/dirlink/via-nested-dir-link",
        "dirlink2/via-link-to-link",
        "filelink",
        "chainlink",
        "relfilelink",
        "existing-outside-link",
    ];

    /// <summary>The data dir's traps: links out of it in every shape.</summary>
    private static void Lay(Emu emu)
    {
        string data = emu.DataDir, outside = emu.Outside;
        Directory.CreateDirectory(Path.Combine(data, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(data, "dirlink"), outside);
        Directory.CreateSymbolicLink(Path.Combine(data, "sub", "dirlink"), outside);
        Directory.CreateSymbolicLink(Path.Combine(data, "dirlink2"), Path.Combine(data, "dirlink"));
        File.CreateSymbolicLink(Path.Combine(data, "filelink"), Path.Combine(outside, "file-target"));
        File.CreateSymbolicLink(Path.Combine(data, "chainlink"), Path.Combine(data, "filelink"));
        // A link to a file inside the data dir by its path, but through a directory link that leads out.
        File.CreateSymbolicLink(Path.Combine(data, "dirchain"), Path.Combine(data, "dirlink", "dirchain-target"));
        File.CreateSymbolicLink(Path.Combine(data, "relfilelink"), "../outside/rel-target");
        File.WriteAllText(Path.Combine(outside, "existing"), "keep");
        File.CreateSymbolicLink(Path.Combine(data, "existing-outside-link"), Path.Combine(outside, "existing"));
    }

    private static string Json(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Request(string template, string name) =>
        template.Replace("FILENAME", Json("file:" + name), StringComparison.Ordinal).Replace("NAME", Json(name), StringComparison.Ordinal);

    private static void AssertOutsideUntouched(Emu emu)
    {
        var entries = Directory.GetFileSystemEntries(emu.Outside).Select(e => Path.GetFileName(e)).ToArray();
        Assert.Equal(new[] { "existing" }, entries);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(emu.Outside, "existing")));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Paths_leading_out_of_the_data_dir_are_refused_and_nothing_is_written_outside(string template)
    {
        await using var emu = await Emu.StartAsync();
        Lay(emu);
        await using var peer = await emu.ConnectNegotiatedAsync();
        var wrong = new List<string>();
        foreach (var escape in s_escapes)
        {
            var name = escape.Replace("OUT", emu.Outside, StringComparison.Ordinal);
            await peer.SendAsync(Request(template, name));
            var reply = await peer.ReadLineAsync();
            var expected = Wait.Error("GenericError", $"Could not open '{name}': Permission denied");
            if (reply != expected)
            {
                wrong.Add($"{escape}: {reply}");
            }
        }

        Assert.Empty(wrong);
        AssertOutsideUntouched(emu);

        // The same command inside the data dir works (so the refusals above are about the path).
        await peer.SendAsync(Request(template, "sub/fine"));
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        Assert.True(File.Exists(Path.Combine(emu.DataDir, "sub", "fine")));
    }

    /// <summary>
    /// A file link inside the data dir whose target path names the data dir but runs through a directory link that
    /// leads out (data/dirchain -> data/dirlink/target, data/dirlink -> outside). ResolveOutputPath
    /// (src/Emulator/Machine/Files.cs) follows the file link with ResolveLinkTarget(returnFinalTarget: true), which does
    /// not resolve directory links inside the target path, so the lexical check passes and the write lands in
    /// outside/dirchain-target.
    /// </summary>
    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_file_link_through_a_directory_link_is_refused(string template)
    {
        await using var emu = await Emu.StartAsync();
        Lay(emu);
        await using var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync(Request(template, "dirchain"));
        var reply = await peer.ReadLineAsync();
        Assert.False(File.Exists(Path.Combine(emu.Outside, "dirchain-target")), "written outside the data dir: " + reply);
        Assert.Equal(Wait.Error("GenericError", "Could not open 'dirchain': Permission denied"), reply);
        AssertOutsideUntouched(emu);
    }

    [Fact]
    public async Task A_symlinked_data_dir_is_itself_fine_but_links_out_of_its_target_are_not()
    {
        // The data dir given as a link: writing into it is allowed, escaping the link's target is not.
        var root = Directory.CreateTempSubdirectory("qmprob-link-").FullName;
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(root, "real")).FullName;
            var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
            var link = Path.Combine(root, "data-link");
            Directory.CreateSymbolicLink(link, real);
            Directory.CreateSymbolicLink(Path.Combine(real, "out"), outside);
            var socket = Path.Combine(root, "q.sock");
            await using var emulator = await Qmp.Emulator.QemuEmulator.StartAsync(new Qmp.Emulator.EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], DataDir = link });
            await using var peer = await Peer.ConnectAsync(socket);
            await peer.NegotiateAsync();
            await peer.SendAsync("{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":1,\"filename\":\"ok\"}}");
            Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
            Assert.True(File.Exists(Path.Combine(real, "ok")));
            foreach (var name in new[] { "out/x", "../outside/y", "../real/../outside/z" })
            {
                await peer.SendAsync("{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":1,\"filename\":\"" + name + "\"}}");
                Assert.Equal(Wait.Error("GenericError", $"Could not open '{name}': Permission denied"), await peer.ReadLineAsync());
            }

            Assert.Empty(Directory.GetFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Block_targets_and_chardev_files_outside_create_nothing()
    {
        // drive-backup, drive-mirror, blockdev-snapshot-sync and chardev file backends write only inside the data dir
        // (or keep their targets virtual): whatever they answer, no file may appear outside it.
        await using var emu = await Emu.StartAsync();
        Lay(emu);
        await using var peer = await emu.ConnectNegotiatedAsync();
        string[] targets = ["../outside/backup.img", Path.Combine(emu.Outside, "abs.img"), "dirlink/linked.img", "filelink"];
        var n = 0;
        foreach (var target in targets)
        {
            foreach (var request in new[]
            {
                "{\"execute\":\"drive-backup\",\"arguments\":{\"device\":\"ide0-hd0\",\"target\":" + Json(target) + ",\"sync\":\"full\",\"format\":\"raw\"}}",
                "{\"execute\":\"drive-mirror\",\"arguments\":{\"device\":\"ide0-hd0\",\"target\":" + Json(target) + ",\"sync\":\"full\",\"format\":\"raw\"}}",
                "{\"execute\":\"blockdev-snapshot-sync\",\"arguments\":{\"device\":\"ide0-hd0\",\"snapshot-file\":" + Json(target) + ",\"format\":\"qcow2\"}}",
                "{\"execute\":\"chardev-add\",\"arguments\":{\"id\":\"f" + n++ + "\",\"backend\":{\"type\":\"file\",\"data\":{\"out\":" + Json(target) + "}}}}",
            })
            {
                await peer.SendAsync(request);
                Assert.StartsWith("{\"", await peer.ReadReplyAsync());

                // Let any job that started finish (bounded), so a file it would write has been written.
                await peer.SendAsync("{\"execute\":\"block-job-cancel\",\"arguments\":{\"device\":\"ide0-hd0\",\"force\":true}}");
                await peer.ReadReplyAsync();
            }
        }

        for (var i = 0; i < 50; i++)
        {
            await peer.SendAsync("{\"execute\":\"query-block-jobs\"}");
            if (await peer.ReadReplyAsync() == "{\"return\": []}")
            {
                break;
            }

            await Task.Delay(20);
        }

        AssertOutsideUntouched(emu);
        Assert.False(File.Exists(Path.Combine(emu.Root, "backup.img")));
    }
}
