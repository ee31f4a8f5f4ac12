using System.Text.Json;
using System.Text.Json.Serialization;

namespace Qmp.Emulator;

/// <summary>
/// The virtual hardware, as JSON (<c>--machine FILE</c>, kebab-case members). Anything left out takes
/// QEMU 2.1's default: see <see cref="Default"/>.
/// </summary>
public sealed class MachineDescription
{
    public string? Name { get; set; }
    public string? Uuid { get; set; }
    public int? Cpus { get; set; }
    public int? MaxCpus { get; set; }
    public long? Memory { get; set; }

    /// <summary>DIMM slots for memory hotplug (<c>-m SIZE,slots=N,maxmem=M</c>).</summary>
    public int? MemorySlots { get; set; }
    public long? MaxMemory { get; set; }
    public bool? Kvm { get; set; }
    public bool? Balloon { get; set; }
    public bool? Vnc { get; set; }
    public bool? Spice { get; set; }
    public List<DriveDescription>? Drives { get; set; }
    public List<NicDescription>? Nics { get; set; }
    public List<ChardevDescription>? Chardevs { get; set; }

    /// <summary>Extra devices (<c>-device</c>), e.g. <c>{"driver": "virtio-serial-pci", "id": "vs0"}</c>.</summary>
    public List<DeviceDescription>? Devices { get; set; }

    /// <summary>Image files that exist on the (virtual) host besides the real file system.</summary>
    public List<ImageDescription>? Images { get; set; }

    /// <summary>Serializer settings for the JSON form.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static MachineDescription Parse(string json) =>
        JsonSerializer.Deserialize(json, EmulatorJsonContext.Default.MachineDescription) ?? throw new JsonException("The machine description is null.");

    public static MachineDescription Load(string path) => Parse(File.ReadAllText(path));

    public string ToJson() => JsonSerializer.Serialize(this, EmulatorJsonContext.Default.MachineDescription);

    /// <summary>
    /// What <c>qemu-system-x86_64 -hda disk.qcow2 -cdrom</c> gives in QEMU 2.1: ide0-hd0 (qcow2), ide1-cd0
    /// (empty CD-ROM), floppy0, sd0, an e1000 NIC, serial0 and monitor chardevs, VGA, a virtio balloon.
    /// </summary>
    public static MachineDescription Default() => new()
    {
        Drives =
        [
            new DriveDescription { Id = "ide0-hd0", Media = "disk", File = "disk.qcow2", Format = "qcow2", Size = 10L << 30 },
            new DriveDescription { Id = "ide1-cd0", Media = "cdrom" },
            new DriveDescription { Id = "floppy0", Media = "floppy" },
            new DriveDescription { Id = "sd0", Media = "sd" },
        ],
        Nics = [new NicDescription { Id = "net0", Model = "e1000", Mac = "52:54:00:12:34:56" }],
        Chardevs =
        [
            new ChardevDescription { Id = "serial0", Backend = "vc" },
            new ChardevDescription { Id = "monitor", Backend = "stdio" },
        ],
    };
}

public sealed class DriveDescription
{
    public string Id { get; set; } = "";

    /// <summary><c>disk</c>, <c>cdrom</c>, <c>floppy</c> or <c>sd</c>.</summary>
    public string Media { get; set; } = "disk";

    /// <summary>The medium's image; null for an empty drive.</summary>
    public string? File { get; set; }
    public string Format { get; set; } = "qcow2";

    /// <summary>Virtual size in bytes.</summary>
    public long Size { get; set; } = 10L << 30;
    public bool? Removable { get; set; }
    public bool Locked { get; set; }
    public bool ReadOnly { get; set; }
    public bool Encrypted { get; set; }
    public string? Password { get; set; }
    public string? NodeName { get; set; }

    /// <summary>The backing chain below <see cref="File"/>, nearest first.</summary>
    public List<ImageDescription>? Backing { get; set; }

    /// <summary>Internal snapshot names already in the image.</summary>
    public List<string>? Snapshots { get; set; }
}

public sealed class ImageDescription
{
    public string Filename { get; set; } = "";
    public string Format { get; set; } = "qcow2";
    public long Size { get; set; } = 10L << 30;
    public bool Encrypted { get; set; }
    public string? Password { get; set; }
    public string? NodeName { get; set; }

    /// <summary>Opened read-only as a node (a -blockdev backing node's <c>read-only</c>).</summary>
    public bool ReadOnly { get; set; }
}

public sealed class NicDescription
{
    public string Id { get; set; } = "";
    public string Model { get; set; } = "e1000";
    public string? Mac { get; set; }
    public string? Netdev { get; set; }
}

public sealed class ChardevDescription
{
    public string Id { get; set; } = "";

    /// <summary><c>vc</c>, <c>pty</c>, <c>null</c>, <c>stdio</c>, <c>file</c>, <c>ringbuf</c>, <c>socket</c>, ...</summary>
    public string Backend { get; set; } = "null";
    public long? Size { get; set; }
    public string? Path { get; set; }
}

public sealed class DeviceDescription
{
    public string Driver { get; set; } = "";
    public string? Id { get; set; }
    public Dictionary<string, JsonElement>? Properties { get; set; }
}
