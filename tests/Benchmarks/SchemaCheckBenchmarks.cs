using System.Text;
using BenchmarkDotNet.Attributes;
using Qmp.Runtime;
using Qmp.Runtime.Introspection;
using CodegenIntrospection = Qmp.Codegen.Introspection;

namespace Qmp.Benchmarks;

/// <summary>
/// CheckSchemaAsync's local work on a live query-qmp-schema answer (QEMU 7.2: about 207 KB):
/// reading it, reading the client's description (real names, the same schema named by use, as a
/// client generated from the saved introspection carries it), aligning the two and building the
/// report; and the whole CheckSchemaAsync over the socket beside the bare untyped query-qmp-schema
/// round trip (QEMU's own time to produce the answer, which dominates). The answer is
/// taken from a QEMU started here (nothing of QEMU's is stored), or read from the file named by
/// QMP_SCHEMA_FILE (what `qmp-codegen introspect` saved); without either the benchmarks stop in setup.
/// </summary>
[MemoryDiagnoser]
public class SchemaCheck
{
    private System.Diagnostics.Process? _qemu;
    private QmpClient? _client;
    private byte[] _live = null!;
    private byte[] _description = null!;
    private SchemaInfo _liveInfo = null!;
    private SchemaInfo _clientInfo = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var socket = Servers.SocketPath("schema");
        _qemu = Servers.StartQemu(socket);
        if (_qemu is not null)
        {
            _client = await QmpClient.ConnectAsync($"unix:{socket}");
        }

        var file = Environment.GetEnvironmentVariable("QMP_SCHEMA_FILE");
        var saved = !string.IsNullOrEmpty(file) ? await File.ReadAllBytesAsync(file)
            : _client is not null ? await _client.SaveSchemaAsync()
            : throw new InvalidOperationException("qemu-system-x86_64 is not installed and QMP_SCHEMA_FILE is not set");
        // QEMU's own text (its spacing: 207 KB for 7.2) when QEMU runs here, else the saved file's.
        _live = _client is not null && string.IsNullOrEmpty(file)
            ? Encoding.UTF8.GetBytes((await _client.ExecuteAsync("query-qmp-schema")).GetRawText())
            : saved;
        _liveInfo = SchemaInfoReader.Read(_live);

        // The client's side: the generator's model of the same schema, described with its names.
        var introspected = CodegenIntrospection.IntrospectionFile.Read(Encoding.UTF8.GetString(saved), "live.json").ToSchema();
        _description = Encoding.UTF8.GetBytes(CodegenIntrospection.SchemaInfoBuilder.Describe(introspected));
        _clientInfo = SchemaInfoReader.Read(_description);
        Console.WriteLine($"// live schema {_live.Length:N0} bytes, {_liveInfo.Entries.Count} entries; client description {_description.Length:N0} bytes");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        Servers.Stop(_qemu);
    }

    [Benchmark(Description = "schema: read the live answer")]
    public SchemaInfo ReadLive() => SchemaInfoReader.Read(_live);

    [Benchmark(Description = "schema: align + report")]
    public SchemaCompatibilityReport AlignAndReport() => SchemaCompatibilityReport.Compare(_clientInfo, _liveInfo);

    [Benchmark(Description = "schema: read both + align + report")]
    public SchemaCompatibilityReport ReadAlignReport() =>
        SchemaCompatibilityReport.Compare(SchemaInfoReader.Read(_description), SchemaInfoReader.Read(_live));

    [Benchmark(Description = "schema: query-qmp-schema untyped, real QEMU")]
    public Task<System.Text.Json.JsonElement> QueryUntyped() =>
        _client is null ? throw new InvalidOperationException("qemu-system-x86_64 is not installed") : _client.ExecuteAsync("query-qmp-schema");

    [Benchmark(Description = "schema: CheckSchemaAsync, real QEMU")]
    public Task<SchemaCompatibilityReport> CheckSchemaAsync() =>
        _client is null ? throw new InvalidOperationException("qemu-system-x86_64 is not installed") : _client.CheckSchemaAsync(_clientInfo);
}

/// <summary>
/// CheckSchemaAsync against the hostile answer of issue 20 (item 4): 6,000 object types chained
/// through a member, each with a recursive member, the client's description of the chain differing
/// on every link (tests/Shared/HostileSchema.cs). The server is this program in mode "schema"; each
/// operation connects, checks (fetching and reading the 0.8 MB answer) and disconnects. The goal:
/// under 100 MB and 2 s, at most 10x the answer in memory (it once took gigabytes and seconds).
/// </summary>
[MemoryDiagnoser]
public class SchemaCheckHostile
{
    /// <summary>The chain's length, as the attacker's answer had it.</summary>
    public const int Links = 6000;

    private System.Diagnostics.Process? _server;
    private string _socket = null!;
    private byte[] _answer = null!;
    private SchemaInfo _clientInfo = null!;
    private SchemaInfo _serverInfo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _socket = Servers.SocketPath("hostile-schema");
        _server = Servers.Start("serve-schema", _socket);
        _answer = Encoding.UTF8.GetBytes(Qmp.Testing.HostileSchema.Server(Links));
        _clientInfo = SchemaInfoReader.Read(Encoding.UTF8.GetBytes(Qmp.Testing.HostileSchema.Client(Links)));
        _serverInfo = SchemaInfoReader.Read(_answer);
        Console.WriteLine($"// hostile answer {_answer.Length:N0} bytes, {_serverInfo.Entries.Count} entries");
    }

    [GlobalCleanup]
    public void Cleanup() => Servers.Stop(_server);

    [Benchmark(Description = "schema: CheckSchemaAsync, hostile 6,000-type chain")]
    public async Task<SchemaCompatibilityReport> CheckSchemaAsync()
    {
        await using var client = await QmpClient.ConnectAsync($"unix:{_socket}");
        return await client.CheckSchemaAsync(_clientInfo);
    }

    [Benchmark(Description = "schema: align + report + ToString, hostile chain")]
    public string AlignReportPrint() => SchemaCompatibilityReport.Compare(_clientInfo, _serverInfo).ToString();
}
