using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>
/// Every example request of the repository's schema reads through its generated arguments record
/// and writes back to equal JSON; every example reply (after the parser's repairs) reads into its
/// typed return. The probe that calls the generated Read/Write is itself generated from the specs
/// (a ref-struct reader cannot go through reflection).
/// </summary>
public class ExampleRoundTripTests
{
    /// <summary>
    /// Examples QEMU 2.1 itself would refuse: dump-guest-memory's example leaves out the required
    /// <c>paging</c> (args_type <c>paging:b</c>), which gets "Parameter 'paging' is missing".
    /// </summary>
    private static readonly HashSet<string> s_refusedByQemu = new(StringComparer.Ordinal) { "dump-guest-memory" };

    /// <summary>
    /// Example replies QEMU 2.1 never sends: query-blockstats' examples spell <c>*_total_time_ns</c>
    /// as <c>*_total_times_ns</c>; the member list wins, so the typed reader refuses the typo.
    /// </summary>
    private static readonly HashSet<string> s_neverSentByQemu = new(StringComparer.Ordinal) { "query-blockstats" };

    private static readonly Lazy<(Func<string, string, string> Args, Func<string, string, string> Result, List<Model.CommandSpec> Commands)> s_probe = new(Build);

    [Fact]
    public void Every_example_request_round_trips_through_its_arguments_record()
    {
        var (args, _, commands) = s_probe.Value;
        var failures = new List<string>();
        var count = 0;
        foreach (var command in commands)
        {
            foreach (var example in command.Doc?.Examples ?? default)
            {
                if (example.Request is null || JsonNode.Parse(example.Request) is not JsonObject request || (string?)request["execute"] != command.Name || request["arguments"] is not JsonObject arguments)
                {
                    continue;
                }

                if (s_refusedByQemu.Contains(command.Name))
                {
                    Assert.Throws<TargetInvocationException>(() => args(command.Name, arguments.ToJsonString()));
                    continue;
                }
                count++;
                try
                {
                    var written = JsonNode.Parse(args(command.Name, arguments.ToJsonString()));
                    if (!JsonNode.DeepEquals(Normalize(arguments), Normalize(written)))
                    {
                        failures.Add($"{command.Name}: {arguments.ToJsonString()} -> {written!.ToJsonString()}");
                    }
                }
                catch (TargetInvocationException e)
                {
                    failures.Add($"{command.Name}: {e.InnerException!.Message}");
                }
            }
        }
        Assert.True(count > 50, $"only {count} example requests with arguments");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Every_example_reply_reads_into_its_typed_return()
    {
        var (_, result, commands) = s_probe.Value;
        var failures = new List<string>();
        var count = 0;
        foreach (var command in commands)
        {
            foreach (var example in command.Doc?.Examples ?? default)
            {
                if (example.Reply is null || JsonNode.Parse(example.Reply) is not JsonObject reply || !reply.ContainsKey("return"))
                {
                    continue;
                }

                if (example.Request is not null && JsonNode.Parse(example.Request) is JsonObject request && (string?)request["execute"] != command.Name)
                {
                    continue;
                }

                if (s_neverSentByQemu.Contains(command.Name))
                {
                    var refused = Assert.Throws<TargetInvocationException>(() => result(command.Name, reply["return"]!.ToJsonString()));
                    Assert.Contains("total_time_ns", refused.InnerException!.Message, StringComparison.Ordinal);
                    continue;
                }
                count++;
                try
                {
                    result(command.Name, reply["return"]!.ToJsonString());
                }
                catch (TargetInvocationException e)
                {
                    failures.Add($"{command.Name}: {e.InnerException!.Message}");
                }
            }
        }
        Assert.True(count > 80, $"only {count} example replies");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Requests with members the docs' examples never show (they only describe the arguments in
    /// part): the typed records keep them (in <c>AdditionalProperties</c>) and write them back, nothing lost.
    /// </summary>
    [Theory]
    [InlineData("chardev-add", """{"id":"r","backend":{"type":"ringbuf","data":{"size":8}}}""")]
    [InlineData("chardev-add", """{"id":"s","backend":{"type":"socket","data":{"addr":{"type":"unix","data":{"path":"/tmp/s"}},"server":true,"wait":false}}}""")]
    [InlineData("chardev-add", """{"id":"t","backend":{"type":"serial","data":{"device":"/dev/ttyS0"}}}""")]
    [InlineData("object-add", """{"qom-type":"memory-backend-ram","id":"m","props":{"size":1073741824,"policy":"bind","host-nodes":[0,1]}}""")]
    [InlineData("transaction", """{"actions":[{"type":"drive-backup","data":{"device":"d","target":"b.qcow2","sync":"full","speed":1024}},{"type":"abort","data":{}}]}""")]
    [InlineData("blockdev-add", """{"options":{"driver":"qcow2","id":"d","node-name":"n","read-only":true,"file":{"driver":"file","filename":"a.qcow2","aio":"native"}}}""")]
    [InlineData("nbd-server-start", """{"addr":{"type":"unix","data":{"path":"/tmp/nbd"}}}""")]
    [InlineData("send-key", """{"keys":[{"type":"qcode","data":"ctrl"},{"type":"number","data":83}],"hold-time":50}""")]
    [InlineData("migrate-set-capabilities", """{"capabilities":[{"capability":"xbzrle","state":true},{"capability":"auto-converge","state":false}]}""")]
    [InlineData("device_add", """{"driver":"e1000","id":"n1","mac":"52:54:00:12:34:57","netdev":"u"}""")]
    public void Requests_with_undocumented_members_round_trip(string command, string arguments)
    {
        var (args, _, _) = s_probe.Value;
        var written = JsonNode.Parse(args(command, arguments));
        Assert.True(JsonNode.DeepEquals(Normalize(JsonNode.Parse(arguments)), Normalize(written)), $"{arguments} -> {written!.ToJsonString()}");
    }

    /// <summary>Return types where the docs' stray items or examples would mislead the spec.</summary>
    [Fact]
    public void Return_types_follow_what_the_docs_say()
    {
        var model = SchemaParser.Parse(GeneratorHarness.RepositorySchema("Acme.Qemu").Select(s => new SchemaSource(s.Path, s.Text)));
        var spec = SpecBuilder.Build(Qmp.Codegen.Hx.HxSchemaBuilder.Build(model), "Acme.Qemu", client: true, server: true);
        CommandGenerationSpec Command(string name) => spec.Commands.Single(c => c.Name == name);
        // Type references are qualified (global::Acme.Qemu.MigrationInfo); records are named plainly.
        RecordSpec Record(TypeRef type) => spec.Records.Single(r => "global::Acme.Qemu." + r.Name == type.RecordName);

        // "- xbzrle: XBZRLE support" sits before "Arguments:", the doc never says it returns anything, and QEMU replies {}.
        Assert.Null(Command("migrate-set-capabilities").Result);
        // "Return a json-value: the property's value itself": any JSON value, not the example's string.
        Assert.Equal(TypeRef.Json, Command("qom-get").Result);
        // The member list puts total-time & co. at the top level; the example shows them inside "ram".
        var info = Record(Command("query-migrate").Result!);
        var ram = Record(info.Properties.Single(p => p.JsonName == "ram").Type);
        foreach (var name in new[] { "total-time", "setup-time", "downtime", "expected-downtime" })
        {
            Assert.Contains(info.Properties, p => p.JsonName == name);
            Assert.DoesNotContain(ram.Properties, p => p.JsonName == name);
        }
        // Members only the examples show are still added, optional.
        Assert.Contains(info.Properties, p => p.JsonName == "capabilities" && p.Optional);
    }

    /// <summary>QMP JSON numbers compare by value (1 and 1.0 are the same argument).</summary>
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Normalize).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(v.GetValue<double>()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };

    private static (Func<string, string, string>, Func<string, string, string>, List<Model.CommandSpec>) Build()
    {
        const string Ns = "Acme.Qemu";
        var schema = GeneratorHarness.RepositorySchema(Ns);
        var model = SchemaParser.Parse(schema.Select(s => new SchemaSource(s.Path, s.Text)));
        var spec = SpecBuilder.Build(Qmp.Codegen.Hx.HxSchemaBuilder.Build(model), Ns, client: true, server: true);
        var json = TypesEmitter.JsonClass(spec.Stem);

        var probe = new StringBuilder();
        probe.AppendLine("namespace Acme.Qemu;");
        probe.AppendLine("public static class Probe {");
        probe.AppendLine("static string Json<T>(T value, global::Qmp.Runtime.QmpJsonWriter<T> write) { var buffer = new global::System.Buffers.ArrayBufferWriter<byte>(); using (var w = new global::System.Text.Json.Utf8JsonWriter(buffer)) write(w, value); return global::System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan); }");
        probe.AppendLine("static T Read<T>(string text, global::Qmp.Runtime.QmpJsonReader<T> read) { var r = new global::System.Text.Json.Utf8JsonReader(global::System.Text.Encoding.UTF8.GetBytes(text)); r.Read(); return read(ref r); }");
        probe.AppendLine("public static string Args(string command, string text) { switch (command) {");
        foreach (var c in spec.Commands.Where(c => c.ArgumentsType is not null))
        {
            probe.AppendLine($"case \"{c.Name}\": return Json(Read(text, {c.ArgumentsType}.Read), {c.ArgumentsType}.Write);");
        }

        probe.AppendLine("default: throw new global::System.InvalidOperationException(\"no arguments record\"); } }");
        probe.AppendLine("public static string Result(string command, string text) { switch (command) {");
        foreach (var c in spec.Commands)
        {
            if (c.Result is null)
            {
                probe.AppendLine($"case \"{c.Name}\": return Read(text, {json}.Skip).ToString();");
            }
            else
            {
                probe.AppendLine($"case \"{c.Name}\": {{ global::Qmp.Runtime.QmpJsonReader<{c.Result.ClrType}> read = {TypesEmitter.ReaderFor(c.Result, json)}; global::Qmp.Runtime.QmpJsonWriter<{c.Result.ClrType}> write = {TypesEmitter.WriterFor(c.Result, json)}; return Json(Read(text, read), write); }}");
            }
        }
        probe.AppendLine("default: throw new global::System.InvalidOperationException(\"unknown command\"); } } }");

        var compilation = GeneratorHarness.Compilation(probe.ToString());
        GeneratorHarness.CreateDriver(schema, trackSteps: false).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        var context = new AssemblyLoadContext("probe", isCollectible: true);
        context.Resolving += (ctx, name) => name.Name == "Qmp.Runtime" ? typeof(Qmp.Runtime.QmpClient).Assembly : null;
        stream.Position = 0;
        var type = context.LoadFromStream(stream).GetType("Acme.Qemu.Probe")!;
        var args = type.GetMethod("Args")!;
        var result = type.GetMethod("Result")!;
        return ((c, t) => (string)args.Invoke(null, new object[] { c, t })!, (c, t) => (string)result.Invoke(null, new object[] { c, t })!, model.Commands.ToList());
    }
}
