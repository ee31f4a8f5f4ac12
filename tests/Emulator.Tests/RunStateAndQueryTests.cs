using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

public sealed class RunStateAndQueryTests
{
    [Fact]
    public async Task Stop_cont_reset_powerdown_walk_the_run_states_with_their_events()
    {
        await using var vm = await TestVm.StartAsync();
        Assert.Equal("running", await vm.Status());
        await vm.Run("stop");
        Assert.Equal("paused", await vm.Status());
        await vm.Run("stop"); // already stopped: no second STOP
        await vm.Run("cont");
        await vm.Run("system_reset");
        await vm.Run("inject-nmi");
        await vm.Run("system_powerdown");
        Assert.Equal("shutdown", await vm.Status());
        await vm.FailsWith("cont", null, "Resetting the Virtual Machine is required");
        await vm.Run("system_reset");
        Assert.Equal("paused", await vm.Status());
        // As QEMU with -no-shutdown: SHUTDOWN, then the VM stops (STOP).
        Assert.Equal(["STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN", "STOP", "RESET"], await vm.Drain());
        var status = await vm.Run("query-status");
        Assert.False(status.GetProperty("running").GetBoolean());
        Assert.False(status.GetProperty("singlestep").GetBoolean());
    }

    [Fact]
    public async Task Prelaunch_with_S_and_wakeup_from_suspend()
    {
        await using var vm = await TestVm.StartAsync(paused: true);
        Assert.Equal("prelaunch", await vm.Status());
        await vm.Run("system_wakeup"); // not suspended: nothing happens
        await vm.Run("cont");
        Assert.Equal("running", await vm.Status());
        vm.Emulator.Vm.GuestSuspend();
        Assert.Equal("suspended", await vm.Status());
        await vm.Run("system_wakeup");
        Assert.Equal("running", await vm.Status());
        Assert.Equal(["RESUME", "SUSPEND", "WAKEUP"], await vm.Drain());
    }

    [Fact]
    public async Task Quit_says_SHUTDOWN_and_ends_the_emulator()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("quit");
        await vm.Next("SHUTDOWN");
        await vm.Emulator.Exited.WaitAsync(TimeSpan.FromSeconds(Target.Patience));
    }

    [Fact]
    public async Task Events_a_command_raises_come_before_its_reply_those_of_the_guest_after()
    {
        // As QEMU 7.2 (QemuParityTests runs the same against it): STOP, RESUME, RESET, POWERDOWN and quit's
        // SHUTDOWN reach the client before the command's reply; the guest's reaction to the power button
        // (SHUTDOWN, then STOP) comes later.
        await using var vm = await TestVm.StartAsync();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await vm.Client.DisposeAsync(); // one client per monitor: make room
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(vm.Socket));
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\r\n" };
        async Task<string> Line() => (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(Target.Patience)))!;
        Assert.Contains("\"QMP\"", await Line());
        await writer.WriteLineAsync("""{"execute": "qmp_capabilities"}""");
        Assert.Equal("""{"return": {}}""", await Line());

        foreach (var (command, sequence) in new[]
        {
            ("stop", new[] { "STOP", "reply" }),
            ("cont", ["RESUME", "reply"]),
            ("system_powerdown", ["POWERDOWN", "reply", "SHUTDOWN", "STOP"]),
            ("system_reset", ["RESET", "reply"]),
            ("quit", ["SHUTDOWN", "reply"]),
        })
        {
            await writer.WriteLineAsync($$"""{"execute": "{{command}}", "id": "{{command}}"}""");
            foreach (var expected in sequence)
            {
                var line = await Line();
                if (expected == "reply")
                {
                    Assert.Equal($$"""{"return": {}, "id": "{{command}}"}""", line);
                }
                else
                {
                    Assert.Equal(expected, JsonDocument.Parse(line).RootElement.GetProperty("event").GetString());
                }
            }
        }

        await vm.Emulator.Exited.WaitAsync(TimeSpan.FromSeconds(Target.Patience));
    }

    [Fact]
    public async Task Queries_describe_a_QEMU_21_x86_64_machine()
    {
        await using var vm = await TestVm.StartAsync(name: "test-vm");
        var version = await vm.Run("query-version");
        Assert.Equal(2, version.GetProperty("qemu").GetProperty("major").GetInt32());
        Assert.Equal(1, version.GetProperty("qemu").GetProperty("minor").GetInt32());
        Assert.Equal(0, version.GetProperty("qemu").GetProperty("micro").GetInt32());
        var commands = (await vm.Run("query-commands")).EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("query-status", commands);
        Assert.Contains("qmp_capabilities", commands);
        Assert.Equal(108, commands.Count); // 107 in the table besides qmp_capabilities
        Assert.Contains("BLOCK_JOB_READY", (await vm.Run("query-events")).EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("test-vm", (await vm.Run("query-name")).GetProperty("name").GetString());
        Assert.Equal("550e8400-e29b-41d4-a716-446655440000", (await vm.Run("query-uuid")).GetProperty("UUID").GetString());
        Assert.Equal("x86_64", (await vm.Run("query-target")).GetProperty("arch").GetString());
        Assert.True((await vm.Run("query-kvm")).GetProperty("enabled").GetBoolean());
        Assert.Contains((await vm.Run("query-machines")).EnumerateArray(), m => m.GetProperty("name").GetString() == "pc-i440fx-2.1" && m.GetProperty("is-default").GetBoolean());
        Assert.Contains((await vm.Run("query-cpu-definitions")).EnumerateArray(), c => c.GetProperty("name").GetString() == "qemu64");
        Assert.Equal("option-rom", (await vm.Run("query-command-line-options", """{"option": "option-rom"}""")).EnumerateArray().Single().GetProperty("option").GetString());
        await vm.FailsWith("query-command-line-options", """{"option": "bogus"}""", "Parameter 'option' expects an option name");
        Assert.Empty((await vm.Run("query-tpm")).EnumerateArray());
        Assert.Equal("tpm-tis", (await vm.Run("query-tpm-models"))[0].GetString());
        Assert.Equal("QEMU PS/2 Mouse", (await vm.Run("query-mice"))[0].GetProperty("name").GetString());
        Assert.Single((await vm.Run("query-cpus")).EnumerateArray());
        Assert.Equal(4, (await vm.Run("query-dump-guest-memory-capability")).GetProperty("formats").GetArrayLength());
    }

    [Fact]
    public async Task Human_monitor_subset()
    {
        await using var vm = await TestVm.StartAsync(name: "hmp");
        async Task<string> Hmp(string line) => (await vm.Run("human-monitor-command", JsonSerializer.Serialize(new Dictionary<string, string> { ["command-line"] = line }))).GetString()!;
        Assert.Equal("kvm support: enabled\r\n", await Hmp("info kvm"));
        Assert.Equal("2.1.0\r\n", await Hmp("info version"));
        Assert.Equal("hmp\r\n", await Hmp("info name"));
        Assert.Equal("VM status: running\r\n", await Hmp("info status"));
        Assert.Equal("", await Hmp("stop"));
        Assert.Equal("VM status: paused\r\n", await Hmp("info status"));
        await Hmp("cont");
        Assert.Equal("running", await vm.Status());
        Assert.StartsWith("ide0-hd0: disk.qcow2 (qcow2)", await Hmp("info block"));
        Assert.Equal("unknown command: 'frobnicate'\r\n", await Hmp("frobnicate"));
        Assert.Equal("Device 'ide0-hd0' is not removable\r\n", await Hmp("eject ide0-hd0"));
        var error = await vm.Fails("human-monitor-command", """{"command-line": "info kvm", "cpu-index": 9}""");
        Assert.Equal("Parameter 'cpu-index' expects a CPU number", error.Description);
    }

    [Fact]
    public async Task Arguments_are_checked_before_the_machine_sees_them()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("eject", "{}", "Parameter 'device' is missing");
        await vm.FailsWith("eject", """{"device": 1}""", "Invalid parameter type for 'device', expected: string");
        var error = await vm.Fails("no-such-command");
        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
    }

    [Fact]
    public async Task Every_monitor_is_a_separate_connection_and_all_get_events()
    {
        var second = Path.Combine(Path.GetTempPath(), $"qmpemu-{Guid.NewGuid():N}.sock");
        await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{second},server,nowait", "tcp:127.0.0.1:0,server,nowait"] });
        var tcp = (System.Net.IPEndPoint)emulator.EndPoints.OfType<System.Net.IPEndPoint>().Single();
        await using var a = await QmpClient.ConnectAsync($"unix:{second}");
        await using var b = await QmpClient.ConnectAsync($"tcp:127.0.0.1:{tcp.Port}");
        using var events = b.SubscribeEvents(["STOP"]);
        await a.ExecuteAsync("stop");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Target.Patience));
        Assert.Equal("STOP", (await events.Reader.ReadAsync(cts.Token)).Name);
        Assert.Equal("paused", (await b.ExecuteAsync("query-status")).GetProperty("status").GetString());
    }
}
