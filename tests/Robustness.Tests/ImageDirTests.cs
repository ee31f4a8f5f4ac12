using System.Diagnostics;
using System.Text.Json;
using Qmp.Emulator.Confinement;

namespace Qmp.Robustness.Tests;

/// <summary>
/// <c>--image-dir DIR</c> (issue 11, item 3: images are read only inside the data dir "or directories the
/// operator names"): images are read from it with the data dir's confinement, a relative name is looked for in
/// the data dir and then in each image dir in order, and nothing is ever written into an image dir.
/// </summary>
[Collection(nameof(Alone))]
public sealed class ImageDirTests
{
    private static string J(string s) => JsonSerializer.Serialize(s);

    private static async Task<string> AskAsync(Peer peer, string request)
    {
        await peer.SendAsync(request);
        return await peer.ReadReplyAsync();
    }

    private static string Change(string target) =>
        "{\"execute\":\"change\",\"arguments\":{\"device\":\"ide1-cd0\",\"target\":" + J(target) + "}}";

    private static string BlockdevAdd(string id, string filename) =>
        "{\"execute\":\"blockdev-add\",\"arguments\":{\"options\":{\"driver\":\"raw\",\"id\":" + J(id) + ",\"file\":{\"driver\":\"file\",\"filename\":" + J(filename) + "}}}}";

    private static string[] Listing(string dir) =>
        [.. Directory.GetFileSystemEntries(dir).Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Images_in_an_image_dir_are_read_with_the_data_dirs_confinement_and_never_written()
    {
        await using var emu = await ChildEmulator.StartAsync(null, "--image-dir", "{root}/images");
        var start = await emu.BaselineAsync();
        var images = emu.ImageDir;
        File.WriteAllBytes(Path.Combine(images, "disk.img"), new byte[12288]);
        File.WriteAllBytes(Path.Combine(images, "both.img"), new byte[20480]);
        File.WriteAllBytes(Path.Combine(emu.DataDir, "both.img"), new byte[4096]);
        File.WriteAllText(Path.Combine(emu.Outside, "secret"), new string('s', 12345));
        File.CreateSymbolicLink(Path.Combine(images, "secret-link"), Path.Combine(emu.Outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(images, "out"), emu.Outside);
        await Process.Start("mkfifo", [Path.Combine(images, "fifo")])!.WaitForExitAsync();
        var before = Listing(images);

        await using var peer = await emu.ConnectNegotiatedAsync();
        await using var other = await emu.ConnectNegotiatedAsync();

        // Readable by its name and by its absolute path; query-block shows it.
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Change("disk.img")));
        var block = await AskAsync(peer, "{\"execute\":\"query-block\"}");
        Assert.Contains("\"file\": \"disk.img\"", block);
        Assert.Contains("12288", block);
        var absolute = Path.Combine(images, "disk.img");
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, BlockdevAdd("img", absolute)));
        Assert.Contains("\"file\": " + J(absolute), await AskAsync(peer, "{\"execute\":\"query-block\"}"));

        // The data dir comes first: the same name there wins.
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Change("both.img")));
        block = await AskAsync(peer, "{\"execute\":\"query-block\"}");
        Assert.Contains("4096", block);
        Assert.DoesNotContain("20480", block);

        // Links (to a file, through a directory), a FIFO, and names leading out are refused as in the data dir,
        // and the other client is answered at once meanwhile.
        foreach (var target in new[]
        {
            "secret-link", "out/secret", "fifo", "../images/disk.img", "../outside/secret",
            Path.Combine(images, "secret-link"), Path.Combine(images, "out", "secret"), Path.Combine(images, "fifo"),
            Path.Combine(images, "..", "outside", "secret"), Path.Combine(emu.Outside, "secret"),
        })
        {
            var denied = Wait.Error("GenericError", $"Could not open '{target}': Permission denied");
            Assert.Equal(denied, await AskAsync(peer, Change(target)));
            Assert.Equal(denied, await AskAsync(peer, BlockdevAdd("x", target)));
            Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));
        }

        Assert.DoesNotContain("12345", await AskAsync(peer, "{\"execute\":\"query-block\"}"));

        // Writes into the image dir are refused; by a relative name they land in the data dir.
        var imagePath = Path.Combine(images, "new.img");
        Assert.Equal(
            Wait.Error("GenericError", $"Could not open '{imagePath}': Permission denied"),
            await AskAsync(peer, "{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":16,\"filename\":" + J(imagePath) + "}}"));
        Assert.Equal(
            Wait.Error("GenericError", $"Failed to bind socket to {imagePath}: Permission denied"),
            await AskAsync(peer, "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":" + J(imagePath) + "}}}}"));
        Assert.StartsWith("{\"error\": ", await AskAsync(peer, "{\"execute\":\"drive-mirror\",\"arguments\":{\"device\":\"ide0-hd0\",\"target\":" + J(imagePath) + ",\"sync\":\"full\",\"format\":\"raw\"}}"));
        Assert.StartsWith("{\"error\": ", await AskAsync(peer, "{\"execute\":\"blockdev-snapshot-sync\",\"arguments\":{\"device\":\"ide0-hd0\",\"snapshot-file\":\"disk.img\",\"mode\":\"existing\"}}"));
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, "{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":16,\"filename\":\"disk.img\"}}"));
        Assert.Equal(16, new FileInfo(Path.Combine(emu.DataDir, "disk.img")).Length);

        Assert.Equal(before, Listing(images));
        Assert.Equal(12288, new FileInfo(Path.Combine(images, "disk.img")).Length);
        Assert.Equal(new[] { "secret" }, Listing(emu.Outside));
        await emu.AssertRecoveredAsync(start);
    }

    [Fact]
    public void Image_dirs_are_repeatable_and_kept_in_order_on_the_command_line()
    {
        var options = global::EmulatorProgram.Parse(["--data-dir", "/srv/vm", "--image-dir", "/srv/b", "--image-dir", "/srv/a"]);
        Assert.NotNull(options);
        Assert.Equal(["/srv/b", "/srv/a"], options.ImageDirs);
    }

    [Fact]
    public async Task A_missing_image_dir_stops_the_emulator_at_start()
    {
        var root = Directory.CreateTempSubdirectory("qmprob-imgdir-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => Qmp.Emulator.QemuEmulator.StartAsync(new Qmp.Emulator.EmulatorOptions
            {
                Qmp = [$"unix:{Path.Combine(root, "qmp.sock")},server,nowait"],
                DataDir = root,
                ImageDirs = [Path.Combine(root, "no-such")],
            }));
            Assert.Contains("image directory", error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The search order and refusals, directly, with openat2 and with the per-name walk.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Relative_names_try_the_data_dir_then_each_image_dir_and_only_absence_moves_on(bool openat2)
    {
        var root = Directory.CreateTempSubdirectory("qmprob-imgdirs-").FullName;
        var saved = DataDirectory.UseOpenat2;
        DataDirectory.UseOpenat2 = openat2;
        try
        {
            string data = Dir(root, "data"), one = Dir(root, "one"), two = Dir(root, "two"), outside = Dir(root, "outside");
            Put(data, "a", 1);
            Put(one, "a", 2);
            Put(one, "b", 2);
            Put(two, "b", 3);
            Put(two, "c", 3);
            Put(two, "shadowed", 3);
            Put(outside, "secret", 9);
            Dir(one, "sub");
            Put(Path.Combine(one, "sub"), "d", 4);
            File.CreateSymbolicLink(Path.Combine(one, "shadowed"), Path.Combine(outside, "secret"));
            File.CreateSymbolicLink(Path.Combine(one, "link"), Path.Combine(outside, "secret"));
            Directory.CreateSymbolicLink(Path.Combine(one, "dirlink"), outside);
            Directory.CreateSymbolicLink(Path.Combine(root, "two-link"), two);
            Process.Start("mkfifo", [Path.Combine(one, "fifo")])!.WaitForExit();

            using var dataDir = DataDirectory.Open(data);
            using var images = new ImageDirectories(dataDir, [DataDirectory.Open(one, readOnly: true), DataDirectory.Open(Path.Combine(root, "two-link"), readOnly: true)]);
            Assert.Equal(1, Length(images, "a"));
            Assert.Equal(2, Length(images, "b"));
            Assert.Equal(3, Length(images, "c"));
            Assert.Equal(4, Length(images, "sub/d"));
            Assert.Equal(4, Length(images, "sub/../sub/d"));
            Assert.Equal(3, Length(images, Path.Combine(two, "b")));
            Assert.Equal(3, Length(images, Path.Combine(root, "two-link", "b")));
            Assert.Equal(2, Length(images, Path.Combine(one, "b")));

            // Nothing anywhere: ENOENT. A link in an earlier directory is refused, not skipped to a later one's file.
            Assert.Equal(Interop.ENOENT, Refusal(images, "missing"));
            Assert.Equal(Interop.ENOENT, Refusal(images, "nodir/c"));
            Assert.Equal(Interop.EACCES, Refusal(images, "shadowed"));
            foreach (var name in new[]
            {
                "link", "dirlink/secret", "fifo", "../outside/secret", "sub/../../outside/secret", "../one/b",
                Path.Combine(one, "link"), Path.Combine(one, "..", "outside", "secret"), Path.Combine(outside, "secret"), "/etc/passwd",
            })
            {
                Assert.Equal(Interop.EACCES, Refusal(images, name));
            }

            Assert.Equal(Interop.EISDIR, Refusal(images, "sub"));

            // An image dir creates nothing, whatever is asked of it.
            using var readOnly = DataDirectory.Open(one, readOnly: true);
            Assert.Equal(Interop.EACCES, Assert.Throws<ConfinementException>(() => readOnly.Create("new")).Errno);
            Assert.Equal(Interop.EACCES, Assert.Throws<ConfinementException>(() => readOnly.BindSocket("new.sock")).Errno);
            Assert.False(File.Exists(Path.Combine(one, "new")) || File.Exists(Path.Combine(one, "new.sock")));

            // Image dirs alone (no data dir) still serve reads.
            using var withoutData = new ImageDirectories(null, [DataDirectory.Open(two, readOnly: true)]);
            Assert.Equal(3, Length(withoutData, "b"));
            Assert.Equal(Interop.ENOENT, Refusal(withoutData, "a"));
            using var nothing = new ImageDirectories(null, []);
            Assert.Equal(Interop.EACCES, Refusal(nothing, "a"));
        }
        finally
        {
            DataDirectory.UseOpenat2 = saved;
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Dir(string parent, string name) => Directory.CreateDirectory(Path.Combine(parent, name)).FullName;

    private static void Put(string dir, string name, int length) => File.WriteAllBytes(Path.Combine(dir, name), new byte[length]);

    private static long Length(ImageDirectories images, string name)
    {
        using var handle = images.OpenRead(name);
        return RandomAccess.GetLength(handle);
    }

    private static int Refusal(ImageDirectories images, string name) =>
        Assert.Throws<ConfinementException>(() => Length(images, name)).Errno;
}
