using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Qmp.Benchmarks;

// Server modes: the benchmarks start this same program as the server process they talk to.
if (args is ["serve-emulator", var emulatorSocket])
{
    return await Servers.ServeEmulatorAsync(emulatorSocket);
}

if (args is ["serve-emulator", var manySocket, var maxClients])
{
    return await Servers.ServeEmulatorAsync(manySocket, int.Parse(maxClients, CultureInfo.InvariantCulture));
}

if (args is ["many-clients", .. var many])
{
    return await ManyClients.MeasureAsync(many is [var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 1000);
}

if (args is ["serve-events", var eventsSocket])
{
    return await EventVolume.ServeAsync(eventsSocket);
}

if (args is ["events", .. var volume])
{
    return await EventVolume.MeasureAsync(
        volume.Length > 0 ? int.Parse(volume[0], CultureInfo.InvariantCulture) : 100_000,
        volume.Length > 1 ? int.Parse(volume[1], CultureInfo.InvariantCulture) : 3);
}

if (args is ["round-trip-costs", .. var costs])
{
    return await RoundTripCosts.MeasureAsync(costs is [var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 20_000);
}

if (args is ["serve-floor", var floorSocket])
{
    return await Servers.ServeFloorAsync(floorSocket);
}

if (args is ["serve-schema", var schemaSocket])
{
    return await Servers.ServeSchemaAsync(schemaSocket, SchemaCheckHostile.Links);
}

if (args is ["limits"])
{
    return await Limits.MeasureAsync();
}

// --inProcess (or --short-in-process): the ShortRun job in this process rather than beside it
// (BenchmarkDotNet's fresh build of a separate process takes minutes on a loaded machine).
string[] inProcessFlags = ["--inProcess", "--short-in-process"];
var inProcess = args.Any(a => inProcessFlags.Contains(a, StringComparer.OrdinalIgnoreCase));
args = [.. args.Where(a => !inProcessFlags.Contains(a, StringComparer.OrdinalIgnoreCase))];
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(inProcess ? Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance) : Job.ShortRun)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var types = new[] { typeof(RoundTrip), typeof(Pipelined), typeof(Broadcast), typeof(Parser), typeof(Generator), typeof(QapiFrontEnd), typeof(QapiGenerator), typeof(SchemaCheck), typeof(SchemaCheckHostile), typeof(QapiArguments), typeof(GeneratedMarshaling), typeof(Dispatch), typeof(TypedSubscribers) };
var summaries = args.Length > 0
    ? BenchmarkSwitcher.FromTypes(types).Run(args, config).ToArray()
    : types.Select(t => BenchmarkRunner.Run(t, config)).ToArray();
Figures.Print(summaries);
return 0;

/// <summary>Each figure beside its anchors, from the same run.</summary>
internal static class Figures
{
    public static void Print(IReadOnlyList<Summary> summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null)
            .GroupBy(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo)
            .ToDictionary(g => g.Key, g => g.Last());
        string Us(string name) => reports.TryGetValue(name, out var r) ? (r.ResultStatistics!.Mean / 1000).ToString("F1", CultureInfo.InvariantCulture) + " us" : "n/a";
        double? Ns(string name) => reports.TryGetValue(name, out var r) ? r.ResultStatistics!.Mean : null;
        long? Bytes(string name) => reports.TryGetValue(name, out var r) ? r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) : null;

        Console.WriteLine();
        Console.WriteLine($"== Qmp.Codegen figures ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version})");
        var floor = Ns("'socket ping-pong (floor)'") ?? Ns("socket ping-pong (floor)");
        var client = Ns("'generated client, query-status, emulator'") ?? Ns("generated client, query-status, emulator");
        foreach (var key in reports.Keys.Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"  {key,-50} {Us(key),12}  {(Bytes(key) is { } b ? b + " B allocated/op" : "")}");
        }

        if (floor is { } f && client is { } c)
        {
            Console.WriteLine($"  round trip: generated client to emulator {c / 1000:F1} us = {c / f:F2}x the socket floor {f / 1000:F1} us (goal: at most 1.15x, 256 B)");
            if ((Ns("'raw bytes, query-status, emulator'") ?? Ns("raw bytes, query-status, emulator")) is { } raw)
            {
                Console.WriteLine($"  round trip: of it the emulator's part (raw bytes to it, {raw / 1000:F1} us) {raw / f:F2}x the floor, the client's {c / raw:F2}x on top");
            }
        }

        var qemu = Ns("'generated client, query-status, real QEMU'") ?? Ns("generated client, query-status, real QEMU");
        if (qemu is { } q)
        {
            Console.WriteLine($"  round trip: generated client to real QEMU {q / 1000:F1} us");
        }

        var pipelined = reports.Keys.FirstOrDefault(k => k.Contains("pipelined", StringComparison.Ordinal));
        if (pipelined is not null)
        {
            Console.WriteLine($"  pipelined: {1e9 / Ns(pipelined)!.Value:N0} commands/s (goal: 100,000; QEMU 7.2 about 2,400)");
            var burst = reports.Keys.FirstOrDefault(k => k.Contains("raw C burst", StringComparison.Ordinal));
            if (burst is not null)
            {
                Console.WriteLine($"  pipelined: {Ns(burst)!.Value / Ns(pipelined)!.Value:P0} of the raw C burst's {1e9 / Ns(burst)!.Value:N0} commands/s against the same server (goal: at least 90%, 256 B per command)");
            }
        }

        var hostile = reports.Keys.FirstOrDefault(k => k.Contains("CheckSchemaAsync, hostile", StringComparison.Ordinal));
        if (hostile is not null && Bytes(hostile) is { } hb)
        {
            var answer = System.Text.Encoding.UTF8.GetByteCount(Qmp.Testing.HostileSchema.Server(SchemaCheckHostile.Links));
            Console.WriteLine($"  hostile schema check: {Ns(hostile)!.Value / 1e6:F0} ms, {hb / 1e6:F1} MB allocated = {(double)hb / answer:F1}x the {answer / 1e3:F0} KB answer (goals: 2 s, 100 MB, 10x)");
        }
    }
}
