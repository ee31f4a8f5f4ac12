using System.Text;
using System.Text.Json;
using Qmp.Runtime.Introspection;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>The QmpClient extensions against our own server answering query-qmp-schema from a hand-made schema.</summary>
public class ClientIntrospectionTests
{
    private const string Live = """
        [{"name": "query-status", "ret-type": "1", "meta-type": "command", "arg-type": "0"},
         {"name": "STOP", "meta-type": "event", "arg-type": "0"},
         {"name": "0", "members": [], "meta-type": "object"},
         {"name": "1", "members": [{"name": "running", "type": "bool"}, {"name": "status", "type": "2"}], "meta-type": "object"},
         {"name": "2", "members": [{"name": "running"}, {"name": "paused"}], "meta-type": "enum", "values": ["running", "paused"]},
         {"name": "bool", "json-type": "boolean", "meta-type": "builtin"}]
        """;

    private sealed class SchemaServer : IQmpCommandDispatcher
    {
        private readonly byte[] _schema = Encoding.UTF8.GetBytes(Live);

        public int Calls;

        public bool FailFirst { get; init; }

        public bool HasCommand(string name) => name is "query-qmp-schema" or "query-version";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
        {
            if (command == "query-version")
            {
                return ValueTask.FromResult(QmpReturn.FromUtf8("{\"qemu\": {\"micro\": 13, \"minor\": 0, \"major\": 10}, \"package\": \"test\"}"u8.ToArray()));
            }

            if (Interlocked.Increment(ref Calls) == 1 && FailFirst)
            {
                throw QmpException.CommandNotFound(command);
            }

            return ValueTask.FromResult(QmpReturn.FromUtf8(_schema));
        }
    }

    private static async Task<(string Directory, QmpServer Server)> Listen(SchemaServer dispatcher)
    {
        var dir = Path.Combine(Path.GetTempPath(), "qmp-intro-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        // Two clients at once: one per connection is the point of the cache test.
        var server = QmpServer.Listen($"unix:{Path.Combine(dir, "qmp.sock")},server,nowait", dispatcher, new QmpServerOptions { MaxClientsPerListener = 2 });
        await Task.Yield();
        return (dir, server);
    }

    [Fact]
    public async Task The_live_schema_is_read_once_per_connection_and_checked_against_a_description()
    {
        var dispatcher = new SchemaServer();
        var (dir, server) = await Listen(dispatcher);
        await using (server)
        {
            await using var client = await QmpClient.ConnectAsync($"unix:{Path.Combine(dir, "qmp.sock")}").Within();
            var first = await client.GetSchemaAsync().Within();
            Assert.Same(first, await client.GetSchemaAsync().Within());
            Assert.Equal(1, dispatcher.Calls);
            Assert.True(first.Has("query-status/ret-type/status/^paused"));

            // A client description with real names, one more enum value, and a command the server lacks.
            var description = Live.Replace("\"1\"", "\"StatusInfo\"").Replace("\"2\"", "\"RunState\"").Replace("\"0\"", "\"q_empty\"")
                .Replace("{\"name\": \"paused\"}", "{\"name\": \"paused\"}, {\"name\": \"suspended\"}")
                .Replace("[{\"name\": \"query-status\"", "[{\"name\": \"query-cpus\", \"ret-type\": \"q_empty\", \"meta-type\": \"command\", \"arg-type\": \"q_empty\"}, {\"name\": \"query-status\"");
            var report = await client.CheckSchemaAsync(description).Within();
            Assert.Equal(1, dispatcher.Calls);
            Assert.Equal(["query-cpus"], report.MissingCommands);
            var missing = Assert.Single(report.OfKind(SchemaDifferenceKind.EnumValueMissing));
            Assert.Equal(("query-status/ret-type/status/^suspended", "RunState", "2", false), (missing.Path, missing.ClientType, missing.ServerType, missing.IsBreaking));
            Assert.Equal("RunState", report.Alignment.ClientNameOf("2"));
            Assert.Equal(new QmpVersion(10, 0, 13, "test"), await client.QueryVersionAsync().Within());

            // A second connection fetches its own.
            await using var other = await QmpClient.ConnectAsync($"unix:{Path.Combine(dir, "qmp.sock")}").Within();
            Assert.NotSame(first, await other.GetSchemaAsync().Within());
            Assert.Equal(2, dispatcher.Calls);
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_failed_fetch_is_not_kept()
    {
        var dispatcher = new SchemaServer { FailFirst = true };
        var (dir, server) = await Listen(dispatcher);
        await using (server)
        {
            await using var client = await QmpClient.ConnectAsync($"unix:{Path.Combine(dir, "qmp.sock")}").Within();
            var e = await Assert.ThrowsAsync<QmpException>(() => client.GetSchemaAsync().Within());
            Assert.Equal(QmpErrorClass.CommandNotFound, e.ErrorClass);
            Assert.True((await client.GetSchemaAsync().Within()).HasEvent("STOP"));
            Assert.Equal(2, dispatcher.Calls);
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_saved_schema_holds_both_answers()
    {
        var (dir, server) = await Listen(new SchemaServer());
        await using (server)
        {
            await using var client = await QmpClient.ConnectAsync($"unix:{Path.Combine(dir, "qmp.sock")}").Within();
            var saved = await client.SaveSchemaAsync().Within();
            var schema = SchemaInfoReader.Read(saved, out var version);
            Assert.Equal(new QmpVersion(10, 0, 13, "test"), version);
            Assert.Equal(6, schema.Entries.Count);
            Assert.StartsWith("{\"query-version\":", Encoding.UTF8.GetString(saved), StringComparison.Ordinal);
        }

        Directory.Delete(dir, true);
    }
}
