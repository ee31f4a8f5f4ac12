using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Qmp.Benchmarks.Qemu;

namespace Qmp.Benchmarks;

/// <summary>
/// What a <c>query-status</c> round trip costs besides time (<c>dotnet run -c Release --project
/// tests/Benchmarks -- round-trip-costs [COUNT]</c>): per round trip, the client process's CPU, its
/// context switches (all its threads), the thread pool's work items and the bytes allocated, for the
/// bare socket ping-pong (the floor), the generated client against the same server, the same bytes to the emulator without a client, and the
/// generated client. Counts, not timings: they hold on a loaded machine where the round trip's time does not.
/// </summary>
internal static class RoundTripCosts
{
    public static async Task<int> MeasureAsync(int count)
    {
        var floorSocket = Servers.SocketPath("costs-floor");
        var emulatorSocket = Servers.SocketPath("costs-qmp");
        var floorServer = Servers.Start("serve-floor", floorSocket);
        var emulator = Servers.Start("serve-emulator", emulatorSocket);
        try
        {
            var buffer = new byte[4096];
            using var floor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await floor.ConnectAsync(new UnixDomainSocketEndPoint(floorSocket));
            await ReadLineAsync(floor, buffer);
            await using var floorClient = await QemuClient.ConnectAsync($"unix:{floorSocket}");
            using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await raw.ConnectAsync(new UnixDomainSocketEndPoint(emulatorSocket));
            await ReadLineAsync(raw, buffer);
            await raw.SendAsync("{\"execute\":\"qmp_capabilities\"}\r\n"u8.ToArray());
            await ReadLineAsync(raw, buffer);
            await using var client = await QemuClient.ConnectAsync($"unix:{emulatorSocket}");

            Console.WriteLine($"== query-status round trip costs, {count:N0} each, one at a time (load average {File.ReadAllText("/proc/loadavg").Trim()})");
            Console.WriteLine("   per round trip: elapsed time (a glance only: BenchmarkDotNet's RoundTrip is the measurement), CPU of this process (and of the server's), context switches (voluntary + involuntary, all threads), thread pool work items, bytes allocated");
            for (var pass = 0; pass < 2; pass++)
            {
                // The first pass warms up (tiering, pools); the second is printed.
                var print = pass == 1;
                await MeasureAsync("socket ping-pong (floor)", floorServer, count, print, async () =>
                {
                    await floor.SendAsync(Servers.FloorRequest);
                    await ReadLineAsync(floor, buffer);
                });
                await MeasureAsync("generated client, query-status, floor server", floorServer, count, print, async () => await floorClient.QueryStatusAsync());
                await MeasureAsync("raw bytes, query-status, emulator", emulator, count, print, async () =>
                {
                    await raw.SendAsync(Servers.FloorRequest);
                    await ReadLineAsync(raw, buffer);
                });
                await MeasureAsync("generated client, query-status, emulator", emulator, count, print, async () => await client.QueryStatusAsync());
            }

            return 0;
        }
        finally
        {
            Servers.Stop(floorServer);
            Servers.Stop(emulator);
        }
    }

    private static async Task MeasureAsync(string what, Process server, int count, bool print, Func<Task> roundTrip)
    {
        // Started from a thread pool thread, as a caller in a service would be.
        await Task.Yield();
        var (voluntary, involuntary) = ContextSwitches();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        server.Refresh();
        var serverCpu = server.TotalProcessorTime;
        var items = ThreadPool.CompletedWorkItemCount;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await roundTrip();
        }

        var elapsed = wall.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var workItems = ThreadPool.CompletedWorkItemCount - items;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        server.Refresh();
        var serverCpuUsed = server.TotalProcessorTime - serverCpu;
        var (voluntaryAfter, involuntaryAfter) = ContextSwitches();
        if (print)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {what,-46} wall {elapsed.TotalMicroseconds / count,6:F1} us  CPU {cpuUsed.TotalMicroseconds / count,6:F1} us (server's {serverCpuUsed.TotalMicroseconds / count,5:F1} us)  switches {(double)(voluntaryAfter - voluntary) / count,5:F2} + {(double)(involuntaryAfter - involuntary) / count,4:F2}  work items {(double)workItems / count,5:F2}  {(double)bytes / count,6:F0} B"));
        }
    }

    /// <summary>Context switches of every thread of this process so far (a thread that ended takes its own along).</summary>
    private static (long Voluntary, long Involuntary) ContextSwitches()
    {
        long voluntary = 0, involuntary = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return (voluntary, involuntary);
    }

    private static async Task ReadLineAsync(Socket socket, byte[] buffer)
    {
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0 || buffer[read - 1] == '\n')
            {
                return;
            }
        }
    }
}
