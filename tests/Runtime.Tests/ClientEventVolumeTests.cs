using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>Events at volume, and the received event's data kept as text until asked for.</summary>
public class ClientEventVolumeTests
{
    private sealed record Numbered(string Name, int Seq, string? Device, DateTimeOffset Timestamp);

    private static readonly string[] s_names = ["STOP", "RESUME", "DEVICE_DELETED"];

    [Fact]
    public async Task A_burst_of_100000_events_reaches_three_typed_subscribers_with_none_lost()
    {
        const int Total = 100_000;
        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();

        // Each buffer holds its subscriber's whole share, so none may be dropped by design: an event
        // missing is one the client lost. How fast anything goes is not asserted (tests/Benchmarks).
        var subscriptions = s_names.Select(n => client.SubscribeEvents([n], capacity: Total / 3 + 1)).ToArray();
        var consumers = subscriptions.Select((s, i) => Task.Run(() => ConsumeAsync(s, s_names[i], Total / 3 + (i < Total % 3 ? 1 : 0)))).ToArray();
        var emit = Task.Run(() =>
        {
            for (var i = 0; i < Total; i++)
            {
                var seq = i;
                fx.Server.EmitEvent(s_names[i % 3], w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("seq", seq);
                    if (seq % 3 == 2)
                    {
                        w.WriteString("device", "nic" + seq);
                    }

                    w.WriteEndObject();
                });
            }
        });

        await emit.Within();
        var counts = await Task.WhenAll(consumers).Within();
        Assert.Equal([33_334, 33_333, 33_333], counts);
        Assert.All(subscriptions, s => Assert.Equal(0, s.DroppedCount));
        Assert.True(client.IsConnected);
    }

    /// <summary>Reads every event typed, checks it is the next of its kind, and counts.</summary>
    private static async Task<int> ConsumeAsync(QmpEventSubscription subscription, string name, int expected)
    {
        var index = Array.IndexOf(s_names, name);
        var count = 0;
        while (count < expected)
        {
            var e = await subscription.Reader.ReadAsync().AsTask().Within();
            var typed = QmpJson.ReadEvent(e, static (ref Utf8JsonReader r, DateTimeOffset timestamp) => ReadNumbered(ref r, timestamp));
            Assert.Equal(name, e.Name);
            Assert.Equal(index + 3 * count, typed.Seq);
            Assert.Equal(index == 2 ? "nic" + typed.Seq : null, typed.Device);
            Assert.True(typed.Timestamp > DateTimeOffset.UnixEpoch);
            count++;
        }

        return count;
    }

    private static Numbered ReadNumbered(ref Utf8JsonReader reader, DateTimeOffset timestamp)
    {
        var seq = -1;
        string? device = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = reader.GetString();
            reader.Read();
            switch (member)
            {
                case "seq": seq = reader.GetInt32(); break;
                case "device": device = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }

        return new Numbered("", seq, device, timestamp);
    }

    [Fact]
    public async Task A_received_event_has_its_data_and_timestamp_as_sent()
    {
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        using var _ = serverEnd;
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false });
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        using var events = client.SubscribeEvents();

        // As QEMU writes them (timestamp first), a member given twice (the last counts, as a document's
        // lookup has it), no timestamp, seconds too large or not a number, and data that is not an object.
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes(
            "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250}, \"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"nic1\", \"path\": \"/machine/peripheral/nic1\"}}\r\n" +
            "{\"event\":\"STOP\",\"timestamp\":{\"seconds\":1,\"microseconds\":0,\"seconds\":2}}\r\n" +
            "{\"event\":\"RESUME\",\"data\":[1,{\"a\":\"\\u00e9\"}]}\r\n" +
            "{\"event\":\"X\",\"timestamp\":{\"seconds\":9223372036854775807,\"microseconds\":0},\"data\":null}\r\n" +
            "{\"event\":\"Y\",\"timestamp\":{\"seconds\":\"soon\",\"microseconds\":0}}\r\n"));

        var deleted = await events.Reader.ReadAsync().AsTask().Within();
        Assert.Equal("DEVICE_DELETED", deleted.Name);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(250 * TimeSpan.TicksPerMicrosecond), deleted.Timestamp);
        Assert.Equal("nic1", deleted.Data!.Value.GetProperty("device").GetString());
        Assert.Equal("/machine/peripheral/nic1", deleted.Data!.Value.GetProperty("path").GetString());

        // Equal to the same event made from an element, whose data's text is the same.
        var same = new QmpEvent("DEVICE_DELETED", TestExtensions.Json("{\"device\": \"nic1\", \"path\": \"/machine/peripheral/nic1\"}"), deleted.Timestamp);
        Assert.Equal(same, deleted);
        Assert.NotEqual(same with { Data = null }, deleted);
        var (name, data, timestamp) = deleted with { Name = "GONE" };
        Assert.Equal(("GONE", "nic1", deleted.Timestamp), (name, data!.Value.GetProperty("device").GetString(), timestamp));

        var stop = await events.Reader.ReadAsync().AsTask().Within();
        Assert.Equal(("STOP", (JsonElement?)null, DateTimeOffset.FromUnixTimeSeconds(2)), (stop.Name, stop.Data, stop.Timestamp));
        Assert.Equal(new QmpEvent("STOP", null, DateTimeOffset.FromUnixTimeSeconds(2)), stop);

        var resume = await events.Reader.ReadAsync().AsTask().Within();
        Assert.True(resume.Timestamp > DateTimeOffset.UnixEpoch, "no timestamp: the client's clock");
        Assert.Equal(JsonValueKind.Array, resume.Data!.Value.ValueKind);
        Assert.Equal("é", resume.Data!.Value[1].GetProperty("a").GetString());

        var overflow = await events.Reader.ReadAsync().AsTask().Within();
        Assert.Equal(DateTimeOffset.UnixEpoch, overflow.Timestamp);
        Assert.Equal(JsonValueKind.Null, overflow.Data!.Value.ValueKind);

        var notNumber = await events.Reader.ReadAsync().AsTask().Within();
        Assert.Equal(("Y", DateTimeOffset.UnixEpoch), (notNumber.Name, notNumber.Timestamp));
        Assert.True(client.IsConnected);
    }
}
