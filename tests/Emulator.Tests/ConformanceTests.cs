using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Qmp.Codegen.Hx;
using Qmp.Runtime;
using Xunit.Abstractions;

namespace Qmp.Emulator.Tests;

/// <summary>
/// Replays every <c>-&gt;</c> example of the schema's docs against a fresh emulator, after setting up what
/// the example presumes, and checks the reply has the example's shape: every member the example shows,
/// with the same JSON type (values free; arrays: each example element matches some reply element).
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    private static string RepoRoot() => Qmp.Testing.Repository.Root;

    /// <summary>The hardware the docs' examples talk about.</summary>
    private static MachineDescription Machine(string command)
    {
        var m = MachineDescription.Default();
        m.Name = "qemu-name";
        m.MaxCpus = 4;
        m.MemorySlots = 4;
        m.Memory = command switch { "migrate-set-cache-size" => 1L << 30, "dump-guest-memory" => 16L << 20, _ => 128L << 20 };
        m.Drives![0].Backing = [new ImageDescription { Filename = "base.qcow2" }];
        m.Drives[0].Snapshots = ["snapshot1"];
        m.Drives[0].NodeName = "my-node";
        m.Drives[0].Encrypted = command == "block_passwd";
        m.Drives[0].Password = "12345";
        m.Drives.AddRange(
        [
            new DriveDescription { Id = "virtio-disk0", File = "/var/lib/images/top.qcow2", Backing = [new ImageDescription { Filename = "/var/lib/images/base.qcow2" }] },
            new DriveDescription { Id = "virtio0", File = "/tmp/snap2.qcow2", Backing = [new ImageDescription { Filename = "/tmp/snap1.qcow2" }, new ImageDescription { Filename = "/tmp/base.qcow2" }] },
            new DriveDescription { Id = "scratch", File = "scratch.qcow2", Size = 512L << 20 },
            new DriveDescription { Id = "drive0", File = "drive0.qcow2" },
            new DriveDescription { Id = "ide-hd0", File = "hd0.qcow2" },
            new DriveDescription { Id = "ide-hd1", File = "hd1.qcow2" },
            new DriveDescription { Id = "ide-hd2", File = "hd2.qcow2" },
            new DriveDescription { Id = "ide-hd3", File = "hd3.qcow2", NodeName = "myfile" },
        ]);
        m.Nics!.Add(new NicDescription { Id = "vnet0", Model = "virtio-net-pci" });
        m.Devices = [new DeviceDescription { Driver = "tpm-tis", Id = "tpm0" }];
        m.Images =
        [
            new ImageDescription { Filename = "/srv/images/Fedora-12-x86_64-DVD.iso", Format = "raw" },
            new ImageDescription { Filename = "/some/place/my-image2" },
            new ImageDescription { Filename = "/tmp/test.qcow2" },
            new ImageDescription { Filename = "test.qcow2" },
        ];
        return m;
    }

    /// <summary>What an example presumes, set up through QMP; may rewrite request values (paths, ports, fds).</summary>
    private static async Task<JsonObject> SetUpAsync(TestVm vm, string command, int index, JsonObject request)
    {
        var args = request["arguments"] as JsonObject;
        async Task Run(string c, string? a = null) => await vm.Run(c, a);
        switch (command)
        {
            case "ringbuf-write" or "ringbuf-read":
                await Run("chardev-add", """{"id": "foo", "backend": {"type": "ringbuf", "data": {}}}""");
                await Run("ringbuf-write", """{"device": "foo", "data": "abcdefgh"}""");
                break;
            case "migrate_cancel":
                await Run("migrate", """{"uri": "tcp:0:4446"}""");
                break;
            case "block-job-set-speed" or "block-job-cancel" or "block-job-pause" or "block-job-resume":
                await Run("block-stream", """{"device": "virtio-disk0", "speed": 1048576}""");
                break;
            case "block-job-complete":
                await Run("drive-mirror", """{"device": "virtio-disk0", "target": "m.qcow2", "sync": "full"}""");
                vm.Advance(TimeSpan.FromSeconds(11));
                break;
            case "query-block-jobs":
                await Run("drive-mirror", """{"device": "ide0-hd0", "target": "m.qcow2", "sync": "full", "speed": 1048576}""");
                break;
            case "device_del":
                await Run("device_add", """{"driver": "e1000", "id": "net1"}""");
                break;
            case "netdev_del":
                await Run("netdev_add", """{"type": "user", "id": "netdev1"}""");
                break;
            case "object-del":
                await Run("object-add", """{"qom-type": "rng-random", "id": "rng1", "props": {"filename": "/dev/hwrng"}}""");
                break;
            case "chardev-remove":
                await Run("chardev-add", """{"id": "foo", "backend": {"type": "null", "data": {}}}""");
                break;
            case "closefd":
                await vm.RunWithFd("getfd", """{"fdname": "fd1"}""");
                break;
            case "add_client":
                await vm.RunWithFd("getfd", """{"fdname": "myclient"}""");
                break;
            case "dump-guest-memory":
                await vm.RunWithFd("getfd", """{"fdname": "dump"}""");
                break;
            case "remove-fd":
                var added = await vm.RunWithFd("add-fd", """{"fdset-id": 1}""");
                args!["fd"] = added.GetProperty("fd").GetInt64();
                break;
            case "query-fdsets":
                await vm.RunWithFd("add-fd", """{"fdset-id": 1, "opaque": "rdonly:/path/to/file"}""");
                await vm.RunWithFd("add-fd", """{"fdset-id": 0}""");
                break;
            case "blockdev-add":
                await vm.RunWithFd("add-fd", """{"fdset-id": 4}""");
                break;
            case "blockdev-snapshot-delete-internal-sync":
                await Run("blockdev-snapshot-internal-sync", """{"device": "ide-hd0", "name": "snapshot0"}""");
                break;
            case "nbd-server-start":
                args!["addr"]!["data"]!["port"] = "0";
                args["addr"]!["data"]!["host"] = "127.0.0.1";
                break;
            case "nbd-server-add" or "nbd-server-stop":
                await Run("nbd-server-start", """{"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}}}""");
                break;
            case "blockdev-snapshot-sync" or "drive-mirror" or "drive-backup" or "transaction":
                // New targets are created inside the data dir only: the docs' absolute paths become file names there.
                InDataDir(request);
                break;
            case "chardev-add":
                // A file chardev's output is made inside the data dir only: the docs' absolute path becomes a file name there.
                if (args!["backend"]!["data"] is JsonObject data && data["out"] is JsonValue output)
                {
                    data["out"] = Path.GetFileName(output.GetValue<string>());
                }

                break;
            case "screendump" or "memsave" or "pmemsave" or "xen-save-devices-state":
                args!["filename"] = Path.GetFileName(args["filename"]!.GetValue<string>());
                break;
            case "query-iothreads":
                await Run("object-add", """{"qom-type": "iothread", "id": "iothread0"}""");
                break;
            case "query-memdev":
                await Run("object-add", """{"qom-type": "memory-backend-ram", "id": "m0", "props": {"size": 536870912, "policy": "bind", "host-nodes": [0, 1]}}""");
                break;
            case "query-memory-devices" or "query-acpi-ospm-status":
                await Run("object-add", """{"qom-type": "memory-backend-ram", "id": "memX", "props": {"size": 1073741824}}""");
                await Run("device_add", """{"driver": "pc-dimm", "id": "d1", "memdev": "memX"}""");
                break;
            case "query-vnc":
                await vm.RunWithFd("getfd", """{"fdname": "c"}""");
                await Run("add_client", """{"protocol": "vnc", "fdname": "c"}""");
                break;
            case "query-spice":
                await Run("set_password", """{"protocol": "spice", "password": "p"}""");
                foreach (var tls in new[] { true, false })
                {
                    await vm.RunWithFd("getfd", """{"fdname": "c"}""");
                    await Run("add_client", $$"""{"protocol": "spice", "fdname": "c", "tls": {{(tls ? "true" : "false")}}}""");
                }

                break;
            case "query-cpus":
                await Run("cpu-add", """{"id": 1}""");
                break;
            case "query-migrate":
                switch (index)
                {
                    case 1:
                        await Run("migrate", """{"uri": "tcp:0:4446"}""");
                        vm.Advance(TimeSpan.FromSeconds(6));
                        break;
                    case 2:
                        await Run("migrate", """{"uri": "tcp:0:4446"}""");
                        vm.Advance(TimeSpan.FromSeconds(1));
                        await Run("migrate_cancel");
                        break;
                    case 3:
                        await Run("migrate", """{"uri": "tcp:0:4446"}""");
                        vm.Advance(TimeSpan.FromSeconds(1));
                        break;
                    case 4:
                        await Run("migrate", """{"uri": "tcp:0:4446", "blk": true}""");
                        vm.Advance(TimeSpan.FromSeconds(1));
                        break;
                    case 5:
                        await Run("migrate-set-capabilities", """{"capabilities": [{"capability": "xbzrle", "state": true}]}""");
                        await Run("migrate", """{"uri": "tcp:0:4446"}""");
                        vm.Advance(TimeSpan.FromSeconds(1));
                        break;
                }

                break;
        }

        return request;
    }

    private static void InDataDir(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var name in new[] { "snapshot-file", "target" })
            {
                if (o[name] is JsonValue v && v.TryGetValue(out string? path) && path.StartsWith('/') && o["mode"]?.GetValue<string>() != "existing")
                {
                    o[name] = Path.GetFileName(path);
                }
            }

            foreach (var (_, child) in o.ToList())
            {
                InDataDir(child);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                InDataDir(child);
            }
        }
    }

    /// <summary>
    /// Shape mismatches of <paramref name="actual"/> against <paramref name="expected"/>. <paramref name="documented"/>
    /// lists the members the doc's member list places at this level (null: the docs do not say): an example member
    /// the member list places elsewhere (query-migrate's example shows "total-time" inside "ram", QEMU 2.1 and the
    /// member list put it at the top level) is checked where the member list puts it, as the generated types are.
    /// </summary>
    private static void Compare(JsonElement expected, JsonElement actual, string path, List<string> problems, IReadOnlyList<Codegen.Model.DocMember>? documented, ISet<string> placedElsewhere)
    {
        static string Kind(JsonValueKind k) => k is JsonValueKind.True or JsonValueKind.False ? "bool" : k.ToString();
        if (Kind(expected.ValueKind) != Kind(actual.ValueKind))
        {
            problems.Add($"{path}: expected {Kind(expected.ValueKind)}, got {Kind(actual.ValueKind)}");
            return;
        }

        if (expected.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in expected.EnumerateObject())
            {
                var doc = documented?.FirstOrDefault(m => m.Name == member.Name);
                if (actual.TryGetProperty(member.Name, out var value))
                {
                    Compare(member.Value, value, path + "." + member.Name, problems, doc is { Members.Count: > 0 } ? (IReadOnlyList<Codegen.Model.DocMember>)doc.Members : null, placedElsewhere);
                }
                else if (documented is not null && doc is null && placedElsewhere.Contains(member.Name))
                {
                    // Checked at the level the member list gives it (see Query_migrate_reports_times_at_the_top_level).
                }
                else if (s_command == "query-blockstats" && member.Name.EndsWith("_total_times_ns", StringComparison.Ordinal))
                {
                    // query-blockstats' examples spell the member list's *_total_time_ns as *_total_times_ns
                    // (in "parent" too, the same type): the member list wins (QEMU 2.1 sends *_time_ns).
                    var listed = member.Name.Replace("_times_ns", "_time_ns", StringComparison.Ordinal);
                    if (!actual.TryGetProperty(listed, out _))
                    {
                        problems.Add($"{path}: missing '{listed}'");
                    }
                }
                else if (HxCorrections.IsSometimesAbsent(s_command + Regex.Replace(path, @"\[\d+\]", "").Substring("return".Length).Replace('.', '/') + "/" + member.Name))
                {
                    // QEMU sends it only sometimes (the *_max throttle members only when set); the example shows one VM.
                }
                else
                {
                    problems.Add($"{path}: missing '{member.Name}'");
                }
            }
        }
        else if (expected.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in expected.EnumerateArray())
            {
                List<string>? best = null;
                foreach (var candidate in actual.EnumerateArray())
                {
                    var attempt = new List<string>();
                    Compare(item, candidate, $"{path}[{i}]", attempt, documented, placedElsewhere);
                    if (best is null || attempt.Count < best.Count)
                    {
                        best = attempt;
                    }
                }

                problems.AddRange(best ?? [$"{path}: empty array, the example has elements"]);
                i++;
            }
        }
    }

    // The command whose example Compare is checking (for the paths of HxCorrections).
    private static string s_command = "";

    [Fact]
    public async Task Every_example_of_the_docs_replays()
    {
        var root = RepoRoot();
        var model = SchemaParser.Parse(Directory.GetFiles(Path.Combine(root, "schema"), "*.hx").Order(StringComparer.Ordinal)
            .Select(f => new SchemaSource("schema/" + Path.GetFileName(f), File.ReadAllText(f))));
        int total = 0, replayed = 0;
        var failures = new List<string>();
        foreach (var command in model.Commands)
        {
            var index = 0;
            foreach (var example in command.Doc?.Examples ?? [])
            {
                var exampleIndex = index++;
                if (example.Request is null)
                {
                    continue;
                }

                total++;
                var request = JsonNode.Parse(example.Request)!.AsObject();
                var name = request["execute"]!.GetValue<string>();
                if (name == "qmp_capabilities")
                {
                    // The client's own negotiation sends exactly this request and checks its {} reply.
                    replayed++;
                    continue;
                }

                await using var vm = await TestVm.StartAsync(Machine(name));
                var problems = new List<string>();
                try
                {
                    request = await SetUpAsync(vm, name, exampleIndex, request);
                    s_command = name;
                    var arguments = request["arguments"] is JsonObject a ? JsonSerializer.SerializeToElement(a) : (JsonElement?)null;
                    var reply = name is "getfd" or "add-fd"
                        ? await vm.RunWithFd(name, arguments!.Value.GetRawText())
                        : await vm.Client.ExecuteAsync(name, arguments);
                    if (example.Reply is not null)
                    {
                        using var expected = JsonDocument.Parse(example.Reply);
                        if (expected.RootElement.TryGetProperty("return", out var value))
                        {
                            var members = command.Doc?.Returns?.Members;
                            var names = new HashSet<string>(StringComparer.Ordinal);
                            void Collect(IEnumerable<Codegen.Model.DocMember> level)
                            {
                                foreach (var m in level)
                                {
                                    names.Add(m.Name);
                                    Collect(m.Members);
                                }
                            }

                            if (members is { } all)
                            {
                                Collect(all);
                            }

                            Compare(value, reply, "return", problems, members is { Count: > 0 } list ? (IReadOnlyList<Codegen.Model.DocMember>)list : null, names);
                        }
                    }
                }
                catch (QmpException ex)
                {
                    problems.Add(ex.Message);
                }

                if (problems.Count == 0)
                {
                    replayed++;
                }
                else
                {
                    failures.Add($"{name} #{exampleIndex}: {string.Join("; ", problems.Take(3))}");
                }
            }
        }

        output.WriteLine($"{replayed} of {total} examples replay");
        foreach (var failure in failures)
        {
            output.WriteLine("  " + failure);
        }

        Console.WriteLine($"{replayed} of {total} examples replay");
        Assert.True(total >= 110, $"only {total} examples found");
        Assert.True(replayed >= total - 2, $"{replayed} of {total} examples replay:\n" + string.Join("\n", failures));
    }
}
