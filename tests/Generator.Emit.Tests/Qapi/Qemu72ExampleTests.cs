using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Schema;
using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// Every example in QEMU 7.2's doc comments, read with the generated 7.2 client's own readers: a
/// request's arguments into the command's arguments record, a reply's <c>return</c> into the
/// command's result type, an event's <c>data</c> into the event's record. Prints N of M and each
/// example that does not read, with why.
/// </summary>
public class Qemu72ExampleTests(ITestOutputHelper output)
{
    [QemuSchemaFact("bookworm")]
    public void Examples_read_into_the_typed_arguments_and_returns()
    {
        var (schema, _, compilation, diagnostics, _, _) = Qemu72Fixture.Get();
        Assert.Empty(diagnostics);
        var checker = QapiHarness.Load(compilation).GetType("Consumer.Checker")!;
        var arguments = checker.GetMethod("Arguments")!;
        var returns = checker.GetMethod("Return")!;
        var events = checker.GetMethod("Event")!;

        var total = 0;
        var failures = new List<string>();
        void Check(string what, string? problem)
        {
            total++;
            if (problem is not null)
            {
                failures.Add(what + ": " + problem);
            }
        }

        var entities = schema.Commands.Select(c => (c.Name, c.Doc)).Concat(schema.Events.Select(e => (e.Name, e.Doc)))
            .Concat(schema.Types.Select(t => (t.Name, t.Doc)));
        foreach (var (entity, doc) in entities)
        {
            foreach (var example in doc?.Examples ?? default)
            {
                string? lastCommand = null;
                foreach (var message in example.Messages)
                {
                    var where = $"{entity} ({Path.GetFileName(message.Location.Path)}:{message.Location.Line})";
                    if (message.Json is null)
                    {
                        Check(where, "not JSON: " + message.Text.Trim());
                        continue;
                    }
                    using var json = JsonDocument.Parse(message.Json);
                    var root = json.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        Check(where, "not a QMP message: " + message.Json);
                        continue;
                    }
                    if (message.Direction == ExampleDirection.ToServer && root.TryGetProperty("execute", out var execute))
                    {
                        lastCommand = execute.GetString();
                        var args = root.TryGetProperty("arguments", out var a) ? a.GetRawText() : "{}";
                        Check(where + " -> " + lastCommand, (string?)arguments.Invoke(null, new object?[] { lastCommand, args }));
                    }
                    else if (root.TryGetProperty("return", out var ret) && lastCommand is not null)
                    {
                        Check(where + " <- return of " + lastCommand, (string?)returns.Invoke(null, new object?[] { lastCommand, ret.GetRawText() }));
                    }
                    else if (root.TryGetProperty("event", out var name))
                    {
                        var data = root.TryGetProperty("data", out var d) ? d.GetRawText() : "{}";
                        Check(where + " <- event " + name.GetString(), (string?)events.Invoke(null, new object?[] { name.GetString(), data }));
                    }
                    // An error reply ({"error": ...}) has nothing typed to read.
                }
            }
        }
        output.WriteLine($"{total - failures.Count} of {total} example messages read into the typed arguments, returns and events");
        foreach (var failure in failures)
        {
            output.WriteLine("  " + failure);
        }

        Assert.True(total > 300, $"only {total} example messages found");
        // What does not read is QEMU's docs lagging its schema: each of those examples leaves out a
        // member the schema requires (the example predates the member). The client is right to
        // refuse them; any other kind of failure is ours.
        Assert.All(failures, f => Assert.Matches(@"JsonException: Parameter '[^']+' is missing", f));
        Assert.True(failures.Count <= MissingMemberExamples, $"{failures.Count} examples do not read; QEMU 7.2 has {MissingMemberExamples} that leave out a required member");
    }

    /// <summary>QEMU 7.2's examples that leave out a member its schema requires (README, QAPI section).</summary>
    private const int MissingMemberExamples = 13;

    internal static string CheckerSource(GenerationSpec spec)
    {
        const string Json = "global::Qmp.Runtime.QmpJson";
        var source = new StringBuilder();
        source.AppendLine("#pragma warning disable QMP0900, CS0618");
        source.AppendLine("namespace Consumer;");
        source.AppendLine("public static class Checker");
        source.AppendLine("{");
        source.AppendLine("    private static System.Text.Json.Utf8JsonReader At(string json) { var r = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json)); r.Read(); return r; }");
        source.AppendLine("    private static string Fail(System.Exception e) => e.GetType().Name + \": \" + e.Message + (e is System.Text.Json.JsonException { Path: { Length: > 0 } p } ? \" at \" + p : \"\");");
        source.AppendLine("    public static string? Arguments(string command, string json)");
        source.AppendLine("    {");
        source.AppendLine("        var reader = At(json);");
        source.AppendLine("        try");
        source.AppendLine("        {");
        source.AppendLine("            switch (command)");
        source.AppendLine("            {");
        foreach (var command in spec.Commands)
        {
            source.AppendLine("                case " + Qmp.Codegen.Helpers.CSharpText.Literal(command.Name) + ":");
            source.AppendLine(command.ArgumentsType is null
                ? "                    return json == \"{}\" ? null : \"arguments to a command that takes none\";"
                : "                    global::" + spec.Namespace + "." + command.ArgumentsType + ".Read(ref reader); return null;");
        }
        source.AppendLine("                default: return \"no such command\";");
        source.AppendLine("            }");
        source.AppendLine("        }");
        source.AppendLine("        catch (System.Exception e) { return Fail(e); }");
        source.AppendLine("    }");
        source.AppendLine("    public static string? Return(string command, string json)");
        source.AppendLine("    {");
        source.AppendLine("        var reader = At(json);");
        source.AppendLine("        try");
        source.AppendLine("        {");
        source.AppendLine("            switch (command)");
        source.AppendLine("            {");
        foreach (var command in spec.Commands)
        {
            source.AppendLine("                case " + Qmp.Codegen.Helpers.CSharpText.Literal(command.Name) + ":");
            if (command.Result is null)
            {
                source.AppendLine("                    return json == \"{}\" ? null : \"a return value from a command that returns none\";");
            }
            else
            {
                source.AppendLine("                {");
                source.AppendLine("                    global::Qmp.Runtime.QmpJsonReader<" + command.Result.ClrType + "> read = " + TypesEmitter.ReaderFor(command.Result, Json) + ";");
                source.AppendLine("                    read(ref reader); return null;");
                source.AppendLine("                }");
            }
        }
        source.AppendLine("                default: return \"no such command\";");
        source.AppendLine("            }");
        source.AppendLine("        }");
        source.AppendLine("        catch (System.Exception e) { return Fail(e); }");
        source.AppendLine("    }");
        source.AppendLine("    public static string? Event(string name, string json)");
        source.AppendLine("    {");
        source.AppendLine("        var reader = At(json);");
        source.AppendLine("        try");
        source.AppendLine("        {");
        source.AppendLine("            switch (name)");
        source.AppendLine("            {");
        foreach (var e in spec.Events)
        {
            source.AppendLine("                case " + Qmp.Codegen.Helpers.CSharpText.Literal(e.Name) + ": global::" + spec.Namespace + "." + e.Record.Name + ".Read(ref reader); return null;");
        }

        source.AppendLine("                default: return \"no such event\";");
        source.AppendLine("            }");
        source.AppendLine("        }");
        source.AppendLine("        catch (System.Exception e) { return Fail(e); }");
        source.AppendLine("    }");
        source.AppendLine("}");
        return source.ToString();
    }
}
