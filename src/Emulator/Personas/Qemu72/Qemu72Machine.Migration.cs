using System.Text.Json;
using System.Text.Json.Nodes;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using static Qmp.Emulator.QemuMachine;
using Qemu21 = Qmp.Emulator.Qemu;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// Migration: the shared machine's outgoing migration and its state, 7.2's parameters, and the postcopy, COLO,
/// Xen, dirty-limit and snapshot commands answered as QEMU 7.2 on TCG does when none of those is under way.
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>QEMU 7.2's migration parameters at start (as query-migrate-parameters gives them), then as set.</summary>
    private readonly JsonObject _migrationParameters = (JsonObject)JsonNode.Parse("""
        {"announce-initial": 50, "announce-max": 550, "announce-rounds": 5, "announce-step": 100, "compress-level": 1,
         "compress-threads": 8, "compress-wait-thread": true, "decompress-threads": 2, "throttle-trigger-threshold": 50,
         "cpu-throttle-initial": 20, "cpu-throttle-increment": 10, "cpu-throttle-tailslow": false, "tls-creds": "",
         "tls-hostname": "", "tls-authz": "", "max-bandwidth": 134217728, "downtime-limit": 300, "x-checkpoint-delay": 20000,
         "block-incremental": false, "multifd-channels": 2, "xbzrle-cache-size": 67108864, "max-postcopy-bandwidth": 0,
         "max-cpu-throttle": 99, "multifd-compression": "none", "multifd-zlib-level": 1, "multifd-zstd-level": 1}
        """)!;

    /// <summary>
    /// The shared machine's migration, with QEMU 7.2's words where its channels differ: <c>fd:NAME</c> takes the
    /// connection's descriptor as QEMU does (monitor_get_fd) and closes it at once, so its reader sees the stream end;
    /// <c>exec:COMMAND</c> runs nothing (QEMU runs <c>/bin/sh -c COMMAND</c>): it fails as QEMU's spawn fails,
    /// in glib's words, and the migration is <c>failed</c> (docs/security.md).
    /// </summary>
    public override ValueTask MigrateAsync(MigrateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments.Resume == true)
        {
            throw QmpException.Generic("Cannot resume if there is no paused migration");
        }

        var uri = arguments.Uri;
        lock (Gate)
        {
            if (!_services.MigrationRunning)
            {
                if (uri.StartsWith("exec:", StringComparison.Ordinal))
                {
                    throw _services.FailMigration(uri, "Failed to execute child process \u201c/bin/sh\u201d (Operation not permitted)");
                }

                if (uri.StartsWith("fd:", StringComparison.Ordinal) && !_services.HasNamedFd(session, uri[3..]))
                {
                    throw _services.FailMigration(uri, $"File descriptor named '{uri[3..]}' has not been found");
                }
            }

            var started = _services.MigrateAsync(new Qemu21.MigrateArguments { Uri = uri, Blk = arguments.Blk, Inc = arguments.Inc, Detach = arguments.Detach }, session, cancellationToken);
            if (uri.StartsWith("fd:", StringComparison.Ordinal))
            {
                _services.TryTakeNamedFd(session, uri[3..])?.Dispose();
            }

            return started;
        }
    }

    /// <summary>The shared machine's migration state, its members as 7.2 names them (the same as 2.1's for what both report).</summary>
    public override async ValueTask<QueryMigrateResult> QueryMigrateAsync(QmpSession session, CancellationToken cancellationToken)
    {
        var info = await _services.QueryMigrateAsync(session, cancellationToken).ConfigureAwait(false);
        var json = JsonNode.Parse(AsJson(info, Qemu21.MigrateInfo.Write).GetRawText())!.AsObject();
        lock (Gate)
        {
            // 7.2 says why a migration failed.
            if (Vm.Migration is { Status: "failed", Error: { } error })
            {
                json["error-desc"] = error;
            }
        }

        return Parse(json.ToJsonString(), QueryMigrateResult.Read);
    }

    public override ValueTask MigrateCancelAsync(QmpSession session, CancellationToken cancellationToken) => _services.MigrateCancelAsync(session, cancellationToken);

    /// <summary>What <see cref="_migrationParameters"/> charges to the client-state budget beyond QEMU's defaults.</summary>
    private long _migrationParametersRetained;

    /// <summary>
    /// Merges the given parameters into the machine's (checked and applied by QEMU in one step; the emulator keeps
    /// them). Their strings and lists (<c>tls-*</c>, <c>block-bitmap-mapping</c>) are client state: the whole set is
    /// charged to the client-state budget, so a refusal leaves the parameters as they were.
    /// </summary>
    public override ValueTask MigrateSetParametersAsync(MigrateSetParametersArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var given = AsJson(arguments, MigrateSetParametersArguments.Write);
        lock (Gate)
        {
            var merged = (JsonObject)_migrationParameters.DeepClone();
            foreach (var member in given.EnumerateObject())
            {
                // A null tls-* member resets it to "" (the StrOrNull alternate).
                merged[member.Name] = member.Value.ValueKind == JsonValueKind.Null ? JsonValue.Create("") : JsonNode.Parse(member.Value.GetRawText());
            }

            var retained = VirtualMachine.RetainedCost(merged.ToJsonString());
            Vm.Retain(Math.Max(0, retained - _migrationParametersRetained));
            Vm.Release(Math.Max(0, _migrationParametersRetained - retained));
            _migrationParametersRetained = retained;
            foreach (var (name, value) in merged)
            {
                _migrationParameters[name] = value?.DeepClone();
            }
        }

        return Done();
    }

    public override ValueTask<QueryMigrateParametersResult> QueryMigrateParametersAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done(Parse(_migrationParameters.ToJsonString(), QueryMigrateParametersResult.Read));
        }
    }

    /// <summary>Continues a migration paused in <c>state</c> (pause-before-switchover); the state must be the current one.</summary>
    public override ValueTask MigrateContinueAsync(MigrateContinueArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var status = Vm.Migration.Status ?? "none";
            if (status != arguments.State.Value)
            {
                throw QmpException.Generic($"Migration not in expected state: {status}");
            }
        }

        return Done();
    }

    /// <summary>The persona is never started with <c>-incoming</c>.</summary>
    public override ValueTask MigrateIncomingAsync(MigrateIncomingArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("'-incoming' was not specified on the command line");

    public override ValueTask MigrateStartPostcopyAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.MigrationCapabilities.GetValueOrDefault("postcopy-ram"))
            {
                throw QmpException.Generic("Enable postcopy with migrate_set_capability before the start of migration");
            }

            if (Vm.Migration.Status is not ("setup" or "active"))
            {
                throw QmpException.Generic("Postcopy must be started after migration has been started");
            }
        }

        throw NotModelled("postcopy migration");
    }

    public override ValueTask MigrateRecoverAsync(MigrateRecoverArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Migrate recover can only be run when postcopy is paused.");

    /// <summary>Postcopy is never active on the emulator (see migrate-start-postcopy).</summary>
    public override ValueTask MigratePauseAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("migrate-pause is currently only supported during postcopy-active state");

    // COLO and Xen: the machine is not a COLO secondary nor a Xen guest; QEMU 7.2 accepts what needs neither.
    public override ValueTask XColoLostHeartbeatAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("The feature 'colo' is not enabled");

    public override ValueTask<QueryColoStatusResult> QueryColoStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(Parse("""{"mode": "none", "last-mode": "none", "reason": "none"}""", QueryColoStatusResult.Read));

    public override ValueTask XenSaveDevicesStateAsync(XenSaveDevicesStateArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("The emulator has no device state to save");

    public override ValueTask XenSetGlobalDirtyLogAsync(XenSetGlobalDirtyLogArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    public override ValueTask XenLoadDevicesStateAsync(XenLoadDevicesStateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (Vm.RunState == "running")
            {
                throw QmpException.Generic("Cannot update device state while vm is running");
            }
        }

        throw QmpException.Generic("The emulator has no device state to load");
    }

    /// <summary>Replication starts only on a COLO primary; stopping it when none runs is accepted.</summary>
    public override ValueTask XenSetReplicationAsync(XenSetReplicationArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments.Enable)
        {
            throw NotModelled("COLO replication");
        }

        return Done();
    }

    public override ValueTask<QueryXenReplicationStatusResult> QueryXenReplicationStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryXenReplicationStatusResult { Error = false });

    public override ValueTask XenColoDoCheckpointAsync(QmpSession session, CancellationToken cancellationToken) => Done();

    /// <summary>A measurement takes <c>calc-time</c> seconds (1 to 60) in QEMU; the emulator's guest dirties nothing.</summary>
    public override ValueTask CalcDirtyRateAsync(CalcDirtyRateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments.CalcTime is < 1 or > 60)
        {
            throw QmpException.Generic("calc-time is out of range[1, 60].");
        }

        throw NotModelled("dirty-rate measurement");
    }

    /// <summary>Dirty limits need KVM's dirty ring; on TCG QEMU refuses to set them and has none to cancel or list.</summary>
    public override ValueTask SetVcpuDirtyLimitAsync(SetVcpuDirtyLimitArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("dirty page limit feature requires KVM with accelerator property 'dirty-ring-size' set'");

    public override ValueTask CancelVcpuDirtyLimitAsync(CancelVcpuDirtyLimitArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    public override ValueTask<IReadOnlyList<QueryVcpuDirtyLimitResult>> QueryVcpuDirtyLimitAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryVcpuDirtyLimitResult>>([]);
    // Snapshots of the whole VM run as jobs (manual dismiss); the emulator keeps no VM state to save or load, so a
    // job whose devices all exist fails with that, one naming a missing device with QEMU's words.
    public override ValueTask SnapshotSaveAsync(SnapshotSaveArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        SnapshotJob("snapshot-save", arguments.JobId, arguments.Devices, stops: false);

    public override ValueTask SnapshotLoadAsync(SnapshotLoadArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        SnapshotJob("snapshot-load", arguments.JobId, arguments.Devices, stops: true);

    public override ValueTask SnapshotDeleteAsync(SnapshotDeleteArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        SnapshotJob("snapshot-delete", arguments.JobId, arguments.Devices, stops: false);

    private ValueTask SnapshotJob(string type, string id, IReadOnlyList<string> devices, bool stops)
    {
        lock (Gate)
        {
            CheckNewJobId(id);
            // Kept until job-dismiss: its id is client state, charged as every job's is.
            var job = StartJob(new Model.Job { Id = id, Type = type, AutoDismiss = false, Len = 1, Offset = 1, Retained = Vm.Retain(VirtualMachine.RetainedCost(id)) });

            // Loading stops the guest first (QEMU's restore-vm state), and a failed load leaves it stopped.
            if (stops && Vm.RunState == "running")
            {
                Vm.RunState = "restore-vm";
                Vm.EmitNow(s => s.EmitStop());
            }

            var missing = devices.FirstOrDefault(d => FindNode(d) is null);
            job.Error = missing is not null ? $"No block device node '{missing}'" : "The emulator does not model VM snapshots";
            Abort(job, now: false);
        }

        return Done();
    }
}
