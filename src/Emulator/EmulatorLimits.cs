namespace Qmp.Emulator;

/// <summary>
/// The emulator's limits against hostile clients, each answered with a QMP error (docs/security.md lists them
/// with their numbers).
/// </summary>
public static class EmulatorLimits
{
    /// <summary>Bytes one file-writing command may write (memsave, pmemsave, dump-guest-memory): 1 GiB.</summary>
    public const long MaxWriteBytes = 1L << 30;

    /// <summary>
    /// Bytes the emulator may write into its data dir in all, by default (<c>--data-dir-quota</c>): 4 GiB. What
    /// it wrote and still holds under a name counts, each file at least 4 KiB; files there before it started do not.
    /// </summary>
    public const long DefaultDataDirQuota = 4L << 30;

    /// <summary>Large writes go out in chunks of this size, outside the machine lock, checking for shutdown between them.</summary>
    public const int WriteChunkBytes = 1 << 20;

    /// <summary>Images in one backing chain (the active image and its backing files): 1000.</summary>
    public const int MaxBackingChainDepth = 1000;

    /// <summary>
    /// Actions in one <c>transaction</c>: 1024. QEMU sets no number; here the whole transaction runs under
    /// the machine lock, so its length bounds how long one request keeps every other monitor waiting.
    /// </summary>
    public const int MaxTransactionActions = 1024;

    /// <summary>Refuses a transaction of more than <see cref="MaxTransactionActions"/> actions, before any is looked at.</summary>
    internal static void CheckTransactionActions(int count)
    {
        if (count > MaxTransactionActions)
        {
            throw Qmp.Runtime.QmpException.Generic($"Parameter 'actions' expects at most {MaxTransactionActions} actions");
        }
    }

    /// <summary>
    /// Bytes of an id a client names (<c>chardev-add</c>, <c>device_add</c>, <c>netdev_add</c>,
    /// <c>object-add</c>, <c>blockdev-add</c>): 1024. QEMU sets no length (only node names, 31 bytes,
    /// and snapshot names, cut at 255 bytes, which the emulator copies).
    /// </summary>
    public const int MaxIdBytes = 1024;

    /// <summary>
    /// Bytes of client state one machine keeps after the clients leave: ids, names, device and object
    /// properties, <c>qom-set</c> values, ring buffers (at their full size) and internal snapshots, each
    /// entry counted as its text plus <see cref="RetainedEntryBytes"/>: 64 MiB.
    /// </summary>
    public const long MaxRetainedBytes = 64L << 20;

    /// <summary>What each retained entry counts beyond its text (the objects that hold it).</summary>
    public const int RetainedEntryBytes = 256;

    /// <summary>Descriptors in one fd set (<c>add-fd</c>): 64.</summary>
    public const int MaxFdsPerFdset = 64;

    /// <summary>Descriptors one monitor connection holds through <c>getfd</c> and <c>add-fd</c>: 256.</summary>
    public const int MaxFdsPerSession = 256;

    /// <summary>
    /// Descriptors the whole emulator holds for clients (fd sets and named fds): 1024, and never more
    /// than a quarter of the soft RLIMIT_NOFILE, so sockets, files and the runtime always have room.
    /// </summary>
    public const int MaxFdsPerProcess = 1024;

    /// <summary>
    /// Client connections served at once: the runtime's 1024, and never more than half of the
    /// descriptors RLIMIT_NOFILE leaves free at start. Past it new clients wait in the listen backlog;
    /// at the limit itself .NET cannot always fail gracefully (a thread or a wait handle it cannot get
    /// ends the process with "Out of memory."), so the emulator keeps well clear of it.
    /// </summary>
    public static int EffectiveMaxConnections { get; } = ConnectionsFor(Confinement.Interop.OpenFileLimit(), OpenDescriptors());

    /// <summary>The connection cap for a descriptor limit and the descriptors already open.</summary>
    internal static int ConnectionsFor(long? limit, int open) =>
        limit is { } l ? (int)Math.Clamp((l - open) / 2, 1, 1024) : 1024;

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 64;
        }
    }

    /// <summary>The process-wide cap in effect: <see cref="MaxFdsPerProcess"/> or a quarter of RLIMIT_NOFILE, the smaller.</summary>
    public static int EffectiveMaxFdsPerProcess { get; } =
        (int)Math.Min(MaxFdsPerProcess, Math.Max(8, (Confinement.Interop.OpenFileLimit() ?? 4 * MaxFdsPerProcess) / 4));
}
