using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qmp.Runtime;
using Qmp.Runtime.Qapi;

namespace Qmp.Fuzz;

/// <summary>
/// Fuzzes <see cref="QapiInputReader"/>, the QAPI argument checks a generated server runs: mutants of
/// good and bad arguments of the commands <see cref="QapiShapes"/> describes (blockdev-add's unions and
/// alternates, lists of unions, every integer width), parsed as the server parses them (its nesting
/// limit), then read through one reused reader. A finding is any exception but a <c>GenericError</c>,
/// or a <c>GenericError</c> whose words are not one of QEMU's forms.
/// </summary>
internal static class VisitorFuzzer
{
    /// <summary>Command, then arguments: good ones and the parity test's kinds of bad ones.</summary>
    private static readonly (string Command, string Arguments)[] s_seeds =
    [
        ("blockdev-add", """{"driver":"qcow2","node-name":"disk","discard":"unmap","cache":{"direct":true,"no-flush":false},"read-only":false,"detect-zeroes":"on","file":{"driver":"file","filename":"/tmp/a.qcow2","aio":"native","locking":"off"},"backing":null,"lazy-refcounts":true,"overlap-check":{"template":"all","main-header":true},"cache-size":1048576,"encrypt":{"format":"luks","key-secret":"s"},"data-file":"base"}"""),
        ("blockdev-add", """{"driver":"quorum","children":["a",{"driver":"raw","file":{"driver":"file","filename":"f"},"offset":512}],"vote-threshold":1,"read-pattern":"fifo"}"""),
        ("blockdev-add", """{"driver":"qcow2","file":{"driver":"qcow2","file":{"driver":"file"}}}"""),
        ("blockdev-add", """{"driver":"qcow2","file":5,"backing":5,"overlap-check":5,"bogus":1}"""),
        ("eject", """{"device":"ide1-cd0","id":"cd","force":true}"""),
        ("balloon", """{"value":9223372036854775807}"""),
        ("set_link", """{"name":"net0","up":false}"""),
        ("block_resize", """{"node-name":"disk","size":1073741824}"""),
        ("migrate-set-capabilities", """{"capabilities":[{"capability":"xbzrle","state":true},{"capability":"events","state":false}]}"""),
        ("nbd-server-start", """{"addr":{"type":"inet","data":{"host":"::","port":"10809","to":10810,"ipv6":true}},"max-connections":4}"""),
        ("nbd-server-start", """{"addr":{"type":"unix","data":{"path":"/tmp/nbd"}},"tls-creds":"t"}"""),
        ("nbd-server-start", """{"addr":{"type":"fd","data":{"str":"3"}}}"""),
        ("transaction", """{"actions":[{"type":"abort","data":{}},{"type":"blockdev-snapshot-sync","data":{"node-name":"n","snapshot-file":"s","mode":"existing"}}],"properties":{"completion-mode":"grouped"}}"""),
        ("qmp_capabilities", """{"enable":["oob"]}"""),
        ("query-status", """{}"""),
        ("chardev-add", """{"id":"c","backend":{"type":"null","data":{"logfile":"l","logappend":true}}}"""),
        ("object-add", """{"qom-type":"memory-backend-ram","id":"m","size":1073741824,"host-nodes":[0,1],"policy":"bind","prealloc-threads":4}"""),
        ("human-monitor-command", """{"command-line":"info status","cpu-index":0}"""),
        ("screendump", """{"filename":"f","format":"png","head":0}"""),
        ("send-key", """{"keys":[{"type":"number","data":1},{"type":"qcode","data":"a"}],"hold-time":100}"""),
        ("qom-set", """{"path":"/machine","property":"p","value":{"deep":[1,[2,[3]]]}}"""),
        ("migrate-set-parameters", """{"compress-level":1,"tls-creds":null,"tls-hostname":"h","max-bandwidth":-1,"x-checkpoint-delay":100}"""),
        ("widths", """{"i8":-128,"i16":32767,"i32":-2147483648,"i64":-9223372036854775808,"u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,"sz":0,"n":1.5,"b":true,"s":"x","a":null,"z":null,"l":[1,2,3]}"""),
    ];

    private static readonly string[] s_tokens =
    [
        "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "0", "-1", "1.5", "{}", "[]", "\"driver\":", "\"file\":", "\"type\":", "\"data\":",
        "\"qcow2\"", "\"file\"", "\"raw\"", "\"quorum\"", "\"inet\"", "\"abort\"", "\"nosuch\"", "\"\\u0000\"", "\"\\ud800\"", "\"bogus\":1,",
        "{\"driver\":\"raw\",\"file\":", "[[[[[[[[", "]]]]]]]]",
    ];

    private static readonly string[] s_forms =
    [
        "Parameter '", "Invalid parameter type for '",
    ];

    /// <summary>Values a reshaped input puts in place of another: every JSON type, edges of every width, names of the schema.</summary>
    private static readonly string[] s_values =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e400", "-0", "255", "256", "-129", "65536", "4294967296", "9223372036854775808",
        "18446744073709551616", "-9223372036854775809", "\"\"", "\"qcow2\"", "\"file\"", "\"raw\"", "\"quorum\"", "\"inet\"", "\"unix\"",
        "\"fd\"", "\"abort\"", "\"blockdev-snapshot-sync\"", "\"null\"", "\"number\"", "\"memory-backend-ram\"", "\"oob\"",
        "\"nosuch\"", "\"a\\u0000b\"", "{}", "[]", "[1]", "[{}]", "{\"driver\":\"file\",\"filename\":\"f\"}",
        "{\"driver\":\"raw\",\"file\":{\"driver\":\"raw\",\"file\":\"x\"}}",
    ];

    private static readonly string[] s_names = ["driver", "file", "filename", "type", "data", "bogus", "node-name", "backing", "children", "capabilities", "x"];

    /// <summary><paramref name="seed"/> with one to three changes that keep it JSON.</summary>
    internal static byte[] Reshape(Random random, byte[] seed)
    {
        var root = JsonNode.Parse(seed)!;
        var changes = 1 + random.Next(3);
        for (var c = 0; c < changes; c++)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var node = nodes[random.Next(nodes.Count)];
            var value = JsonNode.Parse(s_values[random.Next(s_values.Length)]);
            switch (node)
            {
                case JsonObject obj when random.Next(3) == 0 && obj.Count > 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case JsonObject obj when random.Next(2) == 0:
                    obj[s_names[random.Next(s_names.Length)]] = value;
                    break;
                case JsonArray array when random.Next(2) == 0:
                    array.Insert(random.Next(array.Count + 1), value);
                    break;
                default:
                    if (node.Parent is JsonObject parent)
                    {
                        parent[node.GetPropertyName()] = value;
                    }
                    else if (node.Parent is JsonArray list)
                    {
                        list[node.GetElementIndex()] = value;
                    }

                    break;
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        if (node is JsonObject obj)
        {
            foreach (var member in obj)
            {
                Collect(member.Value, nodes);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var element in array)
            {
                Collect(element, nodes);
            }
        }
    }

    public static int Run(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var random = new Random(seed);
        var commands = s_seeds.Select(s => s.Command).Distinct().ToArray();
        var mutators = commands.ToDictionary(
            command => command,
            command => new Mutator(random, [.. s_seeds.Where(s => s.Command == command).Select(s => Encoding.UTF8.GetBytes(s.Arguments))], [.. s_tokens.Select(Encoding.UTF8.GetBytes)]));
        var reader = new QapiInputReader(null);
        var options = new JsonDocumentOptions { MaxDepth = QmpLimits.DefaultServerMaxDepth + 2 };
        var failures = 0;
        long notJson = 0, refused = 0, accepted = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            var command = commands[random.Next(commands.Length)];
            var mutator = mutators[command];
            // Half the inputs stay JSON (a value, a member or an element changed), so they reach the reader.
            var input = random.Next(2) == 0 ? mutator.Mutate(mutator.Seed()) : Reshape(random, mutator.Seed());
            watchdog.Arm("visitor", input);
            try
            {
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(input, options);
                }
                catch (JsonException)
                {
                    notJson++;
                    continue;
                }

                using (document)
                {
                    reader.Reset(document.RootElement);
                    try
                    {
                        QapiShapes.Check(reader, command);
                        accepted++;
                    }
                    catch (QmpException ex) when (ex.ErrorClass == QmpErrorClass.GenericError && s_forms.Any(f => ex.Description.StartsWith(f, StringComparison.Ordinal)))
                    {
                        refused++;
                    }
                }
            }
            catch (Exception ex)
            {
                failures += QmpFuzzer.Save(findings, "visitor-" + command, input, ex.ToString());
            }
            finally
            {
                watchdog.Disarm();
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"visitor: {i + 1} inputs, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.WriteLine($"visitor: {inputs} inputs ({notJson} not JSON, {accepted} accepted, {refused} refused in QEMU's words) in {clock.Elapsed.TotalSeconds:F1} s, {failures} findings");
        return failures;
    }
}
