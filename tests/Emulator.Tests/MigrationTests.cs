namespace Qmp.Emulator.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migration_goes_setup_active_completed_and_leaves_the_vm_postmigrate()
    {
        await using var vm = await TestVm.StartAsync();
        Assert.Empty((await vm.Run("query-migrate")).EnumerateObject());
        await vm.FailsWith("migrate", """{"uri": "carrier-pigeon:home"}""", "Parameter 'uri' expects a valid migration protocol");
        await vm.FailsWith("migrate", """{"uri": "tcp:localhost"}""", "error parsing address 'localhost'");
        await vm.Run("migrate_set_speed", """{"value": 67108864}""");
        await vm.Run("migrate_set_downtime", """{"value": 0.1}""");
        await vm.Run("migrate", """{"uri": "tcp:0:4446"}""");
        Assert.Equal("setup", (await vm.Run("query-migrate")).GetProperty("status").GetString());
        await vm.FailsWith("migrate", """{"uri": "tcp:0:4446"}""", "There's a migration process in progress");
        vm.Advance(TimeSpan.FromSeconds(1));
        var active = await vm.Run("query-migrate");
        Assert.Equal("active", active.GetProperty("status").GetString());
        var transferred = active.GetProperty("ram").GetProperty("transferred").GetInt64();
        Assert.InRange(transferred, 32L << 20, 64L << 20);
        Assert.Equal(128L << 20, active.GetProperty("ram").GetProperty("total").GetInt64());
        Assert.True(active.TryGetProperty("expected-downtime", out _));
        vm.Advance(TimeSpan.FromSeconds(2));
        var done = await vm.Run("query-migrate");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(0, done.GetProperty("ram").GetProperty("remaining").GetInt64());
        Assert.True(done.TryGetProperty("downtime", out _));
        Assert.Equal("postmigrate", await vm.Status());
        await vm.Next("STOP");
    }

    [Fact]
    public async Task Cancel_capabilities_and_cache_size()
    {
        await using var vm = await TestVm.StartAsync();
        Assert.Equal(64L << 20, (await vm.Run("query-migrate-cache-size")).GetInt64());
        await vm.Run("migrate-set-cache-size", """{"value": 100000000}""");
        Assert.Equal(64L << 20, (await vm.Run("query-migrate-cache-size")).GetInt64());
        await vm.Run("migrate-set-cache-size", """{"value": 50000}""");
        Assert.Equal(32768, (await vm.Run("query-migrate-cache-size")).GetInt64());
        await vm.FailsWith("migrate-set-cache-size", """{"value": 1073741824}""", "Parameter 'cache size' expects exceeding address space");
        await vm.FailsWith("migrate-set-cache-size", """{"value": 100}""", "Parameter 'cache size' expects is smaller than page size");
        var reply = await vm.Run("migrate-set-capabilities", """{"capabilities": [{"capability": "xbzrle", "state": true}]}""");
        Assert.Empty(reply.EnumerateObject());
        await vm.FailsWith("migrate-set-capabilities", """{"capabilities": [{"capability": "teleport", "state": true}]}""", "Invalid parameter 'teleport'");
        Assert.Contains((await vm.Run("query-migrate-capabilities")).EnumerateArray(), c => c.GetProperty("capability").GetString() == "xbzrle" && c.GetProperty("state").GetBoolean());
        await vm.Run("migrate", """{"uri": "exec:cat > /dev/null", "blk": true}""");
        vm.Advance(TimeSpan.FromMilliseconds(500));
        var active = await vm.Run("query-migrate");
        Assert.True(active.TryGetProperty("disk", out _));
        Assert.True(active.TryGetProperty("xbzrle-cache", out _));
        await vm.FailsWith("migrate-set-capabilities", """{"capabilities": [{"capability": "xbzrle", "state": false}]}""", "There's a migration process in progress");
        await vm.Run("migrate_cancel");
        Assert.Equal("cancelled", (await vm.Run("query-migrate")).GetProperty("status").GetString());
        Assert.Equal("running", await vm.Status());
    }

    [Fact]
    public async Task Query_migrate_reports_times_at_the_top_level()
    {
        // QEMU 2.1 (and the docs' member list) put total-time, setup-time and (expected-)downtime beside "ram", not in it.
        await using var vm = await TestVm.StartAsync();
        await vm.Run("migrate", """{"uri": "tcp:0:4446"}""");
        vm.Advance(TimeSpan.FromSeconds(1));
        var active = await vm.Run("query-migrate");
        foreach (var name in new[] { "total-time", "setup-time", "expected-downtime" })
        {
            Assert.True(active.TryGetProperty(name, out _), name);
            Assert.False(active.GetProperty("ram").TryGetProperty(name, out _), name);
        }

        vm.Advance(TimeSpan.FromSeconds(10));
        var done = await vm.Run("query-migrate");
        Assert.True(done.TryGetProperty("downtime", out _));
        Assert.False(done.GetProperty("ram").TryGetProperty("downtime", out _));
    }

    [Fact]
    public async Task Qom_get_returns_the_value_itself()
    {
        await using var vm = await TestVm.StartAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.String, (await vm.Run("qom-get", """{"path": "/machine", "property": "type"}""")).ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, (await vm.Run("qom-get", """{"path": "/machine/i440fx", "property": "pci-hole64-size"}""")).ValueKind);
    }
}
