using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Qmp.Benchmarks.Qemu;
using Qmp.Runtime;

namespace Qmp.Benchmarks;

/// <summary>
/// Events at volume (<c>dotnet run -c Release --project tests/Benchmarks -- events [RATE] [SECONDS]</c>):
/// a QMP server in its own process broadcasts STOP, RESUME and DEVICE_DELETED in turn at RATE events/s
/// (100,000 by default) to one client with three typed subscribers, one per event; every event must
/// reach its subscriber. Prints the rate achieved, events lost (per subscriber's DroppedCount and
/// counted), and the client process's allocations per event (all threads).
/// </summary>
internal static class EventVolume
{
    // Each subscriber's buffer: about a tenth of a second of events at the default rate, so a
    // subscriber that falls behind for longer than that loses events and the run says so.
    private const int Capacity = 16 * 1024;

    public static async Task<int> MeasureAsync(int rate, int seconds)
    {
        var socket = Servers.SocketPath("events");
        var server = Servers.Start("serve-events", socket);
        try
        {
            var total = rate * seconds;
            await using var client = await QemuClient.ConnectAsync($"unix:{socket}");
            string[] names = ["STOP", "RESUME", "DEVICE_DELETED"];
            var subscriptions = names.Select(n => client.Client.SubscribeEvents([n], Capacity)).ToArray();
            var expected = names.Select((_, i) => total / 3 + (i < total % 3 ? 1 : 0)).ToArray();
            var consumers = subscriptions.Select((s, i) => ConsumeAsync(s, expected[i])).ToArray();

            Console.WriteLine($"== events at volume: {total:N0} events at {rate:N0}/s to one client, three typed subscribers (buffer {Capacity:N0} each)");
            Console.WriteLine($"   load average {File.ReadAllText("/proc/loadavg").Trim()}");
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await client.Client.ExecuteAsync("x-burst", JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["count"] = total, ["rate"] = rate }));

            // Ends when every subscriber has its share, or when nothing arrives for five seconds.
            var counts = await Task.WhenAll(consumers);
            var elapsed = watch.Elapsed;
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var received = counts.Sum();
            var dropped = subscriptions.Sum(s => s.DroppedCount);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  received {received:N0} of {total:N0} ({string.Join(", ", names.Select((n, i) => $"{n} {counts[i]:N0}"))}); dropped by subscribers {dropped:N0}; " +
                $"{received / elapsed.TotalSeconds:N0} events/s over {elapsed.TotalSeconds:F2} s; {(double)bytes / Math.Max(1, received):F0} B allocated per event; CPU {cpuUsed.TotalMicroseconds / Math.Max(1, received):F1} us per event"));
            return received == total && dropped == 0 ? 0 : 1;
        }
        finally
        {
            Servers.Stop(server);
        }
    }

    private static async Task<int> ConsumeAsync(QmpEventSubscription subscription, int expected)
    {
        var count = 0;
        while (count < expected)
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                if (!await subscription.Reader.WaitToReadAsync(quiet.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            while (count < expected && subscription.Reader.TryRead(out var e))
            {
                // Typed, as a user would have them.
                if (QemuEvents.Parse(e) is StopEvent or ResumeEvent or DeviceDeletedEvent)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Server mode "events": answers <c>x-burst</c> {count, rate} by broadcasting that many events, paced.</summary>
    public static async Task<int> ServeAsync(string socket)
    {
        File.Delete(socket);
        var dispatcher = new Burst();
        await using var server = QmpServer.Listen($"unix:{socket},server,nowait", dispatcher, new QmpServerOptions { MaxClientsPerListener = 4 });
        dispatcher.Server = server;
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private sealed class Burst : IQmpCommandDispatcher
    {
        public QmpServer? Server { get; set; }

        public bool HasCommand(string name) => name == "x-burst";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
        {
            var count = arguments.GetProperty("count").GetInt32();
            var rate = arguments.GetProperty("rate").GetInt32();
            _ = Task.Run(() => Emit(Server!, count, rate), CancellationToken.None);
            return ValueTask.FromResult(QmpReturn.FromUtf8("{}"u8.ToArray()));
        }

        private static void Emit(QmpServer server, int count, int rate)
        {
            var watch = Stopwatch.StartNew();
            for (var sent = 0; sent < count; sent++)
            {
                // Paced: no further ahead than the rate allows.
                while (sent > watch.Elapsed.TotalSeconds * rate)
                {
                    Thread.Sleep(1);
                }

                switch (sent % 3)
                {
                    case 0:
                        server.EmitEvent("STOP");
                        break;
                    case 1:
                        server.EmitEvent("RESUME");
                        break;
                    default:
                        server.EmitEvent("DEVICE_DELETED", static w =>
                        {
                            w.WriteStartObject();
                            w.WriteString("device", "nic1");
                            w.WriteString("path", "/machine/peripheral/nic1");
                            w.WriteEndObject();
                        });
                        break;
                }
            }
        }
    }
}

/// <summary>
/// Three typed subscribers made with the generated <c>ReadEventsAsync&lt;TEvent&gt;()</c>, of three
/// event kinds or all of one, reading the same events: what the client allocates per event (all
/// threads of this process: the events are written by a socket in it, as bytes made beforehand).
/// Each operation writes STOP, RESUME and DEVICE_DELETED in turn and waits until every subscriber
/// has its share; fewer events than a subscription's buffer holds, so none can be dropped.
/// </summary>
[MemoryDiagnoser]
public class TypedSubscribers
{
    public const int Events = 900;

    private static readonly byte[] s_greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n"u8.ToArray();

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _consumers = new();
    private byte[] _batch = [];
    private Socket? _server;
    private QemuClient? _client;
    private int _remaining;
    private TaskCompletionSource _done = new();

    /// <summary>"kinds": one subscriber each of STOP, RESUME and DEVICE_DELETED; "same": three of DEVICE_DELETED.</summary>
    [Params("kinds", "same")]
    public string Subscribers { get; set; } = "kinds";

    [GlobalSetup]
    public async Task Setup()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Events; i++)
        {
            var time = string.Create(CultureInfo.InvariantCulture, $"\"timestamp\": {{\"seconds\": 1700000000, \"microseconds\": {i}}}");
            text.Append((i % 3) switch
            {
                0 => $"{{\"event\": \"STOP\", {time}}}\r\n",
                1 => $"{{\"event\": \"RESUME\", {time}}}\r\n",
                _ => $"{{\"event\": \"DEVICE_DELETED\", \"data\": {{\"device\": \"nic1\", \"path\": \"/machine/peripheral/nic1\"}}, {time}}}\r\n",
            });
        }

        _batch = Encoding.UTF8.GetBytes(text.ToString());
        var path = Servers.SocketPath("typed-events");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var connecting = QmpClient.ConnectAsync($"unix:{path}", new QmpClientOptions { Negotiate = false });
        _server = await listener.AcceptAsync();
        File.Delete(path);
        await _server.SendAsync(s_greeting);
        _client = new QemuClient(await connecting);
        if (Subscribers == "same")
        {
            for (var i = 0; i < 3; i++)
            {
                _consumers.Add(ConsumeAsync(_client.ReadEventsAsync<DeviceDeletedEvent>(_stop.Token)));
            }
        }
        else
        {
            _consumers.Add(ConsumeAsync(_client.ReadEventsAsync<StopEvent>(_stop.Token)));
            _consumers.Add(ConsumeAsync(_client.ReadEventsAsync<ResumeEvent>(_stop.Token)));
            _consumers.Add(ConsumeAsync(_client.ReadEventsAsync<DeviceDeletedEvent>(_stop.Token)));
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _stop.CancelAsync();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        _server?.Dispose();
        await Task.WhenAll(_consumers).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "three typed subscribers, per event")]
    public async Task ThreeTypedSubscribers()
    {
        // Each subscriber has a third of the events ("kinds") or each has all the DEVICE_DELETED ("same").
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _remaining, Events);
        await _server!.SendAsync(_batch);
        await _done.Task;
    }

    private async Task ConsumeAsync<TEvent>(IAsyncEnumerable<TEvent> events)
    {
        await Task.Yield();
        await foreach (var _ in events.WithCancellation(_stop.Token))
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
