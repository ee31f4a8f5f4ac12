using System.Text;
using System.Text.Json;
using Qmp.Runtime.Introspection;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>
/// query-qmp-schema of the installed QEMU (7.2 on Debian 12), read once for the class. Every count is
/// checked against the raw reply read independently with JsonDocument; every probe's answer was
/// checked by hand against the live JSON of 7.2.
/// </summary>
public sealed class LiveSchemaTests : IClassFixture<LiveSchemaTests.LiveQemu>
{
    private readonly LiveQemu _qemu;

    public LiveSchemaTests(LiveQemu qemu) => _qemu = qemu;

    public sealed class LiveQemu : IAsyncLifetime
    {
        private QemuProcess? _qemu;
        private string? _dir;

        public QmpClient? Client { get; private set; }

        public SchemaInfo? Schema { get; private set; }

        /// <summary>What <c>qmp-codegen introspect</c> saves: both answers as sent.</summary>
        public byte[]? Saved { get; private set; }

        public async Task InitializeAsync()
        {
            if (QemuFactAttribute.QemuBinary is null)
            {
                return;
            }

            _dir = Path.Combine(Path.GetTempPath(), "qmp-schema-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(_dir);
            var socket = Path.Combine(_dir, "qmp.sock");
            _qemu = await QemuProcess.StartAsync(socket, ["-M", "pc", "-m", "128", "-nodefaults", "-S"]);
            Client = await QmpClient.ConnectAsync($"unix:{socket}", new QmpClientOptions { CommandTimeout = TimeSpan.FromSeconds(TestExtensions.Patience) }).Within();
            Schema = await Client.QueryQmpSchemaAsync().Within();
            Saved = await Client.SaveSchemaAsync().Within();
        }

        public async Task DisposeAsync()
        {
            if (Client is not null)
            {
                await Client.DisposeAsync();
            }

            if (_qemu is not null)
            {
                await _qemu.DisposeAsync();
            }

            if (_dir is not null)
            {
                Directory.Delete(_dir, true);
            }
        }
    }

    [QemuFact]
    public void Every_entry_is_read_and_counted_as_the_raw_reply_says()
    {
        using var raw = JsonDocument.Parse(_qemu.Saved);
        var entries = raw.RootElement.GetProperty("query-qmp-schema").EnumerateArray().ToList();
        int Count(string meta) => entries.Count(e => e.GetProperty("meta-type").GetString() == meta);
        var s = _qemu.Schema!;
        Assert.Empty(s.Problems);
        Assert.Equal(entries.Count, s.Entries.Count);
        Assert.Equal(Count("command"), s.Commands.Count);
        Assert.Equal(Count("event"), s.Events.Count);
        Assert.Equal(Count("object"), s.Entries.OfType<SchemaInfoObject>().Count());
        Assert.Equal(Count("enum"), s.Entries.OfType<SchemaInfoEnum>().Count());
        Assert.Equal(Count("array"), s.Entries.OfType<SchemaInfoArray>().Count());
        Assert.Equal(Count("alternate"), s.Entries.OfType<SchemaInfoAlternate>().Count());
        Assert.Equal(Count("builtin"), s.Entries.OfType<SchemaInfoBuiltin>().Count());
        Assert.DoesNotContain(s.Entries, e => e is SchemaInfoUnknown);
        Assert.Equal(
            entries.Sum(e => e.TryGetProperty("members", out var m) ? m.GetArrayLength() : 0),
            s.Entries.Sum(e => e switch
            {
                SchemaInfoObject o => o.Members.Count,
                SchemaInfoEnum en => en.Members.Count,
                SchemaInfoAlternate a => a.MemberTypes.Count,
                _ => 0,
            }));
        // QEMU 7.2 for x86_64 on Debian 12: 1,051 entries, 216 commands, 52 events.
        if (_qemu.Client!.Greeting.Version is { Major: 7, Minor: 2 })
        {
            Assert.Equal((1051, 216, 52), (s.Entries.Count, s.Commands.Count, s.Events.Count));
        }
    }

    [QemuFact]
    public async Task QueryVersionAsync_is_the_greeting_version()
    {
        var version = await _qemu.Client!.QueryVersionAsync().Within();
        Assert.Equal(_qemu.Client!.Greeting.Version, version);
    }

    [QemuFact]
    public void The_saved_file_reads_back_with_its_version()
    {
        var s = SchemaInfoReader.Read(_qemu.Saved, out var version);
        var greeting = _qemu.Client!.Greeting.Version;
        Assert.Equal((greeting.Major, greeting.Minor, greeting.Micro), (version!.Major, version.Minor, version.Micro));
        Assert.Equal(_qemu.Schema!.ToJson(), s.ToJson());
    }

    [QemuFact]
    public async Task Libvirt_probes_with_known_answers()
    {
        var s = _qemu.Schema!;
        if (_qemu.Client!.Greeting.Version is not { Major: 7, Minor: 2 })
        {
            return;
        }

        Assert.True(s.HasCommand("blockdev-reopen"));
        Assert.False(s.HasCommand("query-cpus"));                                       // removed in 6.0
        Assert.True(s.Has("blockdev-add/arg-type/+file/aio/^io_uring"));                // BlockdevAioOptions, CONFIG_LINUX_IO_URING
        Assert.False(s.Has("blockdev-add/arg-type/+file/aio/^no-such-mode"));
        Assert.True(s.Has("device_add/$json-cli-hotplug"));
        Assert.True(s.Has("device_add/$json-cli"));
        Assert.True(s.Has("drive-backup/$deprecated"));
        Assert.True(s.Has("query-status/ret-type/singlestep"));                         // gone in 10.0
        Assert.True(s.Has("blockdev-add/arg-type/*node-name"));
        Assert.False(s.Has("blockdev-add/arg-type/*driver"));                            // the union's tag is required
        Assert.True(s.Has("query-version/ret-type/qemu/major/!int"));
        Assert.True(s.Has("query-cpus-fast/ret-type/+x86_64"));                          // through the array
        Assert.True(s.Has("blockdev-add/arg-type/+qcow2/file/!string"));                 // BlockdevRef: the str member
        Assert.True(s.Has("blockdev-add/arg-type/+qcow2/file/driver"));                  // BlockdevRef: the object member
        Assert.False(s.Has("migrate-set-parameters/arg-type/x-checkpoint-delay/$unstable")); // '$' applies to the member's type, int
        Assert.True(s.Has("migrate-set-parameters/arg-type/*x-checkpoint-delay"));

        // The same answers from a client-side call, as the generated client's Schema will give them.
        var again = await _qemu.Client.QueryQmpSchemaAsync().Within();
        Assert.True(again.Has("device_add/$json-cli-hotplug"));
    }

    [QemuFact]
    public void The_live_schema_aligns_with_itself_reread()
    {
        var s = _qemu.Schema!;
        var reread = SchemaInfoReader.Read(Encoding.UTF8.GetBytes(s.ToJson()));
        var a = SchemaInfoAlignment.Align(s, reread);
        Assert.Empty(a.Conflicts);
        Assert.All(a.ServerToClient, p => Assert.Equal(p.Key, p.Value));
        // Every enum, object and alternate reachable from a command or event is paired (7.2: 689 of its
        // 691; two are listed but used by nothing), counted here by a walk of the raw JSON.
        Assert.Equal(ReachableNamedTypes(_qemu.Saved!), a.ServerToClient.Count);
        var report = SchemaCompatibilityReport.Create(a);
        Assert.Empty(report.Differences);
        Assert.True(report.IsCompatible);
    }

    private static int ReachableNamedTypes(byte[] saved)
    {
        using var raw = JsonDocument.Parse(saved);
        var byName = raw.RootElement.GetProperty("query-qmp-schema").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        var seen = new HashSet<string>();
        var stack = new Stack<string>();
        foreach (var e in byName.Values)
        {
            foreach (var key in new[] { "arg-type", "ret-type" })
            {
                if (e.TryGetProperty(key, out var t))
                {
                    stack.Push(t.GetString()!);
                }
            }
        }

        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name))
            {
                continue;
            }

            var e = byName[name];
            foreach (var list in new[] { "members", "variants" })
            {
                if (e.TryGetProperty(list, out var items))
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        if (item.TryGetProperty("type", out var t))
                        {
                            stack.Push(t.GetString()!);
                        }
                    }
                }
            }

            if (e.TryGetProperty("element-type", out var element))
            {
                stack.Push(element.GetString()!);
            }
        }

        return seen.Count(n => byName[n].GetProperty("meta-type").GetString() is "object" or "enum" or "alternate");
    }

    [QemuFact]
    public async Task CheckSchemaAsync_reports_what_a_description_lacks_and_adds()
    {
        var s = _qemu.Schema!;
        // A "client" that has a command the server lacks, lacks one the server has, and lacks a value of an enum it reads.
        var status = (SchemaInfoObject)s.Find(s.FindCommand("query-status")!.RetType)!;
        var runState = (SchemaInfoEnum)s.Find(status.FindMember("status")!.Type)!;
        var entries = s.Entries
            .Where(e => e.Name != "query-pr-managers")
            .Select(e => e == runState ? new SchemaInfoEnum(e.Name, runState.Members.Where(m => m.Name != "suspended").ToList()) : e)
            .Append(new SchemaInfoCommand("query-cpus", s.FindCommand("query-status")!.ArgType, s.FindCommand("query-status")!.RetType))
            .ToList();
        var client = new SchemaInfo(entries);
        var report = await _qemu.Client!.CheckSchemaAsync(client.ToJson()).Within();
        Assert.Equal(["query-cpus"], report.MissingCommands);
        Assert.Equal(["query-pr-managers"], report.AddedCommands);
        var unknown = Assert.Single(report.OfKind(SchemaDifferenceKind.EnumValueUnknown));
        Assert.Equal("suspended", unknown.Name);
        Assert.True(s.Has(unknown.Path));
        Assert.False(report.IsCompatible);
        Assert.Equal(3, report.Differences.Count);
        Assert.Contains("commands the server lacks (1):\n  query-cpus\n", report.ToString());
    }
}
