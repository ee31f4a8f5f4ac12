namespace Qmp.Emulator;

/// <summary>Static facts of QEMU 2.1's x86_64 target: device types, QOM types, CPU models, machines, options.</summary>
internal static class Catalog
{
    /// <summary>Device drivers: name, parent type, hotpluggable, PCI vendor, PCI device, class, class description.</summary>
    internal static readonly (string Name, string Parent, bool Hotplug, int Vendor, int DeviceId, int Class, string ClassDesc)[] s_devices =
    [
        ("e1000", "pci-device", true, 0x8086, 0x100e, 0x0200, "Ethernet controller"),
        ("rtl8139", "pci-device", true, 0x10ec, 0x8139, 0x0200, "Ethernet controller"),
        ("virtio-net-pci", "virtio-pci", true, 0x1af4, 0x1000, 0x0200, "Ethernet controller"),
        ("virtio-blk-pci", "virtio-pci", true, 0x1af4, 0x1001, 0x0100, "SCSI controller"),
        ("virtio-balloon-pci", "virtio-pci", true, 0x1af4, 0x1002, 0x00ff, "Class 00ff"),
        ("virtio-serial-pci", "virtio-pci", true, 0x1af4, 0x1003, 0x0780, "Class 0780"),
        ("virtio-scsi-pci", "virtio-pci", true, 0x1af4, 0x1004, 0x0100, "SCSI controller"),
        ("virtio-rng-pci", "virtio-pci", true, 0x1af4, 0x1005, 0x00ff, "Class 00ff"),
        ("ich9-ahci", "pci-device", true, 0x8086, 0x2922, 0x0106, "SATA controller"),
        ("pci-bridge", "base-pci-bridge", true, 0x1b36, 0x0001, 0x0604, "PCI bridge"),
        ("i6300esb", "pci-device", true, 0x8086, 0x25ab, 0x0880, "Class 0880"),
        ("piix3-usb-uhci", "pci-device", true, 0x8086, 0x7020, 0x0c03, "USB controller"),
        ("usb-ehci", "pci-device", true, 0x8086, 0x24cd, 0x0c03, "USB controller"),
        ("nec-usb-xhci", "pci-device", true, 0x1033, 0x0194, 0x0c03, "USB controller"),
        ("ivshmem", "pci-device", true, 0x1af4, 0x1110, 0x0500, "RAM controller"),
        ("i440FX", "pci-device", false, 0x8086, 0x1237, 0x0600, "Host bridge"),
        ("PIIX3", "pci-device", false, 0x8086, 0x7000, 0x0601, "ISA bridge"),
        ("piix3-ide", "pci-device", false, 0x8086, 0x7010, 0x0101, "IDE controller"),
        ("PIIX4_PM", "pci-device", false, 0x8086, 0x7113, 0x0680, "Bridge"),
        ("VGA", "pci-device", false, 0x1234, 0x1111, 0x0300, "VGA controller"),
        ("virtserialport", "virtio-serial-port", true, 0, 0, 0, ""),
        ("virtconsole", "virtserialport", true, 0, 0, 0, ""),
        ("usb-tablet", "usb-hid", true, 0, 0, 0, ""),
        ("usb-mouse", "usb-hid", true, 0, 0, 0, ""),
        ("usb-kbd", "usb-hid", true, 0, 0, 0, ""),
        ("usb-storage", "usb-device", true, 0, 0, 0, ""),
        ("scsi-hd", "scsi-disk-base", true, 0, 0, 0, ""),
        ("scsi-cd", "scsi-disk-base", true, 0, 0, 0, ""),
        ("ide-hd", "ide-device", false, 0, 0, 0, ""),
        ("ide-cd", "ide-device", false, 0, 0, 0, ""),
        ("pc-dimm", "device", true, 0, 0, 0, ""),
        ("isa-serial", "isa-device", false, 0, 0, 0, ""),
        ("isa-debugcon", "isa-device", false, 0, 0, 0, ""),
        ("qemu64-x86_64-cpu", "x86_64-cpu", true, 0, 0, 0, ""),
    ];

    internal static readonly Dictionary<string, (string Name, string Type)[]> s_deviceProperties = new(StringComparer.Ordinal)
    {
        ["e1000"] = [("mac", "macaddr"), ("vlan", "vlan"), ("netdev", "netdev"), ("bootindex", "int32"), ("autonegotiation", "bool"), ("mitigation", "bool"), ("addr", "pci-devfn"), ("romfile", "str"), ("rombar", "uint32"), ("multifunction", "bool"), ("command_serr_enable", "bool")],
        ["rtl8139"] = [("mac", "macaddr"), ("vlan", "vlan"), ("netdev", "netdev"), ("bootindex", "int32"), ("addr", "pci-devfn"), ("romfile", "str")],
        ["virtio-net-pci"] = [("mac", "macaddr"), ("vlan", "vlan"), ("netdev", "netdev"), ("bootindex", "int32"), ("ioeventfd", "bool"), ("vectors", "uint32"), ("addr", "pci-devfn"), ("romfile", "str"), ("mq", "bool")],
        ["virtio-blk-pci"] = [("drive", "drive"), ("bootindex", "int32"), ("serial", "str"), ("scsi", "bool"), ("ioeventfd", "bool"), ("vectors", "uint32"), ("addr", "pci-devfn"), ("x-data-plane", "bool"), ("iothread", "link<iothread>")],
        ["virtio-balloon-pci"] = [("addr", "pci-devfn"), ("guest-stats-polling-interval", "int")],
        ["virtio-serial-pci"] = [("max_ports", "uint32"), ("vectors", "uint32"), ("addr", "pci-devfn")],
        ["virtio-rng-pci"] = [("rng", "link<rng-backend>"), ("max-bytes", "uint64"), ("period", "uint32"), ("addr", "pci-devfn")],
        ["virtserialport"] = [("chardev", "chr"), ("name", "str"), ("nr", "uint32")],
        ["virtconsole"] = [("chardev", "chr"), ("name", "str"), ("nr", "uint32")],
        ["usb-tablet"] = [("port", "str"), ("usb_version", "uint32"), ("display", "str"), ("head", "uint32")],
        ["usb-mouse"] = [("port", "str"), ("display", "str"), ("head", "uint32")],
        ["usb-kbd"] = [("port", "str"), ("display", "str"), ("head", "uint32")],
        ["usb-storage"] = [("drive", "drive"), ("port", "str"), ("serial", "str"), ("removable", "bool")],
        ["scsi-hd"] = [("drive", "drive"), ("scsi-id", "uint32"), ("lun", "uint32"), ("serial", "str"), ("bootindex", "int32")],
        ["scsi-cd"] = [("drive", "drive"), ("scsi-id", "uint32"), ("lun", "uint32"), ("serial", "str"), ("bootindex", "int32")],
        ["pc-dimm"] = [("addr", "uint64"), ("node", "uint32"), ("slot", "int32"), ("memdev", "link<memory-backend>")],
        ["pci-bridge"] = [("chassis_nr", "uint8"), ("msi", "bool"), ("shpc", "bool"), ("addr", "pci-devfn")],
        ["i6300esb"] = [("addr", "pci-devfn")],
        ["ich9-ahci"] = [("addr", "pci-devfn")],
    };

    internal static readonly (string Name, string Parent, bool Abstract)[] s_objectTypes =
    [
        ("memory-backend-ram", "memory-backend", false),
        ("memory-backend-file", "memory-backend", false),
        ("memory-backend", "object", true),
        ("rng-random", "rng-backend", false),
        ("rng-egd", "rng-backend", false),
        ("rng-backend", "object", true),
        ("iothread", "object", false),
        ("pci-device", "device", true),
        ("virtio-pci", "pci-device", true),
        ("device", "object", true),
    ];

    internal static readonly string[] s_cpuModels =
    [
        "qemu64", "phenom", "core2duo", "kvm64", "qemu32", "kvm32", "coreduo", "486", "pentium", "pentium2", "pentium3",
        "athlon", "n270", "Conroe", "Penryn", "Nehalem", "Westmere", "SandyBridge", "Haswell", "Broadwell", "Opteron_G1",
        "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5", "host",
    ];

    internal static readonly (string Name, string? Alias, bool Default, long CpuMax)[] s_machines =
    [
        ("pc-i440fx-2.1", "pc", true, 255),
        ("pc-q35-2.1", "q35", false, 255),
        ("pc-i440fx-2.0", null, false, 255),
        ("pc-q35-2.0", null, false, 255),
        ("pc-i440fx-1.7", null, false, 255),
        ("pc-1.3", null, false, 255),
        ("isapc", null, false, 1),
        ("none", null, false, 1),
    ];

    internal static readonly Dictionary<string, (string Name, string Type, string? Help)[]> s_commandLineOptions = new(StringComparer.Ordinal)
    {
        ["option-rom"] = [("romfile", "string", null), ("bootindex", "number", null)],
        ["drive"] = [("bus", "number", "bus number"), ("unit", "number", "unit number (i.e. lun for scsi)"), ("if", "string", "interface (ide, scsi, sd, mtd, floppy, pflash, virtio)"), ("index", "number", "index number"), ("cyls", "number", "number of cylinders (ide disk geometry)"), ("media", "string", "media type (disk, cdrom)"), ("snapshot", "boolean", "enable/disable snapshot mode"), ("file", "string", "disk image"), ("cache", "string", "host cache usage"), ("aio", "string", "host AIO implementation (threads, native)"), ("format", "string", "disk format (raw, qcow2, ...)"), ("serial", "string", "disk serial number"), ("readonly", "boolean", "open drive file as read-only")],
        ["machine"] = [("type", "string", "emulated machine"), ("accel", "string", "accelerator list"), ("kernel_irqchip", "boolean", "use KVM in-kernel irqchip"), ("dump-guest-core", "boolean", "Include guest memory in  a core dump"), ("mem-merge", "boolean", "enable/disable memory merge support")],
        ["smp-opts"] = [("cpus", "number", null), ("sockets", "number", null), ("cores", "number", null), ("threads", "number", null), ("maxcpus", "number", null)],
        ["memory"] = [("size", "size", null), ("slots", "number", null), ("maxmem", "size", null)],
        ["boot-opts"] = [("order", "string", null), ("once", "string", null), ("menu", "boolean", null), ("splash", "string", null), ("splash-time", "string", null), ("reboot-timeout", "string", null), ("strict", "boolean", null)],
        ["name"] = [("guest", "string", "Sets the name of the guest."), ("process", "string", "Sets the name of the QEMU process, as shown in top etc"), ("debug-threads", "boolean", "When enabled, name the individual threads; defaults to off.")],
        ["vnc"] = [("share", "string", null), ("password", "boolean", null), ("reverse", "boolean", null), ("lossy", "boolean", null)],
        ["spice"] = [("port", "number", null), ("tls-port", "number", null), ("addr", "string", null), ("password", "string", null), ("disable-ticketing", "boolean", null)],
        ["chardev"] = [("backend", "string", null), ("path", "string", null), ("host", "string", null), ("port", "string", null), ("server", "boolean", null), ("wait", "boolean", null), ("size", "size", null)],
        ["device"] = [],
        ["netdev"] = [],
        ["object"] = [],
        ["mon"] = [("mode", "string", null), ("chardev", "string", null), ("default", "boolean", null), ("pretty", "boolean", null)],
        ["realtime"] = [("mlock", "boolean", null)],
        ["rtc"] = [("base", "string", null), ("clock", "string", null), ("driftfix", "string", null)],
        ["msg"] = [("timestamp", "boolean", null)],
        ["sandbox"] = [("enable", "boolean", null)],
    };

    internal static readonly string[] s_chardevBackends =
    [
        "null", "socket", "udp", "msmouse", "vc", "ringbuf", "memory", "file", "pipe", "pty", "stdio", "tty", "serial",
        "parallel", "parport", "spicevmc", "spiceport", "braille", "testdev",
    ];

    internal static readonly string[] s_netdevTypes = ["user", "tap", "socket", "vde", "bridge", "hubport", "netmap", "dump"];

    internal static readonly string[] s_qCodes =
    [
        "shift", "shift_r", "alt", "alt_r", "altgr", "altgr_r", "ctrl", "ctrl_r", "menu", "esc", "1", "2", "3", "4", "5", "6", "7",
        "8", "9", "0", "minus", "equal", "backspace", "tab", "q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "bracket_left",
        "bracket_right", "ret", "a", "s", "d", "f", "g", "h", "j", "k", "l", "semicolon", "apostrophe", "grave_accent",
        "backslash", "z", "x", "c", "v", "b", "n", "m", "comma", "dot", "slash", "asterisk", "spc", "caps_lock", "f1", "f2",
        "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "num_lock", "scroll_lock", "kp_divide", "kp_multiply", "kp_subtract",
        "kp_add", "kp_enter", "kp_decimal", "sysrq", "kp_0", "kp_1", "kp_2", "kp_3", "kp_4", "kp_5", "kp_6", "kp_7", "kp_8",
        "kp_9", "less", "f11", "f12", "print", "home", "pgup", "pgdn", "end", "left", "up", "down", "right", "insert", "delete",
        "stop", "again", "props", "undo", "front", "copy", "open", "paste", "find", "cut", "lf", "help", "meta_l", "meta_r",
        "compose", "pause", "ro", "kp_comma",
    ];

    internal static bool IsPci(string driver) => s_devices.Any(d => d.Name == driver && d.Vendor != 0);

    internal static (string Name, string Parent, bool Hotplug, int Vendor, int DeviceId, int Class, string ClassDesc)? FindDevice(string driver)
    {
        foreach (var d in s_devices)
        {
            if (d.Name == driver)
            {
                return d;
            }
        }

        return null;
    }

    /// <summary>Every QOM type with its parent (devices and objects).</summary>
    internal static IEnumerable<(string Name, string Parent, bool Abstract)> AllTypes() =>
        s_devices.Select(d => (d.Name, d.Parent, false)).Concat(s_objectTypes);

    internal static bool Implements(string type, string ancestor)
    {
        var parents = AllTypes().GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().Parent, StringComparer.Ordinal);
        for (var t = type; t is not null; t = parents.GetValueOrDefault(t))
        {
            if (t == ancestor)
            {
                return true;
            }

            if (t == "object")
            {
                break;
            }
        }

        return false;
    }
}
