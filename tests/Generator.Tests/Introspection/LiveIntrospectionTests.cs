using System.Text.Json;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>Runs only when <c>qemu-system-x86_64</c> is on PATH; otherwise reported as skipped with the reason.</summary>
public sealed class QemuIntrospectionFactAttribute : FactAttribute
{
    public QemuIntrospectionFactAttribute()
    {
        if (Binary is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)";
        }
    }

    public static string? Binary { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "qemu-system-x86_64"))
        .FirstOrDefault(File.Exists);
}

/// <summary>Runs when both QEMU is installed and its sources for <c>suite</c> can be had; otherwise skipped with the reason.</summary>
public sealed class QemuAndSourcesFactAttribute : FactAttribute
{
    public QemuAndSourcesFactAttribute(string suite)
    {
        Skip = QemuIntrospectionFactAttribute.Binary is null
            ? "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
            : Qmp.Testing.QemuSources.Get(suite) is (null, var reason) ? reason : null;
    }
}

/// <summary>
/// qmp-codegen introspect against the installed QEMU (7.2 on Debian 12), then the saved file read
/// as the generator reads it: counts from the raw JSON, names by use, and the model described again
/// aligned with the live schema without a difference.
/// </summary>
public sealed class LiveIntrospectionTests : IClassFixture<LiveIntrospectionTests.SavedSchema>
{
    private readonly SavedSchema _saved;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public LiveIntrospectionTests(SavedSchema saved, Xunit.Abstractions.ITestOutputHelper output)
    {
        _saved = saved;
        _output = output;
    }

    public sealed class SavedSchema : IAsyncLifetime
    {
        private QemuProcess? _qemu;

        public string Dir { get; } = Path.Combine(Path.GetTempPath(), "qmp-introspect-" + Guid.NewGuid().ToString("N")[..8]);

        public string Socket => Path.Combine(Dir, "qmp.sock");

        public string File72 => Path.Combine(Dir, "qemu-7.2.json");

        public (int Exit, string Stdout, string Stderr) Saving { get; private set; }

        public async Task InitializeAsync()
        {
            if (QemuIntrospectionFactAttribute.Binary is null)
            {
                return;
            }

            Directory.CreateDirectory(Dir);
            // The CLI connects once: it would be refused before QEMU listens.
            _qemu = await QemuProcess.StartAsync(Socket, ["-M", "pc", "-m", "128", "-nodefaults", "-S"]);
            Saving = Cli("introspect", "unix:" + Socket, "-o", File72);
        }

        public async Task DisposeAsync()
        {
            if (_qemu is not null)
            {
                await _qemu.DisposeAsync();
            }

            if (Directory.Exists(Dir))
            {
                Directory.Delete(Dir, true);
            }
        }
    }

    internal static (int Exit, string Stdout, string Stderr) Cli(params string[] args) => QmpCodegenCli.Run(args);

    [QemuIntrospectionFact]
    public void Introspect_saves_the_schema_and_the_version()
    {
        Assert.Equal(0, _saved.Saving.Exit);
        using var saved = JsonDocument.Parse(File.ReadAllBytes(_saved.File72));
        var version = saved.RootElement.GetProperty("query-version").GetProperty("qemu");
        var schema = saved.RootElement.GetProperty("query-qmp-schema");
        var commands = schema.EnumerateArray().Count(e => e.GetProperty("meta-type").GetString() == "command");
        Assert.Contains($"QEMU {version.GetProperty("major")}.{version.GetProperty("minor")}.{version.GetProperty("micro")}", _saved.Saving.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{schema.GetArrayLength()} entries, {commands} commands", _saved.Saving.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_saved.File72 + ".tmp"));
    }

    [QemuIntrospectionFact]
    public void Introspect_reports_a_file_it_cannot_write()
    {
        var (exit, _, stderr) = Cli("introspect", "unix:" + _saved.Socket, "-o", Path.Combine(_saved.Dir, "no", "such", "dir.json"));
        Assert.Equal(2, exit);
        Assert.Contains("cannot write", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [QemuIntrospectionFact]
    public void Introspect_replaces_a_planted_link_and_never_writes_through_one()
    {
        // Links at the old fixed temporary name and at the target itself, both aimed at a victim of our own.
        var dir = Path.Combine(_saved.Dir, "planted-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var victim = Path.Combine(dir, "victim.txt");
        File.WriteAllText(victim, "victim");
        var output = Path.Combine(dir, "saved.json");
        File.CreateSymbolicLink(output + ".tmp", victim);
        var linkedOutput = Path.Combine(dir, "linked.json");
        File.CreateSymbolicLink(linkedOutput, victim);
        Assert.Equal(0, Cli("introspect", "unix:" + _saved.Socket, "-o", output).Exit);
        Assert.Equal(0, Cli("introspect", "unix:" + _saved.Socket, "-o", linkedOutput).Exit);
        Assert.Equal("victim", File.ReadAllText(victim));
        foreach (var file in new[] { output, linkedOutput })
        {
            Assert.Null(new FileInfo(file).LinkTarget);
            using var saved = JsonDocument.Parse(File.ReadAllBytes(file));
            Assert.True(saved.RootElement.TryGetProperty("query-qmp-schema", out _));
        }
        // Only what was planted and what was written: no temporary left behind.
        Assert.Equal(["linked.json", "saved.json", "saved.json.tmp", "victim.txt"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Introspect_reports_an_unreachable_server_without_a_stack_trace()
    {
        var output = Path.Combine(Path.GetTempPath(), "qmp-introspect-none-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var (exit, _, stderr) = Cli("introspect", "unix:" + output + ".sock", "-o", output, "--timeout", "1");
        Assert.Equal(2, exit);
        // It waited for a server to listen there, then said where it looked, in QEMU's words.
        Assert.Contains("qmp-codegen: unix:" + output + ".sock: Failed to connect to '" + output + ".sock': No such file or directory (still, after waiting 1 s for the server to listen)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [QemuIntrospectionFact]
    public void The_saved_file_reads_into_a_model_whose_counts_match()
    {
        var text = File.ReadAllText(_saved.File72);
        var file = IntrospectionFile.Read(text, "qemu-7.2.json");
        Assert.Empty(file.Diagnostics);
        var info = file.Info!;
        var schema = file.ToSchema();
        Assert.Empty(schema.Diagnostics);

        using var raw = JsonDocument.Parse(text);
        var entries = raw.RootElement.GetProperty("query-qmp-schema").EnumerateArray().ToList();
        int Count(string meta) => entries.Count(e => e.GetProperty("meta-type").GetString() == meta);
        var unions = entries.Count(e => e.TryGetProperty("variants", out _));
        Assert.Equal(Count("command"), schema.Commands.Count);
        Assert.Equal(Count("event"), schema.Events.Count);
        Assert.Equal(Count("enum"), schema.Types.OfType<SchemaEnumType>().Count());
        Assert.Equal(Count("alternate"), schema.Types.OfType<SchemaAlternateType>().Count());
        // Each union adds its implicit base.
        Assert.Equal(Count("object") + unions, schema.Types.OfType<SchemaObjectType>().Count());
        Assert.Equal(info.Entries.Count, entries.Count);
        if (file.Version is { Major: 7, Minor: 2 })
        {
            Assert.Equal((216, 52), (schema.Commands.Count, schema.Events.Count));
        }

        // Named where used; no masked name is left.
        Assert.Equal("BlockdevAddArguments", schema.Commands.Single(c => c.Name == "blockdev-add").Arguments!.Name);
        Assert.Equal(SchemaTypeRef.ArrayOf("QueryBlockResult"), schema.Commands.Single(c => c.Name == "query-block").Returns);
        Assert.Equal("QueryStatusResult", schema.Commands.Single(c => c.Name == "query-status").Returns!.Name);
        Assert.DoesNotContain(schema.Types, t => t.Name.All(char.IsDigit));
        Assert.Equal(schema.Types.Count, schema.Types.Select(t => t.Name).Distinct().Count());
        Assert.All(schema.Types.OfType<SchemaObjectType>().SelectMany(o => o.Members), m =>
            Assert.True(SchemaBuiltins.IsBuiltin(m.Type.Name) ? SchemaBuiltins.JsonTypeOf(m.Type.Name) != JsonType.Int || m.Type.Name == "int" : schema.Types.Any(t => t.Name == m.Type.Name), m.Name));
    }

    [QemuIntrospectionFact]
    public void The_model_described_again_aligns_with_the_live_schema_without_a_difference()
    {
        var file = IntrospectionFile.Read(File.ReadAllText(_saved.File72), "qemu-7.2.json");
        var described = SchemaInfoBuilder.Build(file.ToSchema());
        var report = SchemaCompatibilityReport.Compare(described, file.Info!);
        Assert.Empty(report.Alignment.Conflicts);
        Assert.Empty(report.Differences);
        Assert.Equal(file.Info!.Commands.Count, described.Commands.Count);
        // Every type a command or event reaches is paired (7.2 lists two that nothing uses).
        var reached = report.Alignment.ServerToClient.Count;
        Assert.Equal(described.Entries.Count(e => e is SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate), reached);
        Assert.InRange(file.Info.Entries.Count(e => e is SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate) - reached, 0, 5);
    }

    [QemuIntrospectionFact]
    public void Described_again_it_lists_the_live_entries_as_QEMU_does()
    {
        // QEMU's introspect.py lists commands and events in schema order, then each type where it is
        // first used (an array before its element). Our builder, given the model read from the live
        // schema, must list the same entries, each the same once renamed, in the same order, except
        // types whose first use in QEMU's list is an entity compiled out of this build (7.2 x86_64:
        // query-cpu-model-comparison and the like): those QEMU places earlier than we can see.
        var file = IntrospectionFile.Read(File.ReadAllText(_saved.File72), "qemu-7.2.json");
        var live = file.Info!;
        var ours = SchemaInfoBuilder.Build(file.ToSchema());
        var alignment = SchemaInfoAlignment.Align(ours, live);
        string ToLive(string n) => alignment.ServerNameOf(n) ?? (n.StartsWith('[') ? "[" + ToLive(n[1..^1]) + "]" : n);
        var renamed = SchemaFixtures.Rename(ours, ToLive);

        // Same entries, same content.
        var liveUsed = live.Entries.Where(e => e is not (SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate) || alignment.ClientNameOf(e.Name) is not null).ToList();
        Assert.Equal(liveUsed.Count, renamed.Entries.Count);
        foreach (var e in renamed.Entries)
        {
            Assert.Equal(new SchemaInfo([live.Find(e.Name)!]).ToJson(), new SchemaInfo([e]).ToJson());
        }

        // Commands and events in the same order; types in the same order but for the displaced few.
        Assert.Equal(live.Entries.Where(e => e is SchemaInfoCommand or SchemaInfoEvent).Select(e => e.Name),
            renamed.Entries.Where(e => e is SchemaInfoCommand or SchemaInfoEvent).Select(e => e.Name));
        var position = liveUsed.Select((e, i) => (e.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var inOrder = LongestIncreasing(renamed.Entries.Select(e => position[e.Name]).ToList());
        var displaced = renamed.Entries.Where((e, i) => !inOrder.Contains(i)).Select(e => ours.Entries[renamed.Entries.ToList().IndexOf(e)].Name).ToList();
        Assert.True(displaced.Count <= 8, "listed elsewhere than QEMU lists them: " + string.Join(", ", displaced));
        if (file.Version is { Major: 7, Minor: 2 })
        {
            // CpuModelInfo, first used by the compiled-out query-cpu-model-comparison, comes before
            // CpuModelExpansionType in QEMU's list and after it in ours: one of the two is out of order.
            Assert.StartsWith("QueryCpuModelExpansionArguments", Assert.Single(displaced), StringComparison.Ordinal);
        }
    }

    /// <summary>The indices of one longest strictly increasing subsequence.</summary>
    private static HashSet<int> LongestIncreasing(List<int> values)
    {
        var tails = new List<int>();
        var previous = new int[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            int lo = 0, hi = tails.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (values[tails[mid]] < values[i])
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            previous[i] = lo > 0 ? tails[lo - 1] : -1;
            if (lo == tails.Count)
            {
                tails.Add(i);
            }
            else
            {
                tails[lo] = i;
            }
        }
        var result = new HashSet<int>();
        for (var i = tails.Count > 0 ? tails[^1] : -1; i >= 0; i = previous[i])
        {
            result.Add(i);
        }

        return result;
    }

    [QemuIntrospectionFact]
    public void Compat_exits_0_against_the_same_server_and_1_when_the_client_has_more()
    {
        var same = Cli("compat", _saved.File72, "--against", "unix:" + _saved.Socket);
        Assert.Equal(0, same.Exit);
        Assert.Contains("Compatible: 0 difference(s), 0 breaking.", same.Stdout, StringComparison.Ordinal);

        // A client with a command the server lacks, against the saved file this time.
        var file = IntrospectionFile.Read(File.ReadAllText(_saved.File72), "x").Info!;
        var stop = file.FindCommand("stop")!;
        var more = new SchemaInfo(file.Entries.Append(new SchemaInfoCommand("x-future-command", stop.ArgType, stop.RetType)));
        var client = Path.Combine(_saved.Dir, "client.json");
        File.WriteAllText(client, more.ToJson());
        var differs = Cli("compat", client, "--against", _saved.File72);
        Assert.Equal(1, differs.Exit);
        Assert.Contains("commands the server lacks (1):\n  x-future-command\n", differs.Stdout, StringComparison.Ordinal);

        var unreadable = Cli("compat", Path.Combine(_saved.Dir, "absent.hx"), "--against", _saved.File72);
        Assert.Equal(2, unreadable.Exit);
        Assert.Contains("cannot read", unreadable.Stderr, StringComparison.Ordinal);

        var nothing = Cli("compat", client, "--against", "unix:" + Path.Combine(_saved.Dir, "no.sock"), "--timeout", "1");
        Assert.Equal(2, nothing.Exit);
        Assert.DoesNotContain("   at ", nothing.Stderr, StringComparison.Ordinal);
    }

    [QemuIntrospectionFact]
    public void Compat_of_the_2_1_schema_names_what_QEMU_7_2_removed()
    {
        var root = Qmp.Testing.QemuSources.RepositoryRoot();
        var hx = Cli("compat", Path.Combine(root, "schema", "qmp-commands.hx"), Path.Combine(root, "schema", "qmp-commands-extra.hx"),
            Path.Combine(root, "schema", "qmp-events.hx"), "--against", _saved.File72);
        Assert.True(hx.Exit == 1, hx.Stderr);
        Assert.StartsWith("QMP schema: client 108 commands, 32 events;", hx.Stdout, StringComparison.Ordinal);
        var lacks = hx.Stdout.Split("commands the server lacks (10):\n  ")[1].Split('\n')[0].Split(", ").Order(StringComparer.Ordinal);
        Assert.Equal(["block_passwd", "change", "cpu", "cpu-add", "migrate-set-cache-size", "migrate_set_downtime", "migrate_set_speed",
            "query-cpus", "query-events", "query-migrate-cache-size"], lacks);
        // Members that moved or changed type since 2.1, by their libvirt-style paths.
        Assert.Contains("query-block/ret-type/inserted/drv", hx.Stdout, StringComparison.Ordinal);
    }

    [QemuAndSourcesFact("bookworm")]
    public void Compat_of_QEMU_7_2s_own_source_differs_only_in_what_this_build_compiled_out()
    {
        var dir = Qmp.Testing.QemuSources.Get("bookworm").Dir!;
        var top = Path.Combine(dir, "qapi", "qapi-schema.json");
        var report = Cli("compat", top, "--against", "unix:" + _saved.Socket);
        Assert.True(report.Exit == 0, report.Stdout + report.Stderr);
        Assert.StartsWith("QMP schema: client 220 commands, 52 events;", report.Stdout, StringComparison.Ordinal);
        // Only entities behind a build condition (a target or a host feature) are absent here: on
        // Debian's x86_64 build, 4 commands of other targets (TARGET_S390X, TARGET_ARM) and the
        // branches and values of CONFIG_BLKIO (io_uring, nvme-io_uring, virtio-blk-*), CONFIG_VMNET,
        // CONFIG_COCOA. They are listed under their conditions, none under a kind's heading.
        Assert.Contains("Compatible: 37 difference(s), 0 breaking, 37 under conditions this build lacks.\n"
            + "what the server lacks under a condition (its build left it out, or it is older), by condition (37):\n", report.Stdout, StringComparison.Ordinal);
        var groups = report.Stdout.Split('\n').Where(l => l.StartsWith("  if ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["  if CONFIG_BLKIO (25):", "  if CONFIG_COCOA (2):", "  if CONFIG_VMNET (6):", "  if TARGET_ARM (1):", "  if TARGET_S390X (3):"], groups);
        Assert.Contains("  if TARGET_S390X (3):\n    query-cpu-model-comparison, query-cpu-model-baseline, dump-skeys\n", report.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("the server lacks (", report.Stdout, StringComparison.Ordinal);

        // The same comparison in process, each difference with the 'if' of the source that explains it.
        var schema = QapiReader.Read(top, p => File.Exists(p) ? File.ReadAllText(p) : null);
        var live = IntrospectionFile.Read(File.ReadAllText(_saved.File72), "qemu-7.2.json").Info!;
        var compared = SchemaCompatibilityReport.Compare(SchemaInfoBuilder.Build(schema), live);
        // compat and CheckSchemaAsync run the same comparison: the same text.
        Assert.Equal(report.Stdout, compared.ToString());
        var explained = compared.Differences.Select(d => (Difference: d, Condition: ConditionOf(schema, d))).ToList();
        _output.WriteLine($"QEMU 7.2's source against the live QEMU {live.Commands.Count}-command schema: {explained.Count} build-configuration branches");
        foreach (var (d, c) in explained)
        {
            _output.WriteLine($"  {d.Kind,-17} {d.Path,-60} if {c?.Condition.ToQapi() ?? "(none)"}   {(c is null ? "" : Path.GetFileName(c.Value.Location.Path) + ":" + c.Value.Location.Line)}");
        }

        Assert.Equal(37, explained.Count);
        // The report's condition is the 'if' in the source that explains the difference.
        Assert.All(explained, e => Assert.Equal(e.Condition?.Condition.ToQapi(), e.Difference.Condition));
        Assert.All(explained, e => Assert.False(e.Difference.IsBreaking));
        // Absent here because the build left them out: only missing things, never added or changed ones.
        Assert.All(explained, e => Assert.Contains(e.Difference.Kind, new[] { SchemaDifferenceKind.CommandMissing, SchemaDifferenceKind.EventMissing,
            SchemaDifferenceKind.VariantMissing, SchemaDifferenceKind.EnumValueMissing, SchemaDifferenceKind.MemberMissing }));
        // x86_64's build: the commands of other targets are gone, its own stay.
        Assert.Contains(explained, e => e.Difference.Path == "query-cpu-model-comparison" && e.Difference.Condition == "TARGET_S390X");
        Assert.DoesNotContain(explained, e => e.Difference.Condition == "TARGET_I386");
    }

    /// <summary>
    /// The build condition in the source that leaves out what <paramref name="d"/> names: the 'if' of
    /// the command or event, else of the variant, enum value, member, alternate branch or feature, else
    /// of the type that holds it or the type a variant adds; null when none.
    /// </summary>
    private static (SchemaCondition Condition, Qmp.Codegen.Model.SchemaLocation Location)? ConditionOf(QmpSchema schema, SchemaDifference d)
    {
        static (SchemaCondition, Qmp.Codegen.Model.SchemaLocation)? Of(SchemaCondition? c, Qmp.Codegen.Model.SchemaLocation at) => c is null ? null : (c, at);
        var entity = d.Path.Split('/')[0];
        if (schema.Commands.FirstOrDefault(c => c.Name == entity) is { Condition: { } cc } command)
        {
            return (cc, command.Location);
        }

        if (schema.Events.FirstOrDefault(e => e.Name == entity) is { Condition: { } ec } ev)
        {
            return (ec, ev.Location);
        }

        var type = schema.Types.FirstOrDefault(t => t.Name == d.ClientType);
        var own = (d.Kind, type) switch
        {
            (SchemaDifferenceKind.VariantMissing, SchemaObjectType { Variants: { } v }) when v.Branches.FirstOrDefault(b => b.Case == d.Name) is { } b =>
                Of(b.Condition, b.Location) ?? (schema.Types.FirstOrDefault(t => t.Name == b.Type.Name) is { Condition: { } bc } bt ? (bc, bt.Location) : null),
            // A tag value the union gives no branch is described as an empty variant: its 'if' is the enum value's.
            (SchemaDifferenceKind.VariantMissing, SchemaObjectType { Variants: { } v } o) =>
                MembersOf(schema, o).FirstOrDefault(m => m.Name == v.Tag) is { } tag && schema.Types.FirstOrDefault(t => t.Name == tag.Type.Name) is SchemaEnumType tags
                    && tags.Values.FirstOrDefault(x => x.Name == d.Name) is { } tagValue ? Of(tagValue.Condition, tagValue.Location) : null,
            (SchemaDifferenceKind.EnumValueMissing, SchemaEnumType e) when e.Values.FirstOrDefault(x => x.Name == d.Name) is { } value => Of(value.Condition, value.Location),
            (SchemaDifferenceKind.MemberMissing, SchemaObjectType o) => MembersOf(schema, o).Where(m => m.Name == d.Name).Select(m => Of(m.Condition, m.Location)).FirstOrDefault(),
            (SchemaDifferenceKind.AlternateMemberMissing, SchemaAlternateType a) => a.Branches.Where(b => b.Name == d.Name).Select(b => Of(b.Condition, b.Location)).FirstOrDefault(),
            _ => null,
        };
        return own ?? (type is { Condition: { } tc } ? (tc, type.Location) : null);
    }

    private static IEnumerable<SchemaMember> MembersOf(QmpSchema schema, SchemaObjectType type)
    {
        for (var t = type; t is not null; t = t.Base is null ? null : schema.Types.OfType<SchemaObjectType>().FirstOrDefault(b => b.Name == t.Base))
        {
            foreach (var m in t.Members)
            {
                yield return m;
            }
        }
    }

    /// <summary>
    /// The one walk of the model (<see cref="SchemaInfoBuilder"/>'s, which the answer and the
    /// description share) answers for QEMU 7.2's own source what the live QEMU 7.2 answers, byte for
    /// byte: masked names, QEMU's order, what the default build leaves out dropped.
    /// </summary>
    [QemuAndSourcesFact("bookworm")]
    public void The_answer_built_from_QEMU_7_2s_own_source_is_the_live_answer_byte_for_byte()
    {
        var top = Path.Combine(Qmp.Testing.QemuSources.Get("bookworm").Dir!, "qapi", "qapi-schema.json");
        var schema = QapiReader.Read(top, p => File.Exists(p) ? File.ReadAllText(p) : null);
        var live = IntrospectionFile.Read(File.ReadAllText(_saved.File72), "qemu-7.2.json").Info!;
        var built = SchemaAnswerBuilder.Build(schema, SchemaBuildConfig.Default);
        Assert.Equal(live.Entries.Count, built.Entries.Count);
        Assert.Equal(live.ToJson(), built.ToJson());
    }

    [QemuAndSourcesFact("trixie")]
    public void Compat_of_QEMU_10_0s_source_against_7_2_reports_the_drift()
    {
        var dir = Qmp.Testing.QemuSources.Get("trixie").Dir!;
        var report = Cli("compat", Path.Combine(dir, "qapi", "qapi-schema.json"), "--against", _saved.File72);
        Assert.True(report.Exit == 1, report.Stderr);
        string Section(string title) => report.Stdout.Split('\n').SkipWhile(l => !l.StartsWith(title, StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal) || l.StartsWith("! ", StringComparison.Ordinal)).Aggregate("", (a, l) => a + l + "\n");

        // Commands 10.0 added, which 7.2 lacks, breaking; and 7.2's that 10.0 dropped.
        Assert.Contains("block-job-change", Section("commands the server lacks"), StringComparison.Ordinal);
        Assert.Contains("query-audiodevs", Section("commands the server lacks"), StringComparison.Ordinal);
        Assert.Contains("NOT compatible: ", report.Stdout, StringComparison.Ordinal);
        // What 10.0 puts under a condition 7.2 lacks is listed apart, by condition.
        Assert.Contains("  if CONFIG_BLKIO (25):\n", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("x-query-rdma", Section("commands only the server has"), StringComparison.Ordinal);
        // StatusInfo lost 'singlestep' in 10.0: 7.2 still sends it, the 10.0 client ignores it.
        Assert.Contains("query-status/ret-type/singlestep (StatusInfo): ignored by the client", Section("members only the server has"), StringComparison.Ordinal);
        // Enum values a 10.0 client may send and 7.2 does not know.
        Assert.Contains("dump-guest-memory/arg-type/format/^kdump-raw-zlib", Section("enum values the server lacks"), StringComparison.Ordinal);
    }
}
