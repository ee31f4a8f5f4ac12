using Microsoft.Win32.SafeHandles;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.Confinement;

/// <summary>
/// Where existing images are read from: <c>--data-dir</c>, then each <c>--image-dir</c> in the order
/// given, every one through its own <see cref="DataDirectory"/> handle with the same rules (beneath
/// the handle, no links, regular files only, O_NONBLOCK). Only reads come here; writes, created
/// targets and sockets go to the data dir alone, and an image dir refuses them itself.
/// </summary>
/// <remarks>
/// A relative name is looked up like a search path (PATH, QEMU's <c>-L</c> firmware directories):
/// the first directory that has an entry by that name decides, and only "nothing by that name"
/// (ENOENT, ENOTDIR) moves on to the next. The data dir comes first so that adding an image dir never
/// changes what a name already meant (images the machine wrote, scripts written before), and a
/// refusal (a link, a FIFO, a directory) is final rather than skipped, so which file a name opens does
/// not depend on what kind of entry shadows it. A prefix syntax was not chosen: QMP clients and QEMU
/// scripts pass plain file names, and QEMU itself knows no such syntax. An absolute name is taken by
/// the first directory it lies under (lexically, as named or where the directory's link leads) and
/// resolved beneath that directory's handle; under none, it is refused like a link.
/// </remarks>
internal sealed class ImageDirectories : IDisposable
{
    private readonly DataDirectory[] _directories;

    public ImageDirectories(DataDirectory? dataDir, IEnumerable<DataDirectory> imageDirs)
    {
        _directories = [.. (dataDir is null ? [] : new[] { dataDir }).Concat(imageDirs)];
    }

    /// <summary>Opens an existing image for reading, by the rules above; a refusal is a <see cref="ConfinementException"/>.</summary>
    public SafeFileHandle OpenRead(string name)
    {
        if (name.StartsWith('/'))
        {
            return (_directories.FirstOrDefault(d => d.Holds(name)) ?? throw new ConfinementException(EACCES)).OpenRead(name);
        }

        ConfinementException? missing = null;
        foreach (var directory in _directories)
        {
            try
            {
                return directory.OpenRead(name);
            }
            catch (ConfinementException e) when (e.Errno is ENOENT or ENOTDIR)
            {
                missing ??= e;
            }
        }

        throw missing ?? new ConfinementException(EACCES);
    }

    /// <summary>Closes the image dirs' handles (the data dir's belongs to the machine).</summary>
    public void Dispose()
    {
        foreach (var directory in _directories.Where(d => d.ReadOnly))
        {
            directory.Dispose();
        }
    }
}
