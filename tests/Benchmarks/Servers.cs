using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Qmp.Benchmarks;

/// <summary>The QMP servers the client benchmarks talk to, each in a process of its own.</summary>
internal static class Servers
{
    public static string SocketPath(string name) => Path.Combine(Path.GetTempPath(), $"qmp-bench-{name}-{Environment.ProcessId}.sock");

    /// <summary>Starts this program in a server mode and waits until its socket accepts connections.</summary>
    public static Process Start(string mode, string socket, int? maxClients = null)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Servers).Assembly.Location);
        }

        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(socket);
        if (maxClients is { } clients)
        {
            start.ArgumentList.Add(clients.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var process = Process.Start(start)!;
        WaitForSocket(socket, process);
        return process;
    }

    /// <summary>Starts real QEMU with a QMP monitor on a unix socket, or returns null when it is not installed.</summary>
    public static Process? StartQemu(string socket)
    {
        var qemu = Executables.Qemu;
        if (qemu is null)
        {
            return null;
        }

        return QemuProcess.StartAsync(socket, ["-machine", "none", "-nodefaults"]).GetAwaiter().GetResult().Process;
    }

    /// <summary>
    /// Builds native/qmp-burst.c with cc and starts it against <paramref name="socket"/>; null when
    /// there is no C compiler. Each line written to its stdin runs one burst of <paramref name="count"/>.
    /// </summary>
    public static Process? StartBurst(string socket, int count)
    {
        var cc = Qmp.Testing.Executables.Find("cc");
        if (cc is null)
        {
            return null;
        }

        var binary = Path.Combine(Path.GetTempPath(), $"qmp-burst-{Environment.ProcessId}");
        using (var build = Process.Start(cc, ["-O2", "-o", binary, Path.Combine(AppContext.BaseDirectory, "native", "qmp-burst.c")]))
        {
            build.WaitForExit();
            if (build.ExitCode != 0)
            {
                return null;
            }
        }

        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(socket);
        start.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start);
    }

    public static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    private static void WaitForSocket(string socket, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"server process exited with {process.ExitCode}");
            }

            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                probe.Connect(new UnixDomainSocketEndPoint(socket));
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        throw new TimeoutException($"{socket} did not accept connections");
    }

    /// <summary>
    /// Server mode "emulator": the reference emulator with one QMP monitor that takes
    /// <paramref name="maxClients"/> clients at once (the pipelined benchmark's C burst is a second).
    /// </summary>
    public static async Task<int> ServeEmulatorAsync(string socket, int maxClients = 4)
    {
        await using var emulator = await Qmp.Emulator.QemuEmulator.StartAsync(new Qmp.Emulator.EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], MaxClients = maxClients });
        await WaitForParentAsync();
        return 0;
    }

    /// <summary>
    /// Server mode "floor": the cheapest thing that can answer — a greeting on connect, then for each
    /// line the same reply bytes with the request's id copied in (found by a byte search, no JSON), and
    /// an empty return for qmp_capabilities. Enough QMP for the generated client to run against it, so
    /// the client's cost above the socket round trip is measured with no server work in between.
    /// </summary>
    public static async Task<int> ServeFloorAsync(string socket)
    {
        File.Delete(socket);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socket));
        listener.Listen(16);
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var connection = await listener.AcceptAsync();
                _ = Task.Run(() => EchoReplies(connection));
            }
        });
        await WaitForParentAsync();
        return 0;
    }

    /// <summary>
    /// Server mode "schema": a QMP server whose query-qmp-schema answer is the hostile chain of issue 20
    /// (tests/Shared/HostileSchema.cs), <paramref name="links"/> types long.
    /// </summary>
    public static async Task<int> ServeSchemaAsync(string socket, int links)
    {
        var answer = Encoding.UTF8.GetBytes(Qmp.Testing.HostileSchema.Server(links));
        File.Delete(socket);
        await using var server = Qmp.Runtime.QmpServer.Listen($"unix:{socket},server,nowait", new SchemaAnswer(answer),
            new Qmp.Runtime.QmpServerOptions { MaxClientsPerListener = 64 });
        await WaitForParentAsync();
        return 0;
    }

    private sealed class SchemaAnswer(byte[] answer) : Qmp.Runtime.IQmpCommandDispatcher
    {
        public bool HasCommand(string name) => name == "query-qmp-schema";

        public ValueTask<Qmp.Runtime.QmpReturn> DispatchAsync(string command, System.Text.Json.JsonElement arguments, Qmp.Runtime.QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Qmp.Runtime.QmpReturn.FromUtf8(answer));
    }

    public static readonly byte[] FloorGreeting = Encoding.UTF8.GetBytes("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n");

    public static readonly byte[] FloorRequest = Encoding.UTF8.GetBytes("{\"execute\":\"query-status\",\"id\":1}\r\n");

    private static readonly byte[] s_statusReplyHead = Encoding.UTF8.GetBytes("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": ");

    private static readonly byte[] s_emptyReplyHead = Encoding.UTF8.GetBytes("{\"return\": {}, \"id\": ");

    private static async Task EchoReplies(Socket connection)
    {
        using var _ = connection;
        await connection.SendAsync(FloorGreeting);
        var buffer = new byte[65536];
        var reply = new byte[256];
        var start = 0;
        var end = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                // A line longer than the buffer: not this server's business; drop what is there.
                start = end = 0;
            }

            var read = await connection.ReceiveAsync(buffer.AsMemory(end));
            if (read == 0)
            {
                return;
            }

            end += read;
            int lf;
            while ((lf = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
            {
                var line = buffer.AsSpan(start, lf);
                var head = line.IndexOf("qmp_capabilities"u8) >= 0 ? s_emptyReplyHead : s_statusReplyHead;
                head.CopyTo(reply);
                var length = head.Length + CopyId(line, reply.AsSpan(head.Length));
                "}\r\n"u8.CopyTo(reply.AsSpan(length));
                await connection.SendAsync(reply.AsMemory(0, length + 3));
                start += lf + 1;
            }

            if (start == end)
            {
                start = end = 0;
            }
        }
    }

    /// <summary>The request's id as it was written (digits after <c>"id":</c>), or <c>null</c>.</summary>
    private static int CopyId(ReadOnlySpan<byte> line, Span<byte> to)
    {
        var at = line.IndexOf("\"id\":"u8);
        if (at < 0)
        {
            "null"u8.CopyTo(to);
            return 4;
        }

        var digits = line[(at + 5)..].TrimStart(" "u8);
        var length = digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        length = length < 0 ? digits.Length : Math.Min(length, 20);
        digits[..length].CopyTo(to);
        return length;
    }

    /// <summary>Server processes live as long as the benchmark that started them.</summary>
    private static async Task WaitForParentAsync()
    {
        // The parent kills us; reading stdin to EOF also ends us if it goes away first.
        await Task.Delay(Timeout.Infinite);
    }
}
