using System.Globalization;
using Microsoft.Win32.SafeHandles;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.Confinement;

/// <summary>
/// <c>-pidfile FILE</c> as QEMU's <c>qemu_write_pidfile</c> makes it: created owner-only (O_CREAT, 0600),
/// locked (fcntl F_SETLK on the whole file, so a second emulator or QEMU given the same file fails),
/// checked to be still the file by that name, then truncated and written (<c>PID\n</c>), and kept open.
/// Unlike QEMU it never follows a link at the name (O_NOFOLLOW), never blocks on a FIFO (O_NONBLOCK) and
/// refuses anything but a regular file with one name, so a local user who can write the folder cannot
/// make root write into another file. At exit the name is removed only while it is still this file
/// (device and inode compared through the handle), and nothing is ever read from it.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private const int AtFdCwd = -100;
    private readonly SafeFileHandle _folder;
    private readonly string _name;
    private readonly SafeFileHandle _file;

    private PidFile(SafeFileHandle folder, string name, SafeFileHandle file)
    {
        _folder = folder;
        _name = name;
        _file = file;
    }

    /// <summary>Creates, locks and writes the pidfile; a failure is an <see cref="IOException"/> in QEMU's words (<c>cannot create PID file: ...</c>).</summary>
    public static PidFile Create(string path)
    {
        if (!IsSupported)
        {
            throw Failure($"Could not create '{path}': -pidfile needs Linux (openat, fcntl)");
        }

        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        if (name.Length == 0)
        {
            throw Failure($"Could not create '{path}': {Describe(EISDIR)}");
        }

        // The folder as the operator named it (links followed: the operator chose it), held so that exit
        // looks at the same folder whatever is renamed meanwhile.
        var folderFd = OpenAt(new SafeFileHandle(AtFdCwd, ownsHandle: false), Path.GetDirectoryName(full)!, O_PATH | O_DIRECTORY);
        if (folderFd < 0)
        {
            throw Failure($"Could not create '{path}': {Describe(-folderFd)}");
        }

        var folder = new SafeFileHandle(folderFd, ownsHandle: true);
        try
        {
            var file = OpenLocked(folder, name, path);
            try
            {
                var text = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                try
                {
                    RandomAccess.SetLength(file, 0);
                }
                catch (IOException e)
                {
                    _ = UnlinkAt(folder, name);
                    throw Failure($"Failed to truncate pid file: {(e.HResult is > 0 and < 4096 ? Describe(e.HResult) : "Input/output error")}");
                }

                try
                {
                    RandomAccess.Write(file, text, 0);
                }
                catch (IOException)
                {
                    _ = UnlinkAt(folder, name);
                    throw Failure("Failed to write pid file");
                }

                return new PidFile(folder, name, file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>QEMU's loop: open, lock, and make sure the name still leads to the locked file (another process may be racing).</summary>
    private static SafeFileHandle OpenLocked(SafeFileHandle folder, string name, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var fd = OpenAt(folder, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0b110_000_000);
            if (fd < 0)
            {
                throw Failure($"Could not create '{path}': {Describe(-fd)}");
            }

            var file = new SafeFileHandle(fd, ownsHandle: true);
            try
            {
                var result = Interop.Stat(file, "", out var opened);
                if (result != 0)
                {
                    throw Failure($"Cannot stat file: {Describe(-result)}");
                }

                // A FIFO with a reader, a device or a file with another name (a planted hard link) is not written.
                if (opened.Type != S_IFREG || opened.Links != 1)
                {
                    throw Failure($"Could not create '{path}': {Describe(EACCES)}");
                }

                result = LockWholeFile(file);
                if (result != 0)
                {
                    throw Failure($"Cannot lock pid file: {Describe(-result)}");
                }

                if (Interop.Stat(folder, name, out var named) == 0 && named.Inode == opened.Inode && named.Device == opened.Device)
                {
                    return file;
                }

                if (attempt == 16)
                {
                    throw Failure($"Could not create '{path}': {Describe(EEXIST)}");
                }
            }
            catch
            {
                file.Dispose();
                throw;
            }

            file.Dispose();
        }
    }

    private static IOException Failure(string message) => new("cannot create PID file: " + message);

    /// <summary>Removes the name only while it is still this file (never a link, nor a file put there since), then lets go of the lock.</summary>
    public void Dispose()
    {
        if (Interop.Stat(_file, "", out var mine) == 0 && Interop.Stat(_folder, _name, out var named) == 0
            && named.Inode == mine.Inode && named.Device == mine.Device)
        {
            _ = UnlinkAt(_folder, _name);
        }

        _file.Dispose();
        _folder.Dispose();
    }
}
