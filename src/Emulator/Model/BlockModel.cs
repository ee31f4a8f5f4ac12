using System.Collections;
using System.Collections.Immutable;

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
    public SnapshotTable Snapshots { get; set; } = SnapshotTable.Empty;
    public BlockImage? Backing { get; set; }

    /// <summary>The protocol node a format node sits on (<c>"file": "NODE"</c> of <c>blockdev-add</c>), or null.</summary>
    public BlockImage? File { get; set; }

    /// <summary>The backing file and its format as the image's header names them (QEMU reports them even with no backing node open).</summary>
    public string? HeaderBackingFile { get; set; }

    public string? HeaderBackingFormat { get; set; }

    /// <summary>Read-only as a node (an image that became an overlay's backing); a drive's own flag wins for its top image.</summary>
    public bool ReadOnly { get; set; }

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
                Snapshots = image.Snapshots,
                File = image.File,
                ReadOnly = image.ReadOnly,
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

/// <summary>
/// An image's internal snapshots in table order, indexed by name and by numeric id, so creating one (the
/// name's uniqueness, the next id) costs O(log n), not a walk of the table per action (a transaction of
/// 30,000 creations was O(n²)). Immutable: a transaction's copy of a chain shares it, and its rollback is free.
/// </summary>
internal sealed class SnapshotTable : IReadOnlyCollection<InternalSnapshot>
{
    public static readonly SnapshotTable Empty = new(StringComparer.Ordinal);

    private readonly ImmutableList<InternalSnapshot> _items;
    private readonly ImmutableDictionary<string, int> _names;
    private readonly ImmutableSortedSet<long> _ids;

    /// <summary>An empty table comparing names with <paramref name="names"/> (tests count its calls).</summary>
    internal SnapshotTable(IEqualityComparer<string> names)
        : this(ImmutableList<InternalSnapshot>.Empty, ImmutableDictionary.Create<string, int>(names), ImmutableSortedSet<long>.Empty)
    {
    }

    private SnapshotTable(ImmutableList<InternalSnapshot> items, ImmutableDictionary<string, int> names, ImmutableSortedSet<long> ids)
    {
        _items = items;
        _names = names;
        _ids = ids;
    }

    public int Count => _items.Count;

    /// <summary>The largest numeric id (0 when none): QEMU numbers a new snapshot one above it.</summary>
    public long MaxId => _ids.Count == 0 ? 0 : _ids.Max;

    public bool ContainsName(string name) => _names.ContainsKey(name);

    public SnapshotTable Add(InternalSnapshot snapshot) => new(
        _items.Add(snapshot),
        _names.SetItem(snapshot.Name, _names.GetValueOrDefault(snapshot.Name) + 1),
        NumericId(snapshot) is { } id ? _ids.Add(id) : _ids);

    public SnapshotTable Remove(InternalSnapshot snapshot)
    {
        var index = _items.IndexOf(snapshot);
        if (index < 0)
        {
            return this;
        }

        var count = _names.GetValueOrDefault(snapshot.Name);
        return new(
            _items.RemoveAt(index),
            count <= 1 ? _names.Remove(snapshot.Name) : _names.SetItem(snapshot.Name, count - 1),
            NumericId(snapshot) is { } id ? _ids.Remove(id) : _ids);
    }

    public IEnumerator<InternalSnapshot> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static long? NumericId(InternalSnapshot snapshot) =>
        long.TryParse(snapshot.Id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
}

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

    /// <summary>The client state it charged (<see cref="VirtualMachine.Retain"/>); 0 when the machine description made it.</summary>
    public long Retained { get; init; }

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
        Retained = Retained,
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
