using Consumer.Qemu;
using Qmp.Emulator;
using Qmp.Runtime;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>The generated client's own schema and the check at connect (issue 14), for QEMU 2.1's schema.</summary>
public sealed class SchemaCheckTests
{
    [Fact]
    public void The_client_carries_its_schema_with_real_names()
    {
        var schema = SchemaInfoReader.Read(System.Text.Encoding.UTF8.GetBytes(QemuClient.SchemaDescription));
        Assert.Equal(108, schema.Commands.Count);
        Assert.Equal(32, schema.Events.Count);
        Assert.Equal("[BlockInfo]", schema.FindCommand("query-block")!.RetType);
        Assert.True(schema.Has("query-block/ret-type/inserted/*bps_max"));
        Assert.True(schema.Has("query-status/ret-type/status/^running"));
    }

    [QemuFact]
    public async Task Against_QEMU_7_2_the_report_names_the_commands_it_removed()
    {
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await QemuClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        var report = await client.CheckSchemaAsync(timeout.Token);

        Assert.False(report.IsCompatible);
        Assert.Equal(["block_passwd", "change", "cpu", "cpu-add", "migrate-set-cache-size", "migrate_set_downtime", "migrate_set_speed",
            "query-cpus", "query-events", "query-migrate-cache-size"], report.MissingCommands.Order(StringComparer.Ordinal));
        Assert.Contains("blockdev-open-tray", report.AddedCommands);
        // The live schema answers libvirt-style probes, and the connection goes on after the check.
        var live = await client.GetSchemaAsync(timeout.Token);
        Assert.True(live.Has("query-block/ret-type/inserted/drv"));
        Assert.Same(live, await client.GetSchemaAsync(timeout.Token));
        Assert.NotNull((await client.QueryStatusAsync(timeout.Token)).Status.Value);
    }

    [Fact]
    public async Task Before_QEMU_2_5_there_is_no_live_schema_and_the_check_says_so()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-schema-check-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], DataDir = dir.FullName });
            await using var client = await QemuClient.ConnectAsync($"unix:{socket}");
            var e = await Assert.ThrowsAsync<QmpException>(() => client.CheckSchemaAsync());
            Assert.Equal(QmpErrorClass.CommandNotFound, e.ErrorClass);
            Assert.NotNull(await client.QueryStatusAsync());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
