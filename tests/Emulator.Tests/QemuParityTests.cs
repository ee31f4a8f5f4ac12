using System.Text;
using System.Text.RegularExpressions;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The same bytes against the emulator and, where it is installed, QEMU 7.2, asserting the same outcome
/// (version wording aside): each check is one method run once per target.
/// </summary>
public class QemuParityTests
{
    // --- Event order, reply format, stop in prelaunch (items 1, 7, 10) ---

    [Fact]
    public Task Event_order_and_reply_bytes_emulator() => EventOrderAndReplyBytes(Target.Emulator);

    [QemuFact]
    public Task Event_order_and_reply_bytes_qemu() => EventOrderAndReplyBytes(Target.Qemu);

    private static async Task EventOrderAndReplyBytes(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-S", "-smp", "2", "-qmp", $"unix:{socket},server=on,wait=off"],
            qemuOnly: ["-machine", "pc", "-drive", "if=none,id=ide1-cd0,media=cdrom", "-device", "ide-cd,drive=ide1-cd0"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();

        // stop in prelaunch changes nothing and says nothing.
        await qmp.SendAsync("{\"execute\":\"stop\",\"id\":1}");
        Assert.Equal("{\"return\": {}, \"id\": 1}", await qmp.ReadLineAsync());
        await qmp.SendAsync("{\"execute\":\"query-status\",\"id\":2}");
        Assert.Equal("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": 2}", await qmp.ReadLineAsync());

        // What a command raises comes before its reply.
        foreach (var (request, expected) in new[]
        {
            ("{\"execute\":\"cont\",\"id\":3}", new[] { "RESUME", "return 3" }),
            ("{\"execute\":\"stop\",\"id\":4}", ["STOP", "return 4"]),
            ("{\"execute\":\"eject\",\"arguments\":{\"device\":\"ide1-cd0\"},\"id\":5}", ["DEVICE_TRAY_MOVED", "return 5"]),
            ("{\"execute\":\"system_reset\",\"id\":6}", ["RESET", "return 6"]),
        })
        {
            await qmp.SendAsync(request);
            var lines = new List<string>();
            foreach (var _ in expected)
            {
                lines.Add(await qmp.ReadLineAsync());
            }

            Assert.Equal(expected, lines.Select(Line.Kind));
            Assert.Matches("^\\{\"timestamp\": \\{\"seconds\": \\d+, \"microseconds\": \\d+\\}, \"event\": \"[A-Z_]+\"(, \"data\": \\{.*\\})?\\}$", lines[0]);
        }

        // Nested objects and arrays, non-ASCII text, member order: byte for byte as QEMU writes them.
        await qmp.SendAsync("{\"execute\":\"bogus\",\"id\":[7, {'a': [\"\u00e9\\u00e9\", true, null, {}, []]}]}");
        Assert.Equal(
            "{\"id\": [7, {\"a\": [\"\\u00E9\\u00E9\", true, null, {}, []]}], \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command bogus has not been found\"}}",
            await qmp.ReadLineAsync());

        // quit: SHUTDOWN, the reply, then the connection closes and the process exits 0.
        await qmp.SendAsync("{\"execute\":\"quit\",\"id\":8}");
        Assert.Equal(["SHUTDOWN", "return 8"], [Line.Kind(await qmp.ReadLineAsync()), Line.Kind(await qmp.ReadLineAsync())]);
        Assert.Null(await qmp.ReadAsync());
        Assert.Equal(0, await target.WaitForExitAsync());
    }

    // --- SIGTERM (item 2) ---

    [Fact]
    public Task Sigterm_sends_shutdown_then_closes_emulator() => SigtermSendsShutdownThenCloses(Target.Emulator);

    [QemuFact]
    public Task Sigterm_sends_shutdown_then_closes_qemu() => SigtermSendsShutdownThenCloses(Target.Qemu);

    private static async Task SigtermSendsShutdownThenCloses(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", target.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal("SHUTDOWN", Line.Kind(await qmp.ReadLineAsync()));
        Assert.Null(await qmp.ReadAsync());
        Assert.Equal(0, await target.WaitForExitAsync());
        Assert.Contains(": terminating on signal 15", target.Stderr, StringComparison.Ordinal);
    }

    // --- Client mode, launchers' options (items 3, 4) ---

    [Fact]
    public Task Qmp_without_server_connects_to_the_path_emulator() => QmpWithoutServerConnects(Target.Emulator);

    [QemuFact]
    public Task Qmp_without_server_connects_to_the_path_qemu() => QmpWithoutServerConnects(Target.Qemu);

    private static Task QmpWithoutServerConnects(string kind) =>
        ServedToAHarness(kind, harness => ["-qmp", $"unix:{harness}"]);

    [Fact]
    public Task Launcher_options_and_chardev_monitors_emulator() => LauncherOptions(Target.Emulator);

    [QemuFact]
    public Task Launcher_options_and_chardev_monitors_qemu() => LauncherOptions(Target.Qemu);

    private static async Task LauncherOptions(string kind)
    {
        // What qemu.machine.QEMUMachine passes (7.2: a path; later: an inherited fd=N).
        await ServedToAHarness(kind, harness =>
        [
            "-display", "none", "-vga", "none", "-no-user-config", "-nodefaults", "-machine", "none",
            "-chardev", $"socket,id=mon,path={harness}", "-mon", "chardev=mon,mode=control",
        ]);

        // The server side of -chardev, as libvirt uses it.
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "mon.sock");
        await using (var target = Target.Start(kind, dir, ["-chardev", $"socket,id=m0,path={socket},server=on,wait=off", "-mon", "chardev=m0,mode=control"]))
        {
            await using var qmp = await target.ConnectAsync(socket);
            await qmp.NegotiateAsync();
            await qmp.SendAsync("{\"execute\":\"quit\"}");
            Assert.Equal(["SHUTDOWN", "return"], [Line.Kind(await qmp.ReadLineAsync()), Line.Kind(await qmp.ReadLineAsync())]);
        }

        // An option QEMU does not know, a missing argument: refused in QEMU's words, exit 1.
        foreach (var (args, message) in new[] { (new[] { "-frobnicate" }, "-frobnicate: invalid option"), (["-m"], "-m: requires an argument") })
        {
            var other = Target.NewDirectory();
            await using var target = Target.Start(kind, other, args);
            Assert.Equal(1, await target.WaitForExitAsync());
            Assert.Matches("^(qemu-system-x86_64|qmp-emulator): " + Regex.Escape(message) + "\\r?\\n", target.Stderr);
        }
    }

    /// <summary>A harness listens first; the target started with <paramref name="args"/> connects to it and is served.</summary>
    private static async Task ServedToAHarness(string kind, Func<string, string[]> args)
    {
        var dir = Target.NewDirectory();
        var harness = Path.Combine(dir, "harness.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(harness));
        listener.Listen(1);
        await using var target = Target.Start(kind, dir, args(harness), qemuOnly: []);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Target.Patience));
        var accepted = await listener.AcceptAsync(cts.Token);
        await using var qmp = Line.FromSocket(accepted);
        await qmp.NegotiateAsync();
        await qmp.SendAsync("{\"execute\":\"query-status\",\"id\":1}");
        Assert.Equal("return 1", Line.Kind(await qmp.ReadLineAsync()));
        await qmp.SendAsync("{\"execute\":\"quit\",\"id\":2}");
        Assert.Equal(["SHUTDOWN", "return 2"], [Line.Kind(await qmp.ReadLineAsync()), Line.Kind(await qmp.ReadLineAsync())]);
        Assert.Null(await qmp.ReadAsync());
        Assert.Equal(0, await target.WaitForExitAsync());

        // The harness's socket is the harness's: the target left it alone.
        Assert.True(File.Exists(harness));

        // Nobody listening: the target fails at startup, as QEMU does.
        var absent = Path.Combine(dir, "absent.sock");
        await using var failed = Target.Start(kind, Target.NewDirectory(), ["-qmp", $"unix:{absent}"], qemuOnly: []);
        Assert.Equal(1, await failed.WaitForExitAsync());
        Assert.Contains($"Failed to connect to '{absent}'", failed.Stderr, StringComparison.Ordinal);
    }

    // --- Framing after invalid JSON, limits (items 5, 9) ---

    /// <summary>Input, then what comes back before the reply to a final query-kvm: E an error, R a reply (with its id).</summary>
    private static readonly (string Name, byte[] Input, string Expected)[] s_framing =
    [
        ("an error, then the rest of the line runs", B("{\"execute\" 1}{\"execute\":\"query-kvm\",\"id\":\"x\"}\n"), "E R\"x\""),
        ("single-quoted strings", B("{'execute':'query-kvm','id':'a\"b\\'c'}"), "R\"a\\\"b'c\""),
        ("\\' in a double-quoted string", B("{\"execute\":\"query-kvm\",\"id\":\"a\\'b\"}"), "R\"a'b\""),
        ("a stray character, the rest of the object, 0xFF, then an object", [.. B("{\"execute\":@\"query-kvm\"}"), 0xFF, .. B("{\"execute\":\"query-kvm\"}")], "E E E R"),
        ("a control character resets a cut-off request", [.. B("{\"execute\":\"query-"), 1, .. B("{\"execute\":\"query-kvm\"}")], "E R"),
        ("0xFF 0xFE before an object", [0xFF, 0xFE, .. B("{\"execute\":\"query-kvm\"}")], "E E R"),
        ("NUL inside an object", [.. B("{\"execute\":\"query-kvm\""), 0, .. B("}")], "E E"),
        ("a raw tab inside a string", B("{\"execute\":\"query-\tkvm\"}"), "E E"),
        ("trailing comma", B("{\"execute\":\"query-kvm\",}"), "E"),
        ("stray closing brace and bracket", B("} ]"), "E E"),
        ("colon and comma at top level", B(": , {\"execute\":\"query-kvm\"}"), "E E R"),
        ("a number with a leading zero", B("{\"execute\":\"query-kvm\",\"id\":01}"), "E E"),
        ("an unknown keyword", B("{\"execute\":\"query-kvm\",\"id\":tru}"), "E"),
        ("an upper-case keyword", B("{\"execute\":\"query-kvm\",\"id\":TRUE}"), "E E"),
        ("two scalars without a comma", B("{\"execute\":\"query-kvm\",\"id\":1 2}"), "E"),
        ("a duplicate key", B("{\"execute\":\"query-kvm\",\"execute\":\"query-kvm\",\"id\":1}"), "E"),
        ("several values in one write", B("1 \"s\" null {\"execute\":\"query-kvm\",\"arguments\":[]} {\"x\":1} {\"execute\":\"query-kvm\",\"id\":9}"), "E E E E E R9"),
        ("nesting 1024 is served", B("{\"execute\":\"query-kvm\",\"id\":" + new string('[', 1023) + new string(']', 1023) + "}"), "R" + new string('[', 1023) + new string(']', 1023)),
        ("nesting 1025: the deepest bracket and every stray closing one after it", B("{\"execute\":\"query-kvm\",\"id\":" + new string('[', 1024) + new string(']', 1024) + "}"), string.Join(' ', Enumerable.Repeat("E", 1026))),
    ];

    public static TheoryData<string> FramingCases => new(s_framing.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(FramingCases))]
    public Task Framing_and_recovery_emulator(string name) => Framing(Target.Emulator, name);

    [QemuFact]
    public async Task Framing_and_recovery_qemu()
    {
        foreach (var (name, _, _) in s_framing)
        {
            await Framing(Target.Qemu, name);
        }
    }

    private static async Task Framing(string kind, string name)
    {
        var (_, input, expected) = s_framing.Single(c => c.Name == name);
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        await qmp.SendAsync(input);
        await qmp.SendAsync("\n{\"execute\":\"query-kvm\",\"id\":\"sync\"}\n");
        var seen = new List<string>();
        while (true)
        {
            var kindOfLine = Line.Kind(await qmp.ReadLineAsync());
            if (kindOfLine == "return \"sync\"")
            {
                break;
            }

            seen.Add(kindOfLine.StartsWith("error", StringComparison.Ordinal) ? "E" : "R" + kindOfLine["return".Length..].Trim());
        }

        Assert.True(expected == string.Join(' ', seen), $"{kind}, {name}: expected {expected}, got {string.Join(' ', seen)}");
    }

    // --- No lost events (item 6) ---

    [Fact]
    public Task Four_thousand_commands_before_reading_lose_no_event_emulator() => NoLostEvents(Target.Emulator);

    [QemuFact]
    public Task Four_thousand_commands_before_reading_lose_no_event_qemu() => NoLostEvents(Target.Qemu);

    private static async Task NoLostEvents(string kind)
    {
        var dir = Target.NewDirectory();
        string busy = Path.Combine(dir, "busy.sock"), idle = Path.Combine(dir, "idle.sock");
        await using var target = Target.Start(kind, dir,
            ["-qmp", $"unix:{busy},server=on,wait=off", "-qmp", $"unix:{idle},server=on,wait=off"]);
        await using var watcher = await target.ConnectAsync(idle);
        await watcher.NegotiateAsync();
        await using var qmp = await target.ConnectAsync(busy);
        await qmp.NegotiateAsync();

        var burst = new StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            burst.Append("{\"execute\":\"stop\",\"id\":").Append(2 * i).Append("}{\"execute\":\"cont\",\"id\":").Append((2 * i) + 1).Append('}');
        }

        await qmp.SendAsync(burst.ToString());
        int replies = 0, stops = 0, resumes = 0;
        while (replies < 4000 || stops + resumes < 4000)
        {
            var line = Line.Kind(await qmp.ReadLineAsync(60));
            if (line.StartsWith("return ", StringComparison.Ordinal))
            {
                Assert.Equal("return " + replies, line);
                replies++;
            }
            else
            {
                Assert.Equal(stops == resumes ? "STOP" : "RESUME", line);
                _ = line == "STOP" ? stops++ : resumes++;
            }
        }

        Assert.Equal((4000, 2000, 2000), (replies, stops, resumes));
        for (var i = 0; i < 4000; i++)
        {
            Assert.Equal(i % 2 == 0 ? "STOP" : "RESUME", Line.Kind(await watcher.ReadLineAsync(60)));
        }
    }

    // --- QOM and HMP details (item 7) ---

    [Fact]
    public Task Qom_and_hmp_details_emulator() => QomAndHmp(Target.Emulator);

    [QemuFact]
    public Task Qom_and_hmp_details_qemu() => QomAndHmp(Target.Qemu);

    private static async Task QomAndHmp(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-S", "-smp", "2", "-qmp", $"unix:{socket},server=on,wait=off"], qemuOnly: ["-machine", "pc"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();

        await qmp.SendAsync("{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/machine/unattached\"}}");
        Assert.Matches("\\{\"name\": \"device\\[0\\]\", \"type\": \"child<[^>]+>\"\\}", await qmp.ReadLineAsync());

        async Task<string> Hmp(string commandLine)
        {
            await qmp.SendAsync("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"" + commandLine + "\"}}");
            using var doc = System.Text.Json.JsonDocument.Parse(await qmp.ReadLineAsync());
            return doc.RootElement.GetProperty("return").GetString()!;
        }

        // 'info' lists every subcommand, one "info NAME PARAMS -- HELP" line each.
        var info = await Hmp("info");
        var lines = info.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches("^info [a-z_-]+ .*-- .+$", l));
        foreach (var sub in new[] { "status", "version", "block", "cpus", "name", "uuid", "kvm", "pci", "chardev", "balloon", "migrate" })
        {
            Assert.Contains(lines, l => l.StartsWith("info " + sub + " ", StringComparison.Ordinal));
        }

        Assert.StartsWith("stop|s  -- ", await Hmp("help stop"), StringComparison.Ordinal);
        Assert.StartsWith("info status  -- ", await Hmp("help info status"), StringComparison.Ordinal);
        Assert.Equal("unknown command: 'nosuch'\r\n", await Hmp("help nosuch"));
        Assert.Equal("", await Hmp("cpu 1"));
        Assert.Equal("invalid CPU index\r\n", await Hmp("cpu 5"));
        Assert.Matches("^\\* CPU #0: .*\\r\\n  CPU #1: ", await Hmp("info cpus"));
    }

    // --- One client per monitor (item 8) ---

    [Fact]
    public Task A_second_client_waits_for_the_first_emulator() => SecondClientWaits(Target.Emulator);

    [QemuFact]
    public Task A_second_client_waits_for_the_first_qemu() => SecondClientWaits(Target.Qemu);

    private static async Task SecondClientWaits(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"]);
        var first = await target.ConnectAsync(socket);
        await first.NegotiateAsync();
        await using var second = await Line.ConnectAsync(socket);
        var greeting = second.ReadAsync();
        await first.SendAsync("{\"execute\":\"query-status\",\"id\":1}");
        Assert.Equal("return 1", Line.Kind(await first.ReadLineAsync()));
        Assert.False(greeting.IsCompleted, "the second client is greeted only when the first leaves");

        await first.DisposeAsync();
        Assert.StartsWith("{\"QMP\": ", await greeting, StringComparison.Ordinal);
    }

    // --- A VM without VNC (issue 12): the reply has "enabled" and nothing else ---

    [Fact]
    public Task Query_vnc_without_vnc_emulator() => QueryVncWithoutVnc(Target.Emulator);

    [QemuFact]
    public Task Query_vnc_without_vnc_qemu() => QueryVncWithoutVnc(Target.Qemu);

    private static async Task QueryVncWithoutVnc(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        var machine = Path.Combine(dir, "machine.json");
        await File.WriteAllTextAsync(machine, "{\"vnc\": false, \"spice\": false}");
        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"], emulatorOnly: ["--machine", machine]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        await qmp.SendAsync("{\"execute\":\"query-vnc\",\"id\":1}");
        Assert.Equal("{\"return\": {\"enabled\": false}, \"id\": 1}", await qmp.ReadLineAsync());
        // query-spice: QEMU 7.2 adds "migrated" and "mouse-mode" (not in the 2.1 docs); neither names a host or port.
        await qmp.SendAsync("{\"execute\":\"query-spice\",\"id\":2}");
        using var spice = System.Text.Json.JsonDocument.Parse(await qmp.ReadLineAsync());
        var info = spice.RootElement.GetProperty("return");
        Assert.False(info.GetProperty("enabled").GetBoolean());
        var names = info.EnumerateObject().Select(m => m.Name).ToList();
        Assert.Empty(names.Intersect(["host", "port", "tls-port", "auth", "channels"]));
    }

    // --- nbd-server-start with a name that does not resolve (issue 20, item 16) ---

    [Fact]
    public Task Nbd_server_start_with_an_unknown_host_emulator() => NbdUnknownHost(Target.Emulator);

    [QemuFact]
    public Task Nbd_server_start_with_an_unknown_host_qemu() => NbdUnknownHost(Target.Qemu);

    private static async Task NbdUnknownHost(string kind)
    {
        // QEMU 7.2: {"error": {"class": "GenericError", "desc": "address resolution failed for
        // no-such-host.invalid:10809: Name or service not known"}}; a .invalid name fails without a network.
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        await qmp.SendAsync("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"no-such-host.invalid\",\"port\":\"10809\"}}},\"id\":1}");
        Assert.Matches(
            "^\\{\"id\": 1, \"error\": \\{\"class\": \"GenericError\", \"desc\": \"address resolution failed for no-such-host\\.invalid:10809: (Name or service not known|Temporary failure in name resolution)\"\\}\\}$",
            await qmp.ReadLineAsync(60));

        // A port that is no number: QEMU 7.2 says "address resolution failed for 127.0.0.1:abc: Servname not supported for ai_socktype".
        await qmp.SendAsync("{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"127.0.0.1\",\"port\":\"abc\"}}},\"id\":2}");
        Assert.Equal(
            "{\"id\": 2, \"error\": {\"class\": \"GenericError\", \"desc\": \"address resolution failed for 127.0.0.1:abc: Servname not supported for ai_socktype\"}}",
            await qmp.ReadLineAsync());
    }

    // --- Ids and names clients leave behind (issue 20, item 8) ---

    [Fact]
    public Task Ids_and_snapshot_names_emulator() => IdsAndSnapshotNames(Target.Emulator);

    [QemuFact]
    public Task Ids_and_snapshot_names_qemu() => IdsAndSnapshotNames(Target.Qemu);

    private static async Task IdsAndSnapshotNames(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        var image = Path.Combine(dir, "disk.qcow2");
        if (kind == Target.Qemu)
        {
            using var create = System.Diagnostics.Process.Start("qemu-img", ["create", "-q", "-f", "qcow2", image, "16M"]);
            await create.WaitForExitAsync();
        }

        await using var target = Target.Start(kind, dir, ["-qmp", $"unix:{socket},server=on,wait=off"],
            qemuOnly: ["-machine", "pc", "-drive", $"file={image},if=none,id=ide0-hd0"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();

        // QEMU 7.2: {"id": 1, "error": {"class": "GenericError", "desc": "Parameter 'id' expects an identifier"}}, and the same for netdev_add.
        await qmp.SendAsync("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-net-pci\",\"id\":\"bad id\"},\"id\":1}");
        Assert.Equal("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'id' expects an identifier\"}}", await qmp.ReadLineAsync());
        await qmp.SendAsync("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"user\",\"id\":\"1abc\"},\"id\":2}");
        Assert.Equal("{\"id\": 2, \"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'id' expects an identifier\"}}", await qmp.ReadLineAsync());

        // QEMU 7.2 keeps 255 bytes of an internal snapshot's name: {"return": {}, "id": 3}, then query-block lists "nnn…" (255).
        await qmp.SendAsync("{\"execute\":\"blockdev-snapshot-internal-sync\",\"arguments\":{\"device\":\"ide0-hd0\",\"name\":\"" + new string('n', 1000) + "\"},\"id\":3}");
        Assert.Equal("{\"return\": {}, \"id\": 3}", await qmp.ReadLineAsync());
        await qmp.SendAsync("{\"execute\":\"query-block\",\"id\":4}");
        using var block = System.Text.Json.JsonDocument.Parse(await qmp.ReadLineAsync());
        var drive = block.RootElement.GetProperty("return").EnumerateArray().Single(d => d.GetProperty("device").GetString() == "ide0-hd0");
        var snapshot = drive.GetProperty("inserted").GetProperty("image").GetProperty("snapshots").EnumerateArray().Single();
        Assert.Equal(new string('n', 255), snapshot.GetProperty("name").GetString());
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
}
