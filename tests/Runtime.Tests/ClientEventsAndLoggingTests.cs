using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Qmp.Runtime.Tests;

/// <summary>
/// Events "from now on", waiting for one event, a command with the event it causes (subscribed
/// before sending), logging through an ILoggerFactory, and Completion.
/// </summary>
public sealed class ClientEventsAndLoggingTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qmp-events-").FullName;
    private readonly HotplugDispatcher _dispatcher = new();
    private readonly QmpServer _server;

    public ClientEventsAndLoggingTests()
    {
        _server = QmpServer.Listen($"unix:{Socket},server,nowait", _dispatcher);
        _dispatcher.Server = _server;
    }

    private string Socket => Path.Combine(_directory, "qmp.sock");

    /// <summary>Typed events as generated code has them: a base record and one record per event.</summary>
    private abstract record TestEvent(string Name);

    private sealed record DeviceDeletedEvent(string Device) : TestEvent("DEVICE_DELETED");

    private sealed record StopEvent() : TestEvent("STOP");

    private sealed record OtherEvent(string Wire) : TestEvent(Wire);

    private static TestEvent Parse(QmpEvent e) => e.Name switch
    {
        "DEVICE_DELETED" => new DeviceDeletedEvent(e.Data!.Value.GetProperty("device").GetString()!),
        "STOP" => new StopEvent(),
        _ => new OtherEvent(e.Name),
    };

    [Fact]
    public async Task A_new_subscription_gets_only_the_events_that_arrive_after_it()
    {
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket);
        _server.EmitEvent("STOP");
        await client.ExecuteAsync("query-status").Within(); // the reply follows the event: STOP has arrived
        using var events = client.SubscribeEvents();
        _server.EmitEvent("RESUME");
        Assert.Equal("RESUME", (await events.Reader.ReadAsync().AsTask().Within()).Name);
        Assert.False(events.Reader.TryRead(out _));
        Assert.Equal(0, client.EventBacklogDropped);
    }

    [Fact]
    public async Task WaitForEventAsync_takes_the_first_matching_event_after_the_call()
    {
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket);
        _server.EmitEvent("DEVICE_DELETED", w => { w.WriteStartObject(); w.WriteString("device", "nic1"); w.WriteEndObject(); });
        await client.ExecuteAsync("query-status").Within();

        var waiting = client.WaitForEventAsync("DEVICE_DELETED", e => e.Data!.Value.GetProperty("device").GetString() == "nic1");
        foreach (var device in new[] { "nic0", "nic1" })
        {
            _server.EmitEvent("DEVICE_DELETED", w => { w.WriteStartObject(); w.WriteString("device", device); w.WriteEndObject(); });
        }

        var deleted = await waiting.Within();
        Assert.Equal("nic1", deleted.Data!.Value.GetProperty("device").GetString());
    }

    [Fact]
    public async Task WaitForEventAsync_of_a_typed_event_uses_the_generated_parser()
    {
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket);
        var waiting = client.WaitForEventAsync<DeviceDeletedEvent>(Parse, e => e.Device == "nic1");
        _server.EmitEvent("STOP");
        _server.EmitEvent("DEVICE_DELETED", w => { w.WriteStartObject(); w.WriteString("device", "nic1"); w.WriteEndObject(); });
        Assert.Equal(new DeviceDeletedEvent("nic1"), await waiting.Within());
    }

    [Fact]
    public async Task WaitForEventAsync_times_out_by_the_clients_clock()
    {
        var time = new FakeTimeProvider();
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket, new QmpClientOptions { TimeProvider = time });
        var waiting = client.WaitForEventAsync("STOP", timeout: TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => waiting.Within());
        Assert.Contains("STOP", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForEventAsync_fails_when_the_connection_ends_first()
    {
        var client = await QmpClient.ConnectAsync("unix:" + Socket);
        var waiting = client.WaitForEventAsync("STOP");
        await _server.DisposeAsync();
        await Assert.ThrowsAsync<QmpDisconnectedException>(() => waiting.Within());
        await client.DisposeAsync();
    }

    [Fact]
    public async Task ExecuteAndWaitForEventAsync_catches_an_event_sent_before_the_reply()
    {
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket);

        // device_del here emits DEVICE_DELETED before its reply, the race that loses the event
        // when a client subscribes after the command returns.
        var (reply, deleted) = await client.ExecuteAndWaitForEventAsync(
            "device_del", TestExtensions.Json("{\"id\":\"nic1\"}"), "DEVICE_DELETED",
            e => e.Data!.Value.GetProperty("device").GetString() == "nic1").Within();
        Assert.Equal(JsonValueKind.Object, reply.ValueKind);
        Assert.Equal("nic1", deleted.Data!.Value.GetProperty("device").GetString());

        var typed = await client.ExecuteAndWaitForEventAsync(
            ct => client.ExecuteAsync("device_del", TestExtensions.Json("{\"id\":\"nic2\"}"), ct),
            Parse, (DeviceDeletedEvent e) => e.Device == "nic2").Within();
        Assert.Equal("nic2", typed.Event.Device);

        Task Stop(CancellationToken ct) => client.ExecuteAsync("stop", cancellationToken: ct);
        Assert.Equal(new StopEvent(), await client.ExecuteAndWaitForEventAsync<StopEvent>(Stop, Parse).Within());
    }

    [Fact]
    public async Task ExecuteAndWaitForEventAsync_throws_the_commands_error_and_stops_waiting()
    {
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket);
        var ex = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAndWaitForEventAsync(
            "device_del", TestExtensions.Json("{\"id\":\"nope\"}"), "DEVICE_DELETED").Within());
        Assert.Equal(QmpErrorClass.DeviceNotFound, ex.ErrorClass);
    }

    [Fact]
    public async Task ExecuteAndWaitForEventAsync_times_out_when_the_event_never_comes()
    {
        var time = new FakeTimeProvider();
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket, new QmpClientOptions { TimeProvider = time });
        var call = client.ExecuteAndWaitForEventAsync("query-status", null, "DEVICE_DELETED", timeout: TimeSpan.FromSeconds(30));
        await client.ExecuteAsync("query-status").Within(); // the first reply is in too
        time.Advance(TimeSpan.FromSeconds(31));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => call.Within());
        Assert.Contains("DEVICE_DELETED", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_message_is_logged_at_trace_and_anomalies_at_warning()
    {
        var logs = new ListLoggerFactory();
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false, LoggerFactory = logs });
        using var reader = new StreamReader(serverEnd);
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":1,\"major\":2},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        var command = client.ExecuteAsync("echo", TestExtensions.Json("{\"text\":\"" + new string('x', 2000) + "\"}"));
        var id = JsonDocument.Parse((await reader.ReadLineAsync().Within())!).RootElement.GetProperty("id").GetInt64();
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes("@@bad@@\r\n{\"return\":{},\"id\":77777}\r\n{\"return\":{},\"id\":" + id + "}\r\n"));
        await command.Within();

        var sent = Assert.Single(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.StartsWith("QMP -> ", StringComparison.Ordinal));
        Assert.Equal("Qmp.Runtime.QmpClient", sent.Category);
        Assert.Contains("\"execute\":\"echo\"", sent.Message, StringComparison.Ordinal);
        Assert.True(sent.Message.Length < 700, "a long message is cut: " + sent.Message.Length);
        Assert.EndsWith(" bytes)", sent.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message == "QMP <- {\"return\":{},\"id\":" + id + "}");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("invalid JSON", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("77777", StringComparison.Ordinal));
        serverEnd.Dispose();
        var end = await client.Completion.Within();
        Assert.Equal(QmpDisconnectReason.ClosedByServer, end.Reason);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("ClosedByServer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_is_logged_at_warning_without_flooding_the_log()
    {
        var logs = new ListLoggerFactory();
        await using var client = await QmpClient.ConnectAsync("unix:" + Socket, new QmpClientOptions { LoggerFactory = logs });
        using var small = client.SubscribeEvents(capacity: 2);
        for (var i = 0; i < 10; i++)
        {
            _server.EmitEvent("E" + i);
        }

        await client.ExecuteAsync("query-status").Within(); // the reply follows the ten events
        Assert.Equal(8, small.DroppedCount);
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(4, warnings.Count); // at the 1st, 2nd, 4th and 8th drop
        Assert.All(warnings, w => Assert.Contains("buffer (2) is full", w, StringComparison.Ordinal));
        Assert.EndsWith("8 event(s) dropped so far, the oldest first", warnings[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_says_who_ended_the_connection_and_when()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var client = await QmpClient.ConnectAsync("unix:" + Socket, new QmpClientOptions { TimeProvider = time });
        Assert.False(client.Completion.IsCompleted);
        await client.DisposeAsync();
        var end = await client.Completion.Within();
        Assert.Equal(QmpDisconnectReason.ClosedByClient, end.Reason);
        Assert.Equal(time.GetUtcNow(), end.Time);


        // A reset (the peer went away without closing): lost, with the socket error inside.
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false });
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":1,\"major\":2},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var other = await connect.Within();
        var pending = other.ExecuteAsync("query-status");
        var socket = ((System.Net.Sockets.NetworkStream)serverEnd).Socket;
        socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        socket.Close();
        var lost = await other.Completion.Within();
        Assert.Equal(QmpDisconnectReason.ConnectionLost, lost.Reason);
        Assert.IsType<IOException>(lost.Exception.InnerException);
        Assert.Same(lost.Exception, await Assert.ThrowsAsync<QmpDisconnectedException>(() => pending.Within()));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>device_del emits DEVICE_DELETED before its reply; stop emits STOP after it; hang never answers.</summary>
    private sealed class HotplugDispatcher : IQmpCommandDispatcher
    {
        public QmpServer? Server { get; set; }

        public bool HasCommand(string name) => name is "device_del" or "stop" or "query-status" or "hang";

        public async ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
        {
            switch (command)
            {
                case "device_del":
                    var id = arguments.GetProperty("id").GetString()!;
                    if (id == "nope")
                    {
                        throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{id}' not found");
                    }

                    Server!.EmitEvent("DEVICE_DELETED", w => { w.WriteStartObject(); w.WriteString("device", id); w.WriteEndObject(); });
                    return QmpReturn.Empty;
                case "stop":
                    session.AfterReply(() => Server!.EmitEvent("STOP"));
                    return QmpReturn.Empty;
                case "hang":
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    return QmpReturn.Empty;
                default:
                    return QmpReturn.Empty;
            }
        }
    }

    private sealed record LogEntry(string Category, LogLevel Level, string Message);

    /// <summary>Collects every log line of every category.</summary>
    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception)));
        }
    }
}
