namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Sorts commands into the areas of the index. An explicit table first (the names no prefix
/// explains, and the queries that belong to a topic), then prefix rules, then <c>query-</c> for the
/// remaining queries; anything else is misc. So every command lands in exactly one area, and a new
/// command lands somewhere without anyone touching this file.
/// </summary>
internal static class DocsAreas
{
    public const string RunState = "run-state";
    public const string Block = "block";
    public const string BlockJobs = "block-jobs";
    public const string Migration = "migration";
    public const string Devices = "devices";
    public const string CharDevices = "chardev";
    public const string Display = "display";
    public const string FileDescriptors = "fds";
    public const string Queries = "queries";
    public const string Misc = "misc";
    public const string Events = "events";

    /// <summary>The areas in index order: id, title, one line about it.</summary>
    public static readonly IReadOnlyList<(string Id, string Title, string Summary)> All =
    [
        (RunState, "Run state", "Start, stop, reset and quit the machine; its run state."),
        (Block, "Block devices", "Block devices, media, snapshots, throttling and the NBD server."),
        (BlockJobs, "Block jobs", "Long-running block operations (stream, commit, mirror, backup) and their control."),
        (Migration, "Migration", "Live migration, its capabilities and parameters."),
        (Devices, "Devices & objects", "Hot-plugging devices, network backends and QOM objects; device queries."),
        (CharDevices, "Character devices", "Character device backends and ring buffers."),
        (Display, "Display", "VNC, SPICE, screendump and keyboard/mouse input."),
        (FileDescriptors, "File descriptors", "Passing file descriptors to QEMU and managing fd sets."),
        (Queries, "Queries", "Everything else QEMU can tell about itself."),
        (Misc, "Misc", "Capabilities negotiation, the human monitor, memory dumps and the rest."),
        (Events, "Events", "Asynchronous messages QEMU sends after capabilities negotiation."),
    ];

    private static readonly Dictionary<string, string> s_explicit = new(StringComparer.Ordinal)
    {
        ["quit"] = RunState,
        ["stop"] = RunState,
        ["cont"] = RunState,
        ["system_reset"] = RunState,
        ["system_powerdown"] = RunState,
        ["system_wakeup"] = RunState,
        ["inject-nmi"] = RunState,
        ["query-status"] = RunState,

        ["eject"] = Block,
        ["change"] = Block,
        ["transaction"] = Block,
        ["query-block"] = Block,
        ["query-blockstats"] = Block,
        ["query-named-block-nodes"] = Block,

        ["block-stream"] = BlockJobs,
        ["block-commit"] = BlockJobs,
        ["drive-backup"] = BlockJobs,
        ["drive-mirror"] = BlockJobs,
        ["query-block-jobs"] = BlockJobs,

        ["client_migrate_info"] = Migration,
        ["xen-save-devices-state"] = Migration,
        ["xen-set-global-dirty-log"] = Migration,

        ["set_link"] = Devices,
        ["cpu-add"] = Devices,
        ["balloon"] = Devices,
        ["query-balloon"] = Devices,
        ["query-pci"] = Devices,
        ["query-memdev"] = Devices,
        ["query-memory-devices"] = Devices,
        ["query-acpi-ospm-status"] = Devices,
        ["query-rx-filter"] = Devices,
        ["query-iothreads"] = Devices,
        ["query-tpm"] = Devices,
        ["query-tpm-models"] = Devices,
        ["query-tpm-types"] = Devices,

        ["ringbuf-write"] = CharDevices,
        ["ringbuf-read"] = CharDevices,

        ["screendump"] = Display,
        ["send-key"] = Display,
        ["set_password"] = Display,
        ["expire_password"] = Display,
        ["change-vnc-password"] = Display,
        ["add_client"] = Display,
        ["query-vnc"] = Display,
        ["query-spice"] = Display,
        ["query-mice"] = Display,

        ["getfd"] = FileDescriptors,
        ["closefd"] = FileDescriptors,
        ["add-fd"] = FileDescriptors,
        ["remove-fd"] = FileDescriptors,
        ["query-fdsets"] = FileDescriptors,

        ["qmp_capabilities"] = Misc,
        ["human-monitor-command"] = Misc,
        ["cpu"] = Misc,
        ["memsave"] = Misc,
        ["pmemsave"] = Misc,
        ["dump-guest-memory"] = Misc,
        ["query-dump-guest-memory-capability"] = Misc,
    };

    /// <summary>Prefix rules, first match wins; tried after the table.</summary>
    private static readonly (string Prefix, string Area)[] s_prefixes =
    [
        ("block-job-", BlockJobs),
        ("block_", Block), ("block-", Block), ("blockdev-", Block), ("drive-", Block), ("nbd-server-", Block),
        ("migrate", Migration), ("query-migrate", Migration),
        ("device_", Devices), ("device-", Devices), ("netdev_", Devices), ("netdev-", Devices),
        ("object-", Devices), ("qom-", Devices),
        ("chardev-", CharDevices), ("query-chardev", CharDevices),
        ("query-vnc", Display), ("query-spice", Display), ("vnc", Display), ("spice", Display),
        ("query-", Queries),
    ];

    /// <summary>The area of a command.</summary>
    public static string Of(string command)
    {
        if (s_explicit.TryGetValue(command, out var area))
        {
            return area;
        }

        foreach (var (prefix, prefixArea) in s_prefixes)
        {
            if (command.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefixArea;
            }
        }
        return Misc;
    }
}
