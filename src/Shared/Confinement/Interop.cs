using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Qmp.Emulator.Confinement;

/// <summary>
/// The Linux calls the data directory needs and .NET has no API for: opening relative to a directory
/// handle without following links (openat, openat2), statx without following, renameat, unlinkat,
/// statvfs, the descriptor limit, and non-blocking writes to descriptors clients pass; and what the
/// program needs to be QEMU's: the pidfile's lock (fcntl), and a daemon's session, umask and standard
/// descriptors (setsid, umask, dup2). All of the emulator's P/Invoke lives here.
/// </summary>
internal static partial class Interop
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EMFILE = 24;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EADDRINUSE = 98;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;

    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFSOCK = 0xC000;

    private const int F_GETFL = 3;
    private const int F_SETFL = 4;

    private const long SYS_openat2 = 437;
    private const int RLIMIT_NOFILE = 7;
    private const uint STATX_BASIC_STATS = 0x7ff;

    public static bool IsSupported => OperatingSystem.IsLinux();

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>What statx tells about an entry: its type, identity and size.</summary>
    public readonly record struct Status(int Mode, ulong Device, ulong Inode, long Size, uint Links)
    {
        public int Type => Mode & S_IFMT;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAtCore(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall(long number, long dirfd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxCore(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAtCore(int olddirfd, string oldpath, int newdirfd, string newpath);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAtCore(int dirfd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketCore(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindCore(int fd, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseCore(int fd);

    /// <summary>
    /// A unix stream socket bound to <paramref name="path"/>, made with socket(2) and bind(2) directly: a
    /// <see cref="System.Net.Sockets.Socket"/> bound by .NET deletes its path by name when disposed, whatever
    /// is there by then; one wrapped from a handle does not. A descriptor, or -errno.
    /// </summary>
    public static unsafe int BindUnixSocket(string path)
    {
        const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SunPathLength = 108;
        var utf8 = System.Text.Encoding.UTF8.GetBytes(path);
        if (utf8.Length >= SunPathLength)
        {
            return -ENAMETOOLONG;
        }

        var fd = SocketCore(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        var address = stackalloc byte[2 + SunPathLength];
        new Span<byte>(address, 2 + SunPathLength).Clear();
        *(ushort*)address = AF_UNIX;
        utf8.CopyTo(new Span<byte>(address + 2, SunPathLength));
        if (BindCore(fd, address, (uint)(2 + utf8.Length + 1)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = CloseCore(fd);
            return -errno;
        }

        return fd;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static unsafe partial int FcntlLock(int fd, int command, Flock* flock);

    /// <summary>
    /// A write lock on the whole file, not waited for (fcntl F_SETLK with F_WRLCK, as QEMU locks its
    /// pidfile, so QEMU and the emulator see each other's); 0, or -errno (EAGAIN or EACCES: held elsewhere).
    /// </summary>
    public static unsafe int LockWholeFile(SafeFileHandle file)
    {
        const int F_SETLK = 6;
        const short F_WRLCK = 1;
        var flock = new Flock { Type = F_WRLCK, Whence = 0, Start = 0, Length = 0 };
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            return FcntlLock((int)file.DangerousGetHandle(), F_SETLK, &flock) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            file.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "fstatvfs", SetLastError = true)]
    private static unsafe partial int FstatvfsCore(int fd, byte* buffer);

    /// <summary>
    /// fstatvfs(3) of the filesystem holding <paramref name="file"/>: bytes an unprivileged user may still
    /// write (f_bavail, so root's reserve is left to others) and the filesystem's size; null when unknown.
    /// </summary>
    public static unsafe (long Available, long Size)? FreeSpace(SafeFileHandle file)
    {
        // struct statvfs on 64-bit Linux: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ... (8 bytes each).
        var buffer = stackalloc byte[256];
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            if (FstatvfsCore((int)file.DangerousGetHandle(), buffer) != 0)
            {
                return null;
            }
        }
        finally
        {
            file.DangerousRelease();
        }

        ulong fragment = *(ulong*)(buffer + 8), blocks = *(ulong*)(buffer + 16), available = *(ulong*)(buffer + 32);
        return ((long)Math.Min(available * fragment, long.MaxValue), (long)Math.Min(blocks * fragment, long.MaxValue));
    }

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SetSidCore();

    /// <summary>setsid(2): a new session (and process group) led by this process; its id, or -errno.</summary>
    public static int NewSession()
    {
        var sid = SetSidCore();
        return sid >= 0 ? sid : -Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2Core(int from, int to);

    /// <summary>dup2(2): makes descriptor <paramref name="to"/> another name for <paramref name="from"/>'s file; 0, or -errno.</summary>
    public static int DuplicateOnto(SafeFileHandle from, int to) => WithFd(from, fd => Dup2Core(fd, to) < 0 ? -1 : 0);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint UmaskCore(uint mask);

    /// <summary>umask(2): the process's file creation mask (the old one is returned).</summary>
    public static uint SetUmask(uint mask) => UmaskCore(mask);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlCore(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteCore(int fd, byte* buffer, nuint count);

    /// <summary>Sets O_NONBLOCK on <paramref name="handle"/> (its open file description, shared with the client); 0 or -errno.</summary>
    public static int SetNonBlocking(SafeFileHandle handle) => WithFd(handle, fd =>
    {
        var flags = FcntlCore(fd, F_GETFL, 0);
        return flags < 0 ? flags : FcntlCore(fd, F_SETFL, flags | O_NONBLOCK);
    });

    /// <summary>One write(2): the bytes written, or -errno (-EAGAIN when a non-blocking pipe or socket is full).</summary>
    public static unsafe int Write(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = bytes)
            {
                var n = WriteCore((int)handle.DangerousGetHandle(), p, (nuint)bytes.Length);
                return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    /// <summary>openat(2); a descriptor, or -errno.</summary>
    public static int OpenAt(SafeFileHandle dir, string path, int flags, int mode = 0)
    {
        var added = false;
        dir.DangerousAddRef(ref added);
        try
        {
            while (true)
            {
                var fd = OpenAtCore((int)dir.DangerousGetHandle(), path, flags | O_CLOEXEC, mode);
                if (fd >= 0)
                {
                    return fd;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    return -errno;
                }
            }
        }
        finally
        {
            dir.DangerousRelease();
        }
    }

    /// <summary>openat2(2) with a resolve mask; a descriptor, or -errno (-ENOSYS where the kernel lacks it).</summary>
    public static unsafe int OpenAt2(SafeFileHandle dir, string path, int flags, int mode, ulong resolve)
    {
        var utf8 = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, utf8);
        var how = new OpenHow { Flags = (ulong)(uint)(flags | O_CLOEXEC), Mode = (ulong)mode, Resolve = resolve };
        var added = false;
        dir.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = utf8)
            {
                while (true)
                {
                    var fd = Syscall(SYS_openat2, (long)dir.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
                    if (fd >= 0)
                    {
                        return (int)fd;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != EINTR)
                    {
                        return -errno;
                    }
                }
            }
        }
        finally
        {
            dir.DangerousRelease();
        }
    }

    /// <summary>statx of <paramref name="path"/> under <paramref name="dir"/> (the handle itself for ""), never following a link.</summary>
    public static unsafe int Stat(SafeFileHandle dir, string path, out Status status)
    {
        var buffer = stackalloc byte[256];
        var added = false;
        dir.DangerousAddRef(ref added);
        try
        {
            var flags = AT_SYMLINK_NOFOLLOW | (path.Length == 0 ? AT_EMPTY_PATH : 0);
            if (StatxCore((int)dir.DangerousGetHandle(), path, flags, STATX_BASIC_STATS, buffer) != 0)
            {
                status = default;
                return -Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            dir.DangerousRelease();
        }

        // struct statx: nlink at 16, mode at 28, ino at 32, size at 40, dev_major/minor at 136/140.
        var links = *(uint*)(buffer + 16);
        int mode = *(ushort*)(buffer + 28);
        var inode = *(ulong*)(buffer + 32);
        var size = *(long*)(buffer + 40);
        var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        status = new Status(mode, device, inode, size, links);
        return 0;
    }

    public static int RenameAt(SafeFileHandle dir, string from, string to) => WithFd(dir, fd => RenameAtCore(fd, from, fd, to));

    public static int UnlinkAt(SafeFileHandle dir, string name) => WithFd(dir, fd => UnlinkAtCore(fd, name, 0));

    private static int WithFd(SafeFileHandle handle, Func<int, int> call)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return call((int)handle.DangerousGetHandle()) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>The soft RLIMIT_NOFILE, or null where it cannot be read or is unlimited.</summary>
    public static long? OpenFileLimit() =>
        IsSupported && GetRLimit(RLIMIT_NOFILE, out var limit) == 0 && limit.Current < long.MaxValue ? (long)limit.Current : null;

    /// <summary>The C library's words for an errno (strerror): never a path.</summary>
    public static string Describe(int errno) => errno switch
    {
        ENOENT => "No such file or directory",
        EACCES => "Permission denied",
        EEXIST => "File exists",
        ENOTDIR => "Not a directory",
        EISDIR => "Is a directory",
        EMFILE => "Too many open files",
        ENAMETOOLONG => "File name too long",
        EFBIG => "File too large",
        ENOSPC => "No space left on device",
        EADDRINUSE => "Address already in use",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };
}
