using System.Globalization;
using System.Text;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    /// <summary>The human monitor commands served: name (with aliases, as QEMU lists them), parameters, what it does.</summary>
    private static readonly (string Name, string Params, string Help)[] s_hmpCommands =
    [
        ("balloon", "target", "ask the guest to change its memory allocation to target (in MiB)"),
        ("cont|c", "", "resume the guest"),
        ("cpu", "index", "select the default CPU"),
        ("eject", "[-f] device", "eject the medium of a removable drive (-f: even when locked)"),
        ("help|?", "[cmd]", "list the commands, or describe cmd"),
        ("info", "[subcommand]", "show information about the machine"),
        ("nmi", "", "inject a non-maskable interrupt"),
        ("stop|s", "", "pause the guest"),
        ("system_powerdown", "", "press the guest's power button"),
        ("system_reset", "", "reset the machine"),
        ("system_wakeup", "", "wake the guest from suspend"),
    ];

    /// <summary>The <c>info</c> subcommands served, in QEMU's (alphabetical) order.</summary>
    private static readonly (string Name, string Params, string Help)[] s_hmpInfo =
    [
        ("balloon", "", "show the balloon's current size"),
        ("block", "", "show the block devices"),
        ("block-jobs", "", "show the running block jobs"),
        ("chardev", "", "show the character devices"),
        ("cpus", "", "show each CPU"),
        ("kvm", "", "show whether KVM is enabled"),
        ("mice", "", "show the pointing devices"),
        ("migrate", "", "show migration capabilities and status"),
        ("name", "", "show the guest's name"),
        ("network", "", "show the network devices"),
        ("pci", "", "show the PCI devices"),
        ("status", "", "show the run state (running|paused)"),
        ("uuid", "", "show the machine's UUID"),
        ("version", "", "show QEMU's version"),
    ];

    private static string HmpHelpLine(string prefix, (string Name, string Params, string Help) command) =>
        $"{prefix}{command.Name} {command.Params} -- {command.Help}";

    private static (string Name, string Params, string Help)? FindHmp((string Name, string Params, string Help)[] table, string word) =>
        table.Where(c => c.Name.Split('|').Contains(word, StringComparer.Ordinal)).Select(c => ((string, string, string)?)c).FirstOrDefault();

    /// <summary>A subset of the human monitor; output lines end with CRLF as QEMU's monitor sends them over QMP.</summary>
    public override async ValueTask<string> HumanMonitorCommandAsync(HumanMonitorCommandArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var line = arguments.CommandLine.Trim();
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return "";
        }

        if (arguments.CpuIndex is { } cpu)
        {
            lock (Gate)
            {
                if (!Vm.OnlineCpus.Contains((int)Math.Clamp(cpu, int.MinValue, int.MaxValue)))
                {
                    throw InvalidParameterValue("cpu-index", "a CPU number");
                }
            }
        }

        var output = new StringBuilder();
        void Print(string text) => output.Append(text).Append("\r\n");
        try
        {
            switch (words[0])
            {
                case "info" when words.Length > 1:
                    Info(words[1], session, Print);
                    break;
                case "info":
                    // As QEMU: 'info' alone lists every subcommand.
                    foreach (var sub in s_hmpInfo)
                    {
                        Print(HmpHelpLine("info ", sub));
                    }

                    break;
                case "cpu":
                    // Checked as QEMU checks it; like QEMU's, each human-monitor-command runs in a fresh
                    // monitor, so the choice lasts for this command line only.
                    if (words.Length < 2 || !int.TryParse(words[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || !OnlineCpu(index))
                    {
                        Print("invalid CPU index");
                    }

                    break;
                case "stop" or "s":
                    await StopAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "cont" or "c":
                    await ContAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "system_reset":
                    await SystemResetAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "system_powerdown":
                    await SystemPowerdownAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "system_wakeup":
                    await SystemWakeupAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "nmi":
                    await InjectNmiAsync(session, cancellationToken).ConfigureAwait(false);
                    break;
                case "eject":
                    var force = words.Contains("-f");
                    var device = words.Skip(1).FirstOrDefault(w => w != "-f");
                    if (device is null)
                    {
                        Print("eject: missing argument");
                        break;
                    }

                    await EjectAsync(new EjectArguments { Device = device, Force = force }, session, cancellationToken).ConfigureAwait(false);
                    break;
                case "balloon" when words.Length > 1 && long.TryParse(words[1], CultureInfo.InvariantCulture, out var mb):
                    await BalloonAsync(new BalloonArguments { Value = mb * VirtualMachine.MiB }, session, cancellationToken).ConfigureAwait(false);
                    break;
                case "help" or "?":
                    Help(words.Skip(1).ToArray(), Print);
                    break;
                default:
                    Print($"unknown command: '{words[0]}'");
                    break;
            }
        }
        catch (QmpException ex)
        {
            // The human monitor prints errors instead of failing the QMP command.
            Print(ex.Description);
        }

        return output.ToString();
    }

    /// <summary><c>help</c>: every command; <c>help CMD</c>: that one; <c>help info [SUB]</c>: the info subcommands or one.</summary>
    private static void Help(string[] topic, Action<string> print)
    {
        if (topic.Length == 0)
        {
            foreach (var each in s_hmpCommands)
            {
                print(HmpHelpLine("", each));
            }

            return;
        }

        if (topic[0] == "info")
        {
            if (topic.Length == 1)
            {
                foreach (var sub in s_hmpInfo)
                {
                    print(HmpHelpLine("info ", sub));
                }
            }
            else if (FindHmp(s_hmpInfo, topic[1]) is { } sub)
            {
                print(HmpHelpLine("info ", sub));
            }
            else
            {
                print($"unknown command: 'info {topic[1]}'");
            }

            return;
        }

        print(FindHmp(s_hmpCommands, topic[0]) is { } command ? HmpHelpLine("", command) : $"unknown command: '{topic[0]}'");
    }

    private bool OnlineCpu(int index)
    {
        lock (Gate)
        {
            return Vm.OnlineCpus.Contains(index);
        }
    }

    private void Info(string what, QmpSession session, Action<string> print)
    {
        lock (Gate)
        {
            switch (what)
            {
                case "status":
                    print("VM status: " + Vm.RunState switch { "running" => "running", "paused" => "paused", "prelaunch" => "paused (prelaunch)", "postmigrate" => "paused (postmigrate)", "inmigrate" => "paused (inmigrate)", "suspended" => "paused (suspended)", "shutdown" => "paused (shutdown)", "guest-panicked" => "paused (guest-panicked)", var s => "paused (" + s + ")" });
                    break;
                case "version":
                    print("2.1.0");
                    break;
                case "kvm":
                    print(Vm.Kvm ? "kvm support: enabled" : "kvm support: disabled");
                    break;
                case "name":
                    if (Vm.Name is not null)
                    {
                        print(Vm.Name);
                    }

                    break;
                case "uuid":
                    print(Vm.Uuid);
                    break;
                case "block":
                    foreach (var d in Vm.Drives)
                    {
                        if (d.Image is { } image)
                        {
                            print($"{d.Id}: {image.Filename} ({image.Format}{(d.ReadOnly ? ", read-only" : "")}{(image.Encrypted ? ", encrypted" : "")})");
                            if (d.Removable)
                            {
                                print($"    Removable device: {(d.Locked ? "locked" : "not locked")}, tray {(d.TrayOpen ? "open" : "closed")}");
                            }

                            if (image.Backing is { } backing)
                            {
                                print($"    Backing file:     {backing.Filename} (chain depth: {image.Depth})");
                            }
                        }
                        else
                        {
                            print($"{d.Id}: [not inserted]");
                            print($"    Removable device: {(d.Locked ? "locked" : "not locked")}, tray {(d.TrayOpen ? "open" : "closed")}");
                        }

                        print("");
                    }

                    break;
                case "cpus":
                    var current = CurrentCpu(session);
                    foreach (var cpu in Vm.OnlineCpus)
                    {
                        print($"{(cpu == current ? "*" : " ")} CPU #{cpu}: pc=0x{0xfff0 + (cpu * 0x100):x16}{(Vm.RunState == "running" && cpu == 0 ? "" : " (halted)")} thread_id={Environment.ProcessId + 1 + cpu}");
                    }

                    break;
                case "balloon":
                    print(Vm.BalloonPresent ? $"balloon: actual={Vm.BalloonActual / VirtualMachine.MiB}" : "Device 'balloon' has not been activated");
                    break;
                case "chardev":
                    foreach (var c in Vm.Chardevs.Values)
                    {
                        print($"{c.Id}: filename={c.Filename}");
                    }

                    break;
                case "network":
                    foreach (var nic in Vm.Nics)
                    {
                        print($"{nic.Id}: index=0,type=nic,model={nic.Model},macaddr={nic.Mac}{(nic.LinkUp ? "" : " [link=down]")}");
                    }

                    break;
                case "migrate":
                    print("capabilities: " + string.Join(' ', Vm.MigrationCapabilities.Select(c => $"{c.Key}: {(c.Value ? "on" : "off")}")));
                    if (Vm.Migration.Status is { } status)
                    {
                        print("Migration status: " + status);
                    }

                    break;
                case "mice":
                    print("* Mouse #0: QEMU PS/2 Mouse");
                    break;
                case "block-jobs":
                    if (Vm.Jobs.Count == 0)
                    {
                        print("No active jobs");
                    }

                    foreach (var job in Vm.Jobs.Values)
                    {
                        print($"Type {job.Type}, device {job.Device}: Completed {(long)job.Offset} of {job.Len} bytes, speed limit {job.Speed} bytes/s");
                    }

                    break;
                case "pci":
                    foreach (var d in Vm.Devices.Where(d => d.PciSlot >= 0).OrderBy(d => d.PciSlot))
                    {
                        var info = Catalog.FindDevice(d.Driver);
                        print($"  Bus  0, device {d.PciSlot,3}, function {d.PciFunction}:");
                        print($"    {info?.ClassDesc}: PCI device {info?.Vendor:x4}:{info?.DeviceId:x4}");
                        print($"      id \"{d.Id ?? ""}\"");
                    }

                    break;
                default:
                    print($"unknown info command: '{what}'");
                    break;
            }
        }
    }
}
