using System.Text;
using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>
/// <c>qmp-codegen introspect</c> against a server of our own (the runtime's <c>QmpServer</c> on a
/// socket in a temp folder) whose <c>query-qmp-schema</c> carries names that would be C#.
/// </summary>
public sealed class IntrospectRefusalTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qmp-refuse-" + Guid.NewGuid().ToString("N")[..8]);
    private QmpServer? _server;

    private string Socket => Path.Combine(_dir, "qmp.sock");

    private string Output => Path.Combine(_dir, "saved.json");

    /// <summary>An event whose name closes a literal and a doc comment, a real U+2028, then a class; a member with a quote; a valid command beside them.</summary>
    private static readonly string s_schema =
        "[{\"name\": \"query-status\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"0\"}," +
        "{\"name\": \"X\\\";//</c></summary>\u2028internal static class Pwn { }\", \"meta-type\": \"event\", \"arg-type\": \"0\"}," +
        "{\"name\": \"0\", \"meta-type\": \"object\", \"members\": [{\"name\": \"a\\\"b\", \"type\": \"str\"}]}," +
        "{\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]";

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = QmpServer.Listen("unix:" + Socket + ",server=on,wait=off", new Answers(s_schema));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Introspect_refuses_an_answer_with_names_outside_QMPs_character_set_and_names_them_escaped()
    {
        var (exit, _, stderr) = LiveIntrospectionTests.Cli("introspect", "unix:" + Socket, "-o", Output);
        Assert.Equal(1, exit);
        Assert.False(File.Exists(Output));
        Assert.False(File.Exists(Output + ".tmp"));
        Assert.Contains("2 name(s) outside QMP's character set", stderr, StringComparison.Ordinal);
        Assert.Contains("  event 'X\";//</c></summary>\\u2028internal static class Pwn { }'", stderr, StringComparison.Ordinal);
        Assert.Contains("  member of object '0' 'a\"b'", stderr, StringComparison.Ordinal);
        // Printed escaped, never raw.
        Assert.DoesNotContain('\u2028', stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>Answers <c>query-version</c> and <c>query-qmp-schema</c> with the given schema.</summary>
    private sealed class Answers(string schema) : IQmpCommandDispatcher
    {
        public bool HasCommand(string name) => name is "query-version" or "query-qmp-schema";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(QmpReturn.FromUtf8(Encoding.UTF8.GetBytes(command == "query-version"
                ? "{\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, \"package\": \"hostile\"}"
                : schema)));
    }
}
