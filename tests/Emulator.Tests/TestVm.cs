using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

/// <summary>A fresh emulator on a unix socket with a fake clock, a connected client and an event subscription.</summary>
internal sealed class TestVm : IAsyncDisposable
{
    private TestVm(QemuEmulator emulator, QmpClient client, FakeTimeProvider time, string socket, string dataDir)
    {
        Emulator = emulator;
        Client = client;
        Time = time;
        Socket = socket;
        DataDir = dataDir;
        Events = client.SubscribeEvents();
    }

    public QemuEmulator Emulator { get; }
    public QmpClient Client { get; }
    public FakeTimeProvider Time { get; }
    public string Socket { get; }
    public string DataDir { get; }
    public QmpEventSubscription Events { get; }

    public static async Task<TestVm> StartAsync(MachineDescription? machine = null, bool paused = false, bool dataDir = true, string? name = null, long? memory = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var socket = Path.Combine(Path.GetTempPath(), $"qmpemu-{Guid.NewGuid():N}.sock");
        var dir = Directory.CreateTempSubdirectory("qmpemu-data-").FullName;
        var emulator = await QemuEmulator.StartAsync(new EmulatorOptions
        {
            Qmp = [$"unix:{socket},server,nowait"],
            Machine = machine,
            StartPaused = paused,
            DataDir = dataDir ? dir : null,
            TimeProvider = time,
            Name = name,
            Uuid = "550e8400-e29b-41d4-a716-446655440000",
            MemoryBytes = memory,
        });
        var client = await QmpClient.ConnectAsync($"unix:{socket}");
        return new TestVm(emulator, client, time, socket, dir);
    }

    public static JsonElement? Json(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    public Task<JsonElement> Run(string command, string? arguments = null) => Client.ExecuteAsync(command, Json(arguments));

    public async Task<QmpException> Fails(string command, string? arguments = null) =>
        await Assert.ThrowsAsync<QmpException>(() => Client.ExecuteAsync(command, Json(arguments)));

    public async Task FailsWith(string command, string? arguments, string description, QmpErrorClass errorClass = QmpErrorClass.GenericError)
    {
        var error = await Fails(command, arguments);
        Assert.Equal(description, error.Description);
        Assert.Equal(errorClass, error.ErrorClass);
    }

    public Task<JsonElement> RunWithFd(string command, string arguments)
    {
        var file = Path.Combine(DataDir, $"fd-{Guid.NewGuid():N}");
        var handle = File.OpenHandle(file, FileMode.Create, FileAccess.ReadWrite);
        return RunWithHandle(command, arguments, handle);
    }

    private async Task<JsonElement> RunWithHandle(string command, string arguments, SafeHandle handle)
    {
        using (handle)
        {
            return await Client.ExecuteWithFileDescriptorsAsync(command, Json(arguments), [handle]);
        }
    }

    public async Task<string> Status() => (await Run("query-status")).GetProperty("status").GetString()!;

    /// <summary>Advances the fake clock in tick-sized steps.</summary>
    public void Advance(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < span; done += step)
        {
            Time.Advance(step);
        }
    }

    /// <summary>The next event with this name (others are skipped), or a timeout failure.</summary>
    public async Task<QmpEvent> Next(string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Target.Patience));
        while (true)
        {
            var e = await Events.Reader.ReadAsync(cts.Token);
            if (e.Name == name)
            {
                return e;
            }
        }
    }

    /// <summary>Names of the events received so far (after a round trip, so they have arrived).</summary>
    public async Task<List<string>> Drain()
    {
        await Run("query-status");
        var names = new List<string>();
        while (Events.Reader.TryRead(out var e))
        {
            names.Add(e.Name);
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        Events.Dispose();
        await Client.DisposeAsync();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
