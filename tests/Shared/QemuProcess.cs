using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Qmp.Testing;

/// <summary>
/// The one way tests start qemu-system-x86_64. It always passes <c>-display none</c> (with Debian's
/// recommended qemu-system-gui installed, QEMU's default display is GTK, which exits with "gtk
/// initialization failed" on a headless machine), and <see cref="StartAsync"/> returns only once QEMU
/// accepts a connection on its QMP socket: QEMU creates the socket file before it listens, so the
/// file's existence proves nothing and a loaded machine widens the gap. Linked into every test project
/// by tests/Directory.Build.props; throws rather than asserts, so the benchmarks can use it too.
/// </summary>
internal sealed class QemuProcess : IAsyncDisposable
{
    private readonly StringBuilder _stderr = new();

    private QemuProcess(Process process, string socket)
    {
        Process = process;
        Socket = socket;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    /// <summary><c>qemu-system-x86_64</c> on PATH, or null when QEMU is not installed.</summary>
    public static string? Binary => Executables.Qemu;

    /// <summary>The options that keep QEMU from opening a window; part of every start here.</summary>
    public static IReadOnlyList<string> Headless { get; } = ["-display", "none"];

    public Process Process { get; }

    /// <summary>The unix socket QEMU's QMP monitor listens on.</summary>
    public string Socket { get; }

    public string Address => "unix:" + Socket;

    /// <summary>What QEMU wrote to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// A start of QEMU with <see cref="Headless"/> first, then <paramref name="options"/>; output redirected.
    /// For a test that must run QEMU itself (a process of its own kind, or without a QMP socket).
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> options)
    {
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var option in Headless.Concat(options))
        {
            start.ArgumentList.Add(option);
        }

        return start;
    }

    /// <summary>
    /// Starts QEMU with <paramref name="options"/> and a QMP monitor on <paramref name="socket"/>
    /// (<c>server=on,wait=off</c>), and waits (up to <see cref="Patience.Seconds"/>) until it accepts a
    /// connection there. Throws with QEMU's stderr when it exits first.
    /// </summary>
    public static async Task<QemuProcess> StartAsync(string socket, IEnumerable<string> options, CancellationToken cancellationToken = default)
    {
        var start = StartInfo(options.Concat(["-qmp", $"unix:{socket},server=on,wait=off"]));
        var qemu = new QemuProcess(Process.Start(start)!, socket);
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(TimeSpan.FromSeconds(Patience.Seconds));
            await WaitUntilListeningAsync(socket, qemu.Process, () => qemu.Stderr, patience.Token);
            return qemu;
        }
        catch
        {
            await qemu.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects (and closes) until <paramref name="socket"/> accepts; the monitor takes the next client as
    /// soon as this one leaves. Fails as soon as <paramref name="process"/> has exited.
    /// </summary>
    public static async Task WaitUntilListeningAsync(string socket, Process process, Func<string> stderr, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                // Let the last stderr lines arrive before quoting them.
                await process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException($"QEMU exited with {process.ExitCode} before it listened on {socket}: {stderr()}");
            }

            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                return;
            }
            catch (SocketException)
            {
                // Not there yet, or there but not listening yet: a poll interval, not a guess at readiness.
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        await Process.WaitForExitAsync(CancellationToken.None);
        Process.Dispose();
    }
}
