using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qmp.Emulator.Tests;

/// <summary>
/// Every command the 7.2 persona advertises in query-commands, called once with arguments built from its own
/// query-qmp-schema (required members only: strings "x", numbers 0, booleans false, an enum's first value, an
/// alternate's scalar branch, a union's first branch, one-element lists): each answers as a command the persona has,
/// and the errors are QEMU 7.2's, compared side by side with the installed QEMU (issue 23 item 2).
/// </summary>
public sealed class Qemu72CommandWalkTests
{
    /// <summary>
    /// Where the persona answers otherwise than QEMU 7.2 with these arguments, and why. Everything else must match
    /// QEMU's reply kind, and for an error its class and words.
    /// </summary>
    private static readonly Dictionary<string, string> s_knownDifferences = new(StringComparer.Ordinal)
    {
        ["xen-save-devices-state"] = "QEMU writes its device state to the file; the emulator has none and says so",
        ["transaction"] = "the abort action: the persona's transaction (Qemu72Machine.Block.cs) takes blockdev-snapshot actions only",
    };

    /// <summary>Commands that end the monitor or the process: called last, once every other has answered.</summary>
    private static readonly HashSet<string> s_last = ["quit"];

    [Fact]
    public async Task Every_command_in_query_commands_answers_and_the_monitor_stays_usable()
    {
        var walk = await WalkAsync(Target.Emulator);

        Assert.Equal(walk.Schema.Where(e => e.GetProperty("meta-type").GetString() == "command").Select(e => e.GetProperty("name").GetString()).Order(StringComparer.Ordinal), walk.Commands.Order(StringComparer.Ordinal));
        var notFound = walk.Replies.Where(r => ErrorClass(r.Value) == "CommandNotFound" && r.Key != "qmp_capabilities").Select(r => r.Key).ToList();
        Assert.True(notFound.Count == 0, "CommandNotFound: " + string.Join(", ", notFound));

        // qmp_capabilities after negotiation is CommandNotFound in QEMU too, with its own words.
        Assert.Equal("Capabilities negotiation is already complete, command ignored", walk.Replies["qmp_capabilities"].GetProperty("error").GetProperty("desc").GetString());
        Assert.Equal(walk.Commands.Count, walk.Replies.Count);
    }

    [QemuFact]
    public async Task The_persona_answers_each_command_as_qemu_7_2_does_side_by_side()
    {
        var qemu = await WalkAsync(Target.Qemu);
        var persona = await WalkAsync(Target.Emulator);

        Assert.Equal(qemu.Commands.Order(StringComparer.Ordinal), persona.Commands.Order(StringComparer.Ordinal));
        var differences = new List<string>();
        foreach (var (command, expected) in qemu.Replies)
        {
            var (want, got) = (Describe(expected), Describe(persona.Replies[command]));
            if (want != got && !s_knownDifferences.ContainsKey(command))
            {
                differences.Add($"{command} {Arguments(persona.Schema, command)?.ToJsonString()}\n  QEMU:    {want}\n  persona: {got}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>
    /// Commands on state the machine has, in sequence (add, use, remove, remove again), and queries whose values
    /// describe the machine: the same reply kinds and error words as QEMU 7.2's, and for the marked ones (*) the same
    /// return value.
    /// </summary>
    private static readonly string[] s_stateful =
    [
        """{"execute":"object-add","arguments":{"qom-type":"iothread","id":"io1"}}""",
        """{"execute":"object-add","arguments":{"qom-type":"iothread","id":"io1"}}""",
        """{"execute":"object-del","arguments":{"id":"io1"}}""",
        """{"execute":"object-del","arguments":{"id":"io1"}}""",
        """{"execute":"chardev-add","arguments":{"id":"r1","backend":{"type":"ringbuf","data":{"size":1024}}}}""",
        """{"execute":"ringbuf-write","arguments":{"device":"r1","data":"hello"}}""",
        """*{"execute":"ringbuf-read","arguments":{"device":"r1","size":5}}""",
        """{"execute":"chardev-send-break","arguments":{"id":"r1"}}""",
        """{"execute":"chardev-change","arguments":{"id":"nothere","backend":{"type":"null","data":{}}}}""",
        """{"execute":"chardev-remove","arguments":{"id":"r1"}}""",
        """{"execute":"chardev-remove","arguments":{"id":"r1"}}""",
        """{"execute":"chardev-send-break","arguments":{"id":"r1"}}""",
        """{"execute":"netdev_add","arguments":{"type":"user","id":"n1"}}""",
        """{"execute":"netdev_del","arguments":{"id":"n1"}}""",
        """{"execute":"netdev_del","arguments":{"id":"n1"}}""",
        """*{"execute":"query-migrate-parameters"}""",
        """{"execute":"migrate-set-parameters","arguments":{"downtime-limit":500,"max-bandwidth":1048576}}""",
        """*{"execute":"query-migrate-parameters"}""",
        """{"execute":"migrate-continue","arguments":{"state":"active"}}""",
        """{"execute":"calc-dirty-rate","arguments":{"calc-time":61}}""",
        """{"execute":"balloon","arguments":{"value":1048576}}""",
        """{"execute":"system_wakeup"}""",
        """*{"execute":"query-yank"}""",
        """{"execute":"yank","arguments":{"instances":[{"type":"chardev","id":"nothere"}]}}""",
        """{"execute":"yank","arguments":{"instances":[{"type":"migration"}]}}""",
        """*{"execute":"query-memdev"}""",
        """*{"execute":"query-mice"}""",
        """*{"execute":"query-current-machine"}""",
        """*{"execute":"query-memory-size-summary"}""",
        """*{"execute":"query-vnc"}""",
        """*{"execute":"query-spice"}""",
        """*{"execute":"query-display-options"}""",
        """*{"execute":"query-colo-status"}""",
        """*{"execute":"query-sev"}""",
        """*{"execute":"query-dump"}""",
        """*{"execute":"query-replay"}""",
        """*{"execute":"query-chardev-backends"}""",
        """*{"execute":"query-dump-guest-memory-capability"}""",
        """*{"execute":"query-tpm"}""",
        """*{"execute":"query-block-exports"}""",
        """{"execute":"nbd-server-stop"}""",
        // A snapshot job is a job but not a block job: query-jobs lists it, query-block-jobs does not.
        """{"execute":"snapshot-save","arguments":{"job-id":"s1","tag":"t","vmstate":"nothere","devices":[]}}""",
        """*{"execute":"query-block-jobs"}""",
        """{"execute":"memsave","arguments":{"val":0,"size":4096,"filename":"mem.bin"}}""",
        """{"execute":"pmemsave","arguments":{"val":0,"size":4096,"filename":"pmem.bin"}}""",
    ];

    [QemuFact]
    public async Task Commands_on_the_machines_state_behave_as_qemu_7_2s_side_by_side()
    {
        var qemu = await RunAsync(Target.Qemu, s_stateful);
        var persona = await RunAsync(Target.Emulator, s_stateful);
        var differences = new List<string>();
        for (var i = 0; i < s_stateful.Length; i++)
        {
            var (want, got) = (Describe(qemu[i]), Describe(persona[i]));
            if (want != got || (s_stateful[i][0] == '*' && !JsonElement.DeepEquals(qemu[i].GetProperty("return"), persona[i].GetProperty("return"))))
            {
                differences.Add($"{s_stateful[i]}\n  QEMU:    {qemu[i]}\n  persona: {persona[i]}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>Starts <paramref name="kind"/> as <see cref="WalkAsync"/> does and sends each request (a leading * aside) in order.</summary>
    private static async Task<List<JsonElement>> RunAsync(string kind, string[] requests)
    {
        await using var started = await StartAsync(kind);
        var line = started.Line;
        var replies = new List<JsonElement>();
        foreach (var request in requests)
        {
            var message = JsonNode.Parse(request.TrimStart('*'))!.AsObject();
            replies.Add(await CallAsync(line, message["execute"]!.GetValue<string>(), message["arguments"]?.DeepClone().AsObject()));
        }

        return replies;
    }

    private sealed record Walk(List<string> Commands, List<JsonElement> Schema, Dictionary<string, JsonElement> Replies);

    /// <summary>A machine and its negotiated monitor; disposing ends both.</summary>
    private sealed record Started(Target Target, Line Line) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Line.DisposeAsync();
            await Target.DisposeAsync();
        }
    }

    /// <summary>
    /// <paramref name="kind"/> on a TCG pc machine (the persona without default devices, files in its data folder, QEMU
    /// writing into the same folder), its monitor negotiated.
    /// </summary>
    private static async Task<Started> StartAsync(string kind)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        var work = Directory.CreateDirectory(Path.Combine(dir, "files")).FullName;
        string[] args = ["-machine", "pc-i440fx-7.2,accel=tcg", "-qmp", $"unix:{socket},server=on,wait=off"];
        var target = Target.Start(kind, dir, args, qemuOnly: [], emulatorOnly: ["--qemu", "7.2", "--data-dir", work, "-nodefaults"], workingDirectory: work);
        try
        {
            var line = await target.ConnectAsync(socket);
            await line.NegotiateAsync();
            return new Started(target, line);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="kind"/> on a TCG pc machine without default devices, reads its query-commands and
    /// query-qmp-schema, calls each command (quit last) and after each checks that query-status still answers.
    /// </summary>
    private static async Task<Walk> WalkAsync(string kind)
    {
        await using var started = await StartAsync(kind);
        var line = started.Line;

        var commands = (await CallAsync(line, "query-commands", null)).GetProperty("return").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        var schema = (await CallAsync(line, "query-qmp-schema", null)).GetProperty("return").EnumerateArray().ToList();
        var replies = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        // In the schema's order (QEMU's modules), which both sides share: the order matters to QEMU, whose
        // xen-load-devices-state aborts (an assertion in yank_unregister_instance) when it runs on a stopped
        // machine, as it would after stop in query-commands' order.
        var order = schema.Where(e => e.GetProperty("meta-type").GetString() == "command").Select(e => e.GetProperty("name").GetString()!).Where(commands.Contains);
        foreach (var command in order.Where(c => !s_last.Contains(c)).Append("quit"))
        {
            JsonElement reply;
            try
            {
                reply = await CallAsync(line, command, Arguments(schema, command));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new InvalidOperationException($"{kind} ended at {command} {Arguments(schema, command)?.ToJsonString()}: {e.Message}\n{started.Target.Stderr}", e);
            }

            AssertWellFormed(command, reply);
            replies[command] = reply;
            if (s_last.Contains(command))
            {
                continue;
            }

            var status = await CallAsync(line, "query-status", null);
            Assert.True(status.TryGetProperty("return", out var value) && value.TryGetProperty("status", out _), $"query-status after {command}: {status}");
        }

        // quit answers, then the process ends.
        Assert.True(replies["quit"].TryGetProperty("return", out _), replies["quit"].ToString());
        await started.Target.WaitForExitAsync();
        return new Walk(commands, schema, replies);
    }

    /// <summary>Sends one command with an id; returns its reply, skipping events.</summary>
    private static async Task<JsonElement> CallAsync(Line line, string command, JsonObject? arguments)
    {
        var request = new JsonObject { ["execute"] = command, ["id"] = command };
        if (arguments is not null)
        {
            request["arguments"] = arguments;
        }

        await line.SendAsync(request.ToJsonString() + "\r\n");
        while (true)
        {
            var text = await line.ReadLineAsync();
            var message = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 2048 }).RootElement.Clone();
            if (!message.TryGetProperty("event", out _))
            {
                Assert.True(message.TryGetProperty("id", out var id) && id.GetString() == command, $"{command}: reply {text}");
                return message;
            }
        }
    }

    /// <summary>A return, or an error with a class and a description (strings), and nothing else but the id.</summary>
    private static void AssertWellFormed(string command, JsonElement reply)
    {
        var members = reply.EnumerateObject().Select(m => m.Name).Where(n => n != "id").ToList();
        Assert.True(members.Count == 1 && members[0] is "return" or "error", $"{command}: {reply}");
        if (members[0] == "error")
        {
            var error = reply.GetProperty("error");
            Assert.True(
                error.TryGetProperty("class", out var errorClass) && errorClass.ValueKind == JsonValueKind.String
                    && error.TryGetProperty("desc", out var desc) && desc.ValueKind == JsonValueKind.String && desc.GetString()!.Length > 0,
                $"{command}: {reply}");
        }
    }

    private static string? ErrorClass(JsonElement reply) =>
        reply.TryGetProperty("error", out var error) ? error.GetProperty("class").GetString() : null;

    private static string Describe(JsonElement reply) =>
        reply.TryGetProperty("error", out var error) ? $"{error.GetProperty("class").GetString()}: {error.GetProperty("desc").GetString()}" : "return";

    /// <summary>The command's arguments from the schema: its required members with plausible values, or null without any.</summary>
    private static JsonObject? Arguments(List<JsonElement> schema, string command)
    {
        var types = schema.ToDictionary(e => e.GetProperty("name").GetString()!, StringComparer.Ordinal);
        var arguments = ObjectOf(types, types[types[command].GetProperty("arg-type").GetString()!], depth: 0);
        return arguments.Count == 0 ? null : arguments;
    }

    private static JsonObject ObjectOf(Dictionary<string, JsonElement> types, JsonElement type, int depth)
    {
        var result = new JsonObject();
        foreach (var member in type.GetProperty("members").EnumerateArray())
        {
            // An optional member has a "default" (null); a required one has none.
            if (!member.TryGetProperty("default", out _))
            {
                result[member.GetProperty("name").GetString()!] = ValueOf(types, member.GetProperty("type").GetString()!, depth + 1);
            }
        }

        // A union: the members of the branch its tag (the first enum value) selects.
        if (type.TryGetProperty("tag", out var tag) && type.TryGetProperty("variants", out var variants))
        {
            var chosen = result[tag.GetString()!]!.GetValue<string>();
            foreach (var variant in variants.EnumerateArray().Where(v => v.GetProperty("case").GetString() == chosen))
            {
                foreach (var (name, value) in ObjectOf(types, types[variant.GetProperty("type").GetString()!], depth + 1).ToList())
                {
                    result[name] = value?.DeepClone();
                }
            }
        }

        return result;
    }

    private static JsonNode? ValueOf(Dictionary<string, JsonElement> types, string name, int depth)
    {
        Assert.True(depth < 32, $"the arguments nest past 32 levels at {name}");
        var type = types[name];
        switch (type.GetProperty("meta-type").GetString())
        {
            case "builtin":
                return type.GetProperty("json-type").GetString() switch
                {
                    "string" or "value" => "x",
                    "int" or "number" => 0,
                    "boolean" => false,
                    _ => null,
                };
            case "enum":
                return type.GetProperty("values")[0].GetString();
            case "array":
                return new JsonArray(ValueOf(types, type.GetProperty("element-type").GetString()!, depth + 1));
            case "alternate":
                // A scalar branch where there is one (a node name rather than a whole definition).
                var branches = type.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("type").GetString()!).ToList();
                var scalar = branches.FirstOrDefault(b => types[b].GetProperty("meta-type").GetString() is "builtin" or "enum");
                return ValueOf(types, scalar ?? branches[0], depth + 1);
            default:
                return ObjectOf(types, type, depth);
        }
    }
}
