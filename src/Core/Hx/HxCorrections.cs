using System;
using System.Collections.Generic;

namespace Qmp.Codegen.Hx;

/// <summary>
/// Where QEMU 2.1's prose is wrong about a reply, and what QEMU 2.1 (and every QEMU since) really
/// sends. The prose lists these members without "(optional)", but QEMU's own QAPI schema of the
/// same release declares them optional, and QEMU leaves them out: the <c>*_max</c> throttle members
/// of <c>query-block</c>'s <c>inserted</c> (and of <c>query-named-block-nodes</c>, the same
/// type in QEMU 2.1) are sent only when set; <c>query-vnc</c> and
/// <c>query-spice</c> answer <c>{"enabled": false}</c> (plus SPICE's <c>migrated</c>) on a VM
/// without VNC or SPICE; <c>query-blockstats</c>' <c>parent</c> (the same type, recursively) has
/// no <c>device</c>. Each row is checked by a test that calls the command on QEMU 7.2.
/// A path is the command (or event) name, then member names down to the member.
/// </summary>
public static class HxCorrections
{
    private static readonly HashSet<string> s_sometimesAbsent = new(StringComparer.Ordinal)
    {
        "query-block/inserted/bps_max",
        "query-block/inserted/bps_rd_max",
        "query-block/inserted/bps_wr_max",
        "query-block/inserted/iops_max",
        "query-block/inserted/iops_rd_max",
        "query-block/inserted/iops_wr_max",
        "query-block/inserted/iops_size",
        "query-named-block-nodes/bps_max",
        "query-named-block-nodes/bps_rd_max",
        "query-named-block-nodes/bps_wr_max",
        "query-named-block-nodes/iops_max",
        "query-named-block-nodes/iops_rd_max",
        "query-named-block-nodes/iops_wr_max",
        "query-named-block-nodes/iops_size",
        "query-blockstats/device",
        "query-vnc/host",
        "query-vnc/family",
        "query-vnc/service",
        "query-vnc/auth",
        "query-vnc/clients",
        "query-spice/host",
        "query-spice/port",
        "query-spice/tls-port",
        "query-spice/auth",
        "query-spice/compiled-version",
        "query-spice/mouse-mode",
        "query-spice/channels",
    };

    /// <summary>True when the member at <paramref name="path"/> is optional on the wire whatever the prose says.</summary>
    public static bool IsSometimesAbsent(string path) => s_sometimesAbsent.Contains(path);
}
