using System.Text;
using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>
/// What a hostile server sends never reaches the operator's terminal as control characters: its
/// <c>query-version</c> package, its error descriptions and the names in its schema are printed by
/// <c>introspect</c> and <c>compat</c> with controls escaped, so no escape sequence (retitling the
/// terminal, writing the clipboard, erasing the lines above) runs there.
/// </summary>
public sealed class ServerTextOnTerminalTests : IAsyncLifetime
{
    /// <summary>ESC sequences (clear screen, set title, OSC 52 clipboard), CR, BEL, a C1 CSI and a bidi override.</summary>
    private const string Hostile = "\u001b[2J\u001b]0;owned\u0007\u001b]52;c;cm0gLXJmIH4K\u0007\rok\u009b31m\u202e";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qmp-term-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<QmpServer> _servers = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_dir, true);
    }

    private string Serve(string name, IQmpCommandDispatcher answers)
    {
        var socket = Path.Combine(_dir, name + ".sock");
        _servers.Add(QmpServer.Listen("unix:" + socket + ",server=on,wait=off", answers));
        return "unix:" + socket;
    }

    private static readonly string s_schema =
        "[{\"name\": \"query-status\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"0\"}," +
        "{\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}]";

    private static void AssertNoControls(string text)
    {
        foreach (var c in text)
        {
            Assert.False(c is < ' ' and not '\n' or (>= '\u007f' and <= '\u009f') or '\u202e', $"U+{(int)c:X4} printed raw in: {text}");
        }
    }

    [Fact]
    public void Introspect_prints_the_servers_package_with_controls_escaped()
    {
        var address = Serve("version", new Answers("{\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, \"package\": " + JsonSerializer.Serialize(Hostile) + "}", s_schema));
        var (exit, stdout, stderr) = LiveIntrospectionTests.Cli("introspect", address, "-o", Path.Combine(_dir, "saved.json"));
        Assert.Equal(0, exit);
        Assert.Contains("QEMU 7.2.0 (", stderr, StringComparison.Ordinal);
        Assert.Contains("\\u001B[2J", stderr, StringComparison.Ordinal);
        AssertNoControls(stdout + stderr);
    }

    [Fact]
    public void Introspect_writes_a_file_whose_name_is_as_long_as_a_name_may_be()
    {
        // The temporary beside it is a dot-name with 128 random bits; from the target's whole name it
        // passed NAME_MAX (255 bytes) for any name over 216 bytes, so such a file could never be written.
        var address = Serve("long", new Answers("{\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, \"package\": \"\"}", s_schema));
        var output = Path.Combine(_dir, new string('n', 250) + ".json");
        var (exit, _, stderr) = LiveIntrospectionTests.Cli("introspect", address, "-o", output);
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(output));
        Assert.Equal([Path.GetFileName(output)], Directory.GetFiles(_dir, "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName).Where(n => !n!.EndsWith(".sock", StringComparison.Ordinal)));
    }

    [Fact]
    public void Introspect_and_compat_print_a_servers_error_description_with_controls_escaped()
    {
        var address = Serve("error", new Failing(Hostile));
        var (exit, stdout, stderr) = LiveIntrospectionTests.Cli("introspect", address, "-o", Path.Combine(_dir, "saved.json"));
        Assert.Equal(2, exit);
        Assert.Contains("\\u001B]0;owned", stderr, StringComparison.Ordinal);
        AssertNoControls(stdout + stderr);

        var client = Path.Combine(_dir, "client.json");
        File.WriteAllText(client, s_schema);
        (exit, stdout, stderr) = LiveIntrospectionTests.Cli("compat", client, "--against", address);
        Assert.Equal(2, exit);
        AssertNoControls(stdout + stderr);
    }

    [Fact]
    public void Compat_prints_a_servers_names_with_controls_escaped()
    {
        // The client's query-status returns a str member 'status'; the server's says its type is a name with escapes.
        var client = Path.Combine(_dir, "client.json");
        File.WriteAllText(client,
            "[{\"name\": \"query-status\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"1\"}," +
            "{\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}," +
            "{\"name\": \"1\", \"meta-type\": \"object\", \"members\": [{\"name\": \"status\", \"type\": \"str\"}]}," +
            "{\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]");
        var hostile = JsonSerializer.Serialize(Hostile);
        var address = Serve("names", new Answers("{\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, \"package\": \"\"}",
            "[{\"name\": \"query-status\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"1\"}," +
            "{\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}," +
            "{\"name\": \"1\", \"meta-type\": \"object\", \"members\": [{\"name\": \"status\", \"type\": " + hostile + "}]}," +
            "{\"name\": " + hostile + ", \"meta-type\": \"builtin\", \"json-type\": " + hostile + "}]"));
        var (exit, stdout, stderr) = LiveIntrospectionTests.Cli("compat", client, "--against", address);
        Assert.Equal(1, exit);
        AssertNoControls(stdout + stderr);
    }

    /// <summary>Answers <c>query-version</c> and <c>query-qmp-schema</c> with the given JSON.</summary>
    private sealed class Answers(string version, string schema) : IQmpCommandDispatcher
    {
        public bool HasCommand(string name) => name is "query-version" or "query-qmp-schema";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(QmpReturn.FromUtf8(Encoding.UTF8.GetBytes(command == "query-version" ? version : schema)));
    }

    /// <summary>Fails every command with the given description.</summary>
    private sealed class Failing(string description) : IQmpCommandDispatcher
    {
        public bool HasCommand(string name) => name is "query-version" or "query-qmp-schema";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
            throw QmpException.Generic(description);
    }
}
