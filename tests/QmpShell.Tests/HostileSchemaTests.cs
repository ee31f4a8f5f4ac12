using System.Diagnostics;
using System.Text;
using Qmp.Runtime;

namespace QmpShell.Tests;

/// <summary>
/// A server's query-qmp-schema is the server's text: too large, too many entries, too deep, cyclic,
/// naming types it lacks or names outside QMP's character set. The shell stays bounded and usable:
/// past a limit it says why and keeps its built-in table; a cyclic or dangling schema is learned and
/// help stops where its limits say.
/// </summary>
public sealed class HostileSchemaTests
{
    private static async Task<LearnedSchema> LearnAsync(string schema)
    {
        await using var server = new FakeQmpServer(schema);
        await using var client = await QmpClient.ConnectAsync(server.Address);
        return await SchemaLearning.LearnAsync(client, null);
    }

    /// <summary>Qmp.Runtime's server will not send what its own writer would refuse (nesting past 64): a raw peer sends the bytes as they are.</summary>
    private static async Task<LearnedSchema> LearnRawAsync(string schema)
    {
        await using var raw = new RawQmpServer(schema);
        await using var client = await QmpClient.ConnectAsync(raw.Address);
        return await SchemaLearning.LearnAsync(client, null);
    }

    private static string Entries(IEnumerable<string> entries) =>
        "[{\"name\":\"str\",\"meta-type\":\"builtin\",\"json-type\":\"string\"},{\"name\":\"0\",\"meta-type\":\"object\",\"members\":[]}"
        + string.Concat(entries.Select(e => "," + e)) + "]";

    [Fact]
    public async Task MoreEntriesThanTheLimit_AreRefused_TheBuiltInTableStays()
    {
        var commands = Enumerable.Range(0, SchemaLearning.MaxSchemaEntries).Select(i =>
            $"{{\"name\":\"c{i}\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\"}}");
        var learned = await LearnAsync(Entries(commands));
        Assert.Null(learned.Catalog);
        Assert.Equal("the server's query-qmp-schema has more than 20,000 entries; the shell keeps its built-in QEMU 2.1 table",
            learned.Warning!.Replace("Could not read the reply to query-qmp-schema: ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAnswerLargerThanTheLimit_IsRefused()
    {
        // Few entries, one of them a long list of features: past MaxSchemaBytes.
        var features = string.Join(',', Enumerable.Repeat("\"" + new string('f', 1000) + "\"", SchemaLearning.MaxSchemaBytes / 1000 + 10));
        var learned = await LearnAsync(Entries([$"{{\"name\":\"big\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\",\"features\":[{features}]}}"]));
        Assert.Null(learned.Catalog);
        Assert.Contains("the server's query-qmp-schema is larger than 8 MiB", learned.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeeplyNestedJson_PastTheClientsDepth_IsRefused_WithinIt_Skipped()
    {
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        var deep = await LearnRawAsync(Entries([$"{{\"name\":\"c\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\",\"x-new\":{Nested(QmpLimits.DefaultMaxDepth + 10)}}}"]));
        Assert.Null(deep.Catalog);
        Assert.Contains("exceeded MaxDepth", deep.Warning, StringComparison.Ordinal);

        // An unknown key a newer QEMU might add is skipped, however nested within the limit.
        var shallow = await LearnRawAsync(Entries([$"{{\"name\":\"c\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\",\"x-new\":{Nested(100)}}}"]));
        Assert.True(shallow.Catalog?.Find("c") is not null, shallow.Warning);
    }

    [Fact]
    public async Task CyclicTypes_AreLearned_HelpAndEventsStopAtTheirLimits()
    {
        // 6,000 object types, each with a member of the next and one of itself (crossed: of the next too, so
        // paths through the chain double at each link), and an event whose data is the first.
        var chain = Qmp.Testing.HostileSchema.Server(6000, crossed: true);
        chain = chain[..^1] + ",{\"name\":\"LOOP\",\"meta-type\":\"event\",\"arg-type\":\"0\"}]";
        var stopwatch = Stopwatch.StartNew();
        var catalog = (await LearnAsync(chain)).Catalog!;
        var help = HelpText.Command(catalog, Qmp.Testing.HostileSchema.Command);
        var eventHelp = HelpText.Command(catalog, "LOOP");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), "a hang guard, not a speed test");

        var memberLines = help.Split('\n').Count(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal));
        Assert.InRange(memberLines, 1, HelpText.MaxMemberLines);
        // Nested at most MaxNesting levels below the return type.
        Assert.DoesNotContain(new string(' ', 2 + (2 * (HelpText.MaxNesting + 1))) + "- ", help, StringComparison.Ordinal);
        Assert.Contains("- next (object)", eventHelp, StringComparison.Ordinal);

        // Data nested deeper than MaxNesting is one line of JSON.
        var data = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            data.Append("{\"s\":\"x\",\"next\":");
        }

        data.Append("{\"s\":\"end\"}").Append('}', 40);
        var printed = EventText.Format(new QmpEvent("LOOP", System.Text.Json.JsonDocument.Parse(data.ToString()).RootElement, DateTimeOffset.Now), catalog);
        Assert.InRange(printed.Split('\n').Length, 2, EventText.MaxMemberLines + 2);
        Assert.Contains(new string(' ', 2 + (2 * EventText.MaxNesting)) + "- next (object): {\"s\":\"x\"", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTypeNames_AreReadAsAny_NotACrash()
    {
        var learned = await LearnAsync(Entries([
            "{\"name\":\"odd\",\"meta-type\":\"command\",\"arg-type\":\"1\",\"ret-type\":\"nosuch\"}",
            "{\"name\":\"1\",\"meta-type\":\"object\",\"members\":[{\"name\":\"a\",\"type\":\"nosuch\"},{\"name\":\"b\",\"type\":\"[nosuch]\"},{\"name\":\"c\",\"type\":\"str\",\"default\":null}],\"tag\":\"a\",\"variants\":[{\"case\":\"x\",\"type\":\"nosuch\"}]}",
            "{\"name\":\"ODD\",\"meta-type\":\"event\",\"arg-type\":\"nosuch\"}",
            "{\"name\":\"2\",\"meta-type\":\"x-new-meta-type\"}",
        ]));
        var catalog = learned.Catalog!;
        var odd = catalog.Find("odd")!;
        Assert.Equal(["a", "b", "c"], odd.Arguments.Select(a => a.Name));
        Assert.Equal(ArgValueType.Any, odd.FindArgument("a")!.Type);
        Assert.Contains("Usage: odd", HelpText.Command(catalog, "odd"), StringComparison.Ordinal);
        Assert.Equal(["a=", "b=", "c="], new Completer(catalog).Complete("odd ", 4).Candidates);
        Assert.Empty(new Completer(catalog).Complete("odd a=", 6).Candidates);
        Assert.StartsWith("event ODD at ", EventText.Format(new QmpEvent("ODD", System.Text.Json.JsonDocument.Parse("{\"z\":1}").RootElement, DateTimeOffset.Now), catalog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesOutsideQmpsCharacterSet_AreRefused_NothingReachesTheTerminal()
    {
        var learned = await LearnAsync(Entries(["{\"name\":\"x\\u001b[2J\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\"}"]));
        Assert.Null(learned.Catalog);
        Assert.Contains("names outside QMP's character set", learned.Warning, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", learned.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyTypesWhoseMadeUpNamesCollide_LearnInBoundedTime()
    {
        // Names by use: one object with members a-b, a_b, A-b ... each of its own type; all would be named "...AB".
        var spellings = Enumerable.Range(0, 16000).Select(i => "m" + string.Concat(Convert.ToString(i, 2).PadLeft(14, '0').Select(c => c == '0' ? "-x" : "_x"))).ToArray();
        var members = string.Join(',', spellings.Select((n, i) => $"{{\"name\":\"{n}\",\"type\":\"{i + 10}\"}}"));
        var types = spellings.Select((_, i) => $"{{\"name\":\"{i + 10}\",\"meta-type\":\"object\",\"members\":[{{\"name\":\"s\",\"type\":\"str\"}}]}}");
        var stopwatch = Stopwatch.StartNew();
        var learned = await LearnAsync(Entries(types.Prepend($"{{\"name\":\"9\",\"meta-type\":\"object\",\"members\":[{members}]}}")
            .Prepend("{\"name\":\"many\",\"meta-type\":\"command\",\"arg-type\":\"9\",\"ret-type\":\"0\"}")));
        Assert.Equal(16000, learned.Catalog!.Find("many")!.Arguments.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), "a hang guard, not a speed test");
    }
}

/// <summary>A QMP server of a few lines on a unix socket: the greeting, qmp_capabilities, and <c>query-qmp-schema</c> answered with the given bytes as they are.</summary>
internal sealed class RawQmpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.Socket _listener;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"qmpshell-raw-{Guid.NewGuid():N}.sock");
    private readonly Task _serving;

    public RawQmpServer(string schema)
    {
        _listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        _listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(_path));
        _listener.Listen();
        _serving = ServeAsync(schema);
    }

    public string Address => "unix:" + _path;

    private async Task ServeAsync(string schema)
    {
        using var socket = await _listener.AcceptAsync();
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\r\n" };
        await writer.WriteLineAsync("""{"QMP": {"version": {"qemu": {"major": 9, "minor": 9, "micro": 0}, "package": ""}, "capabilities": []}}""");
        while (await reader.ReadLineAsync() is { } line)
        {
            var id = System.Text.Json.JsonDocument.Parse(line).RootElement.TryGetProperty("id", out var i) ? ",\"id\":" + i.GetRawText() : "";
            await writer.WriteLineAsync(line.Contains("query-qmp-schema", StringComparison.Ordinal) ? "{\"return\":" + schema + id + "}" : "{\"return\":{}" + id + "}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        try
        {
            await _serving.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
        }

        File.Delete(_path);
    }
}
