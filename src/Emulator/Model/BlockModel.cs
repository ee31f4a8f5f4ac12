namespace Qmp.Emulator.Model;

/// <summary>One image in a backing chain (a BlockDriverState with its file).</summary>
internal sealed class BlockImage
{
    public required string Filename { get; set; }
    public string Format { get; set; } = "qcow2";
    public long VirtualSize { get; set; }
    public long ActualSize { get; set; }
    public bool Encrypted { get; set; }
    public string? Password { get; set; }
    public bool Unlocked { get; set; }
    public string? NodeName { get; set; }
    public List<InternalSnapshot> Snapshots { get; set; } = [];
    public BlockImage? Backing { get; set; }

    /// <summary>How many backing files lie below (counted in a loop: chains can be long).</summary>
    public int Depth => Chain().Count() - 1;

    public bool SupportsInternalSnapshots => Format is "qcow2" or "qed" or "sheepdog" or "rbd";

    public IEnumerable<BlockImage> Chain()
    {
        for (var image = this; image is not null; image = image.Backing)
        {
            yield return image;
        }
    }

    /// <summary>A deep copy of the chain, image by image in a loop (a recursive copy overflowed the stack on long chains).</summary>
    public BlockImage Clone()
    {
        BlockImage? top = null, above = null;
        foreach (var image in Chain())
        {
            var copy = new BlockImage
            {
                Filename = image.Filename,
                Format = image.Format,
                VirtualSize = image.VirtualSize,
                ActualSize = image.ActualSize,
                Encrypted = image.Encrypted,
                Password = image.Password,
                Unlocked = image.Unlocked,
                NodeName = image.NodeName,
                Snapshots = image.Snapshots.Select(s => s with { }).ToList(),
            };
            if (above is null)
            {
                top = copy;
            }
            else
            {
                above.Backing = copy;
            }

            above = copy;
        }

        return top!;
    }
}

internal sealed record InternalSnapshot(string Id, string Name, long VmStateSize, long DateSec, long DateNsec, long VmClockSec, long VmClockNsec);

/// <summary>I/O limits of <c>block_set_io_throttle</c>.</summary>
internal readonly record struct Throttle(
    long Bps, long BpsRd, long BpsWr, long Iops, long IopsRd, long IopsWr,
    long BpsMax, long BpsRdMax, long BpsWrMax, long IopsMax, long IopsRdMax, long IopsWrMax, long IopsSize);

/// <summary>A drive (a block backend with its device name).</summary>
internal sealed class Drive
{
    public required string Id { get; init; }

    /// <summary>disk, cdrom, floppy or sd.</summary>
    public string Media { get; init; } = "disk";
    public bool Removable { get; init; }
    public bool Locked { get; set; }
    public bool TrayOpen { get; set; }
    public bool ReadOnly { get; set; }
    public BlockImage? Image { get; set; }
    public Throttle Throttle { get; set; }
    public string DetectZeroes { get; set; } = "off";
    public string IoStatus { get; set; } = "ok";
    public bool IoStatusEnabled => Media is "disk" or "cdrom";
    public long RdBytes { get; set; }
    public long WrBytes { get; set; }
    public long RdOperations { get; set; }
    public long WrOperations { get; set; }
    public long FlushOperations { get; set; }
    public long WrHighestOffset { get; set; }

    /// <summary>Name of the NBD export, when exported.</summary>
    public bool Exported { get; set; }

    public Drive Clone() => new()
    {
        Id = Id,
        Media = Media,
        Removable = Removable,
        Locked = Locked,
        TrayOpen = TrayOpen,
        ReadOnly = ReadOnly,
        Image = Image?.Clone(),
        Throttle = Throttle,
        DetectZeroes = DetectZeroes,
        IoStatus = IoStatus,
        RdBytes = RdBytes,
        WrBytes = WrBytes,
        RdOperations = RdOperations,
        WrOperations = WrOperations,
        FlushOperations = FlushOperations,
        WrHighestOffset = WrHighestOffset,
        Exported = Exported,
    };
}

/// <summary>A running block job: stream, commit, backup or mirror.</summary>
internal sealed class BlockJob
{
    public required string Type { get; init; }
    public required string Device { get; init; }
    public long Len { get; set; }
    public double Offset { get; set; }
    public long Speed { get; set; }
    public bool Paused { get; set; }
    public bool Ready { get; set; }

    /// <summary>Runs under the machine lock when the job finishes successfully.</summary>
    public Action<Drive>? OnComplete { get; init; }

    public BlockJob Clone() => new()
    {
        Type = Type,
        Device = Device,
        Len = Len,
        Offset = Offset,
        Speed = Speed,
        Paused = Paused,
        Ready = Ready,
        OnComplete = OnComplete,
    };
}
