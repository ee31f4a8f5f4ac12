using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>
/// What generated QAPI servers answer themselves through <see cref="QmpIntrospectionAnswers"/>:
/// <c>query-version</c> from the session's greeting, which a dispatcher's
/// <see cref="IQmpCommandDispatcher.PreferredVersion"/> sets unless the options' greeting is set;
/// <c>query-commands</c> in the order given, only the served names.
/// </summary>
public sealed class IntrospectionAnswersTests
{
    private sealed class Recorded : IQmpCommandDispatcher
    {
        public QmpVersion? PreferredVersion => new(10, 0, 13, "Debian 1:10.0.13");

        public bool HasCommand(string name) => name == "query-version";

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(QmpIntrospectionAnswers.Version(session.ServerVersion));
    }

    private static async Task<(QmpVersion Greeting, string Version)> AskAsync(QmpServerOptions? options)
    {
        var dir = Directory.CreateTempSubdirectory("qmp-introspection-answers-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var server = QmpServer.Listen($"unix:{socket},server,nowait", new Recorded(), options);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var client = await QmpClient.ConnectAsync("unix:" + socket, cancellationToken: timeout.Token);
            var version = await client.ExecuteAsync("query-version", cancellationToken: timeout.Token);
            return (client.Greeting.Version, version.GetRawText());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_dispatchers_preferred_version_is_greeted_with_and_answered_by_query_version()
    {
        var (greeting, version) = await AskAsync(null);
        Assert.Equal(new QmpVersion(10, 0, 13, "Debian 1:10.0.13"), greeting);
        // As QEMU prints it (its QDict's order), as the greeting says it.
        Assert.Equal("""{"qemu": {"micro": 13, "minor": 0, "major": 10}, "package": "Debian 1:10.0.13"}""", version);
    }

    [Fact]
    public async Task The_options_greeting_wins_over_the_preferred_version()
    {
        var (greeting, version) = await AskAsync(new QmpServerOptions { Greeting = new QmpGreeting(new QmpVersion(7, 2, 22), []) });
        Assert.Equal(new QmpVersion(7, 2, 22), greeting);
        Assert.Equal("""{"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}""", version);
    }

    [Fact]
    public void Query_commands_lists_the_served_names_in_the_given_order()
    {
        var answer = QmpIntrospectionAnswers.Commands(["stop", "cont", "qmp_capabilities"], name => name != "cont");
        Assert.Equal("""[{"name":"stop"},{"name":"qmp_capabilities"}]""", Encoding.UTF8.GetString(answer));
    }
}
