#if QEMU72_CLIENT
using System.Diagnostics;
using System.Text.Json;
using Qapi.Consumer.Qemu72;
using Qmp.Runtime;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>Runs when QEMU 7.2's server was generated and QEMU 7.2's python tools can run (<see cref="QemuPython"/>).</summary>
public sealed class Qemu72PythonFactAttribute : FactAttribute
{
    public Qemu72PythonFactAttribute()
    {
#if QEMU72_CLIENT
        Skip = QemuPython.Skip;
#else
        Skip = "QEMU 7.2's QAPI schema could not be had (eng/get-qemu-schema.sh bookworm failed at build time), so its server was not generated";
#endif
    }
}

/// <summary>
/// The introspection the server generated from QEMU 7.2's <c>qapi-schema.json</c> answers itself
/// (no member overridden), beside a live QEMU 7.2 (Debian 12's x86_64 build, the generator's
/// default <c>QemuConfig</c>): <c>query-qmp-schema</c> byte for byte, hence the same alignment for
/// <c>CheckSchemaAsync</c>; <c>query-version</c> from the greeting; <c>query-commands</c> in QEMU's
/// order. And QEMU's own python client (<c>qemu.qmp</c>, with <c>exec-oob</c>) and <c>qmp-shell</c> talk to it.
/// </summary>
public sealed class IntrospectionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Kept in a field so the class compiles whether or not the server was generated (CS9113).
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

#if QEMU72_CLIENT
    /// <summary>Serves nothing but what the generated base answers itself, plus what the python clients call.</summary>
    private sealed class Served : Qemu72CommandsBase
    {
        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = true, Singlestep = false, Status = RunState.Running });

        // allow-oob in 7.2: what exec-oob can run.
        public override ValueTask<IReadOnlyList<YankInstance>> QueryYankAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<YankInstance>>([new YankInstance.Chardev { Data = new() { Id = "compat_monitor0" } }]);
    }

    private sealed class Peer : QmpLinePeer
    {
        private Peer(System.Net.Sockets.Socket socket)
            : base(socket)
        {
        }

        public string Greeting { get; private set; } = "";

        public static async Task<Peer> NegotiateAsync(string path)
        {
            var peer = new Peer(await ConnectSocketAsync(path));
            peer.Greeting = await peer.ReadLineAsync();
            Assert.Equal("""{"return": {}}""", await peer.AskAsync("qmp_capabilities"));
            return peer;
        }

        public async Task<string> AskAsync(string command)
        {
            await SendAsync("{\"execute\": \"" + command + "\"}\n");
            return await ReadLineAsync();
        }
    }

    private static async Task<(string Greeting, string Schema, string Version, string Commands)> AskAllAsync(string socket)
    {
        await using var peer = await Peer.NegotiateAsync(socket);
        return (peer.Greeting, await peer.AskAsync("query-qmp-schema"), await peer.AskAsync("query-version"), await peer.AskAsync("query-commands"));
    }

    private static string[] Names(string commandsLine) =>
        JsonDocument.Parse(commandsLine).RootElement.GetProperty("return").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
#endif

    [Qemu72Fact]
    public async Task The_generated_7_2_servers_introspection_is_live_QEMU_7_2s_byte_for_byte()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        var live = await AskAllAsync(qemu.Socket);

        var dir = Directory.CreateTempSubdirectory("qmp-qapi-introspect-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            // The greeting's version is the server's option, as QEMU's comes from its build.
            using var greeting = JsonDocument.Parse(live.Greeting);
            await using var server = QmpServer.Create(new Served(), new QmpServerOptions { Greeting = QmpGreeting.Parse(greeting.RootElement) })
                .AddListener($"unix:{socket},server,nowait");
            var ours = await AskAllAsync(socket);

            Assert.Equal(live.Greeting, ours.Greeting);
            Assert.True(live.Schema.Length > 200_000, "live QEMU's answer is about 207,000 bytes");
            // Same entries, masks, order, members and QEMU's own layout: no difference at all.
            Assert.Equal(live.Schema, ours.Schema);
            Assert.Equal(1051, JsonDocument.Parse(ours.Schema).RootElement.GetProperty("return").GetArrayLength());
            Assert.Equal(live.Version, ours.Version);
            // QEMU lists every command of its build, newest registered first; ours lists the commands it
            // serves (the three it answers itself, qmp_capabilities and the two overridden), in the same order.
            var served = Names(ours.Commands).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(["query-yank", "query-qmp-schema", "query-commands", "query-version", "qmp_capabilities", "query-status"], Names(ours.Commands));
            Assert.Equal(Names(live.Commands).Where(served.Contains), Names(ours.Commands));
            _output.WriteLine($"query-qmp-schema: {ours.Schema.Length} bytes, identical to QEMU 7.2's; query-commands: {Names(live.Commands).Length} live, {served.Count} served");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
#else
        await Task.CompletedTask;
#endif
    }

    [Qemu72Fact]
    public async Task CheckSchemaAsync_finds_the_generated_7_2_server_as_it_finds_live_QEMU_7_2()
    {
#if QEMU72_CLIENT
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var qemu = await RealQemu.StartAsync();
        string liveReport;
        await using (var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token))
        {
            liveReport = (await client.CheckSchemaAsync(timeout.Token)).ToString();
        }

        var dir = Directory.CreateTempSubdirectory("qmp-qapi-introspect-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var server = QmpServer.Create(new Served()).AddListener($"unix:{socket},server,nowait");
            await using var client = await Qemu72Client.ConnectAsync("unix:" + socket, cancellationToken: timeout.Token);
            var report = await client.CheckSchemaAsync(timeout.Token);
            var text = report.ToString();
            _output.WriteLine(text);
            // Only what this build configuration leaves out, exactly as against QEMU itself.
            Assert.True(report.IsCompatible, text);
            Assert.All(report.Differences, d => Assert.NotNull(d.Condition));
            Assert.Equal(["CONFIG_BLKIO", "CONFIG_COCOA", "CONFIG_VMNET", "TARGET_ARM", "TARGET_S390X"],
                report.Differences.Select(d => d.Condition!).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(liveReport, text);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
#else
        await Task.CompletedTask;
#endif
    }

    [Qemu72PythonFact]
    public async Task QEMUs_qemu_qmp_client_and_qmp_shell_negotiate_and_run_commands_with_exec_oob()
    {
#if QEMU72_CLIENT
        var dir = Directory.CreateTempSubdirectory("qmp-qapi-python-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var server = QmpServer.Create(new Served(), new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 22), []) })
                .AddListener($"unix:{socket},server,nowait");
            var script = Path.Combine(dir.FullName, "client.py");
            await File.WriteAllTextAsync(script, """
                import asyncio, json, sys
                from qemu.qmp import QMPClient
                async def main(path):
                    qmp = QMPClient('qmp-codegen-test')
                    await qmp.connect(path)
                    print('capabilities', json.dumps(qmp.greeting.QMP.capabilities))
                    print('query-status', json.dumps(await qmp.execute('query-status')))
                    print('exec-oob query-yank', json.dumps(await qmp.execute('query-yank', oob=True)))
                    try:
                        await qmp.execute('query-status', oob=True)
                    except Exception as e:
                        print('exec-oob query-status', type(e).__name__, e)
                    print('query-version', json.dumps(await qmp.execute('query-version')))
                    await qmp.disconnect()
                asyncio.run(main(sys.argv[1]))
                """);
            var client = await RunPythonAsync([script, socket], stdin: "");
            Assert.Equal(
                """
                capabilities ["oob"]
                query-status {"status": "running", "singlestep": false, "running": true}
                exec-oob query-yank [{"type": "chardev", "id": "compat_monitor0"}]
                exec-oob query-status ExecuteError The command query-status does not support OOB
                query-version {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}
                """.ReplaceLineEndings("\n") + "\n", client);

            // qmp-shell reads commands from its input, one a line, and prints each reply.
            var shell = await RunPythonAsync(["-m", "qemu.qmp.qmp_shell", socket], stdin: "query-status\nquery-yank\n");
            Assert.Contains("Connected to QEMU 7.2.22", shell, StringComparison.Ordinal);
            Assert.Contains("""(QEMU) {"return": {"status": "running", "singlestep": false, "running": true}}""", shell, StringComparison.Ordinal);
            Assert.Contains("""(QEMU) {"return": [{"type": "chardev", "id": "compat_monitor0"}]}""", shell, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
#else
        await Task.CompletedTask;
#endif
    }

#if QEMU72_CLIENT
    /// <summary>Runs python3 with QEMU 7.2's python tree on its path; its standard output, failing on a non-zero exit.</summary>
    private async Task<string> RunPythonAsync(IReadOnlyList<string> arguments, string stdin)
    {
        var start = new ProcessStartInfo(QemuPython.Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = QemuPython.PythonPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        _output.WriteLine(await stdout);
        _output.WriteLine(await stderr);
        Assert.True(process.ExitCode == 0, "python3 exited with " + process.ExitCode + ": " + await stderr);
        return await stdout;
    }
#endif
}
