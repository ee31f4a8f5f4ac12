using System.Diagnostics;
using System.Text.Json;

namespace Qmp.Robustness.Tests;

/// <summary>
/// The QEMU 7.2 persona's commands that take a file name, a descriptor name, a size or a count, attacked as an
/// untrusted client would (`--qemu 7.2` with --data-dir): names leading out (`..`, absolute), links at the name or in
/// a parent, FIFOs, huge sizes and counts. A dummy victim waits in the test's own folder beside the data dir; it must
/// stay as it is, each attack must be answered with an error, and another client must be served meanwhile.
/// </summary>
[Collection(nameof(Alone))]
public sealed class Qemu72HostileTests
{
    private static readonly byte[] s_victimBytes = "victim: must stay as it is\n"u8.ToArray();

    private static string J(string s) => JsonSerializer.Serialize(s);

    private static async Task<string> AskAsync(Peer peer, string request)
    {
        await peer.SendAsync(request);
        return await peer.ReadReplyAsync();
    }

    private static string Execute(string command, string arguments) => "{\"execute\":\"" + command + "\",\"arguments\":" + arguments + "}";

    private static async Task MkfifoAsync(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>The persona with a data dir, the victim outside it, and links and a FIFO planted inside.</summary>
    private static async Task<(ChildEmulator Emu, string Victim)> StartAsync()
    {
        var emu = await ChildEmulator.StartAsync(null, "--qemu", "7.2");
        var victim = Path.Combine(emu.Outside, "victim");
        File.WriteAllBytes(victim, s_victimBytes);
        File.CreateSymbolicLink(Path.Combine(emu.DataDir, "link"), victim);
        Directory.CreateSymbolicLink(Path.Combine(emu.DataDir, "out"), emu.Outside);
        await MkfifoAsync(Path.Combine(emu.DataDir, "fifo"));
        return (emu, victim);
    }

    private static string[] Targets(ChildEmulator emu, string victim) =>
    [
        "../outside/victim", victim, "link", "out/victim", Path.Combine(emu.DataDir, "link"),
        Path.Combine(emu.DataDir, "out", "victim"), Path.Combine(emu.DataDir, "..", "outside", "victim"),
    ];

    private static void AssertError(string reply) => Assert.True(reply.StartsWith("{\"error\": ", StringComparison.Ordinal), reply);

    private static void AssertUntouched(ChildEmulator emu, string victim)
    {
        Assert.Equal(s_victimBytes, File.ReadAllBytes(victim));
        Assert.Equal(["victim"], Directory.GetFileSystemEntries(emu.Outside).Select(Path.GetFileName));
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(Path.Combine(emu.DataDir, "link")) & FileAttributes.ReparsePoint);
    }

    [Fact]
    public async Task Guest_memory_and_screen_writes_stay_in_the_data_dir_and_a_fifo_never_hangs_the_monitor()
    {
        var (emu, victim) = await StartAsync();
        await using var _ = emu;
        await using var peer = await emu.ConnectNegotiatedAsync();
        await using var other = await emu.ConnectNegotiatedAsync();
        foreach (var target in Targets(emu, victim))
        {
            var denied = Wait.Error("GenericError", $"Could not open '{target}': Permission denied");
            Assert.Equal(denied, await AskAsync(peer, Execute("memsave", "{\"val\":0,\"size\":4096,\"filename\":" + J(target) + "}")));
            Assert.Equal(denied, await AskAsync(peer, Execute("pmemsave", "{\"val\":0,\"size\":4096,\"filename\":" + J(target) + "}")));
            Assert.Equal(denied, await AskAsync(peer, Execute("screendump", "{\"filename\":" + J(target) + "}")));
            AssertError(await AskAsync(peer, Execute("dump-guest-memory", "{\"paging\":false,\"protocol\":" + J("file:" + target) + "}")));
            AssertError(await AskAsync(peer, Execute("xen-save-devices-state", "{\"filename\":" + J(target) + "}")));
            AssertError(await AskAsync(peer, Execute("xen-load-devices-state", "{\"filename\":" + J(target) + "}")));
            Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));
            AssertUntouched(emu, victim);
        }

        // A FIFO at the name is refused at once (never opened for writing, so nothing waits on a reader).
        var fifo = await AskAsync(peer, Execute("memsave", "{\"val\":0,\"size\":4096,\"filename\":\"fifo\"}"));
        Assert.Equal(Wait.Error("GenericError", "Could not open 'fifo': Permission denied"), fifo);
        Assert.Equal(Wait.Error("GenericError", "Could not open 'fifo': Permission denied"), await AskAsync(peer, Execute("screendump", "{\"filename\":\"fifo\"}")));
        AssertError(await AskAsync(peer, Execute("dump-guest-memory", "{\"paging\":false,\"protocol\":\"file:fifo\"}")));

        Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));

        // Huge sizes past the guest's RAM: QEMU's words (EmulatorLimits.MaxWriteBytes bounds what fits), nothing written.
        Assert.StartsWith(
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid addr 0x",
            await AskAsync(peer, Execute("memsave", "{\"val\":0,\"size\":9223372036854775807,\"filename\":\"big\"}")));
        AssertError(
            await AskAsync(peer, Execute("pmemsave", "{\"val\":18446744073709547520,\"size\":8192,\"filename\":\"big\"}")));
        Assert.False(File.Exists(Path.Combine(emu.DataDir, "big")));
        await peer.AssertAliveAsync();
    }

    [Fact]
    public async Task Chardevs_sockets_and_migration_open_nothing_outside_the_data_dir()
    {
        var (emu, victim) = await StartAsync();
        await using var _ = emu;
        await using var peer = await emu.ConnectNegotiatedAsync();
        await using var other = await emu.ConnectNegotiatedAsync();
        var n = 0;
        foreach (var target in Targets(emu, victim).Append("fifo"))
        {
            n++;
            foreach (var backend in new[]
            {
                "{\"type\":\"file\",\"data\":{\"out\":" + J(target) + "}}",
                "{\"type\":\"file\",\"data\":{\"in\":" + J(target) + ",\"out\":\"fine" + n + "\"}}",
                "{\"type\":\"pipe\",\"data\":{\"device\":" + J(target) + "}}",
                "{\"type\":\"serial\",\"data\":{\"device\":" + J(target) + "}}",
                "{\"type\":\"parallel\",\"data\":{\"device\":" + J(target) + "}}",
                "{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":" + J(target) + "}},\"server\":false}}",
                "{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":" + J(target) + "}},\"server\":true,\"wait\":false}}",
            })
            {
                // File backends open only inside the data dir; whatever the answer, nothing outside changes.
                Assert.StartsWith("{\"", await AskAsync(peer, Execute("chardev-add", "{\"id\":\"c" + n + "\",\"backend\":" + backend + "}")));
                await AskAsync(peer, Execute("chardev-remove", "{\"id\":\"c" + n + "\"}"));
                AssertUntouched(emu, victim);
                Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));
            }

            var nbd = await AskAsync(peer, Execute("nbd-server-start", "{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":" + J(target) + "}}}"));
            Assert.True(nbd.StartsWith("{\"error\": ", StringComparison.Ordinal), target + " -> " + nbd);

            // Migration is virtual: unix: connects nowhere; cancelled before the next one.
            Assert.StartsWith("{\"", await AskAsync(peer, Execute("migrate", "{\"uri\":" + J("unix:" + target) + "}")));
            await AskAsync(peer, "{\"execute\":\"migrate_cancel\"}");
            Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));
            AssertUntouched(emu, victim);
        }

        // exec: runs nothing on the host.
        var marker = Path.Combine(emu.Outside, "ran");
        Assert.StartsWith("{\"", await AskAsync(peer, Execute("migrate", "{\"uri\":" + J("exec:touch " + marker) + "}")));
        await AskAsync(peer, "{\"execute\":\"migrate_cancel\"}");
        await AskAsync(peer, "{\"execute\":\"query-migrate\"}");
        Assert.False(File.Exists(marker));
        AssertUntouched(emu, victim);
        await peer.AssertAliveAsync();
    }

    [Fact]
    public async Task Sizes_counts_and_descriptor_names_from_a_client_stay_within_the_limits()
    {
        var (emu, victim) = await StartAsync();
        await using var _ = emu;
        var start = await emu.BaselineAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();

        // Descriptors: only those the client passed (none here).
        Assert.Equal(Wait.Error("GenericError", "No file descriptor supplied via SCM_RIGHTS"), await AskAsync(peer, Execute("getfd", "{\"fdname\":\"x\"}")));
        Assert.Equal(Wait.Error("GenericError", "No file descriptor supplied via SCM_RIGHTS"), await AskAsync(peer, Execute("add-fd", "{}")));
        Assert.Equal(Wait.Error("GenericError", "File descriptor named 'x' not found"), await AskAsync(peer, Execute("closefd", "{\"fdname\":\"x\"}")));
        AssertError(await AskAsync(peer, Execute("dump-guest-memory", "{\"paging\":false,\"protocol\":\"fd:0\"}")));

        // Network backends and objects are kept as properties: a descriptor number, a script, a helper or a file
        // they name is never used, run or opened (the descriptor count is checked at the end).
        var marker = Path.Combine(emu.Outside, "ran");
        foreach (var netdev in new[]
        {
            "{\"type\":\"tap\",\"id\":\"n0\",\"fd\":\"0\"}", "{\"type\":\"tap\",\"id\":\"n1\",\"fds\":\"0:1:2\",\"vhostfds\":\"0\"}",
            "{\"type\":\"tap\",\"id\":\"n2\",\"script\":" + J("/usr/bin/touch") + ",\"ifname\":" + J(marker) + "}",
            "{\"type\":\"bridge\",\"id\":\"n3\",\"helper\":" + J("/usr/bin/touch " + marker) + "}", "{\"type\":\"socket\",\"id\":\"n4\",\"fd\":\"1\"}",
        })
        {
            Assert.StartsWith("{\"", await AskAsync(peer, Execute("netdev_add", netdev)));
        }

        Assert.False(File.Exists(marker));

        // A ring buffer of an absurd size is counted at its full size against the client-state budget (QEMU 7.2 would
        // try to allocate 1 TiB); one whose size is no power of two is refused in QEMU 7.2's words.
        var ringbuf = await AskAsync(peer, Execute("chardev-add", "{\"id\":\"rb\",\"backend\":{\"type\":\"ringbuf\",\"data\":{\"size\":1099511627776}}}"));
        Assert.Contains("more would pass the most it may hold, 67108864", ringbuf);
        Assert.Equal(
            Wait.Error("GenericError", "Failed to add chardev 'rb': size of ringbuf chardev must be power of two"),
            await AskAsync(peer, Execute("chardev-add", "{\"id\":\"rb\",\"backend\":{\"type\":\"ringbuf\",\"data\":{\"size\":3}}}")));
        Assert.Contains("more would pass the most it may hold, 67108864", await AskAsync(peer, Execute("chardev-add", "{\"id\":\"rb\",\"backend\":{\"type\":\"ringbuf\",\"data\":{\"size\":1073741824}}}")));
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("chardev-add", "{\"id\":\"rb\",\"backend\":{\"type\":\"ringbuf\",\"data\":{\"size\":4096}}}")));
        Assert.Equal("{\"return\": \"\"}", await AskAsync(peer, Execute("ringbuf-read", "{\"device\":\"rb\",\"size\":9223372036854775807}")));

        // A memory backend's size and a node's size are numbers the emulator keeps, never allocates.
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("object-add", "{\"qom-type\":\"memory-backend-file\",\"id\":\"m\",\"size\":9223372036854775807,\"mem-path\":" + J(victim) + "}")));
        AssertUntouched(emu, victim);
        Assert.StartsWith("{\"", await AskAsync(peer, Execute("object-add", "{\"qom-type\":\"secret\",\"id\":\"s\",\"file\":" + J(victim) + "}")));
        Assert.StartsWith("{\"", await AskAsync(peer, Execute("object-add", "{\"qom-type\":\"rng-random\",\"id\":\"r\",\"filename\":\"fifo\"}")));
        Assert.StartsWith("{\"", await AskAsync(peer, Execute("object-add", "{\"qom-type\":\"filter-dump\",\"id\":\"d\",\"netdev\":\"n0\",\"file\":" + J(victim) + "}")));
        AssertUntouched(emu, victim);

        // Counts: a key combination of 100000 keys: answered, the last 16 combinations remembered.
        var keys = string.Join(",", Enumerable.Repeat("{\"type\":\"qcode\",\"data\":\"a\"}", 100_000));
        Assert.StartsWith("{\"", await AskAsync(peer, Execute("send-key", "{\"keys\":[" + keys + "]}")));
        await peer.AssertAliveAsync();
        await emu.AssertRecoveredAsync(start);
    }

    [Fact]
    public async Task A_node_resized_past_what_the_filesystem_holds_gives_qemus_file_too_large_not_an_undefined_error()
    {
        // block_resize keeps any size (a number); a raw target of that size is a sparse file, which a filesystem
        // may refuse to make that long (ext4: 16 TiB). That refusal is QEMU's words, never the undefined error.
        var (emu, victim) = await StartAsync();
        await using var _ = emu;
        File.WriteAllBytes(Path.Combine(emu.DataDir, "disk.raw"), new byte[65536]);
        await using var peer = await emu.ConnectNegotiatedAsync();
        await using var other = await emu.ConnectNegotiatedAsync();
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("blockdev-add", "{\"driver\":\"file\",\"node-name\":\"s\",\"filename\":\"disk.raw\"}")));
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("blockdev-add", "{\"driver\":\"raw\",\"node-name\":\"f\",\"file\":\"s\"}")));
        const long Huge = 63L << 40;
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("block_resize", "{\"node-name\":\"f\",\"size\":" + Huge + "}")));
        foreach (var request in new[]
        {
            Execute("drive-backup", "{\"job-id\":\"j\",\"device\":\"f\",\"target\":\"t.raw\",\"format\":\"raw\",\"sync\":\"full\"}"),
            Execute("blockdev-create", "{\"job-id\":\"c\",\"options\":{\"driver\":\"file\",\"filename\":\"c.raw\",\"size\":" + Huge + "}}"),
        })
        {
            var reply = await AskAsync(peer, request);
            Assert.DoesNotContain("undefined error", reply);
            Assert.True(reply == "{\"return\": {}}" || reply.Contains("': File too large\"}}", StringComparison.Ordinal), reply);
            Assert.Equal(Peer.Status, await AskAsync(other, "{\"execute\":\"query-status\"}"));
        }

        // Past the emulator's own bound (64 TiB, docs/security.md), the same words before anything is made. The largest
        // size QEMU 7.2 gives a node (BDRV_MAX_LENGTH, 2^63 - 2^30) is kept; one byte more is QEMU's refusal.
        Assert.Equal(
            Wait.Error("GenericError", "offset(9223372035781033985) exceeds maximum(9223372035781033984)"),
            await AskAsync(peer, Execute("block_resize", "{\"node-name\":\"f\",\"size\":9223372035781033985}")));
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("block_resize", "{\"node-name\":\"f\",\"size\":9223372035781033984}")));
        Assert.Equal(
            Wait.Error("GenericError", "Could not create 'u.raw': File too large"),
            await AskAsync(peer, Execute("drive-backup", "{\"job-id\":\"u\",\"device\":\"f\",\"target\":\"u.raw\",\"format\":\"raw\",\"sync\":\"full\"}")));
        Assert.False(File.Exists(Path.Combine(emu.DataDir, "u.raw")));
        Assert.Empty(Directory.GetFiles(emu.DataDir, ".qmp-*.tmp"));
        AssertUntouched(emu, victim);
        await peer.AssertAliveAsync();
    }

    [Fact]
    public async Task Snapshot_jobs_kept_until_dismissed_count_against_the_client_state_budget()
    {
        // snapshot-save/-load/-delete jobs conclude and stay until job-dismiss: each one's id is client state the
        // machine keeps (MaxRetainedBytes, 64 MiB), as every other job's is.
        await using var emu = await ChildEmulator.StartAsync(null, "--qemu", "7.2");
        await using var peer = await emu.ConnectNegotiatedAsync();
        var filler = new string('x', 2 << 20);
        string? refused = null;
        var accepted = 0;
        for (var i = 0; i < 64 && refused is null; i++)
        {
            var command = (i % 3) switch { 0 => "snapshot-save", 1 => "snapshot-load", _ => "snapshot-delete" };
            var vmstate = i % 3 == 2 ? "" : ",\"vmstate\":\"n\"";
            var reply = await AskAsync(peer, Execute(command, "{\"job-id\":\"j" + i + filler + "\",\"tag\":\"t\"" + vmstate + ",\"devices\":[]}"));
            if (reply.StartsWith("{\"error\": ", StringComparison.Ordinal))
            {
                refused = reply;
            }
            else
            {
                accepted++;
            }
        }

        Assert.True(refused is not null, $"{accepted} jobs of 2 MiB ids kept");
        Assert.Contains("more would pass the most it may hold, 67108864", refused);
        Assert.InRange(accepted, 16, 32);

        // Dismissing one gives its bytes back.
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("job-dismiss", "{\"id\":\"j0" + filler + "\"}")));
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Execute("snapshot-delete", "{\"job-id\":\"again" + filler + "\",\"tag\":\"t\",\"devices\":[]}")));
        Assert.StartsWith("{\"return\": {\"status\": ", await AskAsync(peer, "{\"execute\":\"query-status\"}"));
    }
}
