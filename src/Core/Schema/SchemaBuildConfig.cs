using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Schema;

/// <summary>
/// The build a generated server stands for: the configuration symbols (<c>CONFIG_SPICE</c>,
/// <c>TARGET_I386</c>, ...) that hold in it, against which the schema's conditions (<c>'if'</c>) are
/// resolved, as QEMU's C compiler resolves the <c>#if</c>s introspect.py writes. The default is
/// QEMU 7.2's <c>qemu-system-x86_64</c> as Debian 12 builds it (the symbols of 7.2's schema that
/// hold there, checked against its live <c>query-qmp-schema</c>). An item's <c>QemuConfig</c>
/// metadata gives another: the symbols that hold, <c>default</c> for the default's, <c>!SYMBOL</c>
/// to take one away (<c>default;!CONFIG_SPICE</c>).
/// </summary>
public sealed record SchemaBuildConfig(EquatableArray<string> Symbols)
{
    /// <summary>
    /// The symbols of QEMU 7.2's schema that hold in Debian 12's <c>qemu-system-x86_64</c> (7.2+dfsg-7).
    /// Those that do not: CONFIG_BLKIO, CONFIG_VMNET, CONFIG_COCOA, TARGET_S390X, TARGET_ARM,
    /// TARGET_PPC, TARGET_MIPS, TARGET_LOONGARCH64.
    /// </summary>
    public static readonly SchemaBuildConfig Default = new(new[]
    {
        "CONFIG_CURSES", "CONFIG_DBUS_DISPLAY", "CONFIG_FDT", "CONFIG_FUSE", "CONFIG_GBM", "CONFIG_GTK",
        "CONFIG_INOTIFY1", "CONFIG_LIBPMEM", "CONFIG_LINUX", "CONFIG_LINUX_IO_URING", "CONFIG_MEM_DEVICE",
        "CONFIG_OPENGL", "CONFIG_POSIX", "CONFIG_POSIX_FALLOCATE", "CONFIG_REPLICATION", "CONFIG_SDL",
        "CONFIG_SECRET_KEYRING", "CONFIG_SPICE", "CONFIG_SPICE_PROTOCOL", "CONFIG_TCG", "CONFIG_TPM",
        "CONFIG_VDUSE_BLK_EXPORT", "CONFIG_VHOST_CRYPTO", "CONFIG_VHOST_USER_BLK_SERVER", "CONFIG_VNC",
        "CONFIG_ZSTD", "HAVE_HOST_BLOCK_DEVICE", "HAVE_IPPROTO_MPTCP", "TARGET_I386", "TARGET_X86_64",
    }.ToEquatableArray());

    private static readonly char[] s_separators = { ';', ',' };

    /// <summary>The configuration a <c>QemuConfig</c> value names; <see cref="Default"/> when it is empty.</summary>
    public static SchemaBuildConfig Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        var symbols = new List<string>();
        var removed = new List<string>();
        foreach (var part in value!.Split(s_separators, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (part.Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                symbols.AddRange(Default.Symbols);
            }
            else if (part[0] == '!')
            {
                removed.Add(part.Substring(1).Trim());
            }
            else
            {
                symbols.Add(part);
            }
        }
        return new SchemaBuildConfig(symbols.Where(s => !removed.Contains(s, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToEquatableArray());
    }

    /// <summary>Whether an entity with <paramref name="condition"/> exists in this build (no condition: always).</summary>
    public bool Holds(SchemaCondition? condition)
    {
        if (condition is null)
        {
            return true;
        }

        switch (condition.Kind)
        {
            case ConditionKind.Config:
                foreach (var symbol in Symbols)
                {
                    if (string.Equals(symbol, condition.Config, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
                return false;
            case ConditionKind.Not:
                return !Holds(condition.Operands[0]);
            case ConditionKind.All:
                return condition.Operands.All(Holds);
            default:
                return condition.Operands.Any(Holds);
        }
    }
}
