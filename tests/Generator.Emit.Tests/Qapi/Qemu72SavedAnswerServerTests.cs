using System.Text.Json;
using Microsoft.CodeAnalysis;
using Qmp.Runtime;
using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// A server generated from a saved answer of live QEMU 7.2 (its <c>query-qmp-schema</c> and
/// <c>query-version</c>, recorded as <c>qmp-codegen introspect</c> saves them) answers
/// <c>query-qmp-schema</c> with the recording itself, and says the recorded version: what the
/// emulator's 7.2 persona needs to stop overriding it.
/// </summary>
public class Qemu72SavedAnswerServerTests(ITestOutputHelper output)
{
    private const string Probe = """"
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using Acme.Saved72;
        using Qmp.Runtime;

        namespace Consumer;

        public sealed class Served : Saved72CommandsBase
        {
        }

        public static class Probe
        {
            public static string[] Run()
            {
                IQmpCommandDispatcher server = new Served();
                var result = server.DispatchAsync("query-qmp-schema", default, null!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                using var stream = new System.IO.MemoryStream();
                using (var writer = new Utf8JsonWriter(stream))
                {
                    result.WriteTo(writer);
                }
                return [Encoding.UTF8.GetString(stream.ToArray()), server.PreferredVersion!.ToString()];
            }
        }
        """";

    [QemuFact]
    public async Task A_server_from_a_recording_of_QEMU_7_2_answers_the_recording()
    {
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonElement schema, version;
        await using (var client = await QmpClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token))
        {
            schema = (await client.ExecuteAsync("query-qmp-schema", cancellationToken: timeout.Token)).Clone();
            version = (await client.ExecuteAsync("query-version", cancellationToken: timeout.Token)).Clone();
        }

        var saved = "{\"query-version\": " + version.GetRawText() + ", \"query-qmp-schema\": " + schema.GetRawText() + "}";
        var driver = GeneratorHarness.CreateDriver([new GeneratorHarness.SchemaFile("/live/qemu72.qmp-schema.json", saved, "Acme.Saved72", "Server")]);
        var (compilation, diagnostics, _) = QapiHarness.Generate(driver, Probe);
        Assert.DoesNotContain(diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Take(20).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var log = (string[])QapiHarness.Load(compilation).GetType("Consumer.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        output.WriteLine($"{schema.GetArrayLength()} entries recorded; served {log[0].Length} bytes; version {log[1]}");
        Assert.True(JsonElement.DeepEquals(schema, JsonDocument.Parse(log[0]).RootElement), "the served answer differs from the recording");
        var qemuVersion = version.GetProperty("qemu");
        Assert.Equal($"{qemuVersion.GetProperty("major")}.{qemuVersion.GetProperty("minor")}.{qemuVersion.GetProperty("micro")} ({version.GetProperty("package").GetString()})", log[1]);
    }
}
