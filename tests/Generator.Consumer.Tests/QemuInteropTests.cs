using Consumer.Qemu;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The client generated from QEMU 2.1's schema drives the QEMU people run today (7.2 on Debian):
/// typed calls, typed events, errors. Newer QEMU adds members to replies; the generated readers skip them.
/// </summary>
public sealed class QemuInteropTests
{
    [QemuFact]
    public async Task The_generated_client_drives_real_qemu()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-qemu-");
        var socket = Path.Combine(dir.FullName, "qmp.sock");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        try
        {
            await using var qemu = await QemuProcess.StartAsync(socket, ["-machine", "none", "-nodefaults"], ct);
            await using var client = await QemuClient.ConnectAsync($"unix:{socket}", cancellationToken: ct);
            Assert.True(client.Greeting.Version.Major >= 2);

            var version = await client.QueryVersionAsync(ct);
            Assert.Equal(client.Greeting.Version.Major, version.Qemu.Major);

            var status = await client.QueryStatusAsync(ct);
            Assert.True(status.Running);
            Assert.Equal("running", status.Status);

            var stops = client.ReadEventsAsync<StopEvent>(ct).GetAsyncEnumerator(ct);
            var resumes = client.ReadEventsAsync<ResumeEvent>(ct).GetAsyncEnumerator(ct);
            var stopped = stops.MoveNextAsync();
            var resumed = resumes.MoveNextAsync();
            await client.StopAsync(ct);
            Assert.True(await stopped);
            Assert.Equal("STOP", StopEvent.WireName);
            Assert.False((await client.QueryStatusAsync(ct)).Running);
            await client.ContAsync(ct);
            Assert.True(await resumed);
            Assert.True((await client.QueryStatusAsync(ct)).Running);
            await stops.DisposeAsync();
            await resumes.DisposeAsync();

            var error = await Assert.ThrowsAsync<QmpException>(() => client.Client.ExecuteAsync("no-such-command", cancellationToken: ct));
            Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);

            var hmp = await client.HumanMonitorCommandAsync("info status", cancellationToken: ct);
            Assert.Contains("VM status: running", hmp, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
