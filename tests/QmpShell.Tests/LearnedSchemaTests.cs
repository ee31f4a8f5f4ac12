using System.Text.Json;
using Qmp.Emulator;
using Qmp.Runtime;

namespace QmpShell.Tests;

/// <summary>
/// The shell learns the connected server's commands, arguments and events from its
/// query-qmp-schema: the emulator's 7.2 persona (in-process), real QEMU 7.2 where installed, and
/// hostile answers. A server without query-qmp-schema (QEMU 2.1) keeps the built-in 2.1 table.
/// </summary>
public sealed class LearnedSchemaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmpshell-learn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<QemuEmulator> StartEmulatorAsync(string qemu)
    {
        var socket = Path.Combine(_dir, "qmp.sock");
        return await QemuEmulator.StartAsync(new EmulatorOptions { Qemu = qemu, Qmp = [$"unix:{socket},server=on,wait=off"] });
    }

    private string Address => "unix:" + Path.Combine(_dir, "qmp.sock");

    private static async Task<LearnedSchema> LearnAsync(string address, Qmp.Codegen.Schema.QmpSchema? source = null)
    {
        await using var client = await QmpClient.ConnectAsync(address);
        return await SchemaLearning.LearnAsync(client, source);
    }

    private static CompletionResult Complete(CommandCatalog catalog, string line) => new Completer(catalog).Complete(line, line.Length);

    [Fact]
    public async Task Qemu72Persona_HelpAndCompletion_AreThe72Commands()
    {
        await using var emulator = await StartEmulatorAsync(EmulatorOptions.Qemu72);
        var learned = await LearnAsync(Address);
        Assert.Null(learned.Warning);
        var catalog = learned.Catalog!;
        Assert.True(catalog.IsLearned);
        AssertKnows72(catalog);
    }

    /// <summary>What the shell must know of QEMU 7.2, whichever server described it.</summary>
    private static void AssertKnows72(CommandCatalog catalog)
    {
        Assert.NotNull(catalog.Find("query-jobs"));
        var help = HelpText.Command(catalog, "blockdev-backup");
        Assert.Matches(@"\n  job-id\s+str\s+yes", help);
        Assert.Matches(@"\n  device\s+str\s", help);
        Assert.Matches(@"\n  target\s+str(\s|$)", help);
        Assert.Matches(@"\n  sync\s+(enum|MirrorSyncMode)\s+one of: top, full, none, incremental, bitmap", help);
        Assert.Contains("Usage: blockdev-backup device=... sync=... target=... [job-id=...]", help, StringComparison.Ordinal);

        // Tab after sync= offers the enum's values; a bool's true/false; names those not given yet.
        var sync = Complete(catalog, "blockdev-backup sync=");
        Assert.Equal("blockdev-backup sync=".Length, sync.Start);
        Assert.Equal(["bitmap", "full", "incremental", "none", "top"], sync.Candidates);
        Assert.Equal(["incremental"], Complete(catalog, "blockdev-backup device=d sync=inc").Candidates);
        Assert.Equal(["false", "true"], Complete(catalog, "blockdev-backup compress=").Candidates);
        Assert.Contains("target=", Complete(catalog, "blockdev-backup sync=full ").Candidates);
        Assert.DoesNotContain("sync=", Complete(catalog, "blockdev-backup sync=full ").Candidates);
        // A union's branch: blockdev-add's qcow2 arguments once driver=qcow2 is typed.
        Assert.Contains("qcow2", Complete(catalog, "blockdev-add driver=").Candidates);
        Assert.DoesNotContain("lazy-refcounts=", Complete(catalog, "blockdev-add ").Candidates);
        Assert.Contains("lazy-refcounts=", Complete(catalog, "blockdev-add driver=qcow2 ").Candidates);
        Assert.Equal("""{"driver":"null-co","node-name":"n","size":1024}""",
            ShellSyntax.Parse("blockdev-add driver=null-co node-name=n size=1024", catalog)!.Arguments!.ToJsonString());

        // 2.1 commands that 7.2 removed are not offered, nor listed.
        var builtIn = CommandCatalog.Load();
        var removed = builtIn.Commands.Select(c => c.Name).Where(n => catalog.Find(n) is null).ToArray();
        Assert.Contains("change", removed);
        Assert.Contains("block_passwd", removed);
        var list = HelpText.List(catalog);
        Assert.StartsWith(catalog.Commands.Count + " commands from the server's query-qmp-schema", list, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\n  change\s", list);
        Assert.DoesNotContain("change", Complete(catalog, "chang").Candidates);
        Assert.Contains("blockdev-backup", Complete(catalog, "blockdev-b").Candidates);
    }

    [Fact]
    public async Task Qemu72Persona_EventsArePrintedTyped_UnknownOnesMarked()
    {
        await using var emulator = await StartEmulatorAsync(EmulatorOptions.Qemu72);
        var catalog = (await LearnAsync(Address)).Catalog!;
        var at = DateTimeOffset.Now;
        string Format(string name, string? data) =>
            EventText.Format(new QmpEvent(name, data is null ? null : JsonDocument.Parse(data).RootElement, at), catalog);

        // 7.2's RESET has data (2.1's had none): each member with its type.
        Assert.Matches(@"^event RESET at \d\d:\d\d:\d\d\.\d\d\d\n  - guest \(bool\): false\n  - reason \(enum\): ""host-qmp-system-reset""$",
            Format("RESET", """{"guest": false, "reason": "host-qmp-system-reset"}"""));
        Assert.Matches(@"^event JOB_STATUS_CHANGE at [0-9:.]+\n  - id \(str\): ""job0""\n  - status \(enum\): ""running""$",
            Format("JOB_STATUS_CHANGE", """{"id": "job0", "status": "running"}"""));
        Assert.Matches(@"^event STOP at [0-9:.]+ \{\}$", Format("STOP", null));
        // What does not match the learned schema is said.
        Assert.EndsWith(" (data not as the schema says: 'guest' is not bool, 'reason' missing, 'extra' not in the schema)\n  - guest (bool): 1\n  - extra (not in the schema): 2",
            Format("RESET", """{"guest": 1, "extra": 2}"""), StringComparison.Ordinal);
        Assert.Contains("(data not as the schema says: 'status' is not enum)", Format("JOB_STATUS_CHANGE", """{"id": "j", "status": "bogus"}"""), StringComparison.Ordinal);
        Assert.EndsWith("{\"a\":1} (not in the schema)", Format("X_NEW_EVENT", """{"a": 1}"""), StringComparison.Ordinal);
        Assert.Contains("Data:\n  - guest (bool)\n  - reason (enum): one of: none, host-error", HelpText.Command(catalog, "RESET"), StringComparison.Ordinal);
    }

    [QemuSchemaFact("bookworm")]
    public async Task Qemu72Persona_WithQapiSources_HelpHasQemusDocsAndTypeNames()
    {
        var (dir, _) = Qmp.Testing.QemuSources.Get("bookworm");
        var (source, problem) = SchemaLearning.ReadQapi(Path.Combine(dir!, "qapi", "qapi-schema.json"));
        Assert.Null(problem);
        await using var emulator = await StartEmulatorAsync(EmulatorOptions.Qemu72);
        var catalog = (await LearnAsync(Address, source)).Catalog!;
        Assert.True(catalog.HasDocs);
        var help = HelpText.Command(catalog, "blockdev-backup");
        Assert.Contains("Start a point-in-time copy of a block device to a new destination.", help, StringComparison.Ordinal);
        Assert.Matches(@"\n  sync\s+MirrorSyncMode\s+one of: top, full, none, incremental, bitmap\.\s+what\s+parts\s+of\s+the\s+disk\s+image", help);
        Assert.Matches(@"\n  job-id\s+str\s+yes\s+identifier\s+for\s+the\s+newly-created\s+block\s+job", help);
        Assert.Matches(@"\n  query-jobs\s+Return information about jobs\.", HelpText.List(catalog));
    }

    [Fact]
    public async Task Qemu21Persona_AndAServerWithoutTheCommand_KeepTheBuiltIn21Table()
    {
        await using (var emulator = await StartEmulatorAsync(EmulatorOptions.Qemu21))
        {
            Assert.Equal(new LearnedSchema(null, null), await LearnAsync(Address));
        }

        await using var server = new FakeQmpServer();
        Assert.Equal(new LearnedSchema(null, null), await LearnAsync(server.Address));
        var home = Directory.CreateDirectory(Path.Combine(_dir, "home")).FullName;
        var (_, output, error) = await ShellProcess.RunPipedAsync(server.Address, "help\n", home);
        Assert.StartsWith("108 commands from QEMU 2.1's schema", output, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [QemuFact]
    public async Task RealQemu72_HelpCompletionAndATypedEvent()
    {
        var socket = Path.Combine(_dir, "qemu.sock");
        await using var qemu = await QemuProcess.StartAsync(socket, ["-machine", "none", "-nodefaults"]);
        var learned = await LearnAsync("unix:" + socket);
        Assert.Null(learned.Warning);
        AssertKnows72(learned.Catalog!);

    }
}
