using Microsoft.Win32.SafeHandles;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.Confinement;

/// <summary>
/// What the emulator may write into its data dir in all (<c>--data-dir-quota</c>): the bytes of every file
/// it is writing or has written and still holds under a name, each file counted as at least
/// <see cref="MinimumFileBytes"/> (so empty files run out too). A file it replaces by one of its own writes
/// no longer counts; files that were there before it started never count. Besides the quota, no write may
/// leave the filesystem with less free space than <see cref="FreeSpaceFloor"/>. Past either, the write
/// fails with ENOSPC, QEMU's "No space left on device".
/// </summary>
internal sealed class WriteQuota(long limit)
{
    /// <summary>The least a file counts for: one block.</summary>
    public const long MinimumFileBytes = 4096;

    /// <summary>Bytes of free space no write may go below: 1 GiB, or 5% of a filesystem smaller than 20 GiB.</summary>
    public static long FreeSpaceFloor(long filesystemSize) => Math.Min(1L << 30, filesystemSize / 20);

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong Device, ulong Inode), long> _named = [];
    private long _used;

    /// <summary>The quota in bytes; 0 is none.</summary>
    public long Limit { get; } = limit;

    /// <summary>Bytes counted now.</summary>
    public long Used
    {
        get
        {
            lock (_gate)
            {
                return _used;
            }
        }
    }

    /// <summary>Counts <paramref name="bytes"/> more for a file being written to <paramref name="file"/>, or fails with ENOSPC and counts nothing.</summary>
    public void Reserve(SafeFileHandle file, long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        if (FreeSpace(file) is { } space && space.Available - bytes < FreeSpaceFloor(space.Size))
        {
            throw new ConfinementException(ENOSPC);
        }

        lock (_gate)
        {
            if (Limit > 0 && _used + bytes > Limit)
            {
                throw new ConfinementException(ENOSPC);
            }

            _used += bytes;
        }
    }

    /// <summary>Gives back bytes of a file that is gone (a temporary removed, a file of ours replaced).</summary>
    public void Release(long bytes)
    {
        lock (_gate)
        {
            _used -= bytes;
        }
    }

    /// <summary>
    /// A file of ours now carries a name: it keeps counting until one of our later files replaces it.
    /// <paramref name="replaced"/> is what carried that name before, if anything; it stops counting if it was ours.
    /// </summary>
    public void Named(Status file, long bytes, Status? replaced)
    {
        lock (_gate)
        {
            if (replaced is { } old && _named.Remove((old.Device, old.Inode), out var oldBytes))
            {
                _used -= oldBytes;
            }

            _named[(file.Device, file.Inode)] = bytes;
        }
    }
}
