using Consumer.Small;
using Qmp.Runtime;
using Qemu = Consumer.Qemu;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// Typed subscribers share one read of each event (issue 25): the generated <c>Parse</c> reads an
/// event's data once however many subscribers receive it, and a typed subscriber is given only the
/// events of its kind. Each read makes a new record, so one record seen by every subscriber is one read.
/// </summary>
public sealed class TypedEventSharingTests
{
    // A bound on waits for events that will come, generous so a loaded machine does not fail them.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private const int Count = 200;

    private sealed class Status : SmallCommandsBase
    {
        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = true, Status = "running" });
    }

    private static async Task<(QmpClient Client, QmpServer Server)> ConnectAsync(QmpClientOptions? options = null)
    {
        var server = QmpServer.Create(new Status());
        var (a, b) = EndToEndTests.DuplexPair();
        _ = server.RunSessionAsync(a);
        return (await QmpClient.ConnectAsync(b, options), server);
    }

    private static async Task<List<T>> TakeAsync<T>(IAsyncEnumerable<T> events, int count, CancellationToken cancellationToken)
    {
        var taken = new List<T>(count);
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            taken.Add(e);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }

    [Fact]
    public async Task Three_typed_subscribers_of_one_event_get_one_record_read_once()
    {
        var (raw, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using var client = new SmallClient(raw);
        using var timeout = new CancellationTokenSource(s_timeout);

        // Subscribed at the call; read on the thread pool, each at its own pace.
        var typed = Enumerable.Range(0, 3).Select(_ => client.ReadEventsAsync<BlockJobCompletedEvent>(timeout.Token)).ToArray();
        var all = client.ReadEventsAsync(cancellationToken: timeout.Token);
        var readers = typed.Select(s => Task.Run(() => TakeAsync(s, Count, timeout.Token))).ToArray();
        var reader = Task.Run(() => TakeAsync(all, Count, timeout.Token));
        for (var i = 0; i < Count; i++)
        {
            server.EmitBlockJobCompleted(type: "stream", device: "disk" + i, len: i, offset: i, speed: 0);
        }

        var seen = await Task.WhenAll(readers);
        var untyped = await reader;
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal("disk" + i, seen[0][i].Device);
            Assert.Same(seen[0][i], seen[1][i]);
            Assert.Same(seen[0][i], seen[2][i]);
            Assert.Same(seen[0][i], untyped[i]);
        }
    }

    [Fact]
    public async Task Subscribers_of_different_events_each_get_their_own_and_share_the_read_with_any_other()
    {
        var (raw, server) = await ConnectAsync();
        await using var ownedServer = server;
        await using var client = new Qemu.QemuClient(raw);
        using var timeout = new CancellationTokenSource(s_timeout);

        var stops = client.ReadEventsAsync<Qemu.StopEvent>(timeout.Token);
        var resumes = client.ReadEventsAsync<Qemu.ResumeEvent>(timeout.Token);
        var deletions = client.ReadEventsAsync<Qemu.DeviceDeletedEvent>(timeout.Token);
        var all = client.ReadEventsAsync(cancellationToken: timeout.Token);
        var stopping = Task.Run(() => TakeAsync(stops, Count, timeout.Token));
        var resuming = Task.Run(() => TakeAsync(resumes, Count, timeout.Token));
        var deleting = Task.Run(() => TakeAsync(deletions, Count, timeout.Token));
        var reading = Task.Run(() => TakeAsync(all, 3 * Count, timeout.Token));
        for (var i = 0; i < Count; i++)
        {
            server.EmitEvent("STOP");
            server.EmitEvent("RESUME");
            var device = "nic" + i;
            server.EmitEvent("DEVICE_DELETED", w =>
            {
                w.WriteStartObject();
                w.WriteString("device", device);
                w.WriteString("path", "/machine/peripheral/" + device);
                w.WriteEndObject();
            });
        }

        var (stopped, resumed, deleted, every) = (await stopping, await resuming, await deleting, await reading);
        for (var i = 0; i < Count; i++)
        {
            Assert.Same(every[3 * i], stopped[i]);
            Assert.Same(every[3 * i + 1], resumed[i]);
            Assert.Same(every[3 * i + 2], deleted[i]);
            Assert.Equal("nic" + i, deleted[i].Device);
        }
    }

    [Fact]
    public async Task A_typed_subscriber_does_not_take_the_events_of_other_kinds_from_the_backlog()
    {
        // With the backlog opted in, an event no subscriber wants is kept for the next one that does.
        // A STOP subscriber does not want DEVICE_DELETED, so that event stays for its own subscriber.
        var (raw, server) = await ConnectAsync(new QmpClientOptions { EventBacklogCapacity = 16 });
        await using var ownedServer = server;
        await using var client = new Qemu.QemuClient(raw);
        using var timeout = new CancellationTokenSource(s_timeout);

        await using var stops = client.ReadEventsAsync<Qemu.StopEvent>(timeout.Token).GetAsyncEnumerator(timeout.Token);
        server.EmitEvent("DEVICE_DELETED", w =>
        {
            w.WriteStartObject();
            w.WriteString("device", "early");
            w.WriteString("path", "/machine/peripheral/early");
            w.WriteEndObject();
        });
        server.EmitEvent("STOP");
        Assert.True(await stops.MoveNextAsync()); // the DEVICE_DELETED before it has arrived too

        await using var deletions = client.ReadEventsAsync<Qemu.DeviceDeletedEvent>(timeout.Token).GetAsyncEnumerator(timeout.Token);
        server.EmitEvent("DEVICE_DELETED", w =>
        {
            w.WriteStartObject();
            w.WriteString("device", "late");
            w.WriteString("path", "/machine/peripheral/late");
            w.WriteEndObject();
        });
        Assert.True(await deletions.MoveNextAsync());
        Assert.Equal("early", deletions.Current.Device);
    }
}
