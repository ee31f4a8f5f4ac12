using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// <c>Generate="Server"</c> on a QAPI schema (once QMP0110, no server): the dispatch base it writes,
/// run in process: typed and boxed arguments checked with QEMU 7.2's words, <c>success-response:
/// false</c> answering nothing, <c>allow-oob</c>, the modern dialect, <c>CommandNotFound</c>.
/// </summary>
public class QapiServerTests
{
    private const string Top = "/qapi/paint.json";

    private const string Schema = """
        { 'enum': 'Color', 'data': [ 'red', 'green' ] }
        { 'struct': 'Pen', 'data': { 'color': 'Color', '*width': 'uint8' } }
        { 'command': 'draw', 'data': { 'pen': 'Pen' }, 'returns': 'Pen' }
        { 'command': 'boxed-draw', 'data': 'Pen', 'boxed': true }
        { 'command': 'fire', 'success-response': false }
        { 'command': 'ping', 'allow-oob': true }
        { 'command': 'unserved' }
        { 'event': 'DRAWN', 'data': { 'pen': 'Pen' } }
        """;

    private const string Probe = """"
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Acme.Paint;
        using Qmp.Runtime;

        namespace Consumer;

        public sealed class Served : PaintCommandsBase
        {
            public override ValueTask<Pen> DrawAsync(DrawArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
                ValueTask.FromResult(arguments.Pen with { Width = 2 });

            public override ValueTask BoxedDrawAsync(Pen arguments, QmpSession session, CancellationToken cancellationToken) =>
                arguments.Color == Color.Green ? ValueTask.CompletedTask : throw QmpException.Generic("not green");

            public override ValueTask FireAsync(QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

            public override ValueTask PingAsync(QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        }

        public static class Probe
        {
            public static string Run()
            {
                IQmpCommandDispatcher server = new Served();
                var log = new StringBuilder();
                log.Append(server.PreferredDialect).Append(' ').Append(server.AllowsOutOfBand("ping")).Append(' ').Append(server.AllowsOutOfBand("draw")).Append('\n');
                foreach (var (command, arguments) in new[]
                {
                    ("draw", """{"pen": {"color": "red"}}"""),
                    ("boxed-draw", """{"color": "green"}"""),
                    ("fire", "{}"),
                    ("draw", """{"pen": {"color": "blue"}}"""),
                    ("draw", """{"pen": {"color": "red", "width": 300}}"""),
                    ("draw", """{"pen": {"color": "red"}, "bogus": 1}"""),
                    ("draw", "{}"),
                    ("boxed-draw", """{"color": "red", "width": "x"}"""),
                    ("fire", """{"now": true}"""),
                    ("unserved", "{}"),
                })
                {
                    try
                    {
                        var result = server.DispatchAsync(command, JsonDocument.Parse(arguments).RootElement, null!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                        if (result.IsNoReply)
                        {
                            log.Append("no reply\n");
                            continue;
                        }
                        using var stream = new System.IO.MemoryStream();
                        using (var writer = new Utf8JsonWriter(stream))
                        {
                            result.WriteTo(writer);
                        }
                        log.Append(Encoding.UTF8.GetString(stream.ToArray())).Append('\n');
                    }
                    catch (QmpException e)
                    {
                        log.Append(e.ErrorClassName).Append(": ").Append(e.Description).Append('\n');
                    }
                }
                return log.ToString();
            }
        }
        """";

    [Fact]
    public void A_QAPI_server_checks_with_QEMU_7_2s_words_and_serves_boxed_oob_and_silent_commands()
    {
        var files = new Dictionary<string, string> { [Top] = Schema };
        var (output, diagnostics, run) = QapiHarness.Generate(QapiHarness.CreateDriver(Top, files, "Acme.Paint", "Client;Server"), Probe);
        Assert.Empty(diagnostics);
        var names = run.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Contains("Acme.Paint.Server.g.cs", names);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var log = ((string)QapiHarness.Load(output).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!).Split('\n');
        Assert.Equal(new[]
        {
            "Modern True False",
            """{"color":"red","width":2}""",
            "{}",
            "no reply",
            "GenericError: Parameter 'color' does not accept value 'blue'",
            "GenericError: Parameter 'width' expects uint8_t",
            "GenericError: Parameter 'bogus' is unexpected",
            "GenericError: Parameter 'pen' is missing",
            "GenericError: Parameter 'width' expects uint64", // QEMU's uint64 visitor words a non-number so, whatever the width
            "GenericError: Parameter 'now' is unexpected",
            "CommandNotFound: The command unserved has not been found",
            "",
        }, log);
    }
}
