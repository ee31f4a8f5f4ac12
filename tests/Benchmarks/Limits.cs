using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Qmp.Benchmarks;

/// <summary>
/// What QEMU's input limits cost the emulator (<c>dotnet run -c Release --project tests/Benchmarks -- limits</c>):
/// the emulator's resident memory (VmRSS now, VmHWM peak, from /proc) before and after requests at the limits
/// it accepts as QEMU does: 64 MiB of tokens in one request and nesting 1024.
/// </summary>
internal static class Limits
{
    public static async Task<int> MeasureAsync()
    {
        var socket = Servers.SocketPath("limits");
        var server = Servers.Start("serve-emulator", socket);
        try
        {
            await Task.Delay(500);
            using var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            using var stream = new NetworkStream(connection);
            using var reader = new StreamReader(stream, new UTF8Encoding(false), false, 1 << 20);
            await reader.ReadLineAsync();
            await stream.WriteAsync("{\"execute\":\"qmp_capabilities\"}"u8.ToArray());
            await reader.ReadLineAsync();
            Console.WriteLine($"== server memory at QEMU's input limits (emulator process {server.Id})");
            Report("idle, one client", server.Id);

            async Task Measure(string what, string request)
            {
                var watch = Stopwatch.StartNew();
                await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
                var reply = (await reader.ReadLineAsync())!;
                watch.Stop();
                Report($"{what}: {reply.Length:N0}-byte reply in {watch.Elapsed.TotalMilliseconds:F0} ms", server.Id);
            }

            // A string id just under 64 MiB of tokens: gathered, parsed, echoed in the reply.
            await Measure("64 MiB string id", "{\"execute\":\"query-kvm\",\"id\":\"" + new string('s', (64 << 20) - 64) + "\"}");
            await Measure("nesting 1024", "{\"execute\":\"query-kvm\",\"id\":" + new string('[', 1023) + new string(']', 1023) + "}");
            await Measure("64 MiB string id again", "{\"execute\":\"query-kvm\",\"id\":\"" + new string('t', (64 << 20) - 64) + "\"}");
            return 0;
        }
        finally
        {
            Servers.Stop(server);
        }
    }

    private static void Report(string what, int pid)
    {
        var status = File.ReadAllText($"/proc/{pid}/status");
        string Field(string name) => status.Split('\n').First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        long Mib(string name) => long.Parse(Field(name).Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        Console.WriteLine($"  {what,-60} RSS {Mib("VmRSS"),5} MiB, peak {Mib("VmHWM"),5} MiB");
    }
}
