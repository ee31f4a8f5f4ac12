using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Qmp.Benchmarks.Qemu;

namespace Qmp.Benchmarks;

/// <summary>
/// One process holding many connections (<c>dotnet run -c Release --project tests/Benchmarks -- many-clients [N]</c>):
/// N clients to one emulator (its own process, <c>--max-clients</c> above N), each subscribed to STOP;
/// the managed heap per idle client beyond a bare connected socket, then query-status on all of them
/// every 100 ms (CPU per 1,000 polls, p50/p99 of a poll round trip), then one STOP that every client
/// must receive. The same work with QEMU's python <c>qemu.qmp</c> asyncio client, in the same run, is
/// the anchor (QEMU 7.2's python/ folder from eng/get-qemu-schema.sh; skipped with the reason when absent).
/// </summary>
internal static class ManyClients
{
    private const int Rounds = 20;

    public static async Task<int> MeasureAsync(int count)
    {
        Console.WriteLine($"== {count} clients, one emulator; query-status on all every 100 ms for {Rounds} rounds; one STOP to all");
        Console.WriteLine($"   load average {File.ReadAllText("/proc/loadavg").Trim()}");
        await MeasureOursAsync(count);
        await MeasurePythonAsync(count);
        return 0;
    }

    private static async Task MeasureOursAsync(int count)
    {
        var socket = Servers.SocketPath("many");
        var server = Servers.Start("serve-emulator", socket, count + 4);
        try
        {
            var floor = await SocketFloorAsync(socket, count);
            var before = Heap();
            var clients = new QemuClient[count];
            var stops = new Task<bool>[count];
            for (var i = 0; i < count; i++)
            {
                clients[i] = await QemuClient.ConnectAsync($"unix:{socket}");
                var events = clients[i].Client.SubscribeEvents(["STOP"]);
                stops[i] = events.Reader.WaitToReadAsync().AsTask();
            }

            var perClient = (Heap() - before) / (double)count;

            var latencies = new List<double>(count * Rounds);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var round = 0; round < Rounds; round++)
            {
                var next = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
                var polls = new Task<double>[count];
                for (var i = 0; i < count; i++)
                {
                    polls[i] = PollAsync(clients[i]);
                }

                latencies.AddRange(await Task.WhenAll(polls));
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left);
                }
            }

            var cpuPer1000 = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (count * Rounds) * 1000;

            await using var controller = await QemuClient.ConnectAsync($"unix:{socket}");
            var watch = Stopwatch.StartNew();
            await controller.StopAsync();
            await Task.WhenAll(stops);
            var eventToAll = watch.Elapsed.TotalMilliseconds;
            await controller.ContAsync();

            Print("Qmp.Runtime (generated client)", perClient, floor, cpuPer1000, latencies, eventToAll);
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            Servers.Stop(server);
        }
    }

    private static async Task<double> PollAsync(QemuClient client)
    {
        var start = Stopwatch.GetTimestamp();
        await client.QueryStatusAsync();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>Managed heap per bare connected socket (Socket and NetworkStream, a receive pending).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "The pending reads are held, not awaited: they are what an idle connection holds.")]
    private static async Task<double> SocketFloorAsync(string path, int count)
    {
        var before = Heap();
        var sockets = new (Socket Socket, NetworkStream Stream, ValueTask<int> Read)[count];
        var greeting = new byte[4096];
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            var stream = new NetworkStream(socket, ownsSocket: true);

            // Taking the greeting means the server has accepted: the next connect finds room in its backlog.
            while (await stream.ReadAsync(greeting) is var n && n > 0 && greeting[n - 1] != (byte)'\n')
            {
            }

            sockets[i] = (socket, stream, stream.ReadAsync(Memory<byte>.Empty));
        }

        var floor = (Heap() - before) / (double)count;
        foreach (var (_, stream, _) in sockets)
        {
            await stream.DisposeAsync();
        }

        return floor;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Print(string who, double perClient, double floor, double cpuPer1000, List<double> latencies, double eventToAll)
    {
        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * p))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {who,-34} heap per idle client {perClient / 1024:F1} KiB ({(perClient - floor) / 1024:F1} KiB beyond a bare socket's {floor / 1024:F1} KiB; goal at most 16 KiB); " +
            $"CPU per 1,000 polls {cpuPer1000:F0} ms; poll round trip p50 {Percentile(0.5) / 1000:F2} ms, p99 {Percentile(0.99) / 1000:F2} ms; STOP to all {eventToAll:F0} ms"));
    }

    private const string PythonScript = """
import asyncio, gc, sys, time, tracemalloc
from qemu.qmp import QMPClient, EventListener

async def main(path, n, rounds):
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    raw = [await asyncio.open_unix_connection(path) for _ in range(n)]
    gc.collect()
    floor = (tracemalloc.get_traced_memory()[0] - base) / n
    for reader, writer in raw:
        writer.close()
    del raw
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    clients, listeners = [], []
    for i in range(n):
        client = QMPClient('c%d' % i)
        await client.connect(path)
        listener = EventListener(('STOP',))
        client.register_listener(listener)
        clients.append(client)
        listeners.append(listener)
    gc.collect()
    per_client = (tracemalloc.get_traced_memory()[0] - base) / n
    tracemalloc.stop()
    latencies = []
    async def poll(client):
        start = time.perf_counter()
        await client.execute('query-status')
        latencies.append((time.perf_counter() - start) * 1e6)
    cpu = time.process_time()
    for _ in range(rounds):
        due = time.monotonic() + 0.1
        await asyncio.gather(*(poll(c) for c in clients))
        await asyncio.sleep(max(0.0, due - time.monotonic()))
    cpu_per_1000 = (time.process_time() - cpu) * 1000 / (n * rounds) * 1000
    controller = QMPClient('controller')
    await controller.connect(path)
    start = time.perf_counter()
    await controller.execute('stop')
    await asyncio.gather(*(l.get() for l in listeners))
    event_ms = (time.perf_counter() - start) * 1000
    await controller.execute('cont')
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]
    print('%f %f %f %f %f %f' % (per_client, floor, cpu_per_1000, p(0.5), p(0.99), event_ms))
    for c in clients + [controller]:
        await c.disconnect()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
""";

    private static async Task MeasurePythonAsync(int count)
    {
        var python = Qmp.Testing.Executables.Find("python3");
        var tree = QemuPythonTree();
        if (python is null || tree is null)
        {
            Console.WriteLine($"  python qemu.qmp: skipped ({(python is null ? "python3 not installed" : "QEMU 7.2's python/ folder not available (eng/get-qemu-schema.sh bookworm)")})");
            return;
        }

        var socket = Servers.SocketPath("many-python");
        var server = Servers.Start("serve-emulator", socket, count + 4);
        var script = Path.Combine(Path.GetTempPath(), $"qmp-many-{Environment.ProcessId}.py");
        try
        {
            await File.WriteAllTextAsync(script, PythonScript);
            var start = new ProcessStartInfo(python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(socket);
            start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(Rounds.ToString(CultureInfo.InvariantCulture));
            start.Environment["PYTHONPATH"] = Path.Combine(tree, "python");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var figures = (await stdout).Trim().Split(' ');
            if (process.ExitCode != 0 || figures.Length != 6)
            {
                Console.WriteLine($"  python qemu.qmp: failed ({process.ExitCode}): {(await stderr).Trim()}");
                return;
            }

            var f = figures.Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {"python qemu.qmp (QEMU 7.2, asyncio)",-34} heap per idle client {f[0] / 1024:F1} KiB ({(f[0] - f[1]) / 1024:F1} KiB beyond a bare asyncio connection's {f[1] / 1024:F1} KiB; tracemalloc); " +
                $"CPU per 1,000 polls {f[2]:F0} ms; poll round trip p50 {f[3] / 1000:F2} ms, p99 {f[4] / 1000:F2} ms; STOP to all {f[5]:F0} ms"));
        }
        finally
        {
            File.Delete(script);
            Servers.Stop(server);
        }
    }

    private static string? QemuPythonTree()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "eng", "get-qemu-schema.sh")))
        {
            root = Path.GetDirectoryName(root);
        }

        if (root is null)
        {
            return null;
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(root, "eng", "get-qemu-schema.sh"));
        start.ArgumentList.Add("bookworm");
        using var process = Process.Start(start)!;
        var tree = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && Directory.Exists(Path.Combine(tree, "python", "qemu", "qmp")) ? tree : null;
    }
}
