using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Qmp.Benchmarks.Qemu;
using Qmp.Codegen;
using Qmp.Codegen.Hx;
using Qmp.Runtime;

namespace Qmp.Benchmarks;

/// <summary>
/// One query-status round trip at a time over a unix socket, each server in its own process:
/// the bare socket ping-pong of the same bytes (the floor), the generated client against that same
/// server (what is above the floor is the client's alone), the same request's bytes to the reference
/// emulator read back to the reply's line feed (no client: what is above the floor there is the
/// server's), the generated client against the emulator (what is above that is the client's), and
/// the generated client against real QEMU when it is installed. Allocations are the client process's own.
/// </summary>
[MemoryDiagnoser]
public class RoundTrip
{
    private System.Diagnostics.Process? _floorServer;
    private System.Diagnostics.Process? _qmpServer;
    private System.Diagnostics.Process? _qemu;
    private Socket? _floor;
    private Socket? _rawEmulator;
    private readonly byte[] _buffer = new byte[4096];
    private QemuClient? _client;
    private QemuClient? _floorClient;
    private QemuClient? _qemuClient;

    [GlobalSetup]
    public async Task Setup()
    {
        var floorSocket = Servers.SocketPath("floor");
        _floorServer = Servers.Start("serve-floor", floorSocket);
        _floor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await _floor.ConnectAsync(new UnixDomainSocketEndPoint(floorSocket));
        await ReadLineAsync(_floor);
        _floorClient = await QemuClient.ConnectAsync($"unix:{floorSocket}");

        var qmpSocket = Servers.SocketPath("qmp");
        _qmpServer = Servers.Start("serve-emulator", qmpSocket);
        _client = await QemuClient.ConnectAsync($"unix:{qmpSocket}");
        _rawEmulator = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await _rawEmulator.ConnectAsync(new UnixDomainSocketEndPoint(qmpSocket));
        await ReadLineAsync(_rawEmulator);
        await _rawEmulator.SendAsync("{\"execute\":\"qmp_capabilities\"}\r\n"u8.ToArray());
        await ReadLineAsync(_rawEmulator);

        var qemuSocket = Servers.SocketPath("qemu");
        _qemu = Servers.StartQemu(qemuSocket);
        if (_qemu is not null)
        {
            _qemuClient = await QemuClient.ConnectAsync($"unix:{qemuSocket}");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _floor?.Dispose();
        _rawEmulator?.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_floorClient is not null)
        {
            await _floorClient.DisposeAsync();
        }

        if (_qemuClient is not null)
        {
            await _qemuClient.DisposeAsync();
        }

        Servers.Stop(_floorServer);
        Servers.Stop(_qmpServer);
        Servers.Stop(_qemu);
    }

    [Benchmark(Baseline = true, Description = "socket ping-pong (floor)")]
    public async Task SocketPingPong()
    {
        await _floor!.SendAsync(Servers.FloorRequest);
        await ReadLineAsync(_floor);
    }

    [Benchmark(Description = "generated client, query-status, floor server")]
    public Task<StatusInfo> GeneratedClientOnFloor() => _floorClient!.QueryStatusAsync();

    [Benchmark(Description = "raw bytes, query-status, emulator")]
    public async Task RawEmulator()
    {
        await _rawEmulator!.SendAsync(Servers.FloorRequest);
        await ReadLineAsync(_rawEmulator);
    }

    private async Task ReadLineAsync(Socket socket)
    {
        while (true)
        {
            var read = await socket.ReceiveAsync(_buffer);
            if (read == 0 || _buffer[read - 1] == '\n')
            {
                return;
            }
        }
    }

    [Benchmark(Description = "generated client, query-status, emulator")]
    public Task<StatusInfo> GeneratedClient() => _client!.QueryStatusAsync();

    [Benchmark(Description = "generated client, query-status, real QEMU")]
    public Task<StatusInfo> RealQemu() =>
        _qemuClient is null ? throw new InvalidOperationException("qemu-system-x86_64 is not installed") : _qemuClient.QueryStatusAsync();
}

/// <summary>
/// Thousands of commands in flight from one client, beside the raw C burst (native/qmp-burst.c: the
/// same requests written in one go, replies counted by line feed, no JSON) against the same server,
/// built with cc when there is one.
/// </summary>
[MemoryDiagnoser]
public class Pipelined
{
    public const int InFlight = 2000;

    private System.Diagnostics.Process? _server;
    private System.Diagnostics.Process? _burst;
    private QemuClient? _client;
    private readonly Task<StatusInfo>[] _tasks = new Task<StatusInfo>[InFlight];

    [GlobalSetup]
    public async Task Setup()
    {
        var socket = Servers.SocketPath("pipelined");
        _server = Servers.Start("serve-emulator", socket);
        _client = await QemuClient.ConnectAsync($"unix:{socket}");
        _burst = Servers.StartBurst(socket, InFlight);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        Servers.Stop(_burst);
        Servers.Stop(_server);
    }

    [Benchmark(OperationsPerInvoke = InFlight, Description = "raw C burst, 2000 in flight")]
    public void RawBurst()
    {
        if (_burst is null)
        {
            throw new InvalidOperationException("no C compiler (cc) to build native/qmp-burst.c");
        }

        _burst.StandardInput.Write('g');
        _burst.StandardInput.Flush();
        if (_burst.StandardOutput.ReadLine() != "done")
        {
            throw new InvalidOperationException("qmp-burst failed");
        }
    }

    [Benchmark(OperationsPerInvoke = InFlight, Description = "pipelined query-status, 2000 in flight")]
    public async Task QueryStatusPipelined()
    {
        for (var i = 0; i < _tasks.Length; i++)
        {
            _tasks[i] = _client!.QueryStatusAsync();
        }

        await Task.WhenAll(_tasks);
    }
}

/// <summary>
/// 1,000 negotiated connections to one emulator; another client stops the VM; the time until
/// every one of the 1,000 has the STOP event (then cont, untimed, puts it back).
/// </summary>
[InvocationCount(1, 1)]
public class Broadcast
{
    public const int Connections = 1000;

    private Qmp.Emulator.QemuEmulator? _emulator;
    private QemuClient? _controller;
    private readonly List<QmpClient> _clients = new();
    private readonly List<IAsyncEnumerator<QmpEvent>> _events = new();

    [GlobalSetup]
    public async Task Setup()
    {
        var socket = Servers.SocketPath("broadcast");
        _emulator = await Qmp.Emulator.QemuEmulator.StartAsync(new Qmp.Emulator.EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], MaxClients = Connections + 1 });
        _controller = await QemuClient.ConnectAsync($"unix:{socket}");
        for (var i = 0; i < Connections; i++)
        {
            var client = await QmpClient.ConnectAsync($"unix:{socket}");
            _clients.Add(client);
            _events.Add(client.SubscribeEvents(new[] { "STOP" }).GetAsyncEnumerator());
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    [IterationCleanup]
    public void Resume() => _controller!.ContAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "STOP event to 1000 connections")]
    public async Task EventToAll()
    {
        var pending = new Task<bool>[_events.Count];
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = _events[i].MoveNextAsync().AsTask();
        }

        await _controller!.StopAsync();
        await Task.WhenAll(pending);
    }
}

/// <summary>The schema parser on the seed, warm.</summary>
[MemoryDiagnoser]
public class Parser
{
    private readonly string _seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schema", "qmp-commands.hx"));

    // Shapes that make naive scanners quadratic or recursive (the robustness tests parse the same
    // ones for correctness; their speed is measured here, not asserted there).
    private readonly string[] _pathological =
    [
        string.Concat(Enumerable.Repeat("{ ", 50_000)),
        string.Concat(Enumerable.Repeat("SQMP x\n-\n", 20_000)),
        "{ .name = \"x\", .args_type = \"" + string.Concat(Enumerable.Repeat("a:s,", 50_000)) + "\", .mhandler.cmd_new = f, },",
        "SQMP\nx\n-\n\nExample:\n\n-> " + new string('{', 50_000) + "\n<- " + new string('[', 50_000) + "\nEQMP",
        "SQMP\nx\n-\n\nArguments:\n\n" + string.Concat(Enumerable.Repeat("- \"a\": b (json-int, optional)\n", 20_000)) + "EQMP",
    ];

    [Benchmark(Description = "parse the seed")]
    public object ParseSeed() => SchemaParser.Parse("schema/qmp-commands.hx", _seed);

    [Benchmark(Description = "parse 5 pathological shapes (~1 MB)")]
    public int ParsePathological()
    {
        var diagnostics = 0;
        foreach (var text in _pathological)
        {
            diagnostics += SchemaParser.Parse("shape.hx", text).Diagnostics.Count;
        }

        return diagnostics;
    }
}

/// <summary>The generator on the repository's schema: a full run, and a re-run after an unrelated edit (cached).</summary>
[MemoryDiagnoser]
public class Generator
{
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warm = null!;
    private AdditionalText[] _schema = null!;
    private SyntaxTree _edited = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schema = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "schema"), "*.hx").Order(StringComparer.Ordinal)
            .Select(p => (AdditionalText)new SchemaText(p, File.ReadAllText(p))).ToArray();
        _compilation = CSharpCompilation.Create("Bench",
            new[] { CSharpSyntaxTree.ParseText("class User { int X; }") },
            Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _warm = NewDriver().RunGenerators(_compilation);
        _edited = CSharpSyntaxTree.ParseText("class User { int Y; }");
    }

    private GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new QmpGenerator().AsSourceGenerator() }, _schema, CSharpParseOptions.Default, new Options());

    [Benchmark(Description = "generator, full run")]
    public GeneratorDriver FullRun() => NewDriver().RunGenerators(_compilation);

    [Benchmark(Description = "generator, re-run after an unrelated edit")]
    public GeneratorDriver CachedRun() =>
        _warm.RunGenerators(_compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees.First(), _edited));

    private sealed class SchemaText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options : AnalyzerConfigOptionsProvider
    {
        private static readonly SchemaOptions s_schema = new();

        public override AnalyzerConfigOptions GlobalOptions => s_schema;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => s_schema;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => s_schema;
    }

    private sealed class SchemaOptions : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = key == QmpGenerator.NamespaceMetadata ? "Bench.Qemu" : key == QmpGenerator.GenerateMetadata ? "Client,Server" : null;
            return value is not null;
        }
    }
}
