using System.Diagnostics;

namespace Qmp.Testing;

/// <summary>
/// A real QEMU as a user starts one: <c>-M pc</c> with a qcow2 disk (made with qemu-img) and an
/// empty CD-ROM on IDE, QMP on a unix socket. Killed and its folder deleted on dispose. One file,
/// linked into each test project that drives QEMU.
/// </summary>
internal sealed class RealQemu : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;

    private RealQemu(Process process, DirectoryInfo dir, string socket)
    {
        _process = process;
        _dir = dir;
        Socket = socket;
    }

    /// <summary><c>qemu-system-x86_64</c> on PATH, or null when QEMU is not installed.</summary>
    public static string? Binary => Executables.Qemu;

    public string Socket { get; }

    public string Address => "unix:" + Socket;

    public static async Task<RealQemu> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-qemu-");
        var disk = Path.Combine(dir.FullName, "disk.qcow2");
        using (var img = Process.Start(new ProcessStartInfo("qemu-img") { ArgumentList = { "create", "-q", "-f", "qcow2", disk, "64M" }, RedirectStandardOutput = true })!)
        {
            await img.WaitForExitAsync();
            Assert.Equal(0, img.ExitCode);
        }
        var socket = Path.Combine(dir.FullName, "qmp.sock");
        var process = Process.Start(new ProcessStartInfo(Binary ?? throw new InvalidOperationException("qemu-system-x86_64 is not installed"))
        {
            ArgumentList =
            {
                "-M", "pc", "-m", "128", "-display", "none",
                "-drive", $"file={disk},if=ide,id=disk0", "-drive", "if=ide,media=cdrom,id=cd0",
                "-qmp", $"unix:{socket},server=on,wait=off",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var qemu = new RealQemu(process, dir, socket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(socket))
        {
            if (process.HasExited)
            {
                var stderr = await process.StandardError.ReadToEndAsync();
                await qemu.DisposeAsync();
                Assert.Fail("QEMU exited early: " + stderr);
            }
            await Task.Delay(20, timeout.Token);
        }
        await WaitUntilListeningAsync(socket, timeout.Token);
        return qemu;
    }

    /// <summary>
    /// QEMU creates the socket file before it listens on it: connect (and close) until it accepts.
    /// The monitor takes the next client as soon as this one leaves.
    /// </summary>
    public static async Task WaitUntilListeningAsync(string socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            try
            {
                await probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        _dir.Delete(recursive: true);
    }
}
