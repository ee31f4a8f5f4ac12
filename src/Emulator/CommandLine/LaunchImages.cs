using Microsoft.Win32.SafeHandles;
using Qmp.Emulator.Confinement;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.CommandLine;

/// <summary>
/// How the image files a launcher names in <c>-blockdev</c> are opened to learn their sizes (only
/// read: the file's length and its first 32 bytes). The rule:
/// <list type="bullet">
/// <item>With <c>--data-dir</c> or <c>--image-dir</c> among the arguments, an image is opened as
/// every other image the emulator reads (<see cref="ImageDirectories"/>): an absolute name only when
/// it lies under one of those folders, resolved beneath that folder's handle, never through a link;
/// a relative name looked for in the data dir, then each image dir. Anything else reads as
/// <c>Permission denied</c>, so the line tells nothing about files outside.</item>
/// <item>Without either, the command line is the operator's, as QEMU's is: a name (absolute, or
/// relative to the working directory) is opened as QEMU opens it, links followed. That is what a
/// launcher such as libvirt expects of its QEMU with its own image paths.</item>
/// </list>
/// Either way only a regular file is read, opened with O_NONBLOCK|O_NOCTTY (a FIFO never blocks,
/// a terminal never becomes the controlling one), so <c>/dev/...</c>, FIFOs and sockets are refused
/// in QEMU's words for the <c>file</c> driver (<c>'file' driver requires 'X' to be a regular file</c>).
/// </summary>
internal sealed class LaunchImages : IDisposable
{
    private const int AtFdCwd = -100;
    private const int HeaderBytes = 32;
    private readonly DataDirectory? _dataDir;
    private readonly List<DataDirectory> _imageDirs;
    private readonly ImageDirectories? _confined;

    private LaunchImages(DataDirectory? dataDir, List<DataDirectory> imageDirs)
    {
        _dataDir = dataDir;
        _imageDirs = imageDirs;
        _confined = dataDir is null && imageDirs.Count == 0 ? null : new ImageDirectories(dataDir, imageDirs);
    }

    /// <summary>Whether images are confined to <c>--data-dir</c>/<c>--image-dir</c>.</summary>
    public bool Confined => _confined is not null;

    /// <summary>Opens the folders (handles held for the parse only); a folder that cannot be opened refuses the line.</summary>
    public static LaunchImages Open(string? dataDir, IReadOnlyList<string> imageDirs)
    {
        var opened = new List<DataDirectory>();
        DataDirectory? data = null;
        try
        {
            data = dataDir is null ? null : DataDirectory.Open(dataDir);
            foreach (var dir in imageDirs)
            {
                opened.Add(DataDirectory.Open(dir, readOnly: true));
            }

            return new LaunchImages(data, opened);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            data?.Dispose();
            opened.ForEach(d => d.Dispose());
            throw new QemuOptionException(e.Message);
        }
    }

    /// <summary>The file's length and first bytes; QEMU's <c>Could not open 'NAME': REASON</c> when it cannot be read.</summary>
    public (long Length, byte[] Header) Read(string filename, string driver)
    {
        SafeFileHandle handle;
        try
        {
            handle = _confined is not null ? _confined.OpenRead(filename) : OpenUnconfined(filename, driver);
        }
        catch (ConfinementException e)
        {
            throw new QemuOptionException($"Could not open '{filename}': {e.Reason}");
        }

        using (handle)
        {
            try
            {
                var length = RandomAccess.GetLength(handle);
                var header = new byte[(int)Math.Min(HeaderBytes, length)];
                var read = RandomAccess.Read(handle, header, 0);
                return (length, header[..read]);
            }
            catch (IOException e)
            {
                throw new QemuOptionException($"Could not open '{filename}': {e.Message}");
            }
        }
    }

    /// <summary>
    /// A <c>-chardev file</c>'s <c>path=</c> as QEMU 7.2's qmp_chardev_open_file opens it: created, emptied or
    /// (<c>append=on</c>) kept. Confined: inside the data dir alone, by its rules (an image dir is only read); otherwise
    /// the operator's name as QEMU opens it, never blocking on a FIFO. No descriptor is kept: the emulator runs no guest
    /// to write to it. QEMU's <c>Could not open 'NAME': REASON</c> else.
    /// </summary>
    public void OpenChardevFile(string output, bool append)
    {
        Open(output, () =>
        {
            if (_confined is null)
            {
                Unconfined(output, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
            }
            else
            {
                (_dataDir ?? throw new ConfinementException(EACCES)).CreateOrKeep(output, truncate: !append);
            }
        });

        static void Open(string name, Action open)
        {
            try
            {
                if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
                {
                    throw new ConfinementException(name.Length == 0 ? ENOENT : EACCES);
                }

                open();
            }
            catch (ConfinementException e)
            {
                throw new QemuOptionException($"Could not open '{name}': {e.Reason}");
            }
        }

        static void Unconfined(string name, int flags)
        {
            var fd = OpenAt(new SafeFileHandle(AtFdCwd, ownsHandle: false), name, flags, 0b110_110_110);
            if (fd < 0)
            {
                throw new ConfinementException(-fd);
            }

            new SafeFileHandle(fd, ownsHandle: true).Dispose();
        }
    }

    /// <summary>QEMU's open, links followed, but never blocking and never anything but a regular file.</summary>
    private static SafeFileHandle OpenUnconfined(string filename, string driver)
    {
        if (!IsSupported)
        {
            throw new QemuOptionException($"Could not open '{filename}': images need Linux (openat, statx)");
        }

        if (filename.Length == 0 || filename.Contains('\0', StringComparison.Ordinal))
        {
            throw new ConfinementException(filename.Length == 0 ? ENOENT : EACCES);
        }

        var fd = OpenAt(new SafeFileHandle(AtFdCwd, ownsHandle: false), filename, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
        {
            throw new ConfinementException(-fd);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var result = Interop.Stat(handle, "", out var status);
        if (result != 0 || status.Type != S_IFREG)
        {
            handle.Dispose();
            throw result != 0 ? new ConfinementException(-result) : new QemuOptionException($"'{driver}' driver requires '{filename}' to be a regular file");
        }

        return handle;
    }

    public void Dispose()
    {
        _confined?.Dispose();
        _dataDir?.Dispose();
    }
}
