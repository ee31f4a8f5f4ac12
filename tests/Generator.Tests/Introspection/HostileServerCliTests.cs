using System.Text;
using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>
/// Issue 20 item 12: what a server names (its version string, command and member names) reaches the
/// operator's terminal escaped from <c>introspect</c> and <c>compat</c>, never as escape sequences,
/// bidi overrides or line breaks. The server is a QmpServer in this process on a socket of its own.
/// </summary>
public sealed class HostileServerCliTests : IAsyncLifetime
{
    // ESC ] 0 ; title BEL retitles a terminal; U+202E turns the rest of the line around; U+2028 ends it.
    private const string Package = "evil\u001b]0;owned\u0007 \u202Etxt.exe\u2028tail";

    private static readonly string s_schema = JsonSerializer.Serialize(new object[]
    {
        new Dictionary<string, object> { ["name"] = "query-status", ["meta-type"] = "command", ["arg-type"] = "0", ["ret-type"] = "1" },
        new Dictionary<string, object> { ["name"] = "run\u001b[2Jnow", ["meta-type"] = "command", ["arg-type"] = "0", ["ret-type"] = "0" },
        new Dictionary<string, object> { ["name"] = "0", ["meta-type"] = "object", ["members"] = Array.Empty<object>() },
        new Dictionary<string, object>
        {
            ["name"] = "1", ["meta-type"] = "object",
            ["members"] = new object[] { new Dictionary<string, object> { ["name"] = "gpj.\u202Eexe", ["type"] = "str" } },
        },
        new Dictionary<string, object> { ["name"] = "str", ["meta-type"] = "builtin", ["json-type"] = "string" },
    });

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qmp-hostile-cli-" + Guid.NewGuid().ToString("N")[..8]);
    private QmpServer? _server;

    private string Socket => Path.Combine(_dir, "qmp.sock");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = QmpServer.Listen($"unix:{Socket},server,nowait", new Answers(),
            new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 0, Package), []) });
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

    private static void AssertPlain(string text)
    {
        Assert.DoesNotContain(text, c => c is '\u001b' or '\u0007' or '\u202E' or '\u2028');
    }

    [Fact]
    public void Introspect_refuses_the_answer_and_prints_its_names_escaped()
    {
        // The answer's names are outside QMP's character set, so introspect refuses to save it (QMP0305's
        // rule) and lists them; the version's escaping is ServerTextOnTerminalTests' (an answer it saves).
        var saved = Path.Combine(_dir, "saved.json");
        var (exit, stdout, stderr) = LiveIntrospectionTests.Cli("introspect", "unix:" + Socket, "-o", saved);
        Assert.True(exit == 1, stderr);
        Assert.False(File.Exists(saved));
        AssertPlain(stdout + stderr);
        Assert.Contains(@"command 'run\u001b[2Jnow'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Compat_prints_the_server_s_names_escaped()
    {
        var client = Path.Combine(_dir, "client.json");
        File.WriteAllText(client, """
            [{"name": "query-status", "meta-type": "command", "arg-type": "q_empty", "ret-type": "StatusInfo"},
             {"name": "q_empty", "meta-type": "object", "members": []},
             {"name": "StatusInfo", "meta-type": "object", "members": []},
             {"name": "str", "meta-type": "builtin", "json-type": "string"}]
            """);
        var (exit, stdout, stderr) = LiveIntrospectionTests.Cli("compat", client, "--against", "unix:" + Socket);
        Assert.True(exit == 0, stdout + stderr);
        AssertPlain(stdout + stderr);
        Assert.Contains(@"  run\u001B[2Jnow", stdout, StringComparison.Ordinal);
        Assert.Contains(@"  query-status/ret-type/gpj.\u202Eexe (StatusInfo): ignored by the client", stdout, StringComparison.Ordinal);
    }

    private sealed class Answers : IQmpCommandDispatcher
    {
        public bool HasCommand(string name) => name is "query-version" or "query-qmp-schema";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(QmpReturn.FromUtf8(Encoding.UTF8.GetBytes(command == "query-version"
                ? JsonSerializer.Serialize(new { qemu = new { major = 7, minor = 2, micro = 0 }, package = Package })
                : s_schema)));
    }
}
