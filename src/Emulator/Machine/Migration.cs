using System.Numerics;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private const long PageSize = 4096;

    internal bool MigrationRunning => Vm.Migration.Status is "setup" or "active";

    public override ValueTask MigrateAsync(MigrateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (MigrationRunning)
            {
                throw Generic("There's a migration process in progress");
            }

            var uri = arguments.Uri;
            var colon = uri.IndexOf(':', StringComparison.Ordinal);
            var scheme = colon < 0 ? "" : uri[..colon];
            var rest = colon < 0 ? "" : uri[(colon + 1)..];
            switch (scheme)
            {
                case "tcp":
                case "rdma":
                    var portSep = rest.LastIndexOf(':');
                    if (portSep < 0 || !int.TryParse(rest.AsSpan(portSep + 1), out var port) || port is < 0 or > 65535)
                    {
                        throw Generic($"error parsing address '{rest}'");
                    }

                    break;
                case "unix":
                case "exec":
                    if (rest.Length == 0)
                    {
                        throw InvalidParameterValue("uri", "a valid migration protocol");
                    }

                    break;
                case "fd":
                    if (!SessionFds(session).ContainsKey(rest))
                    {
                        throw Generic($"File descriptor named '{rest}' not found");
                    }

                    break;
                default:
                    throw InvalidParameterValue("uri", "a valid migration protocol");
            }

            var m = Vm.Migration;
            m.Status = "setup";
            m.Error = null;
            m.Uri = uri;
            m.StartTimestamp = Vm.Time.GetTimestamp();
            m.SetupTimeMs = 0;
            m.TotalTimeMs = 0;
            m.DowntimeMs = 0;
            m.Transferred = 0;
            m.Total = Vm.RamSize;
            m.Duplicate = 0;
            m.DirtySyncCount = 0;
            m.Blk = arguments.Blk == true || arguments.Inc == true;
            m.DiskTransferred = 0;
            m.DiskTotal = m.Blk ? Vm.Drives.Where(d => d.Image is not null && !d.ReadOnly).Sum(d => d.Image!.VirtualSize) : 0;
            m.XbzrleUsed = Vm.MigrationCapabilities["xbzrle"];
        }

        return Done();
    }

    /// <summary>
    /// A migration that fails as it starts (QEMU's migrate_fd_error): <c>failed</c> with its reason, answered as the
    /// command's error. Under the machine lock, after the check for one in progress.
    /// </summary>
    internal QmpException FailMigration(string uri, string error)
    {
        var m = Vm.Migration;
        m.Status = "failed";
        m.Uri = uri;
        m.Error = error;
        return Generic(error);
    }

    private void TickMigration(double seconds)
    {
        var m = Vm.Migration;
        if (m.Status == "setup")
        {
            m.Status = "active";
            m.SetupTimeMs = Vm.Milliseconds(m.StartTimestamp);
            m.DirtySyncCount = 1;
            return;
        }

        if (m.Status != "active")
        {
            return;
        }

        var budget = seconds * Math.Max(1, Vm.MigrationSpeed);
        if (m.Blk && m.DiskTransferred < m.DiskTotal)
        {
            var disk = Math.Min(budget, m.DiskTotal - m.DiskTransferred);
            m.DiskTransferred += disk;
            budget -= disk;
        }

        // Zero pages go as "duplicate" pages of a few bytes: a quarter of guest RAM is zero.
        var ram = Math.Min(budget, m.Total - m.Transferred);
        m.Transferred += ram;
        m.Duplicate = (long)(m.Transferred / PageSize / 4);
        if (m.Transferred >= m.Total && (!m.Blk || m.DiskTransferred >= m.DiskTotal))
        {
            m.DirtySyncCount++;
            m.DowntimeMs = Math.Max(1, (long)(Vm.MigrationDowntime * 1000 / 3));
            m.TotalTimeMs = Vm.Milliseconds(m.StartTimestamp);
            if (Vm.RunState == "running")
            {
                Vm.RunState = "finish-migrate";
                Vm.Emit(s => s.EmitStop());
            }

            Vm.RunState = "postmigrate";
            m.Status = "completed";
            if (Vm.Display.SpiceMigrationTarget is not null)
            {
                Vm.Emit(s => s.EmitSpiceMigrateCompleted());
            }
        }
    }

    public override ValueTask<MigrateInfo> QueryMigrateAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var m = Vm.Migration;
            if (m.Status is null or "setup" or "cancelled" or "failed")
            {
                return Done(new MigrateInfo { Status = m.Status is { } status ? new MigrationStatus(status) : (MigrationStatus?)null });
            }

            var active = m.Status == "active";
            var transferred = (long)m.Transferred;
            var remaining = m.Total - transferred;
            var elapsed = active ? Vm.Milliseconds(m.StartTimestamp) : m.TotalTimeMs;
            var normalPages = (transferred / PageSize) - m.Duplicate;
            var expected = active ? Math.Max(1, remaining * 1000 / Math.Max(1, Vm.MigrationSpeed)) : 0;
            var ram = new MigrateRamInfo
            {
                Transferred = transferred,
                Remaining = remaining,
                Total = m.Total,
                Duplicate = m.Duplicate,
                Skipped = 0,
                Normal = normalPages,
                NormalBytes = normalPages * PageSize,
                DirtySyncCount = m.DirtySyncCount,
            };
            return Done(new MigrateInfo
            {
                Status = m.Status,
                TotalTime = elapsed,
                SetupTime = m.SetupTimeMs,
                Downtime = active ? null : m.DowntimeMs,
                ExpectedDowntime = active ? expected : null,
                Ram = ram,
                Disk = m.Blk ? new MigrateDiskInfo { Total = m.DiskTotal, Transferred = (long)m.DiskTransferred, Remaining = m.DiskTotal - (long)m.DiskTransferred } : null,
                XbzrleCache = m.XbzrleUsed ? new MigrateXbzrleCacheInfo { CacheSize = Vm.MigrationCacheSize, Bytes = 0, Pages = 0, CacheMiss = normalPages, CacheMissRate = normalPages > 0 ? 1.0 : 0, Overflow = 0 } : null,
                Capabilities = !Vm.MigrationCapabilities.Values.Any(v => v) ? null : Vm.MigrationCapabilities.Select(c => new MigrateCapabilityInfo { Capability = c.Key, State = c.Value }).ToList(),
            });
        }
    }

    public override ValueTask MigrateCancelAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (MigrationRunning)
            {
                Vm.Migration.Status = "cancelled";
            }
        }

        return Done();
    }

    public override ValueTask MigrateSetCapabilitiesAsync(MigrateSetCapabilitiesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var capabilities = arguments.Capabilities ?? throw MissingParameter("capabilities");

            if (MigrationRunning)
            {
                throw Generic("There's a migration process in progress");
            }

            var changes = new List<(string, bool)>();
            foreach (var item in capabilities)
            {
                var name = item.Capability ?? throw MissingParameter("capability");
                if (!Vm.MigrationCapabilities.ContainsKey(name))
                {
                    throw InvalidParameter(name);
                }

                changes.Add((name, item.State ?? throw MissingParameter("state")));
            }

            foreach (var (name, state) in changes)
            {
                Vm.MigrationCapabilities[name] = state;
            }
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<MigrateCapabilityInfo>> QueryMigrateCapabilitiesAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<MigrateCapabilityInfo>>(Vm.MigrationCapabilities.Select(c => new MigrateCapabilityInfo { Capability = c.Key, State = c.Value }).ToList());
        }
    }

    public override ValueTask MigrateSetCacheSizeAsync(MigrateSetCacheSizeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Value > Vm.RamSize)
            {
                throw InvalidParameterValue("cache size", "exceeding address space");
            }

            if (arguments.Value < PageSize)
            {
                throw InvalidParameterValue("cache size", "is smaller than page size");
            }

            Vm.MigrationCacheSize = (long)BitOperations.RoundUpToPowerOf2((ulong)arguments.Value + 1) >> 1;
        }

        return Done();
    }

    public override ValueTask<long> QueryMigrateCacheSizeAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done(Vm.MigrationCacheSize);
        }
    }

    public override ValueTask MigrateSetSpeedAsync(MigrateSetSpeedArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.MigrationSpeed = Math.Max(0, arguments.Value);
        }

        return Done();
    }

    public override ValueTask MigrateSetDowntimeAsync(MigrateSetDowntimeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.MigrationDowntime = Math.Max(0, arguments.Value);
        }

        return Done();
    }
}
