using System.Globalization;
using System.Text;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    /// <summary>A subset of the human monitor; output lines end with CRLF as QEMU's monitor sends them over QMP.</summary>
    public override async ValueTask<string> HumanMonitorCommandAsync(HumanMonitorCommandArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        string line = arguments.CommandLine.Trim();
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
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
                    Print("info version  -- show the version of QEMU");
                    break;
                case "stop":
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
                    bool force = words.Contains("-f");
                    string? device = words.Skip(1).FirstOrDefault(w => w != "-f");
                    if (device is null)
                    {
                        Print("eject: missing argument");
                        break;
                    }

                    await EjectAsync(new EjectArguments { Device = device, Force = force }, session, cancellationToken).ConfigureAwait(false);
                    break;
                case "balloon" when words.Length > 1 && long.TryParse(words[1], CultureInfo.InvariantCulture, out long mb):
                    await BalloonAsync(new BalloonArguments { Value = mb * VirtualMachine.MiB }, session, cancellationToken).ConfigureAwait(false);
                    break;
                case "help" or "?":
                    Print("cont|c  -- resume emulation");
                    Print("eject [-f] device -- eject a removable medium (use -f to force it)");
                    Print("info [subcommand] -- show various information about the system state");
                    Print("stop  -- stop emulation");
                    Print("system_powerdown  -- send system power down event");
                    Print("system_reset  -- reset the system");
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
                    int current = CurrentCpu(session);
                    foreach (int cpu in Vm.OnlineCpus)
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
