using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    public override ValueTask<VersionInfo> QueryVersionAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new VersionInfo { Qemu = new VersionQemuInfo { Major = 2, Minor = 1, Micro = 0 }, Package = "" });

    public override ValueTask<IReadOnlyList<CommandInfo>> QueryCommandsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<CommandInfo>>(ServedCommandNames.Append("qmp_capabilities").Select(n => new CommandInfo { Name = n }).ToList());

    public override ValueTask<IReadOnlyList<EventInfo>> QueryEventsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<EventInfo>>(QemuEvents.Names.Select(n => new EventInfo { Name = n }).ToList());

    public override ValueTask<KvmInfo> QueryKvmAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new KvmInfo { Enabled = Vm.Kvm, Present = true });

    public override ValueTask<NameInfo> QueryNameAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new NameInfo { Name = Vm.Name });

    public override ValueTask<UuidInfo> QueryUuidAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new UuidInfo { UUID = Vm.Uuid });

    public override ValueTask<TargetInfo> QueryTargetAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new TargetInfo { Arch = "x86_64" });

    public override ValueTask<IReadOnlyList<MachineInfo>> QueryMachinesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<MachineInfo>>(Catalog.s_machines.Select(m => new MachineInfo { Name = m.Name, Alias = m.Alias, IsDefault = m.Default ? true : null, CpuMax = m.CpuMax }).ToList());

    public override ValueTask<IReadOnlyList<CpuDefinitionInfo>> QueryCpuDefinitionsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<CpuDefinitionInfo>>(Catalog.s_cpuModels.Select(n => new CpuDefinitionInfo { Name = n }).ToList());

    public override ValueTask<IReadOnlyList<CommandLineOptionInfo>> QueryCommandLineOptionsAsync(QueryCommandLineOptionsArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments.Option is { } option && !Catalog.s_commandLineOptions.ContainsKey(option))
        {
            throw InvalidParameterValue("option", "an option name");
        }

        return Done<IReadOnlyList<CommandLineOptionInfo>>(Catalog.s_commandLineOptions
            .Where(o => arguments.Option is null || o.Key == arguments.Option)
            .Select(o => new CommandLineOptionInfo
            {
                Option = o.Key,
                Parameters = o.Value.Select(p => new CommandLineOptionParameterInfo { Name = p.Name, Type = p.Type, Help = p.Help }).ToList(),
            })
            .ToList());
    }

    public override ValueTask<IReadOnlyList<TpmInfo>> QueryTpmAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<TpmInfo>>(Vm.Devices.Where(d => d.Driver == "tpm-tis").Select(d => new TpmInfo
            {
                Id = d.Id,
                Model = "tpm-tis",
                Options = new TpmOptionsInfo { Type = "passthrough", Data = new TpmOptionsDataInfo { Path = "/dev/tpm0", CancelPath = "/sys/class/misc/tpm0/device/cancel" } },
            }).ToList());
        }
    }

    public override ValueTask<IReadOnlyList<string>> QueryTpmModelsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<string>>(["tpm-tis"]);

    public override ValueTask<IReadOnlyList<string>> QueryTpmTypesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<string>>(["passthrough"]);

    public override ValueTask<IReadOnlyList<MiceInfo>> QueryMiceAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var mice = new List<MiceInfo> { new() { Name = "QEMU PS/2 Mouse", Index = 0, Current = false, Absolute = false } };
            foreach (var d in Vm.Devices.Where(d => d.Driver is "usb-tablet" or "usb-mouse"))
            {
                mice.Add(new MiceInfo { Name = d.Driver == "usb-tablet" ? "QEMU HID Tablet" : "QEMU HID Mouse", Index = mice.Count, Current = false, Absolute = d.Driver == "usb-tablet" });
            }

            // The most recently added mouse is the current one, as in QEMU.
            mice[^1] = mice[^1] with { Current = true };
            return Done<IReadOnlyList<MiceInfo>>(mice);
        }
    }

    public override ValueTask<IReadOnlyList<IothreadInfo>> QueryIothreadsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var n = 0;
            return Done<IReadOnlyList<IothreadInfo>>(Vm.Objects.Values.Where(o => o.Type == "iothread")
                .Select(o => new IothreadInfo { Id = o.Id, ThreadId = Environment.ProcessId + 100 + n++ }).ToList());
        }
    }

    public override ValueTask<IReadOnlyList<CpuInfo>> QueryCpusAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var current = CurrentCpu(session);
            return Done<IReadOnlyList<CpuInfo>>(Vm.OnlineCpus.Select(i => new CpuInfo
            {
                CPU = i,
                Current = i == current,
                Halted = Vm.RunState != "running" || i != 0,
                Pc = 0xfff0 + (i * 0x100),
                ThreadId = Environment.ProcessId + 1 + i,
            }).ToList());
        }
    }

    public override ValueTask<DumpGuestMemoryCapabilityInfo> QueryDumpGuestMemoryCapabilityAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new DumpGuestMemoryCapabilityInfo { Formats = ["elf", "kdump-zlib", "kdump-lzo", "kdump-snappy"] });
}
