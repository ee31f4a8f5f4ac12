using System.Diagnostics;
using Qmp.Emulator.Confinement;

namespace Qmp.Robustness.Tests;

/// <summary>Runs only as root (it mounts a small tmpfs), skipped otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root (mounts a small tmpfs to fill)";
        }
    }
}

/// <summary>
/// Issue 20: one client wrote 6 GiB into the data dir in 21 s. What the emulator writes there is capped in
/// all (<c>--data-dir-quota</c>), no write leaves the filesystem nearly full, and the temporaries an emulator
/// killed mid-write left are removed at the next start.
/// </summary>
[Collection(nameof(Alone))]
public sealed class DataDirQuotaTests
{
    private static string Pmemsave(long size, string name) =>
        "{\"execute\":\"pmemsave\",\"arguments\":{\"val\":0,\"size\":" + size + ",\"filename\":\"" + name + "\"}}";

    private static async Task<string> AskAsync(Peer peer, string request)
    {
        await peer.SendAsync(request);
        return await peer.ReadReplyAsync();
    }

    [Fact]
    public async Task Writes_past_the_quota_fail_as_a_full_disk_and_count_only_what_this_emulator_holds()
    {
        // A file that was there before the emulator started never counts.
        await using var emu = await ChildEmulator.StartAsync(null, root => File.WriteAllBytes(Path.Combine(root, "data", "old"), new byte[2 << 20]), "--data-dir-quota", "1M");
        await using var peer = await emu.ConnectNegotiatedAsync();
        Assert.Equal("{\"return\": {}}", await AskAsync(peer, Pmemsave(300 << 10, "a")));
        Assert.Equal(Wait.Error("GenericError", "Could not write 'b': No space left on device"), await AskAsync(peer, Pmemsave(800 << 10, "b")));
        Assert.False(File.Exists(Path.Combine(emu.DataDir, "b")));
        Assert.Empty(Directory.GetFiles(emu.DataDir, ".qmp-*"));

        // Replacing its own file frees what the old one counted (four times 300 KiB would pass 1 MiB otherwise).
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("{\"return\": {}}", await AskAsync(peer, Pmemsave(300 << 10, "a")));
        }

        // Each file counts at least 4 KiB, so empty files run out too: at the open, in QEMU's open words.
        var made = 0;
        string reply;
        while ((reply = await AskAsync(peer, Pmemsave(1, $"e{made}"))) == "{\"return\": {}}" && made < 400)
        {
            made++;
        }

        Assert.Equal(Wait.Error("GenericError", $"Could not open 'e{made}': No space left on device"), reply);
        Assert.Equal((1024 - 300) / 4, made);
        Assert.Equal(2 << 20, new FileInfo(Path.Combine(emu.DataDir, "old")).Length);
        await peer.AssertAliveAsync();
    }

    [RootFact]
    public async Task No_write_leaves_the_filesystem_with_less_than_the_free_space_floor()
    {
        // A 64 MiB tmpfs: the floor is 5% of it (3.2 MiB); the quota is off, so only the floor stops writes.
        string? mounted = null;
        try
        {
            await using var emu = await ChildEmulator.StartAsync(null, root =>
            {
                using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", Path.Combine(root, "data")])!;
                mount.WaitForExit();
                Assert.Equal(0, mount.ExitCode);
                mounted = Path.Combine(root, "data");
            }, "--data-dir-quota", "0");
            await using var peer = await emu.ConnectNegotiatedAsync();
            Assert.Equal("{\"return\": {}}", await AskAsync(peer, Pmemsave(40 << 20, "a")));

            // 22 MiB more would fit (about 24 MiB are free) but leave less than the floor.
            Assert.Equal(Wait.Error("GenericError", "Could not write 'b': No space left on device"), await AskAsync(peer, Pmemsave(22 << 20, "b")));
            Assert.Empty(Directory.GetFiles(emu.DataDir, ".qmp-*"));
            Assert.Equal("{\"return\": {}}", await AskAsync(peer, Pmemsave(18 << 20, "c")));
            Assert.Equal((64L << 20) / 20, WriteQuota.FreeSpaceFloor(64L << 20));
        }
        finally
        {
            if (mounted is not null)
            {
                using var umount = Process.Start("umount", [mounted])!;
                await umount.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task Stale_temporaries_are_removed_at_start_but_not_links_locked_ones_or_other_names()
    {
        string[] stale = [".qmp-0123456789abcdef.tmp", ".qmp-00000000000000ff.tmp"];
        string link = ".qmp-fedcba9876543210.tmp", locked = ".qmp-1111111111111111.tmp";
        string[] others = [".qmp-notours.tmp", "x.qmp-0123456789abcdef.tmp", ".qmp-0123456789ABCDEF.tmp", "sub/.qmp-2222222222222222.tmp"];
        Microsoft.Win32.SafeHandles.SafeFileHandle? held = null;
        try
        {
            await using var emu = await ChildEmulator.StartAsync(null, root =>
            {
                var data = Path.Combine(root, "data");
                Directory.CreateDirectory(Path.Combine(data, "sub"));
                foreach (var name in stale.Concat(others))
                {
                    File.WriteAllText(Path.Combine(data, name), "left");
                }

                File.WriteAllText(Path.Combine(root, "outside", "victim"), "keep");
                File.CreateSymbolicLink(Path.Combine(data, link), Path.Combine(root, "outside", "victim"));

                // A temporary another emulator is writing right now holds its lock: it stays.
                held = File.OpenHandle(Path.Combine(data, locked), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
                Assert.Equal(0, Interop.LockWholeFile(held));
            });

            foreach (var name in stale)
            {
                Assert.False(File.Exists(Path.Combine(emu.DataDir, name)), name);
            }

            foreach (var name in others.Append(locked))
            {
                Assert.True(File.Exists(Path.Combine(emu.DataDir, name)), name);
            }

            Assert.NotNull(new FileInfo(Path.Combine(emu.DataDir, link)).LinkTarget);
            Assert.Equal("keep", File.ReadAllText(Path.Combine(emu.Outside, "victim")));
        }
        finally
        {
            held?.Dispose();
        }
    }
}
