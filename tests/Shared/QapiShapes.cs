using System.Text.Json;
using Qmp.Runtime.Qapi;

namespace Qmp.Testing;

/// <summary>
/// Hand-written descriptions of a few QEMU 7.2 QAPI types (as <c>qapi/*.json</c> of 7.2 declares them,
/// members in the schema's order, bases flattened first) and a walker that drives
/// <see cref="QapiInputReader"/> over them the way QEMU's generated <c>visit_type_*</c> code drives its
/// visitor. The descriptions are ours, written from the schema; the walk is the runtime's
/// <see cref="QapiShapeSet"/>, the one a generated server uses, given them as its lines. Members are
/// written as the schema writes them: <c>*name:type</c> for an optional member, <c>[type]</c> for a list;
/// a union's cases left out have no members. Linked into the tests, the fuzzer and the benchmarks.
/// </summary>
internal static class QapiShapes
{
    private sealed record Struct(string[] Members, string? Discriminator = null, Dictionary<string, string>? Branches = null);

    private sealed record Alternate(Dictionary<QapiJsonType, string> Branches);

    private static readonly Dictionary<string, string[]> s_enums = new()
    {
        ["BlockdevDriver"] =
        [
            "blkdebug", "blklogwrites", "blkreplay", "blkverify", "bochs", "cloop", "compress", "copy-before-write", "copy-on-read", "dmg",
            "file", "snapshot-access", "ftp", "ftps", "gluster", "host_cdrom", "host_device", "http", "https", "iscsi", "luks", "nbd", "nfs",
            "null-aio", "null-co", "nvme", "parallels", "preallocate", "qcow", "qcow2", "qed", "quorum", "raw", "rbd", "replication", "ssh",
            "throttle", "vdi", "vhdx", "vmdk", "vpc", "vvfat",
        ],
        ["BlockdevDiscardOptions"] = ["ignore", "unmap"],
        ["BlockdevDetectZeroesOptions"] = ["off", "on", "unmap"],
        ["BlockdevAioOptions"] = ["threads", "native", "io_uring"],
        ["OnOffAuto"] = ["auto", "on", "off"],
        ["Qcow2OverlapCheckMode"] = ["none", "constant", "cached", "all"],
        ["BlockdevQcow2EncryptionFormat"] = ["aes", "luks"],
        ["QuorumReadPattern"] = ["quorum", "fifo"],
        ["MigrationCapability"] =
        [
            "xbzrle", "rdma-pin-all", "auto-converge", "zero-blocks", "compress", "events", "postcopy-ram", "x-colo", "release-ram", "block",
            "return-path", "pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime", "late-block-activate",
            "x-ignore-shared", "validate-uuid", "background-snapshot", "zero-copy-send", "postcopy-preempt",
        ],
        ["SocketAddressType"] = ["inet", "unix", "vsock", "fd"],
        ["TransactionActionKind"] =
        [
            "abort", "block-dirty-bitmap-add", "block-dirty-bitmap-remove", "block-dirty-bitmap-clear", "block-dirty-bitmap-enable",
            "block-dirty-bitmap-disable", "block-dirty-bitmap-merge", "blockdev-backup", "blockdev-snapshot",
            "blockdev-snapshot-internal-sync", "blockdev-snapshot-sync", "drive-backup",
        ],
        ["ActionCompletionMode"] = ["individual", "grouped"],
        ["NewImageMode"] = ["existing", "absolute-paths"],
        ["QMPCapability"] = ["oob"],
        ["ChardevBackendKind"] =
        [
            "file", "serial", "parallel", "pipe", "socket", "udp", "pty", "null", "mux", "msmouse", "wctablet", "braille", "testdev", "stdio",
            "console", "spicevmc", "spiceport", "qemu-vdagent", "dbus", "vc", "ringbuf", "memory",
        ],
        ["ObjectType"] =
        [
            "authz-list", "authz-listfile", "authz-pam", "authz-simple", "can-bus", "can-host-socketcan", "colo-compare", "cryptodev-backend",
            "cryptodev-backend-builtin", "cryptodev-backend-lkcf", "cryptodev-vhost-user", "dbus-vmstate", "filter-buffer", "filter-dump",
            "filter-mirror", "filter-redirector", "filter-replay", "filter-rewriter", "input-barrier", "input-linux", "iothread", "main-loop",
            "memory-backend-epc", "memory-backend-file", "memory-backend-memfd", "memory-backend-ram", "pef-guest", "pr-manager-helper",
            "qtest", "rng-builtin", "rng-egd", "rng-random", "secret", "secret_keyring", "sev-guest", "thread-context", "s390-pv-guest",
            "throttle-group", "tls-creds-anon", "tls-creds-psk", "tls-creds-x509", "tls-cipher-suites",
        ],
        ["HostMemPolicy"] = ["default", "preferred", "bind", "interleave"],
        ["KeyValueKind"] = ["number", "qcode"],
        ["ImageFormat"] = ["ppm", "png"],
    };

    private static readonly string[] s_blockdevOptionsBase =
    [
        "driver:BlockdevDriver", "*node-name:str", "*discard:BlockdevDiscardOptions", "*cache:BlockdevCacheOptions", "*read-only:bool",
        "*auto-read-only:bool", "*force-share:bool", "*detect-zeroes:BlockdevDetectZeroesOptions",
    ];

    private static readonly Dictionary<string, object> s_types = new()
    {
        // block-core.json: the union blockdev-add takes (boxed), with the branches the cases reach.
        ["BlockdevOptions"] = new Struct(s_blockdevOptionsBase, "driver", new()
        {
            ["file"] = "BlockdevOptionsFile",
            ["qcow2"] = "BlockdevOptionsQcow2",
            ["raw"] = "BlockdevOptionsRaw",
            ["quorum"] = "BlockdevOptionsQuorum",
        }),
        ["BlockdevCacheOptions"] = new Struct(["*direct:bool", "*no-flush:bool"]),
        ["BlockdevOptionsFile"] = new Struct(["filename:str", "*pr-manager:str", "*locking:OnOffAuto", "*aio:BlockdevAioOptions", "*aio-max-batch:int", "*drop-cache:bool", "*x-check-cache-dropped:bool"]),
        ["BlockdevOptionsQcow2"] = new Struct(
        [
            "file:BlockdevRef", "*backing:BlockdevRefOrNull", "*lazy-refcounts:bool", "*pass-discard-request:bool", "*pass-discard-snapshot:bool",
            "*pass-discard-other:bool", "*overlap-check:Qcow2OverlapChecks", "*cache-size:int", "*l2-cache-size:int", "*l2-cache-entry-size:int",
            "*refcount-cache-size:int", "*cache-clean-interval:int", "*encrypt:BlockdevQcow2Encryption", "*data-file:BlockdevRef",
        ]),
        ["BlockdevOptionsRaw"] = new Struct(["file:BlockdevRef", "*offset:int", "*size:int"]),
        ["BlockdevOptionsQuorum"] = new Struct(["*blkverify:bool", "children:[BlockdevRef]", "vote-threshold:int", "*rewrite-corrupted:bool", "*read-pattern:QuorumReadPattern"]),
        ["BlockdevRef"] = new Alternate(new() { [QapiJsonType.Object] = "BlockdevOptions", [QapiJsonType.String] = "str" }),
        ["BlockdevRefOrNull"] = new Alternate(new() { [QapiJsonType.Object] = "BlockdevOptions", [QapiJsonType.String] = "str", [QapiJsonType.Null] = "null" }),
        ["Qcow2OverlapChecks"] = new Alternate(new() { [QapiJsonType.Object] = "Qcow2OverlapCheckFlags", [QapiJsonType.String] = "Qcow2OverlapCheckMode" }),
        ["Qcow2OverlapCheckFlags"] = new Struct(
        [
            "*template:Qcow2OverlapCheckMode", "*main-header:bool", "*active-l1:bool", "*active-l2:bool", "*refcount-table:bool",
            "*refcount-block:bool", "*snapshot-table:bool", "*inactive-l1:bool", "*inactive-l2:bool", "*bitmap-directory:bool",
        ]),
        ["BlockdevQcow2Encryption"] = new Struct(["format:BlockdevQcow2EncryptionFormat"], "format", new() { ["aes"] = "QCryptoBlockOptionsQCow", ["luks"] = "QCryptoBlockOptionsLUKS" }),
        ["QCryptoBlockOptionsQCow"] = new Struct(["*key-secret:str"]),
        ["QCryptoBlockOptionsLUKS"] = new Struct(["*key-secret:str"]),

        // Commands' argument types (QEMU's implicit q_obj_*-arg), by command name.
        ["eject"] = new Struct(["*device:str", "*id:str", "*force:bool"]),
        ["balloon"] = new Struct(["value:int"]),
        ["set_link"] = new Struct(["name:str", "up:bool"]),
        ["blockdev-del"] = new Struct(["node-name:str"]),
        ["block_resize"] = new Struct(["*device:str", "*node-name:str", "size:int"]),
        ["migrate-set-capabilities"] = new Struct(["capabilities:[MigrationCapabilityStatus]"]),
        ["MigrationCapabilityStatus"] = new Struct(["capability:MigrationCapability", "state:bool"]),
        ["nbd-server-start"] = new Struct(["addr:SocketAddressLegacy", "*tls-creds:str", "*tls-authz:str", "*max-connections:uint32"]),
        ["SocketAddressLegacy"] = new Struct(["type:SocketAddressType"], "type", new()
        {
            ["inet"] = "InetSocketAddressWrapper",
            ["unix"] = "UnixSocketAddressWrapper",
            ["vsock"] = "VsockSocketAddressWrapper",
            ["fd"] = "StringWrapper",
        }),
        ["InetSocketAddressWrapper"] = new Struct(["data:InetSocketAddress"]),
        ["InetSocketAddress"] = new Struct(["host:str", "port:str", "*numeric:bool", "*to:uint16", "*ipv4:bool", "*ipv6:bool", "*keep-alive:bool", "*mptcp:bool"]),
        ["UnixSocketAddressWrapper"] = new Struct(["data:UnixSocketAddress"]),
        ["UnixSocketAddress"] = new Struct(["path:str", "*abstract:bool", "*tight:bool"]),
        ["VsockSocketAddressWrapper"] = new Struct(["data:VsockSocketAddress"]),
        ["VsockSocketAddress"] = new Struct(["cid:str", "port:str"]),
        ["StringWrapper"] = new Struct(["data:String"]),
        ["String"] = new Struct(["str:str"]),
        ["transaction"] = new Struct(["actions:[TransactionAction]", "*properties:TransactionProperties"]),
        ["TransactionAction"] = new Struct(["type:TransactionActionKind"], "type", new()
        {
            ["abort"] = "AbortWrapper",
            ["blockdev-snapshot-sync"] = "BlockdevSnapshotSyncWrapper",
        }),
        ["AbortWrapper"] = new Struct(["data:Abort"]),
        ["Abort"] = new Struct([]),
        ["BlockdevSnapshotSyncWrapper"] = new Struct(["data:BlockdevSnapshotSync"]),
        ["BlockdevSnapshotSync"] = new Struct(["*device:str", "*node-name:str", "snapshot-file:str", "*snapshot-node-name:str", "*format:str", "*mode:NewImageMode"]),
        ["TransactionProperties"] = new Struct(["*completion-mode:ActionCompletionMode"]),
        ["qmp_capabilities"] = new Struct(["*enable:[QMPCapability]"]),
        ["query-status"] = new Struct([]),
        ["chardev-add"] = new Struct(["id:str", "backend:ChardevBackend"]),
        ["ChardevBackend"] = new Struct(["type:ChardevBackendKind"], "type", new() { ["null"] = "ChardevCommonWrapper" }),
        ["ChardevCommonWrapper"] = new Struct(["data:ChardevCommon"]),
        ["ChardevCommon"] = new Struct(["*logfile:str", "*logappend:bool"]),
        ["object-add"] = new Struct(["qom-type:ObjectType", "id:str"], "qom-type", new() { ["memory-backend-ram"] = "MemoryBackendProperties" }),
        ["MemoryBackendProperties"] = new Struct(
        [
            "*dump:bool", "*host-nodes:[uint16]", "*merge:bool", "*policy:HostMemPolicy", "*prealloc:bool", "*prealloc-threads:uint32",
            "*prealloc-context:str", "*share:bool", "*reserve:bool", "size:size", "*x-use-canonical-path-for-ramblock-id:bool",
        ]),
        ["human-monitor-command"] = new Struct(["command-line:str", "*cpu-index:int"]),
        ["screendump"] = new Struct(["filename:str", "*device:str", "*head:int", "*format:ImageFormat"]),
        ["send-key"] = new Struct(["keys:[KeyValue]", "*hold-time:int"]),
        ["KeyValue"] = new Struct(["type:KeyValueKind"], "type", new() { ["number"] = "IntWrapper" }),
        ["IntWrapper"] = new Struct(["data:int"]),
        ["qom-set"] = new Struct(["path:str", "property:str", "value:any"]),
        ["migrate-set-parameters"] = new Struct(
        [
            "*announce-initial:size", "*announce-max:size", "*announce-rounds:size", "*announce-step:size", "*compress-level:uint8",
            "*compress-threads:uint8", "*compress-wait-thread:bool", "*decompress-threads:uint8", "*throttle-trigger-threshold:uint8",
            "*cpu-throttle-initial:uint8", "*cpu-throttle-increment:uint8", "*cpu-throttle-tailslow:bool", "*tls-creds:StrOrNull",
            "*tls-hostname:StrOrNull", "*tls-authz:StrOrNull", "*max-bandwidth:size", "*downtime-limit:uint64", "*x-checkpoint-delay:uint32",
            "*block-incremental:bool", "*multifd-channels:uint8", "*xbzrle-cache-size:size", "*max-postcopy-bandwidth:size",
            "*max-cpu-throttle:uint8",
        ]),
        ["StrOrNull"] = new Alternate(new() { [QapiJsonType.String] = "str", [QapiJsonType.Null] = "null" }),

        // Every width, for the fuzzer and the range tests (not a QEMU type).
        ["widths"] = new Struct(
        [
            "*i8:int8", "*i16:int16", "*i32:int32", "*i64:int64", "*u8:uint8", "*u16:uint16", "*u32:uint32", "*u64:uint64", "*sz:size",
            "*n:number", "*b:bool", "*s:str", "*a:any", "*z:null", "*l:[int8]",
        ]),
    };

    /// <summary>The descriptions as <see cref="QapiShapeSet"/>'s lines (blockdev-add is boxed: its arguments are a BlockdevOptions).</summary>
    private static readonly QapiShapeSet s_shapes = new(Lines());

    private static Dictionary<string, string> Lines()
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in s_enums)
        {
            lines[name] = "E " + string.Join(' ', values);
        }

        foreach (var (name, type) in s_types)
        {
            lines[name] = type switch
            {
                Struct o => string.Join(' ', new[] { "S" }.Concat(o.Members)
                    .Concat(o.Discriminator is null ? [] : new[] { "|", o.Discriminator }.Concat(o.Branches!.Select(b => b.Key + "=" + b.Value)))),
                Alternate a => "A " + string.Join(' ', a.Branches.Select(b => b.Key + "=" + b.Value)),
                _ => throw new NotSupportedException(name),
            };
        }

        lines["blockdev-add"] = lines["BlockdevOptions"];
        return lines;
    }

    /// <summary>The described commands (and <c>widths</c>), for the fuzzer.</summary>
    public static IReadOnlyList<string> Commands { get; } =
    [
        "eject", "balloon", "set_link", "blockdev-del", "block_resize", "blockdev-add", "migrate-set-capabilities", "nbd-server-start",
        "transaction", "qmp_capabilities", "query-status", "chardev-add", "object-add", "human-monitor-command", "screendump", "send-key",
        "qom-set", "migrate-set-parameters", "widths",
    ];

    /// <summary>Checks <paramref name="arguments"/> of <paramref name="command"/> as QEMU 7.2's generated marshaller does.</summary>
    public static void Check(string command, JsonElement? arguments, int maxDepth = Qmp.Runtime.QmpLimits.DefaultServerMaxDepth) =>
        s_shapes.Check(arguments, command, maxDepth);

    /// <summary>The same on a reader given its arguments (reused across calls).</summary>
    public static void Check(QapiInputReader reader, string command) => s_shapes.Check(reader, command);
}
