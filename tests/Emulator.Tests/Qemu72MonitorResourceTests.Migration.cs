using System.Text.Json;

namespace Qmp.Emulator.Tests;

public sealed partial class Qemu72MonitorResourceTests
{
    [Fact]
    public async Task Migrating_to_exec_runs_nothing_and_fails_as_a_spawn_that_is_not_permitted()
    {
        await using var started = await StartAsync(Target.Emulator);
        var marker = Path.Combine(started.Target.Directory, "ran");
        var refusal = "Failed to execute child process \u201c/bin/sh\u201d (Operation not permitted)";
        Assert.Equal("GenericError: " + refusal, await RunAsync(started.Client, new Step("migrate", JsonSerializer.Serialize(new { uri = "exec:touch " + marker }))));
        var status = await started.Client.ExecuteAsync("query-migrate");
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal(refusal, status.GetProperty("error-desc").GetString());
        Assert.False(File.Exists(marker));

        // A failed migration is over: the next one starts.
        Assert.Equal("return", await RunAsync(started.Client, new Step("migrate", """{"uri":"tcp:127.0.0.1:4446"}""")));
    }

    [Fact]
    public async Task Migration_parameters_a_client_sets_count_against_the_client_state_budget()
    {
        await using var started = await StartAsync(Target.Emulator);
        var client = started.Client;

        // tls-* strings are kept: the whole set counts against the client-state budget (64 MiB), and a refusal keeps the old values.
        var huge = new string('h', 40 << 20);
        Assert.Equal("return", await RunAsync(client, new Step("migrate-set-parameters", JsonSerializer.Serialize(new Dictionary<string, string> { ["tls-hostname"] = huge }))));
        Assert.Contains("more would pass the most it may hold, 67108864", await RunAsync(client, new Step("migrate-set-parameters", JsonSerializer.Serialize(new Dictionary<string, string> { ["tls-authz"] = huge }))));
        Assert.Equal("", (await client.ExecuteAsync("query-migrate-parameters")).GetProperty("tls-authz").GetString());
        Assert.Equal("return", await RunAsync(client, new Step("migrate-set-parameters", """{"tls-hostname":""}""")));
        Assert.Equal("return", await RunAsync(client, new Step("migrate-set-parameters", JsonSerializer.Serialize(new Dictionary<string, string> { ["tls-authz"] = huge }))));
    }
}
