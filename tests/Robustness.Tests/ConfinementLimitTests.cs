using System.Diagnostics;
using System.Text.Json;
using Qmp.Emulator;
using Qmp.Emulator.Confinement;
using Qmp.Runtime;

namespace Qmp.Robustness.Tests;

/// <summary>
/// The data dir's per-component walk (the fallback where openat2 is missing) refuses what openat2 refuses, in
/// the same words; the fd caps per fd set and per connection; new block targets are images QEMU reads.
/// Runs alone: it switches the walk for the whole process.
/// </summary>
[Collection(nameof(Alone))]
public sealed class ConfinementLimitTests
{
    private static readonly string[] s_names =
    [
        "../outside/a", "./../outside/b", "sub/../../outside/c", "OUT/d", "/tmp/../OUT/e", "dirlink/f", "sub/dirlink/g",
        "filelink", "relfilelink", "sub", "sub/", "no/such/h", "sub/../fine", "./sub/./fine2", "", "..", ".", "sub/..",
    ];

    private static void Lay(Emu emu)
    {
        Directory.CreateDirectory(Path.Combine(emu.DataDir, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(emu.DataDir, "dirlink"), emu.Outside);
        Directory.CreateSymbolicLink(Path.Combine(emu.DataDir, "sub", "dirlink"), emu.Outside);
        File.CreateSymbolicLink(Path.Combine(emu.DataDir, "filelink"), Path.Combine(emu.Outside, "t"));
        File.CreateSymbolicLink(Path.Combine(emu.DataDir, "relfilelink"), "../outside/t");
    }

    private static async Task<List<string>> RepliesAsync(Emu emu)
    {
        var replies = new List<string>();
        await using var peer = await emu.ConnectNegotiatedAsync();
        foreach (var name in s_names)
        {
            var n = name.Replace("OUT", emu.Outside, StringComparison.Ordinal);
            await peer.SendAsync("{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":8,\"filename\":" + JsonSerializer.Serialize(n) + "}}");
            replies.Add(name + " => " + (await peer.ReadReplyAsync()).Replace(emu.Outside, "OUT", StringComparison.Ordinal));
            await peer.SendAsync("{\"execute\":\"change\",\"arguments\":{\"device\":\"ide1-cd0\",\"target\":" + JsonSerializer.Serialize(n) + "}}");
            replies.Add(name + " (read) => " + (await peer.ReadReplyAsync()).Replace(emu.Outside, "OUT", StringComparison.Ordinal));
        }

        return replies;
    }

    [Fact]
    public async Task The_per_component_walk_answers_as_openat2_does_and_races_out_nowhere()
    {
        List<string> withOpenat2, withWalk;
        await using (var emu = await Emu.StartAsync())
        {
            Lay(emu);
            withOpenat2 = await RepliesAsync(emu);
            Assert.Empty(Directory.GetFileSystemEntries(emu.Outside));
        }

        var saved = DataDirectory.UseOpenat2;
        DataDirectory.UseOpenat2 = false;
        try
        {
            await using var emu = await Emu.StartAsync();
            Lay(emu);
            withWalk = await RepliesAsync(emu);
            Assert.Empty(Directory.GetFileSystemEntries(emu.Outside));

            // The race of issue 11 against the walk: r swapped between a directory and a link out.
            string r = Path.Combine(emu.DataDir, "r"), aside = Path.Combine(emu.DataDir, "r.aside");
            Directory.CreateDirectory(r);
            using var stop = new CancellationTokenSource();
            var swapper = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Directory.Move(r, aside);
                    Directory.CreateSymbolicLink(r, emu.Outside);
                    Thread.Yield();
                    File.Delete(r);
                    Directory.Move(aside, r);
                }
            });
            await using (var peer = await emu.ConnectNegotiatedAsync())
            {
                for (var i = 0; i < 300; i++)
                {
                    await peer.SendAsync("{\"execute\":\"pmemsave\",\"arguments\":{\"val\":0,\"size\":64,\"filename\":\"r/race.bin\"}}");
                    Assert.Contains(await peer.ReadReplyAsync(), new[]
                    {
                        "{\"return\": {}}",
                        Wait.Error("GenericError", "Could not open 'r/race.bin': Permission denied"),
                        Wait.Error("GenericError", "Could not open 'r/race.bin': No such file or directory"),
                    });
                }
            }

            stop.Cancel();
            await swapper;
            Assert.Empty(Directory.GetFileSystemEntries(emu.Outside));
        }
        finally
        {
            DataDirectory.UseOpenat2 = saved;
        }

        Assert.Equal(withOpenat2, withWalk);
        Assert.Contains("sub/../fine => {\"return\": {}}", withWalk);
        Assert.Contains("../outside/a => " + Wait.Error("GenericError", "Could not open '../outside/a': Permission denied"), withWalk);
        Assert.Contains("filelink (read) => " + Wait.Error("GenericError", "Could not open 'filelink': Permission denied"), withWalk);
    }

    [Fact]
    public async Task Fd_sets_and_connections_hold_a_bounded_number_of_descriptors()
    {
        await using var emu = await Emu.StartAsync();
        var file = Path.Combine(emu.Root, "passed");
        File.WriteAllText(file, "x");
        await using var client = await QmpClient.ConnectAsync($"unix:{emu.SocketPath}");

        async Task<QmpException?> AddAsync(string command, string arguments)
        {
            using var handle = File.OpenHandle(file);
            try
            {
                await client.ExecuteWithFileDescriptorsAsync(command, JsonDocument.Parse(arguments).RootElement, [handle]);
                return null;
            }
            catch (QmpException ex)
            {
                return ex;
            }
        }

        for (var i = 0; i < EmulatorLimits.MaxFdsPerFdset; i++)
        {
            Assert.Null(await AddAsync("add-fd", "{\"fdset-id\":1}"));
        }

        Assert.Equal($"fdset-id 1 already holds {EmulatorLimits.MaxFdsPerFdset} file descriptors, the most one fd set may hold", (await AddAsync("add-fd", "{\"fdset-id\":1}"))?.Description);

        // The connection's own cap: fd sets and getfd names together.
        var held = EmulatorLimits.MaxFdsPerFdset;
        for (var set = 2; held < EmulatorLimits.MaxFdsPerSession - 10; set++)
        {
            for (var i = 0; i < EmulatorLimits.MaxFdsPerFdset && held < EmulatorLimits.MaxFdsPerSession - 10; i++, held++)
            {
                Assert.Null(await AddAsync("add-fd", "{\"fdset-id\":" + set + "}"));
            }
        }

        for (var i = 0; held < EmulatorLimits.MaxFdsPerSession; i++, held++)
        {
            Assert.Null(await AddAsync("getfd", "{\"fdname\":\"f" + i + "\"}"));
        }

        var perSession = $"This monitor connection already holds {EmulatorLimits.MaxFdsPerSession} file descriptors, the most one connection may hold";
        Assert.Equal(perSession, (await AddAsync("getfd", "{\"fdname\":\"one-more\"}"))?.Description);
        Assert.Equal(perSession, (await AddAsync("add-fd", "{\"fdset-id\":99}"))?.Description);

        // Replacing a name holds no more; closing one makes room.
        Assert.Null(await AddAsync("getfd", "{\"fdname\":\"f0\"}"));
        await client.ExecuteAsync("closefd", JsonDocument.Parse("{\"fdname\":\"f0\"}").RootElement);
        Assert.Null(await AddAsync("getfd", "{\"fdname\":\"again\"}"));

        // Another connection has its own allowance.
        await using var other = await QmpClient.ConnectAsync($"unix:{emu.SocketPath}");
        using (var handle = File.OpenHandle(file))
        {
            await other.ExecuteWithFileDescriptorsAsync("getfd", JsonDocument.Parse("{\"fdname\":\"x\"}").RootElement, [handle]);
        }
    }

    private static string? QemuImg { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "qemu-img")).FirstOrDefault(File.Exists);

    [Fact]
    public async Task Drive_backup_and_snapshots_create_their_images_in_the_data_dir_as_qemu_does()
    {
        await using var emu = await Emu.StartAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        foreach (var request in new[]
        {
            "{\"execute\":\"blockdev-snapshot-sync\",\"arguments\":{\"device\":\"ide0-hd0\",\"snapshot-file\":\"snap.qcow2\"}}",
            "{\"execute\":\"drive-backup\",\"arguments\":{\"device\":\"ide0-hd0\",\"target\":\"backup.qcow2\",\"sync\":\"full\",\"format\":\"qcow2\"}}",
            "{\"execute\":\"block-job-cancel\",\"arguments\":{\"device\":\"ide0-hd0\",\"force\":true}}",
            "{\"execute\":\"drive-backup\",\"arguments\":{\"device\":\"ide0-hd0\",\"target\":\"backup.raw\",\"sync\":\"full\",\"format\":\"raw\"}}",
            "{\"execute\":\"block-job-cancel\",\"arguments\":{\"device\":\"ide0-hd0\",\"force\":true}}",
        })
        {
            await peer.SendAsync(request);
            Assert.Equal("{\"return\": {}}", await peer.ReadReplyAsync());
        }

        await peer.SendAsync("{\"execute\":\"query-block\"}");
        using var block = JsonDocument.Parse(await peer.ReadReplyAsync());
        var hd = block.RootElement.GetProperty("return").EnumerateArray().First(d => d.GetProperty("device").GetString() == "ide0-hd0").GetProperty("inserted");
        var size = hd.GetProperty("image").GetProperty("virtual-size").GetInt64();
        var backing = hd.GetProperty("backing_file").GetString()!;
        Assert.Equal(size, new FileInfo(Path.Combine(emu.DataDir, "backup.raw")).Length);
        var snap = File.ReadAllBytes(Path.Combine(emu.DataDir, "snap.qcow2"));
        Assert.Equal(new byte[] { (byte)'Q', (byte)'F', (byte)'I', 0xfb }, snap[..4]);

        if (QemuImg is null)
        {
            return; // qemu-img is not installed: the header checks above are what can be checked.
        }

        // QEMU reads them back: format, size, backing file; and finds them consistent (the backing file made by QEMU).
        Run(QemuImg, "create", "-q", "-f", hd.GetProperty("image").GetProperty("format").GetString()!, Path.Combine(emu.DataDir, backing), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, format, back) in new[] { ("snap.qcow2", "qcow2", backing), ("backup.qcow2", "qcow2", (string?)null), ("backup.raw", "raw", null) })
        {
            var info = Run(QemuImg, "info", "--output=json", "-U", Path.Combine(emu.DataDir, name));
            using var json = JsonDocument.Parse(info);
            Assert.Equal(format, json.RootElement.GetProperty("format").GetString());
            Assert.Equal(size, json.RootElement.GetProperty("virtual-size").GetInt64());
            Assert.Equal(back, json.RootElement.TryGetProperty("backing-filename", out var b) ? b.GetString() : null);
            if (format == "qcow2")
            {
                Run(QemuImg, "check", "-U", Path.Combine(emu.DataDir, name));
            }
        }
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}{output}");
        return output;
    }
}
