using System.Collections.Concurrent;
using System.Text.Json;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private readonly ConcurrentDictionary<long, int> _currentCpu = new();

    private int CurrentCpu(QmpSession session) => _currentCpu.GetValueOrDefault(session.Id, Vm.OnlineCpus.Min);

    public override ValueTask DeviceAddAsync(DeviceAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        AddDevice(arguments.Driver, arguments.Bus, arguments.Id, arguments.AdditionalProperties.ToDictionary(p => p.Key, p => QmpJson.ToElement(p.Value), StringComparer.Ordinal));
        return Done();
    }

    /// <summary>
    /// Both personas' device_add. A device without <paramref name="id"/> (QEMU 7.2 allows one) is anonymous, listed
    /// under /machine/peripheral-anon as <c>device[N]</c>.
    /// </summary>
    internal void AddDevice(string driver, string? bus, string? id, Dictionary<string, JsonElement> props)
    {
        if (id is not null)
        {
            CheckId(id, wellFormed: true);
        }

        var arguments = (Driver: driver, Bus: bus, Id: id);
        lock (Gate)
        {
            var info = Catalog.FindDevice(arguments.Driver) ?? throw InvalidParameterValue("driver", "a driver name");
            if (!info.Hotplug)
            {
                throw Generic($"Device '{arguments.Driver}' does not support hotplugging");
            }

            if (id is not null && (Vm.Devices.Any(d => d.Id == id) || Vm.Nics.Any(n => n.Id == id)))
            {
                throw Generic($"Duplicate ID '{arguments.Id}' for device");
            }

            var known = Catalog.s_deviceProperties.GetValueOrDefault(arguments.Driver) ?? [];
            foreach (var key in props.Keys)
            {
                if (!known.Any(p => p.Name == key))
                {
                    throw Generic($"Property '{arguments.Driver}.{key}' not found");
                }
            }

            string? Prop(string name) => props.TryGetValue(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;
            if (Prop("drive") is { } driveId)
            {
                var drive = FindDrive(driveId);
                if (Vm.Devices.Any(d => d.Properties.TryGetValue("drive", out var dv) && dv.ValueKind == JsonValueKind.String && dv.GetString() == drive.Id))
                {
                    throw Generic($"Property '{arguments.Driver}.drive' can't take value '{driveId}', it's in use");
                }
            }

            if (Prop("netdev") is { } netdev && !Vm.Netdevs.ContainsKey(netdev))
            {
                throw Generic($"Property '{arguments.Driver}.netdev' can't find value '{netdev}'");
            }

            if (Prop("chardev") is { } chardev)
            {
                if (!Vm.Chardevs.TryGetValue(chardev, out var chr))
                {
                    throw Generic($"Property '{arguments.Driver}.chardev' can't find value '{chardev}'");
                }

                chr.Busy = true;
            }

            long dimmSlot = -1;
            if (arguments.Driver == "pc-dimm")
            {
                var memdev = Prop("memdev") ?? throw Generic("'memdev' property is not set");
                if (!Vm.Objects.TryGetValue(memdev, out var backend) || !backend.Type.StartsWith("memory-backend", StringComparison.Ordinal))
                {
                    throw Generic($"Property '{arguments.Driver}.memdev' can't find value '{memdev}'");
                }

                if (Vm.Devices.Any(d => d.Driver == "pc-dimm" && d.Properties.TryGetValue("memdev", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() == memdev))
                {
                    throw Generic($"can't use already busy memdev: {memdev}");
                }

                if (Vm.MemorySlots == 0)
                {
                    throw Generic("no slots where allocated, please specify the 'slots' option");
                }

                var used = Vm.Devices.Where(d => d.Driver == "pc-dimm").Select(d => d.PciFunction).ToHashSet();
                dimmSlot = Enumerable.Range(0, Vm.MemorySlots).Where(s => !used.Contains(s)).DefaultIfEmpty(-1).First();
                if (dimmSlot < 0)
                {
                    throw Generic("no free slots available");
                }
            }

            var retained = VirtualMachine.RetainedCost(arguments.Id, arguments.Driver, arguments.Bus) + VirtualMachine.RetainedCost(props);
            var device = new Device
            {
                Retained = retained,
                Driver = arguments.Driver,
                Id = arguments.Id,
                Bus = arguments.Bus,
                Properties = props,
                PciSlot = info.Vendor != 0 ? Vm.NextPciSlot() : -1,
                PciFunction = dimmSlot >= 0 ? (int)dimmSlot : 0,
                Hotplugged = true,

                // QEMU names it device[*]: the lowest number no device in /machine/peripheral-anon has.
                Index = id is null ? Enumerable.Range(0, int.MaxValue).First(i => !Vm.Devices.Any(d => d.Id is null && d.Peripheral && d.Index == i)) : 0,
            };
            if (device.PciSlot >= 32)
            {
                throw Generic("PCI: no slot/function available for " + arguments.Driver + ", all in use");
            }

            Vm.Retain(retained);
            Vm.Devices.Add(device);
            if (Catalog.IsPci(arguments.Driver) && arguments.Driver is "e1000" or "rtl8139" or "virtio-net-pci")
            {
                Vm.Nics.Add(new Nic { Id = id ?? "", Model = arguments.Driver, Mac = Prop("mac") ?? $"52:54:00:12:34:{0x56 + Vm.Nics.Count:x2}", Netdev = Prop("netdev") });
            }

            if (dimmSlot >= 0)
            {
                var slot = Str(dimmSlot);
                Vm.AcpiOst.RemoveAll(o => o.Slot == slot);
                Vm.AcpiOst.Add((id ?? "", slot, "DIMM", 1, 0));
                Vm.Emit(s => s.EmitAcpiDeviceOst(new AcpiDeviceOstInfo { Device = id, Slot = slot, SlotType = "DIMM", Source = 1, Status = 0 }));
            }
        }
    }

    public override ValueTask DeviceDelAsync(DeviceDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            DeleteDevice(Vm.Devices.FirstOrDefault(d => d.Id == arguments.Id) ?? throw DeviceNotFound(arguments.Id));
        }

        return Done();
    }

    /// <summary>
    /// Unplugs <paramref name="device"/> as a guest that acknowledges at once: gone, with what it held, and
    /// DEVICE_DELETED (naming its id, if it has one, and its path) after the reply.
    /// </summary>
    internal void DeleteDevice(Device device)
    {
        lock (Gate)
        {
            var info = Catalog.FindDevice(device.Driver);
            if (info is { Hotplug: false } || device.Driver is "i440FX" or "PIIX3" or "VGA")
            {
                throw Generic($"Bus 'pci.0' does not support hotplugging");
            }

            Vm.Devices.Remove(device);
            Vm.Release(device.Retained);
            Vm.Nics.RemoveAll(n => n.Id == device.Id);
            if (device.Properties.TryGetValue("drive", out var drive) && drive.ValueKind == JsonValueKind.String)
            {
                // As in QEMU, a drive that was added for the device goes with it.
                var driveId = drive.GetString()!;
                Vm.Jobs.Remove(driveId);
                Vm.RemoveDrive(driveId);
            }

            if (device.Properties.TryGetValue("chardev", out var chardev) && chardev.ValueKind == JsonValueKind.String && Vm.Chardevs.TryGetValue(chardev.GetString()!, out var chr))
            {
                chr.Busy = false;
            }

            if (device.Driver == "pc-dimm")
            {
                var slot = Str(device.PciFunction);
                Vm.AcpiOst.RemoveAll(o => o.Slot == slot);
                Vm.AcpiOst.Add((device.Id!, slot, "DIMM", 3, 0));
                Vm.Emit(s => s.EmitAcpiDeviceOst(new AcpiDeviceOstInfo { Device = device.Id, Slot = slot, SlotType = "DIMM", Source = 3, Status = 0 }));
            }

            Vm.RemoveQomValues(device.Path);
            var path = device.Path;
            var id = device.Id;
            Vm.Emit(s => s.EmitDeviceDeleted(path, id));
        }
    }

    public override ValueTask<IReadOnlyList<PciInfo>> QueryPciAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var devices = Vm.Devices.Where(d => d.PciSlot >= 0 && d.Driver != "pc-dimm").OrderBy(d => d.PciSlot).ThenBy(d => d.PciFunction).Select(d =>
            {
                var info = Catalog.FindDevice(d.Driver);
                var regions = new List<PciDeviceRegionInfo>();
                if (d.Driver == "piix3-ide")
                {
                    regions.Add(new PciDeviceRegionInfo { Bar = 4, Address = 0xc000, Size = 16, Type = "io" });
                }
                else if (d.Driver == "VGA")
                {
                    regions.Add(new PciDeviceRegionInfo { Bar = 0, Address = 0xfd000000, Size = 16 * VirtualMachine.MiB, Type = "memory", Prefetch = true, MemType64 = false });
                    regions.Add(new PciDeviceRegionInfo { Bar = 2, Address = 0xfebf0000, Size = 4096, Type = "memory", Prefetch = false, MemType64 = false });
                }
                else if (info is { Vendor: not 0 } && d.Driver is not ("i440FX" or "PIIX3" or "PIIX4_PM"))
                {
                    regions.Add(new PciDeviceRegionInfo { Bar = 0, Address = 0xfeb80000 + (d.PciSlot * 0x20000L), Size = 131072, Type = "memory", Prefetch = false, MemType64 = false });
                    regions.Add(new PciDeviceRegionInfo { Bar = 1, Address = 0xc040 + (d.PciSlot * 0x40L), Size = 64, Type = "io" });
                }

                return new PciDeviceInfo
                {
                    Bus = 0,
                    Slot = d.PciSlot,
                    Function = d.PciFunction,
                    ClassInfo = new PciDeviceClassInfo { Class = info?.Class ?? 0, Desc = info?.ClassDesc },
                    Id = new PciDeviceIdInfo { Vendor = info?.Vendor ?? 0, Device = info?.DeviceId ?? 0 },
                    Irq = d.PciSlot >= 3 ? 10 + (d.PciSlot % 2) : null,
                    QdevId = d.Id ?? "",
                    Regions = regions,
                };
            }).ToList();
            return Done<IReadOnlyList<PciInfo>>([new PciInfo { Bus = 0, Devices = devices }]);
        }
    }

    public override ValueTask CpuAsync(CpuArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.OnlineCpus.Contains((int)arguments.Index))
            {
                throw InvalidParameterValue("index", "a CPU number");
            }

            _currentCpu[session.Id] = (int)arguments.Index;
        }

        return Done();
    }

    public override ValueTask CpuAddAsync(CpuAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var id = arguments.Id;
            if (id < 0)
            {
                throw Generic($"Invalid CPU id: {id}");
            }

            if (Vm.OnlineCpus.Contains((int)Math.Min(id, int.MaxValue)))
            {
                throw Generic($"Unable to add CPU: {id}, it already exists");
            }

            if (id >= Vm.MaxCpus)
            {
                throw Generic($"Unable to add CPU: {id}, max allowed: {Vm.MaxCpus - 1}");
            }

            Vm.OnlineCpus.Add((int)id);
        }

        return Done();
    }

    public override ValueTask BalloonAsync(BalloonArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Value <= 0)
            {
                throw InvalidParameterValue("target", "a size");
            }

            if (!Vm.BalloonPresent || !Vm.Devices.Any(d => d.Driver == "virtio-balloon-pci"))
            {
                throw new QmpException(QmpErrorClass.DeviceNotActive, "No balloon device has been activated");
            }

            var actual = Math.Min(arguments.Value, Vm.RamSize);
            if (actual != Vm.BalloonActual)
            {
                Vm.BalloonActual = actual;
                Vm.Emit("BALLOON_CHANGE", s => s.EmitBalloonChange(actual));
            }
        }

        return Done();
    }

    public override ValueTask<BalloonInfo> QueryBalloonAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.BalloonPresent || !Vm.Devices.Any(d => d.Driver == "virtio-balloon-pci"))
            {
                throw new QmpException(QmpErrorClass.DeviceNotActive, "No balloon device has been activated");
            }

            return Done(new BalloonInfo { Actual = Vm.BalloonActual });
        }
    }

    public override ValueTask NetdevAddAsync(NetdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        CheckId(arguments.Id, wellFormed: true);
        lock (Gate)
        {
            if (!Catalog.s_netdevTypes.Contains(arguments.Type))
            {
                throw InvalidParameterValue("type", "a netdev backend type");
            }

            AddNetdev(arguments.Id, arguments.Type, $"Duplicate ID '{arguments.Id}' for netdev", () => []);
        }

        return Done();
    }

    /// <summary>
    /// Records a network backend (both personas' netdev_add, after their own checks), under the machine lock: a
    /// duplicate id fails with <paramref name="duplicate"/>, then <paramref name="open"/> runs the backend's own checks
    /// and takes the descriptors it names (closed if the budget refuses the backend, else kept until netdev_del).
    /// </summary>
    internal void AddNetdev(string id, string type, string duplicate, Func<IReadOnlyList<Microsoft.Win32.SafeHandles.SafeFileHandle>> open)
    {
        if (Vm.Netdevs.ContainsKey(id))
        {
            throw Generic(duplicate);
        }

        var fds = open();
        long retained;
        try
        {
            retained = Vm.Retain(VirtualMachine.RetainedCost(id, type));
        }
        catch
        {
            foreach (var fd in fds)
            {
                ReleaseBusyFd(fd);
            }

            throw;
        }

        Vm.Netdevs[id] = new Netdev { Id = id, Type = type, Retained = retained, Fds = fds };
    }

    public override ValueTask NetdevDelAsync(NetdevDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.Netdevs.Remove(arguments.Id, out var netdev))
            {
                throw DeviceNotFound(arguments.Id);
            }

            Vm.Release(netdev.Retained);
            foreach (var fd in netdev.Fds)
            {
                ReleaseBusyFd(fd);
            }
        }

        return Done();
    }

    private string NicName(Nic nic) => Vm.Nics.Where(n => n.Model == nic.Model).ToList() is var same && nic.Id.Length > 0 ? nic.Id : $"{nic.Model}.{same.IndexOf(nic)}";

    private Nic? FindNic(string name)
    {
        foreach (var nic in Vm.Nics)
        {
            var index = Vm.Nics.Where(n => n.Model == nic.Model).ToList().IndexOf(nic);
            if (nic.Id == name || $"{nic.Model}.{index}" == name)
            {
                return nic;
            }
        }

        return null;
    }

    public override ValueTask SetLinkAsync(SetLinkArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (FindNic(arguments.Name) is { } nic)
            {
                nic.LinkUp = arguments.Up;
            }
            else if (Vm.Netdevs.TryGetValue(arguments.Name, out var netdev))
            {
                netdev.LinkUp = arguments.Up;
            }
            else
            {
                throw DeviceNotFound(arguments.Name);
            }
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<RxFilterInfo>> QueryRxFilterAsync(QueryRxFilterArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            IEnumerable<Nic> nics = Vm.Nics;
            if (arguments.Name is { } name)
            {
                if (FindNic(name) is not { } nic)
                {
                    throw Vm.Netdevs.ContainsKey(name) ? Generic($"net client({name}) isn't a NIC") : InvalidParameterValue("name", "net client name");
                }

                nics = [nic];
            }

            return Done<IReadOnlyList<RxFilterInfo>>(nics.Select(n => new RxFilterInfo
            {
                Name = NicName(n),
                Promiscuous = n.Promiscuous,
                Multicast = "normal",
                Unicast = "normal",
                Vlan = "normal",
                BroadcastAllowed = true,
                MulticastOverflow = false,
                UnicastOverflow = false,
                MainMac = n.Mac,
                VlanTable = [0],
                UnicastTable = [],
                MulticastTable = ["01:00:5e:00:00:01", "33:33:00:00:00:01"],
            }).ToList());
        }
    }

    public override ValueTask ObjectAddAsync(ObjectAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        JsonElement? raw = arguments.Props is { } given ? AsJson(given, ObjectAddPropsInfo.Write) : null;
        CheckId(arguments.Id);
        lock (Gate)
        {
            var type = Catalog.s_objectTypes.FirstOrDefault(t => t.Name == arguments.QomType);
            if (type.Name is null)
            {
                throw Generic(Catalog.FindDevice(arguments.QomType) is null ? "invalid class name" : $"object type '{arguments.QomType}' isn't supported by object-add");
            }

            if (type.Abstract)
            {
                throw Generic($"object type '{arguments.QomType}' isn't supported by object-add");
            }

            if (Vm.Objects.ContainsKey(arguments.Id))
            {
                throw Generic($"attempt to add duplicate property '{arguments.Id}' to object (type 'container')");
            }

            var props = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (raw is { ValueKind: JsonValueKind.Object } p)
            {
                foreach (var member in p.EnumerateObject())
                {
                    props[member.Name] = member.Value.Clone();
                }
            }

            if (arguments.QomType.StartsWith("memory-backend", StringComparison.Ordinal))
            {
                if (!props.TryGetValue("size", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var bytes) || bytes <= 0)
                {
                    throw Generic("Invalid parameter 'size'");
                }

                if (arguments.QomType == "memory-backend-file" && !props.ContainsKey("mem-path"))
                {
                    throw Generic("mem-path property not set");
                }
            }

            var retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Id, arguments.QomType) + VirtualMachine.RetainedCost(props));
            Vm.Objects[arguments.Id] = new QomObject { Id = arguments.Id, Type = arguments.QomType, Properties = props, Retained = retained };
        }

        return Done();
    }

    public override ValueTask ObjectDelAsync(ObjectDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.Objects.TryGetValue(arguments.Id, out var removed))
            {
                throw Generic("object id not found");
            }

            if (Vm.Devices.Any(d => d.Properties.Values.Any(v => v.ValueKind == JsonValueKind.String && v.GetString() == arguments.Id)))
            {
                throw Generic($"object '{arguments.Id}' is in use, can not be deleted");
            }

            Vm.Objects.Remove(arguments.Id);
            Vm.Release(removed.Retained);
            Vm.RemoveQomValues("/objects/" + arguments.Id);
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<MemdevInfo>> QueryMemdevAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            static bool Bool(QomObject o, string name, bool fallback) =>
                o.Properties.TryGetValue(name, out var v) ? v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && v.GetString() is "on" or "yes" or "true") : fallback;
            return Done<IReadOnlyList<MemdevInfo>>(Vm.Objects.Values.Where(o => o.Type.StartsWith("memory-backend-", StringComparison.Ordinal)).Select(o => new MemdevInfo
            {
                Size = o.Properties["size"].GetInt64(),
                Merge = Bool(o, "merge", true),
                Dump = Bool(o, "dump", true),
                Prealloc = Bool(o, "prealloc", false),
                HostNodes = o.Properties.TryGetValue("host-nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array ? nodes.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out _)).Select(n => n.GetInt64()).ToList() : [],
                Policy = o.Properties.TryGetValue("policy", out var policy) && policy.ValueKind == JsonValueKind.String ? policy.GetString() : "default",
            }).ToList());
        }
    }

    public override ValueTask<IReadOnlyList<MemoryDeviceInfo>> QueryMemoryDevicesAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var addr = 0x100000000;
            var list = new List<MemoryDeviceInfo>();
            foreach (var d in Vm.Devices.Where(d => d.Driver == "pc-dimm").OrderBy(d => d.PciFunction))
            {
                var memdev = d.Properties.TryGetValue("memdev", out var md) && md.ValueKind == JsonValueKind.String ? md.GetString()! : "";
                var size = Vm.Objects.TryGetValue(memdev, out var o) && o.Properties.TryGetValue("size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : 0;
                list.Add(new MemoryDeviceInfo
                {
                    Type = "dimm",
                    Data = new MemoryDeviceDataInfo
                    {
                        Id = d.Id,
                        Addr = addr,
                        Size = size,
                        Slot = d.PciFunction,
                        Node = 0,
                        Memdev = "/objects/" + memdev,
                        Hotplugged = d.Hotplugged,
                        Hotpluggable = true,
                    },
                });
                addr += size;
            }

            return Done<IReadOnlyList<MemoryDeviceInfo>>(list);
        }
    }

    public override ValueTask<IReadOnlyList<AcpiOspmStatusInfo>> QueryAcpiOspmStatusAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var list = new List<AcpiOspmStatusInfo>();
            for (var slot = 0; slot < Vm.MemorySlots; slot++)
            {
                var s = Str(slot);
                var ost = Vm.AcpiOst.FirstOrDefault(o => o.Slot == s);
                list.Add(new AcpiOspmStatusInfo { Device = ost.Device, Slot = s, SlotType = "DIMM", Source = ost.Slot is null ? 0 : ost.Source, Status = ost.Status });
            }

            return Done<IReadOnlyList<AcpiOspmStatusInfo>>(list);
        }
    }
}
