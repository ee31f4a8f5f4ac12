using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;

namespace Qmp.Emulator.CommandLine;

/// <summary>
/// The shared machine state from a QEMU 7.2 command line (<see cref="EmulatorOptions.Launch"/>): each
/// <c>-device</c> with <c>drive=</c> is a drive whose medium is that <c>-blockdev</c> node (its backing chain
/// from <c>backing</c>), a CD-ROM without one an empty drive, every <c>-device</c> is a device under <c>/machine/peripheral</c>, every chardev is
/// one, and the balloon exists only when a <c>virtio-balloon-*</c> device is given. Nothing of QEMU 2.1's
/// default machine (its IDE disk, CD-ROM, NIC) is added: as QEMU with <c>-nodefaults</c>, the line is the machine.
/// </summary>
internal static class LaunchMachine
{
    public static MachineDescription Describe(LaunchConfiguration launch)
    {
        var drives = new List<DriveDescription>();
        foreach (var device in launch.Devices)
        {
            if (device.Drive is null && device.Driver is "ide-cd" or "scsi-cd")
            {
                // An empty CD-ROM (libvirt's before a medium goes in): QEMU gives the device a drive of its own, without a
                // name; the persona knows it by the device's path.
                drives.Add(new DriveDescription { Id = device.QomPath, Media = "cdrom" });
                continue;
            }

            if (device.Drive is not { } nodeName || launch.FindNode(nodeName) is not { } node || drives.Any(d => d.Id == nodeName))
            {
                continue;
            }

            var chain = Chain(launch, node);
            drives.Add(new DriveDescription
            {
                // The drive is known by its node name: -blockdev gives no drive id (query-block's device is "").
                Id = nodeName,
                Media = device.Driver is "ide-cd" or "scsi-cd" ? "cdrom" : "disk",
                File = FileOf(launch, node),
                Format = node.Driver,
                Size = node.VirtualSize,
                ReadOnly = node.ReadOnly,
                NodeName = node.NodeName,
                Backing = chain.Count == 0 ? null : [.. chain.Select(b => new ImageDescription { Filename = FileOf(launch, b) ?? b.NodeName, Format = b.Driver, Size = b.VirtualSize, NodeName = b.NodeName, ReadOnly = b.ReadOnly })],
            });
        }

        return new MachineDescription
        {
            Name = launch.Name,
            Uuid = launch.Uuid,
            Memory = launch.MemoryBytes,
            Kvm = false,
            Balloon = launch.Devices.Any(d => d.Driver.StartsWith("virtio-balloon", StringComparison.Ordinal)),
            Vnc = false,
            Spice = false,
            Drives = drives,
            Nics = [],
            Chardevs = [],
            Devices = [.. launch.Devices.Select(d => new DeviceDescription
            {
                Driver = d.Driver,
                Id = d.Id,
                Properties = d.Properties.ValueKind == JsonValueKind.Object ? d.Properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal) : [],
            })],
        };
    }

    /// <summary>The nodes below <paramref name="node"/> through <c>backing</c>, nearest first (a loop in the names ends it).</summary>
    public static List<BlockNodeConfiguration> Chain(LaunchConfiguration launch, BlockNodeConfiguration node)
    {
        var chain = new List<BlockNodeConfiguration>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { node.NodeName };
        for (var below = Backing(launch, node); below is not null && seen.Add(below.NodeName); below = Backing(launch, below))
        {
            chain.Add(below);
        }

        return chain;

        static BlockNodeConfiguration? Backing(LaunchConfiguration launch, BlockNodeConfiguration node) =>
            OptionValues.GetString(node.Options, "backing") is { } name ? launch.FindNode(name) : null;
    }

    /// <summary>The host file under a node: its own (a protocol node) or its <c>file</c> child's.</summary>
    public static string? FileOf(LaunchConfiguration launch, BlockNodeConfiguration node) =>
        node.Filename ?? (node.File is { } file ? launch.FindNode(file)?.Filename : null);

    /// <summary>
    /// What <c>query-chardev</c> reports as a chardev's <c>filename</c>, as QEMU 7.2's char-socket computes it: a
    /// listening unix socket is <c>disconnected:unix:PATH,server=on</c> until a client comes, then
    /// <c>unix:PATH,server=on</c>; for an inherited socket the path is the one it is bound to. A file is just
    /// <c>file</c>: only backends that set a name of their own (sockets, ptys) say more. A monitor's
    /// chardev is <paramref name="connected"/>: query-chardev reaches it through its client.
    /// </summary>
    public static string ChardevFilename(ChardevConfiguration chardev, bool connected)
    {
        var listen = chardev.Server ? ",server=on" : "";
        var state = connected ? "" : "disconnected:";
        switch (chardev.Backend)
        {
            case "socket" when chardev.Fd is { } fd:
                return BoundPath(fd) is { } bound ? $"{state}unix:{bound}{listen}" : $"{state}fd:{fd.ToString(CultureInfo.InvariantCulture)}{listen}";
            case "socket" when chardev.Path is { } path:
                return $"{state}unix:{path}{listen}";
            case "socket":
                return $"{state}tcp:{chardev.Options.GetValueOrDefault("host", "")}:{chardev.Options.GetValueOrDefault("port", "")}{listen}";
            case "pty":
                return "pty:/dev/pts/0";
            default:
                return chardev.Backend;
        }
    }

    /// <summary>The unix path an inherited socket is bound to, or null (not a socket, not unix, unnamed).</summary>
    private static string? BoundPath(int fd)
    {
        try
        {
            using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false));
            return socket.LocalEndPoint is UnixDomainSocketEndPoint unix && unix.ToString() is { Length: > 0 } path ? path : null;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or NotSupportedException or ObjectDisposedException)
        {
            return null;
        }
    }
}
