using Microsoft.Win32.SafeHandles;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.Confinement;

/// <summary>
/// How the 7.2 persona opens the files a QMP client names (<c>blockdev-add</c> of a <c>file</c> node,
/// <c>blockdev-create</c> writing an image into one). A client's file name is untrusted input, whatever the
/// command line was:
/// <list type="bullet">
/// <item>With <c>--data-dir</c> or <c>--image-dir</c>: read as every other image (<see cref="ImageDirectories"/>:
/// the data dir, then each image dir); written in the data dir only (an image dir, or no data dir: EACCES).</item>
/// <item>Without either: the folders that hold the command line's <c>-blockdev</c> files (the operator chose
/// them, as libvirt puts a domain's overlays and copies beside its disk) are the client's only folders, each
/// opened as a data dir: read and written beneath that folder's handle by the same rules. No image on the line:
/// no folder, every name is refused.</item>
/// </list>
/// Either way: never through a symbolic link, never out of the folder (<c>..</c>), only regular files (a FIFO or
/// device reads as refused and never blocks), and a write makes a fresh file renamed over the name, so a planted
/// link or hard link is replaced, never written through. A refusal reads as <c>Permission denied</c>.
/// </summary>
internal sealed class QmpImageFiles
{
    private readonly ImageDirectories _read;
    private readonly Func<string, DataDirectory?> _writeTo;

    private QmpImageFiles(ImageDirectories read, Func<string, DataDirectory?> writeTo)
    {
        _read = read;
        _writeTo = writeTo;
    }

    /// <summary>The rules for this machine: its data dir and image dirs, else its command line's image folders.</summary>
    public static QmpImageFiles For(VirtualMachine vm)
    {
        var launch = vm.Launch;
        var confined = vm.Files is not null || (launch?.ImageDirs.Length ?? 0) > 0 || vm.HasImageDirs;
        if (confined)
        {
            var data = vm.Files;
            return new QmpImageFiles(vm.Images, _ => data);
        }

        var folders = new List<DataDirectory>();
        foreach (var folder in (launch?.BlockNodes ?? []).Select(n => n.Filename).OfType<string>()
            .Select(f => Path.GetDirectoryName(Path.GetFullPath(f))).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            try
            {
                folders.Add(DataDirectory.Open(folder, quota: new WriteQuota(EmulatorLimits.DefaultDataDirQuota)));
            }
            catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
            {
                // A folder that cannot be opened holds nothing a client may name.
            }
        }

        return new QmpImageFiles(new ImageDirectories(null, folders), name =>
            name.StartsWith('/') ? folders.FirstOrDefault(f => f.Holds(name)) : folders.FirstOrDefault());
    }

    /// <summary>A regular file's length, or a <see cref="ConfinementException"/> (ENOENT when there is none).</summary>
    public long Length(string name)
    {
        using var handle = OpenRead(name);
        return RandomAccess.GetLength(handle);
    }

    /// <summary>Up to <paramref name="count"/> bytes from the start of the file.</summary>
    public byte[] Head(string name, int count)
    {
        using var handle = OpenRead(name);
        var bytes = new byte[(int)Math.Min(count, RandomAccess.GetLength(handle))];
        var read = RandomAccess.Read(handle, bytes, 0);
        return bytes[..read];
    }

    private SafeFileHandle OpenRead(string name)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ConfinementException(name.Length == 0 ? ENOENT : EACCES);
        }

        return _read.OpenRead(name);
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole new content of <paramref name="name"/>, then a sparse tail up to <paramref name="length"/>.</summary>
    public void Write(string name, ReadOnlySpan<byte> bytes, long length)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || _writeTo(name) is not { } folder)
        {
            throw new ConfinementException(EACCES);
        }

        using var file = folder.Create(name);
        file.Write(bytes);
        if (length > bytes.Length)
        {
            file.SetLength(length);
        }

        file.Commit();
    }
}
