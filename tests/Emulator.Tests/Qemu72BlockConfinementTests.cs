using System.Diagnostics;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>
/// A QMP client's file names are untrusted (src/Emulator/Confinement/QmpImageFiles.cs): <c>blockdev-add</c> reads and
/// <c>blockdev-create</c> writes only beneath the folder of the command line's images (or only beneath --data-dir
/// when given), never through a link, never a FIFO or device, and a write replaces a file rather than writing
/// through it. Every victim is a dummy file in the test's own folder, outside the images' folder.
/// </summary>
public sealed class Qemu72BlockConfinementTests : IDisposable
{
    private const string Denied = "Permission denied";
    private readonly string _root = Directory.CreateTempSubdirectory("qmp-block72-").FullName;
    private readonly byte[] _victimBytes = "victim: must stay as it is\n"u8.ToArray();

    public Qemu72BlockConfinementTests()
    {
        Directory.CreateDirectory(Images);
        Directory.CreateDirectory(Outside);
        File.WriteAllBytes(Path.Combine(Images, "disk.qcow2"), QemuMachine.Qcow2Image(64L << 20, null));
        File.WriteAllBytes(Victim, _victimBytes);
    }

    private string Images => Path.Combine(_root, "images");

    private string Outside => Path.Combine(_root, "outside");

    private string Victim => Path.Combine(Outside, "victim");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The persona on a command line with one disk in <see cref="Images"/>, and a negotiated connection.</summary>
    private async Task<(QemuEmulator Emulator, Line Line)> StartAsync(params string[] more)
    {
        var socket = Path.Combine(_root, "qmp.sock");
        string[] args =
        [
            "--qemu", "7.2", .. more, .. Qemu72InProcess.OneDisk(Path.Combine(Images, "disk.qcow2")),
            "-qmp", $"unix:{socket},server=on,wait=off",
        ];
        return await Qemu72InProcess.StartAsync(args, socket);
    }

    private static async Task<JsonElement> RunAsync(Line line, string request)
    {
        await line.SendAsync(request + "\r\n");
        while (true)
        {
            var message = JsonDocument.Parse(await line.ReadLineAsync()).RootElement.Clone();
            if (!message.TryGetProperty("event", out _))
            {
                return message;
            }
        }
    }

    private static async Task<string?> AddFileAsync(Line line, string filename, string node)
    {
        var reply = await RunAsync(line, """{"execute":"blockdev-add","arguments":{"driver":"file","filename":""" + JsonSerializer.Serialize(filename) + $$""","node-name":"{{node}}"}""" + "}");
        return reply.TryGetProperty("error", out var error) ? error.GetProperty("desc").GetString() : null;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        Assert.True(mkfifo.WaitForExit(Patience.Seconds * 1000));
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public async Task Without_data_dir_a_client_reads_nothing_outside_the_command_lines_image_folder()
    {
        File.CreateSymbolicLink(Path.Combine(Images, "link"), Victim);
        File.CreateSymbolicLink(Path.Combine(Images, "dirlink"), Outside);
        MakeFifo(Path.Combine(Images, "fifo"));
        var (emulator, line) = await StartAsync();
        await using (emulator)
        await using (line)
        {
            string[] refused =
            [
                Victim,
                Path.Combine(Images, "..", "outside", "victim"),
                Path.Combine(Images, "link"),
                Path.Combine(Images, "dirlink", "victim"),
                "../outside/victim",
                "/dev/zero",
                "/dev/null",
            ];
            var n = 0;
            foreach (var name in refused)
            {
                Assert.Equal($"Could not open '{name}': {Denied}", await AddFileAsync(line, name, $"n{n++}"));
            }

            // A FIFO is refused at once (never blocks), a missing file is QEMU's ENOENT, and a file beside the disk opens.
            Assert.StartsWith($"Could not open '{Path.Combine(Images, "fifo")}': ", await AddFileAsync(line, Path.Combine(Images, "fifo"), "f1"), StringComparison.Ordinal);
            Assert.Equal($"Could not open '{Path.Combine(Images, "none")}': No such file or directory", await AddFileAsync(line, Path.Combine(Images, "none"), "f2"));
            File.WriteAllBytes(Path.Combine(Images, "new.qcow2"), []);
            Assert.Null(await AddFileAsync(line, Path.Combine(Images, "new.qcow2"), "ok"));
        }

        Assert.Equal(_victimBytes, File.ReadAllBytes(Victim));
    }

    /// <summary>The 2.1 persona's limits hold on the 7.2 persona's block commands too (docs/security.md's table).</summary>
    [Fact]
    public async Task A_huge_image_and_an_overlong_transaction_are_refused_and_the_connection_goes_on()
    {
        var (emulator, line) = await StartAsync();
        await using (emulator)
        await using (line)
        {
            var huge = Path.Combine(Images, "huge.qcow2");
            File.WriteAllBytes(huge, []);
            Assert.Null(await AddFileAsync(line, huge, "h-storage"));
            var reply = await RunAsync(line, """{"execute":"blockdev-create","arguments":{"job-id":"c1","options":{"driver":"qcow2","file":"h-storage","size":1152921504606846976}}}""");
            var jobs = await RunAsync(line, """{"execute":"query-jobs"}""");
            var refusal = reply.TryGetProperty("error", out var error) ? error.GetProperty("desc").GetString() : jobs.GetProperty("return")[0].GetProperty("error").GetString();
            Assert.Equal($"Could not create '{huge}': File too large", refusal);
            Assert.True(new FileInfo(huge).Length < 1 << 20);

            var action = """{"type":"blockdev-snapshot","data":{"node":"libvirt-1-format","overlay":"none"}}""";
            var transaction = await RunAsync(line, """{"execute":"transaction","arguments":{"actions":[""" + string.Join(",", Enumerable.Repeat(action, EmulatorLimits.MaxTransactionActions + 1)) + "]}}");
            Assert.Equal($"Parameter 'actions' expects at most {EmulatorLimits.MaxTransactionActions} actions", transaction.GetProperty("error").GetProperty("desc").GetString());
            var status = await RunAsync(line, """{"execute":"query-status"}""");
            Assert.True(status.TryGetProperty("return", out _), status.ToString());
        }
    }

    [Fact]
    public async Task Blockdev_create_replaces_a_planted_hard_link_and_never_writes_through_it()
    {
        var planted = Path.Combine(Images, "planted.qcow2");
        using (var ln = Process.Start("ln", [Victim, planted]))
        {
            Assert.True(ln.WaitForExit(Patience.Seconds * 1000));
            Assert.Equal(0, ln.ExitCode);
        }

        var (emulator, line) = await StartAsync();
        await using (emulator)
        await using (line)
        {
            Assert.Null(await AddFileAsync(line, planted, "p-storage"));
            var reply = await RunAsync(line, """{"execute":"blockdev-create","arguments":{"job-id":"c1","options":{"driver":"qcow2","file":"p-storage","size":67108864}}}""");
            Assert.True(reply.TryGetProperty("return", out _), reply.ToString());
            var jobs = await RunAsync(line, """{"execute":"query-jobs"}""");
            Assert.Equal("concluded", jobs.GetProperty("return")[0].GetProperty("status").GetString());
            Assert.False(jobs.GetProperty("return")[0].TryGetProperty("error", out _), jobs.ToString());
        }

        Assert.Equal(_victimBytes, File.ReadAllBytes(Victim));
        Assert.Equal("QFI"u8.ToArray(), File.ReadAllBytes(planted)[..3]);
    }

    [Fact]
    public async Task With_a_data_dir_a_client_writes_only_there_and_the_image_folder_is_not_its_own()
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(data, "snap.qcow2"), []);
        File.WriteAllBytes(Path.Combine(Images, "beside.qcow2"), []);
        var (emulator, line) = await StartAsync("--data-dir", data, "--image-dir", Images);
        await using (emulator)
        await using (line)
        {
            Assert.Equal($"Could not open '{Victim}': {Denied}", await AddFileAsync(line, Victim, "v"));

            // Read from the image dir, but nothing is written there: the job fails with QEMU's words for it.
            Assert.Null(await AddFileAsync(line, Path.Combine(Images, "beside.qcow2"), "b"));
            await RunAsync(line, """{"execute":"blockdev-create","arguments":{"job-id":"c1","options":{"driver":"qcow2","file":"b","size":1048576}}}""");
            var failed = (await RunAsync(line, """{"execute":"query-jobs"}""")).GetProperty("return")[0];
            Assert.Equal(("concluded", $"Could not create '{Path.Combine(Images, "beside.qcow2")}': {Denied}"), (failed.GetProperty("status").GetString(), failed.GetProperty("error").GetString()));
            Assert.Empty(File.ReadAllBytes(Path.Combine(Images, "beside.qcow2")));

            Assert.Null(await AddFileAsync(line, Path.Combine(data, "snap.qcow2"), "s"));
            await RunAsync(line, """{"execute":"blockdev-create","arguments":{"job-id":"c2","options":{"driver":"qcow2","file":"s","size":1048576}}}""");
            Assert.Null(await AddFileAsync(line, "snap.qcow2", "s2"));
        }

        Assert.Equal(1048576, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(File.ReadAllBytes(Path.Combine(data, "snap.qcow2")).AsSpan(24)));
        Assert.Equal(_victimBytes, File.ReadAllBytes(Victim));
    }

    /// <summary>
    /// drive-backup's target is a client's file name like blockdev-add's: created only beneath the image folder, never
    /// out of it, never through a planted symbolic link, and an existing file outside is never opened (mode existing).
    /// </summary>
    [Fact]
    public async Task Drive_backup_writes_its_target_only_in_the_image_folder_and_never_through_a_link()
    {
        var link = Path.Combine(Images, "link.qcow2");
        File.CreateSymbolicLink(link, Victim);
        File.CreateSymbolicLink(Path.Combine(Images, "dirlink"), Outside);
        var (emulator, line) = await StartAsync();
        await using (emulator)
        await using (line)
        {
            string[] refused =
            [
                Victim,
                Path.Combine(Images, "..", "outside", "victim"),
                Path.Combine(Images, "dirlink", "victim"),
                "../outside/victim",
            ];
            var n = 0;
            foreach (var name in refused)
            {
                var reply = await RunAsync(line, BackupRequest($"r{n++}", name, "absolute-paths"));
                Assert.Equal($"Could not create '{name}': {Denied}", reply.GetProperty("error").GetProperty("desc").GetString());
                reply = await RunAsync(line, BackupRequest($"r{n++}", name, "existing"));
                Assert.Equal($"Could not open '{name}': {Denied}", reply.GetProperty("error").GetProperty("desc").GetString());
            }

            // A planted link is neither followed to read nor written through.
            var existing = await RunAsync(line, BackupRequest("l1", link, "existing"));
            Assert.Equal($"Could not open '{link}': {Denied}", existing.GetProperty("error").GetProperty("desc").GetString());
            var created = await RunAsync(line, BackupRequest("l2", link, "absolute-paths"));
            Assert.Equal($"Could not create '{link}': {Denied}", created.GetProperty("error").GetProperty("desc").GetString());

            // Beside the disk, the target is written: a qcow2 image of the disk's size.
            var beside = await RunAsync(line, BackupRequest("ok", Path.Combine(Images, "backup.qcow2"), "absolute-paths"));
            Assert.True(beside.TryGetProperty("return", out _), beside.ToString());
        }

        Assert.Equal(_victimBytes, File.ReadAllBytes(Victim));
        Assert.Equal(["victim"], Directory.GetFiles(Outside).Select(Path.GetFileName));
        Assert.Equal(64L << 20, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(File.ReadAllBytes(Path.Combine(Images, "backup.qcow2")).AsSpan(24)));
    }

    private static string BackupRequest(string job, string target, string mode) =>
        $$$"""{"execute":"drive-backup","arguments":{"job-id":"{{{job}}}","device":"libvirt-1-format","sync":"full","mode":"{{{mode}}}","target":{{{JsonSerializer.Serialize(target)}}}}}""";

    /// <summary>
    /// blockdev-add's <c>backing</c> builds a chain one node at a time; the persona stops it at the 2.1 persona's limit
    /// (EmulatorLimits.MaxBackingChainDepth images) and the connection goes on.
    /// </summary>
    [Fact]
    public async Task A_backing_chain_built_with_blockdev_add_stops_at_the_chain_limit()
    {
        var (emulator, line) = await StartAsync();
        await using (emulator)
        await using (line)
        {
            string? backing = null;
            for (var i = 0; i < EmulatorLimits.MaxBackingChainDepth; i++)
            {
                var added = await RunAsync(line, AddOverlay($"o{i}", backing));
                Assert.True(added.TryGetProperty("return", out _), added.ToString());
                backing = $"o{i}";
            }

            var refused = await RunAsync(line, AddOverlay("over", backing));
            Assert.Equal(
                $"Node 'over' would have a backing chain of more than {EmulatorLimits.MaxBackingChainDepth} images, the most it may have",
                refused.GetProperty("error").GetProperty("desc").GetString());
            var status = await RunAsync(line, """{"execute":"query-status"}""");
            Assert.True(status.TryGetProperty("return", out _), status.ToString());
        }
    }

    private static string AddOverlay(string name, string? backing) =>
        $$$"""{"execute":"blockdev-add","arguments":{"node-name":"{{{name}}}","driver":"qcow2","read-only":true,"file":"libvirt-1-storage","backing":{{{(backing is null ? "null" : $"\"{backing}\"")}}}}}""";
}
