using System.Runtime.InteropServices;

namespace Qmp.Runtime.Transports;

/// <summary>
/// The file type of a path without following a final symlink (Linux <c>statx</c>, whose layout is the
/// same on every architecture). .NET reports no "is a socket", and a listener must know before it
/// removes anything at its path.
/// </summary>
internal static partial class UnixPathInfo
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const ushort TypeMask = 0xF000;
    private const ushort SocketType = 0xC000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    public enum Kind { Missing, Socket, Other }

    /// <summary>What <paramref name="path"/> itself (not a link's target) is.</summary>
    public static unsafe Kind Probe(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) || Directory.Exists(path) ? Kind.Other : Kind.Missing;
        }

        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            // ENOENT: nothing there; any other failure: treat as someone else's.
            return Marshal.GetLastPInvokeError() == 2 ? Kind.Missing : Kind.Other;
        }

        var mode = *(ushort*)(buffer + ModeOffset);
        return (mode & TypeMask) == SocketType ? Kind.Socket : Kind.Other;
    }
}
