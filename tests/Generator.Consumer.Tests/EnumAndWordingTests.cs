using System.Text;
using System.Text.Json;
using Consumer.Qemu;
using Qmp.Emulator;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// Enums are string-backed record structs: a constant per value the 2.1 docs list, and any other
/// value kept (a newer QEMU's run state round-trips). Argument errors say QEMU's words, never a C# name.
/// </summary>
public sealed class EnumAndWordingTests
{
    private static T Read<T>(string json, Qmp.Runtime.QmpJsonReader<T> read)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return read(ref reader);
    }

    private static string Write<T>(T value, Qmp.Runtime.QmpJsonWriter<T> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Known_values_are_constants_and_unknown_values_round_trip()
    {
        Assert.Equal("running", RunState.Running.Value);
        Assert.True(RunState.Running.IsKnown);
        Assert.Contains(RunState.Paused, RunState.Values);

        var status = Read("""{"running": false, "singlestep": false, "status": "colo"}""", StatusInfo.Read);
        Assert.Equal(new RunState("colo"), status.Status);
        Assert.False(status.Status.IsKnown);
        Assert.Equal("colo", status.Status.ToString());
        Assert.Equal("""{"running":false,"singlestep":false,"status":"colo"}""", Write(status, StatusInfo.Write));

        // A string still assigns and compares, so code written against the string member keeps compiling.
        RunState paused = "paused";
        Assert.True(paused == RunState.Paused);
    }

    [Fact]
    public void A_reply_member_of_the_wrong_type_names_the_member_not_a_csharp_type()
    {
        var error = Assert.Throws<JsonException>(() => Read("""{"running": "yes", "singlestep": false, "status": "running"}""", StatusInfo.Read));
        Assert.Equal("Invalid parameter type for 'running', expected: boolean", error.Message);
        var missing = Assert.Throws<JsonException>(() => Read("""{"running": true, "status": "running"}""", StatusInfo.Read));
        Assert.Equal("Parameter 'singlestep' is missing", missing.Message);
    }

    [Fact]
    public async Task Argument_errors_from_the_emulator_say_qemus_words()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-wording-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], DataDir = dir.FullName });
            await using var client = await QemuClient.ConnectAsync($"unix:{socket}");
            var missing = await Assert.ThrowsAsync<QmpException>(() => client.Client.ExecuteAsync("netdev_add", JsonDocument.Parse("""{"id": "n0"}""").RootElement));
            Assert.Equal("Parameter 'type' is missing", missing.Description);
            var wrongType = await Assert.ThrowsAsync<QmpException>(() => client.Client.ExecuteAsync("block-job-set-speed", JsonDocument.Parse("""{"device": "ide0-hd0", "speed": "fast"}""").RootElement));
            Assert.Equal("Invalid parameter type for 'speed', expected: int", wrongType.Description);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
