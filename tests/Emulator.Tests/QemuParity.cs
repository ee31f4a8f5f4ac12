using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Qmp.Emulator.Tests;

/// <summary>
/// A process under test: the emulator (<c>dotnet Qmp.Emulator.dll</c>) or QEMU 7.2, started with the same
/// QEMU options, so a test sends both the same bytes and compares what comes back.
/// </summary>
internal sealed class Target : IAsyncDisposable
{
    public const string Emulator = "emulator";
    public const string Qemu = "qemu";

    private readonly StringBuilder _stderr = new();

    private Target(string kind, Process process, string directory)
    {
        Kind = kind;
        Process = process;
        Directory = directory;
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
    }

    public static string? QemuBinary => Executables.Qemu;

    public string Kind { get; }

    public Process Process { get; }

    /// <summary>A fresh temporary directory for sockets, removed at the end.</summary>
    public string Directory { get; }

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

    /// <summary>A temp directory for a test that needs one before starting a target.</summary>
    public static string NewDirectory() => System.IO.Directory.CreateTempSubdirectory("qmp-parity-").FullName;

    /// <summary>
    /// Starts <paramref name="kind"/> with QEMU options; <paramref name="qemuOnly"/> are added for QEMU (its
    /// machine and drives), <paramref name="emulatorOnly"/> for the emulator (its own long options). A relative
    /// file name a command gets lands in <paramref name="workingDirectory"/> when given (the test's own folder).
    /// </summary>
    public static Target Start(string kind, string directory, IEnumerable<string> args, IEnumerable<string>? qemuOnly = null, IEnumerable<string>? emulatorOnly = null, string? workingDirectory = null)
    {
        ProcessStartInfo start;
        if (kind == Qemu)
        {
            // Headless through the tests' one QEMU start (QemuProcess); this class waits for its sockets itself.
            start = QemuProcess.StartInfo(new[] { "-nodefaults" }.Concat(qemuOnly ?? ["-machine", "none"]));
        }
        else
        {
            start = new ProcessStartInfo("dotnet");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll"));
            foreach (var arg in emulatorOnly ?? [])
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        return new Target(kind, Process.Start(start)!, directory);
    }

    /// <summary>
    /// The bound, in seconds, on a wait for something that will happen (a start, a reply, an exit): never a
    /// measure of speed, so a loaded machine (another build on both cores) does not turn late into failed.
    /// </summary>
    public const int Patience = Qmp.Testing.Patience.Seconds;

    /// <summary>Waits for a unix socket the target listens on, then connects.</summary>
    public async Task<Line> ConnectAsync(string path)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(Patience); ;)
        {
            var last = DateTime.UtcNow > deadline;
            if (last && !File.Exists(path))
            {
                break;
            }

            if (Process.HasExited)
            {
                Assert.Fail($"{Kind} exited early: {Stderr}");
            }

            if (File.Exists(path))
            {
                try
                {
                    return await Line.ConnectAsync(path);
                }
                catch (SocketException) when (!last)
                {
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"{Kind} never listened on {path}");
    }

    /// <summary>Waits for the exit and for the end of stderr (so <see cref="Stderr"/> is complete).</summary>
    public async Task<int> WaitForExitAsync(int seconds = Patience)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await Process.WaitForExitAsync(cts.Token);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A raw QMP connection: bytes out, CRLF lines in, each read bounded in time.</summary>
internal sealed class Line : QmpLinePeer
{
    private Line(Socket socket)
        : base(socket)
    {
    }

    public static async Task<Line> ConnectAsync(string path) => new(await ConnectSocketAsync(path));

    public static Line FromSocket(Socket socket) => new(socket);

    /// <summary>The next line without CRLF, or null at end of stream.</summary>
    public Task<string?> ReadAsync(int seconds = Target.Patience) => TryReadLineAsync(seconds);

    /// <summary>Reads the greeting and negotiates; returns the greeting.</summary>
    public async Task<string> NegotiateAsync()
    {
        var greeting = await ReadLineAsync();
        Assert.StartsWith("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": ", greeting, StringComparison.Ordinal);
        await SendAsync("{\"execute\":\"qmp_capabilities\"}\r\n");
        Assert.Equal("{\"return\": {}}", await ReadLineAsync());
        return greeting;
    }

    /// <summary>
    /// What a line is, with version wording aside: an event's name, <c>return</c> (with its id), or
    /// <c>error</c> (with its id; the text differs between QEMU 2.1 and 7.2).
    /// </summary>
    public static string Kind(string line)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(line, new System.Text.Json.JsonDocumentOptions { MaxDepth = 2048 });
        var root = doc.RootElement;
        var id = root.TryGetProperty("id", out var value) ? " " + value.GetRawText() : "";
        return root.TryGetProperty("event", out var name) ? name.GetString()!
            : root.TryGetProperty("return", out _) ? "return" + id
            : "error" + id;
    }
}
