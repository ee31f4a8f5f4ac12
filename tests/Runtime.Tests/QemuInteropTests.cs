using System.Text.Json;

namespace Qmp.Runtime.Tests;

public class QemuInteropTests
{
    [QemuFact]
    public async Task Talks_to_real_qemu()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qmp-qemu-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var socketPath = Path.Combine(dir, "qmp.sock");
        try
        {
            await using var qemu = await QemuProcess.StartAsync(socketPath, ["-machine", "none", "-nodefaults", "-S"]);
            await using var client = await QmpClient.ConnectAsync($"unix:{socketPath}", new QmpClientOptions { EnableOob = true, CommandTimeout = TimeSpan.FromSeconds(TestExtensions.Patience) }).Within();
            Assert.True(client.Greeting.Version.Major >= 2);
            Assert.Contains("oob", client.Greeting.Capabilities);
            Assert.Equal(["oob"], client.EnabledCapabilities);

            var version = await client.ExecuteAsync("query-version").Within();
            Assert.Equal(client.Greeting.Version.Major, version.GetProperty("qemu").GetProperty("major").GetInt32());

            using var events = client.SubscribeEvents(["STOP", "RESUME"]);
            await client.ExecuteAsync("cont").Within();
            Assert.True((await client.ExecuteAsync("query-status").Within()).GetProperty("running").GetBoolean());
            await client.ExecuteAsync("stop").Within();
            Assert.Equal("paused", (await client.ExecuteAsync("query-status").Within()).GetProperty("status").GetString());
            await client.ExecuteAsync("cont").Within();
            var names = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                names.Add((await events.Reader.ReadAsync().AsTask().Within()).Name);
            }

            Assert.Equal(["RESUME", "STOP", "RESUME"], names);

            var ex = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAsync("no-such-command").Within());
            Assert.Equal(QmpErrorClass.CommandNotFound, ex.ErrorClass);
            Assert.Equal("no-such-command", ex.Command);

            using var hmpArgs = JsonDocument.Parse("{\"command-line\":\"info version\"}");
            var hmp = await client.ExecuteAsync("human-monitor-command", hmpArgs.RootElement).Within();
            Assert.StartsWith(client.Greeting.Version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture), hmp.GetString(), StringComparison.Ordinal);

            // Many in flight at once; QEMU answers them in order.
            var all = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.ExecuteAsync("query-status"))).Within();
            Assert.All(all, s => Assert.True(s.GetProperty("running").GetBoolean()));

            // A large reply (query-qmp-schema is well over 100 KB).
            var schema = await client.ExecuteAsync("query-qmp-schema").Within();
            Assert.True(schema.GetArrayLength() > 100);

            await client.ExecuteAsync("quit").Within();
            await qemu.Process.WaitForExitAsync().Within();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
