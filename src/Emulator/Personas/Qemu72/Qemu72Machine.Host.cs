using System.Text.Json;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using Qemu21 = Qmp.Emulator.Qemu;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// The machine as a whole: reset, wake-up, NMI, memory, guest memory to files, the monitor's own commands, and
/// what a TCG x86_64 pc machine lacks (SEV, SGX, a device tree, record/replay, NUMA before start), each answered
/// with the error QEMU 7.2 gives on such a machine (checked side by side in Qemu72CommandWalkTests).
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>The monitor's recorded action settings (watchdog-set-action, set-action): the machine keeps no watchdog or panic device to act on.</summary>
    public override ValueTask WatchdogSetActionAsync(WatchdogSetActionArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    public override ValueTask SetActionAsync(SetActionArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    public override ValueTask SystemResetAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // 7.2's RESET says who asked; the run state follows the shared machine's rules.
            Vm.EmitNow(s => s.EmitReset(false, ShutdownDataReason.HostQmpSystemReset));
            Vm.ResetRunState();
        }

        return Done();
    }

    public override ValueTask SystemWakeupAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (Vm.RunState != "suspended")
            {
                throw QmpException.Generic("Unable to wake up: guest is not in suspended state");
            }

            Vm.RunState = "running";
            Vm.EmitNow(s => s.EmitWakeup());
        }

        return Done();
    }

    public override ValueTask InjectNmiAsync(QmpSession session, CancellationToken cancellationToken) => _services.InjectNmiAsync(session, cancellationToken);

    /// <summary>The pc machines support S3 (their ACPI PM device): wake-up is possible.</summary>
    public override ValueTask<QueryCurrentMachineResult> QueryCurrentMachineAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryCurrentMachineResult { WakeupSuspendSupport = true });

    public override ValueTask<QueryVmGenerationIdResult> QueryVmGenerationIdAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("VM Generation ID device not found");

    public override ValueTask MemsaveAsync(MemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.MemsaveAsync(new Qemu21.MemsaveArguments { Val = arguments.Val, Size = arguments.Size, Filename = arguments.Filename, Cpu = arguments.CpuIndex }, session, cancellationToken);

    public override ValueTask PmemsaveAsync(PmemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.PmemsaveAsync(new Qemu21.PmemsaveArguments { Val = arguments.Val, Size = arguments.Size, Filename = arguments.Filename }, session, cancellationToken);

    /// <summary>
    /// QEMU 7.2 knows file: and fd: only; the dump itself is the shared machine's. An fd: name the connection did not
    /// pass is refused in 7.2's words (monitor_get_fd), where the shared machine has QEMU 2.1's.
    /// </summary>
    public override async ValueTask DumpGuestMemoryAsync(DumpGuestMemoryArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var protocol = arguments.Protocol;
        if (!protocol.StartsWith("file:", StringComparison.Ordinal) && !protocol.StartsWith("fd:", StringComparison.Ordinal))
        {
            throw QmpException.Generic("Invalid parameter 'protocol'");
        }

        try
        {
            await _services.DumpGuestMemoryAsync(
                new Qemu21.DumpGuestMemoryArguments { Paging = arguments.Paging, Protocol = protocol, Begin = arguments.Begin, End = arguments.Length, Format = arguments.Format?.Value },
                session,
                cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (protocol.StartsWith("fd:", StringComparison.Ordinal) && e.Description == $"File descriptor named '{protocol[3..]}' not found")
        {
            throw QmpException.Generic($"File descriptor named '{protocol[3..]}' has not been found");
        }
    }

    /// <summary>The emulator dumps synchronously: there is never a dump in progress to report.</summary>
    public override ValueTask<QueryDumpResult> QueryDumpAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryDumpResult { Status = new QueryDumpResultStatus("none"), Completed = 0, Total = 0 });

    /// <summary>QEMU 7.2's formats on x86_64 (a build without lzo and snappy).</summary>
    public override ValueTask<QueryDumpGuestMemoryCapabilityResult> QueryDumpGuestMemoryCapabilityAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(Parse("""{"formats": ["elf", "kdump-zlib", "win-dmp"]}""", QueryDumpGuestMemoryCapabilityResult.Read));

    /// <summary>The guest's RAM as QEMU names its backend (<c>pc.ram</c>), then the memory-backend objects.</summary>
    public override ValueTask<IReadOnlyList<QueryMemdevResult>> QueryMemdevAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var ram = new QueryMemdevResult { Id = "pc.ram", Size = Vm.RamSize, Merge = true, Dump = true, Prealloc = false, Share = false, Reserve = true, HostNodes = [], Policy = new QueryMemdevResultPolicy("default") };
            return Done<IReadOnlyList<QueryMemdevResult>>([ram, .. Vm.Objects.Values.Where(o => o.Type.StartsWith("memory-backend", StringComparison.Ordinal)).Select(o => ram with
            {
                Id = o.Id,
                Size = o.Properties.TryGetValue("size", out var size) && size.TryGetInt64(out var bytes) ? bytes : 0,
            })]);
        }
    }

    public override ValueTask SetNumaNodeAsync(SetNumaNodeArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("The command is permitted only before the machine has been created");

    public override ValueTask<QueryMemorySizeSummaryResult> QueryMemorySizeSummaryAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryMemorySizeSummaryResult { BaseMemory = Vm.RamSize, PluggedMemory = 0 });

    /// <summary>No DIMM, NVDIMM or virtio-mem device is modelled.</summary>
    public override ValueTask<IReadOnlyList<QueryMemoryDevicesResult>> QueryMemoryDevicesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryMemoryDevicesResult>>([]);

    public override ValueTask<IReadOnlyList<QueryAcpiOspmStatusResult>> QueryAcpiOspmStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryAcpiOspmStatusResult>>([]);

    // QEMU's debugging texts: the emulator has no interrupt controller, translator or ROMs to report on, so the
    // texts say what an idle machine of the same shape would.
    public override ValueTask<XQueryIrqResult> XQueryIrqAsync(QmpSession session, CancellationToken cancellationToken) => Text("");

    public override ValueTask<XQueryIrqResult> XQueryJitAsync(QmpSession session, CancellationToken cancellationToken) => Text("");

    public override ValueTask<XQueryIrqResult> XQueryNumaAsync(QmpSession session, CancellationToken cancellationToken) => Text("0 nodes\n");

    public override ValueTask<XQueryIrqResult> XQueryOpcountAsync(QmpSession session, CancellationToken cancellationToken) => Text("[TCG profiler not compiled]\n");

    public override ValueTask<XQueryIrqResult> XQueryProfileAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Internal profiler not compiled");

    public override ValueTask<XQueryIrqResult> XQueryRamblockAsync(QmpSession session, CancellationToken cancellationToken) =>
        Text(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{"Block Name",24}    PSize              Offset               Used              Total\n{"pc.ram",24}    4 KiB  0x0000000000000000 0x{Vm.RamSize:x16} 0x{Vm.RamSize:x16}\n"));

    public override ValueTask<XQueryIrqResult> XQueryRdmaAsync(QmpSession session, CancellationToken cancellationToken) => Text("");

    public override ValueTask<XQueryIrqResult> XQueryRomsAsync(QmpSession session, CancellationToken cancellationToken) => Text("");

    public override ValueTask<XQueryIrqResult> XQueryUsbAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("USB support not enabled");

    public override ValueTask DumpdtbAsync(DumpdtbArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("This machine doesn't have a FDT");

    // Record/replay: the machine was not started with -icount rr=...
    public override ValueTask<QueryReplayResult> QueryReplayAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryReplayResult { Mode = new QueryReplayResultMode("none"), Icount = 0 });

    public override ValueTask ReplayBreakAsync(ReplayBreakArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("setting the breakpoint is allowed only in play mode");

    public override ValueTask ReplayDeleteBreakAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("replay breakpoints are allowed only in play mode");

    public override ValueTask ReplaySeekAsync(ReplaySeekArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("replay must be enabled to seek");

    public override ValueTask XExitPreconfigAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("The command is permitted only before machine initialization");

    public override ValueTask<string> HumanMonitorCommandAsync(HumanMonitorCommandArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.HumanMonitorCommandAsync(new Qemu21.HumanMonitorCommandArguments { CommandLine = arguments.CommandLine, CpuIndex = arguments.CpuIndex }, session, cancellationToken);

    public override ValueTask RtcResetReinjectionAsync(QmpSession session, CancellationToken cancellationToken) => Done();

    // SEV and SGX need KVM and the host's hardware; TCG has neither.
    public override ValueTask<QuerySevResult> QuerySevAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QuerySevResult { Enabled = false, ApiMajor = 0, ApiMinor = 0, BuildId = 0, Policy = 0, State = new QuerySevResultState("uninit"), Handle = 0 });

    public override ValueTask<QuerySevLaunchMeasureResult> QuerySevLaunchMeasureAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("SEV launch measurement is not available");

    public override ValueTask SevInjectLaunchSecretAsync(SevInjectLaunchSecretArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("SEV not enabled for guest");

    public override ValueTask<QuerySevAttestationReportResult> QuerySevAttestationReportAsync(QuerySevAttestationReportArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("SEV is not enabled");

    public override ValueTask<QuerySgxResult> QuerySgxAsync(QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("No EPC regions defined, SGX not available");

    /// <summary>Trace events: the emulator compiles none in, so a name matches nothing (a pattern matches nothing, quietly).</summary>
    public override ValueTask<IReadOnlyList<TraceEventGetStateResult>> TraceEventGetStateAsync(TraceEventGetStateArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        IsPattern(arguments.Name) ? Done<IReadOnlyList<TraceEventGetStateResult>>([]) : throw QmpException.Generic($"unknown event \"{arguments.Name}\"");

    public override ValueTask TraceEventSetStateAsync(TraceEventSetStateArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        IsPattern(arguments.Name) ? Done() : throw QmpException.Generic($"unknown event \"{arguments.Name}\"");

    private static bool IsPattern(string name) => name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal);

    /// <summary>The registered yank instances: each socket chardev (the monitor's too) has one; block nodes and migration have none here.</summary>
    public override ValueTask<IReadOnlyList<QueryYankResult>> QueryYankAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryYankResult>>([.. YankableChardevs().Select(id => new QueryYankResult.Chardev { Data = new QueryYankResultChardev { Id = id } })]);
        }
    }

    public override ValueTask YankAsync(YankArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var chardevs = YankableChardevs().ToHashSet(StringComparer.Ordinal);
            foreach (var instance in arguments.Instances)
            {
                if (instance is not QueryYankResult.Chardev chardev || !chardevs.Contains(chardev.Data.Id))
                {
                    throw new QmpException(QmpErrorClass.DeviceNotFound, "Instance not found");
                }
            }
        }

        return Done();
    }

    private IEnumerable<string> YankableChardevs() => Vm.Chardevs.Values.Where(c => c.Backend == "socket").Select(c => c.Id);

    /// <summary>What the emulator does not model on state that exists, said plainly rather than as a guess at QEMU's reply.</summary>
    private static QmpException NotModelled(string what) => QmpException.Generic($"The emulator does not model {what}");

    private static ValueTask<XQueryIrqResult> Text(string text) => Done(new XQueryIrqResult { HumanReadableText = text });

    private static T Parse<T>(string json, QmpJsonReader<T> read)
    {
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement, read);
    }
}
