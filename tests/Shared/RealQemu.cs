namespace Qmp.Testing;

/// <summary>
/// A real QEMU as a user starts one: <c>-M pc</c> with a qcow2 disk (made with qemu-img) and an
/// empty CD-ROM on IDE, QMP on a unix socket, started through <see cref="QemuProcess"/>. Killed and its folder deleted on dispose. One file,
/// linked into each test project that drives QEMU.
/// </summary>
internal sealed class RealQemu : IAsyncDisposable
{
    private readonly QemuProcess _process;
    private readonly DirectoryInfo _dir;

    private RealQemu(QemuProcess process, DirectoryInfo dir)
    {
        _process = process;
        _dir = dir;
    }

    /// <summary><c>qemu-system-x86_64</c> on PATH, or null when QEMU is not installed.</summary>
    public static string? Binary => Executables.Qemu;

    public string Socket => _process.Socket;

    public string Address => "unix:" + Socket;

    public static async Task<RealQemu> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-qemu-");
        var disk = Path.Combine(dir.FullName, "disk.qcow2");
        var (exit, _, errors) = await ChildProcess.RunAsync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "64M"], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, "qemu-img create: " + errors);
        var socket = Path.Combine(dir.FullName, "qmp.sock");
        try
        {
            var process = await QemuProcess.StartAsync(socket,
            [
                "-M", "pc", "-m", "128",
                "-drive", $"file={disk},if=ide,id=disk0", "-drive", "if=ide,media=cdrom,id=cd0",
            ]);
            return new RealQemu(process, dir);
        }
        catch
        {
            dir.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}
