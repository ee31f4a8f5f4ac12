using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qmp.Fuzz;

/// <summary>
/// Fuzzes the saved-answer front end (src/Core/Introspection, the reader the generator and
/// <c>qmp-codegen introspect</c>'s files go through): mutants of small answers of our own, of the
/// golden test's answer (tests/Generator.Emit.Tests/GoldenIntrospection/live.json, read at run time)
/// and of the installed QEMU's answer (saved at run time by eng/get-qemu-introspection.sh into the temp
/// folder, never copied here) cut into runs of entries; now and then QEMU's whole answer mutated.
/// Each goes through <see cref="IntrospectionAdapter"/>: read, model, C# spec and code, described back.
/// </summary>
internal static class IntrospectionFuzzer
{
    /// <summary>Our own answers: the three shapes, every meta-type, old enums, unknown meta-types, loops, dangling and hostile names.</summary>
    private static readonly string[] s_seeds =
    [
        """[{"name": "query-status", "meta-type": "command", "arg-type": "0", "ret-type": "1"}, {"name": "0", "meta-type": "object", "members": []}, {"name": "1", "meta-type": "object", "members": [{"name": "running", "type": "bool"}, {"name": "status", "type": "2"}]}, {"name": "2", "meta-type": "enum", "members": [{"name": "running"}, {"name": "paused", "features": ["deprecated"]}], "values": ["running", "paused"]}, {"name": "bool", "meta-type": "builtin", "json-type": "boolean"}]""",
        """{"return": [{"name": "STOP", "meta-type": "event", "arg-type": "0"}, {"name": "0", "meta-type": "object", "members": []}]}""",
        """{"query-version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": "fuzz"}, "query-qmp-schema": [{"name": "blockdev-add", "meta-type": "command", "arg-type": "3", "ret-type": "0", "allow-oob": true, "features": ["unstable"]}, {"name": "0", "meta-type": "object", "members": []}, {"name": "3", "meta-type": "object", "members": [{"name": "driver", "type": "4"}, {"name": "node-name", "default": null, "type": "str"}], "tag": "driver", "variants": [{"case": "file", "type": "5"}, {"case": "raw", "type": "0"}]}, {"name": "4", "meta-type": "enum", "values": ["file", "raw", "qcow2"]}, {"name": "5", "meta-type": "object", "members": [{"name": "filename", "type": "str"}, {"name": "aio", "default": null, "type": "6"}]}, {"name": "6", "meta-type": "alternate", "members": [{"type": "str"}, {"type": "int"}, {"type": "null"}, {"type": "[str]"}]}, {"name": "str", "meta-type": "builtin", "json-type": "string"}, {"name": "int", "meta-type": "builtin", "json-type": "int"}, {"name": "null", "meta-type": "builtin", "json-type": "null"}, {"name": "[str]", "meta-type": "array", "element-type": "str"}]}""",
        """[{"name": "loop", "meta-type": "command", "arg-type": "7", "ret-type": "[[7]]"}, {"name": "7", "meta-type": "object", "members": [{"name": "next", "type": "7"}, {"name": "many", "type": "[7]"}, {"name": "gone", "type": "99"}]}, {"name": "[7]", "meta-type": "array", "element-type": "7"}, {"name": "[[7]]", "meta-type": "array", "element-type": "[7]"}, {"name": "new", "meta-type": "future-kind", "what": 1}, {"name": "7", "meta-type": "enum", "values": []}]""",
        """[{"name": "__com.redhat_x-cmd", "meta-type": "command", "arg-type": "q_obj___com.redhat_x-cmd-arg", "ret-type": "q_empty"}, {"name": "q_obj___com.redhat_x-cmd-arg", "meta-type": "object", "members": [{"name": "x-y_z", "type": "any"}]}, {"name": "q_empty", "meta-type": "object", "members": []}, {"name": "any", "meta-type": "builtin", "json-type": "value"}, {"name": "QType", "meta-type": "enum", "values": ["none", "qnull", "qnum"]}]""",
        "{\"query-qmp-schema\": [{\"name\": \"X\\\";//</c></summary>\u2028internal static class Pwn { }\", \"meta-type\": \"event\", \"arg-type\": \"0\"}, {\"name\": \"0\", \"meta-type\": \"object\", \"members\": [{\"name\": \"a\\u2029b\", \"type\": \"str\"}]}, {\"name\": \"e\", \"meta-type\": \"enum\", \"values\": [\"a\\\"b\", \"\"]}]}",
    ];

    /// <summary>Bits of the format the mutator inserts.</summary>
    private static readonly string[] s_tokens =
    [
        "{\"name\": \"", "\"meta-type\": \"", "command", "event", "object", "enum", "array", "alternate", "builtin", "\"arg-type\": \"", "\"ret-type\": \"",
        "\"members\": [", "\"values\": [", "\"variants\": [", "\"tag\": \"", "\"case\": \"", "\"type\": \"", "\"element-type\": \"", "\"json-type\": \"",
        "\"features\": [\"deprecated\"]", "\"default\": null", "\"allow-oob\": true", "\"return\": ", "\"query-qmp-schema\": ", "\"query-version\": ",
        "q_empty", "q_obj_", "[", "]", "{", "}", ":", ",", "\"", "\\\"", "\\\\", "\\u2028", "\\u0000", "\\ud800", "\u2028", "\u2029", "\u0085", "\r", "\n",
        "</c>", "<", "&", "0", "1", "37", "[37]", "str", "int", "any", "null", "true", "false",
    ];

    public static int Run(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var seeds = new List<string>(s_seeds);
        var golden = GoldenAnswer(out var goldenNote);
        if (golden.Length > 0)
        {
            seeds.Add(golden);
        }

        var qemu = QemuAnswer(out var qemuNote);
        if (qemu.Length > 0)
        {
            seeds.AddRange(Runs(qemu));
        }

        Console.WriteLine($"introspection: {s_seeds.Length} answers of our own, {goldenNote}, {qemuNote}: {seeds.Count} seeds");
        var random = new Random(seed);
        var mutator = new Mutator(random, [.. seeds.Select(Encoding.UTF8.GetBytes)], [.. s_tokens.Select(Encoding.UTF8.GetBytes), [0xed, 0xa0, 0x80], [0xff], [0xe2, 0x80, 0xa8]]);
        var whole = Encoding.UTF8.GetBytes(qemu);
        var failures = 0;
        long diagnostics = 0, entries = 0, wholeRuns = 0, reshaped = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            byte[] input;
            if (whole.Length > 0 && i % 5000 == 4999)
            {
                input = mutator.Mutate(whole);
                wholeRuns++;
            }
            else if (random.Next(2) == 0)
            {
                input = mutator.Mutate(mutator.Seed());
            }
            else
            {
                // Half the inputs stay JSON, so they reach the model and the C# rather than stop at the reader.
                input = Reshape(random, mutator.Seed());
                reshaped++;
            }

            watchdog.Arm("introspection", input);
            try
            {
                diagnostics += IntrospectionAdapter.Read(Encoding.UTF8.GetString(input), out var read);
                entries += read;
            }
            catch (Exception ex)
            {
                failures += QmpFuzzer.Save(findings, "introspection", input, ex.ToString());
            }
            finally
            {
                watchdog.Disarm();
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"introspection: {i + 1} inputs, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.WriteLine($"introspection: {inputs} inputs ({wholeRuns} whole QEMU answers mutated, {reshaped} reshaped as JSON, {entries} entries read) in {clock.Elapsed.TotalSeconds:F1} s, {diagnostics} diagnostics, {failures} findings");
        return failures;
    }

    /// <summary>Names and values a reshaped answer may take: QEMU's kinds of names, and the ones the reader must refuse.</summary>
    private static readonly string[] s_names =
    [
        "", "0", "37", "[37]", "[[37]]", "[", "]", "[]", "q_empty", "q_obj_x-arg", "__com.redhat_x", "x-y", "A_B", "int", "str", "any", "null", "QType",
        "a b", "a\u2028b", "a\u2029b", "a\u0085b", "a\rb", "a\nb", "a\"b", "a\\b", "</c></summary>", "a&b", "caf\u00e9", "\ud800", "\ud83d\ude00", "\u202e", "\u0000",
        "command", "event", "object", "enum", "array", "alternate", "builtin", "string", "boolean", "number", "value",
    ];

    /// <summary>
    /// <paramref name="seed"/> (JSON) with one to three changes that keep it JSON: a string becomes another
    /// of the answer's strings or one of <see cref="s_names"/>, a member or an element goes or is doubled,
    /// a value changes JSON type.
    /// </summary>
    private static byte[] Reshape(Random random, byte[] seed)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(seed);
        }
        catch (JsonException)
        {
            return seed;
        }

        if (root is null)
        {
            return seed;
        }

        for (var round = 1 + random.Next(3); round > 0; round--)
        {
            var nodes = new List<JsonNode>();
            var strings = new List<string>();
            Collect(root, nodes, strings);
            var node = nodes[random.Next(nodes.Count)];
            switch (random.Next(6))
            {
                case 0 or 1 when node is JsonValue && node.Parent is not null:
                    var text = random.Next(3) == 0 || strings.Count == 0 ? s_names[random.Next(s_names.Length)] : strings[random.Next(strings.Count)];
                    Replace(node, JsonValue.Create(text));
                    break;
                case 2 when node is JsonObject o && o.Count > 0:
                    o.Remove(o.ElementAt(random.Next(o.Count)).Key);
                    break;
                case 3 when node is JsonArray a && a.Count > 0:
                    var at = random.Next(a.Count);
                    if (random.Next(2) == 0)
                    {
                        a.RemoveAt(at);
                    }
                    else
                    {
                        a.Insert(random.Next(a.Count + 1), a[at]?.DeepClone());
                    }

                    break;
                case 4 when node.Parent is not null:
                    Replace(node, random.Next(4) switch { 0 => JsonValue.Create(1), 1 => null, 2 => new JsonArray(), _ => new JsonObject() });
                    break;
                case 5 when node is JsonObject o:
                    o[s_names[random.Next(s_names.Length)]] = JsonValue.Create(strings.Count == 0 ? "x" : strings[random.Next(strings.Count)]);
                    break;
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes, List<string> strings)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    if (value is not null)
                    {
                        Collect(value, nodes, strings);
                    }
                }

                break;
            case JsonArray a:
                foreach (var value in a)
                {
                    if (value is not null)
                    {
                        Collect(value, nodes, strings);
                    }
                }

                break;
            case JsonValue v when v.TryGetValue(out string? s):
                strings.Add(s);
                break;
        }
    }

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="node"/> is, in its object or array.</summary>
    private static void Replace(JsonNode node, JsonNode? replacement)
    {
        switch (node.Parent)
        {
            case JsonObject o:
                o[node.GetPropertyName()] = replacement;
                break;
            case JsonArray a:
                a[node.GetElementIndex()] = replacement;
                break;
        }
    }

    /// <summary>The answer cut into arrays of 1 to 3 consecutive entries, each with the builtins (so most references resolve).</summary>
    private static List<string> Runs(string answer)
    {
        using var document = JsonDocument.Parse(answer);
        var root = document.RootElement;
        var array = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("query-qmp-schema");
        var all = array.EnumerateArray().Select(e => e.GetRawText()).ToList();
        var builtins = string.Join(", ", array.EnumerateArray().Where(e => e.GetProperty("meta-type").GetString() == "builtin").Select(e => e.GetRawText()));
        var runs = new List<string>();
        for (var i = 0; i < all.Count; i++)
        {
            for (var run = 1; run <= 3 && i + run <= all.Count; run++)
            {
                runs.Add("[" + string.Join(", ", all.Skip(i).Take(run)) + (builtins.Length > 0 ? ", " + builtins : "") + "]");
            }
        }

        return runs;
    }

    /// <summary>The golden test's hand-written answer, found above the tool's folder.</summary>
    private static string GoldenAnswer(out string note)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "Generator.Emit.Tests", "GoldenIntrospection", "live.json");
            if (File.Exists(file))
            {
                note = "the golden answer";
                return File.ReadAllText(file);
            }
        }

        note = "no golden answer (tests/Generator.Emit.Tests/GoldenIntrospection/live.json not found)";
        return "";
    }

    /// <summary>The installed QEMU's answer, saved by eng/get-qemu-introspection.sh into the temp folder (kept while newer than QEMU); none without QEMU.</summary>
    private static string QemuAnswer(out string note)
    {
        string? script = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && script is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "eng", "get-qemu-introspection.sh");
            script = File.Exists(candidate) ? candidate : null;
        }

        if (script is null)
        {
            note = "no QEMU answer (eng/get-qemu-introspection.sh not found)";
            return "";
        }

        var output = Path.Combine(Path.GetTempPath(), "qmp-fuzz-introspection", "qemu.qmp-schema.json");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(output);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000) || process.ExitCode != 0 || !File.Exists(output))
        {
            note = "no QEMU answer (" + stderr.Trim() + ")";
            return "";
        }

        var text = File.ReadAllText(output);
        note = $"QEMU's answer ({text.Length:N0} characters)";
        return text;
    }
}
