using Microsoft.Win32.SafeHandles;
using static Qmp.Emulator.Confinement.Interop;

namespace Qmp.Emulator.Confinement;

/// <summary>A file operation refused or failed inside the data directory; <see cref="Reason"/> is strerror's words, never a path.</summary>
internal sealed class ConfinementException(int errno) : IOException(Interop.Describe(errno))
{
    public int Errno { get; } = errno;

    public string Reason => Describe(Errno);
}

/// <summary>
/// The one way the emulator touches files: everything is opened relative to a handle of
/// <c>--data-dir</c> taken at start, name by name, never through a symbolic link (<c>openat2</c> with
/// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS where the kernel has it, else <c>openat</c> with O_NOFOLLOW
/// per component, <c>..</c> walked back on the handles already open and never above the root).
/// Files are read only when regular and opened with O_NONBLOCK (a FIFO cannot block); files are
/// written by creating a fresh one (O_CREAT|O_EXCL under a temporary name) and renaming it into
/// place, so a planted hard link or symlink is replaced, never written through. A link, a name
/// outside and a name that leads out are all refused the same way (EACCES), so nothing answers
/// whether a path outside exists.
/// </summary>
internal sealed class DataDirectory : IDisposable
{
    private readonly SafeFileHandle _root;
    private readonly string[] _prefixes;
    private readonly WriteQuota? _quota;

    private DataDirectory(SafeFileHandle root, string path, string realPath, bool readOnly, WriteQuota? quota)
    {
        _root = root;
        Path = path;
        ReadOnly = readOnly;
        _quota = quota;
        _prefixes = path == realPath ? [path] : [path, realPath];
    }

    /// <summary>An <c>--image-dir</c>: images are read from it, nothing is ever created in it (EACCES).</summary>
    public bool ReadOnly { get; }

    /// <summary>The data directory as the operator named it (never put in a QMP reply).</summary>
    public string Path { get; }

    /// <summary>Whether openat2 is used; false forces the per-component walk (tests cover both).</summary>
    internal static bool UseOpenat2 { get; set; } = true;

    /// <summary>
    /// Opens the operator's directory (following links: the operator chose it); <paramref name="readOnly"/> for an
    /// <c>--image-dir</c>. A data dir's stale temporaries (ours, left by an emulator that died) are removed.
    /// </summary>
    public static DataDirectory Open(string path, bool readOnly = false, WriteQuota? quota = null)
    {
        var what = readOnly ? "image directory" : "data directory";
        var full = System.IO.Path.GetFullPath(path);
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException(readOnly ? "--image-dir needs Linux (openat, statx)" : "--data-dir needs Linux (openat, statx)");
        }

        var fd = OpenAt(new SafeFileHandle(-100, ownsHandle: false), full, O_RDONLY | O_DIRECTORY); // AT_FDCWD; the path is absolute
        if (fd < 0)
        {
            throw new DirectoryNotFoundException($"{what} '{path}' cannot be opened: {Describe(-fd)}");
        }

        var real = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        var root = new SafeFileHandle(fd, ownsHandle: true);
        if (!readOnly)
        {
            RemoveStaleTemporaries(root);
        }

        return new DataDirectory(root, full, System.IO.Path.TrimEndingDirectorySeparator(real), readOnly, quota);
    }

    /// <summary>Whether a name is one of our temporaries (<c>.qmp-</c>, 16 hex digits, <c>.tmp</c>).</summary>
    internal static bool IsTemporaryName(string name) =>
        name.Length == 25 && name.StartsWith(".qmp-", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal)
        && !name.AsSpan(5, 16).ContainsAnyExcept(s_lowerHex);

    private static readonly System.Buffers.SearchValues<char> s_lowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Removes the temporaries a killed emulator left directly in the data dir: regular files by our naming
    /// pattern that no running emulator holds (each is locked while it is written), looked at and removed
    /// through the directory's handle, never following a link. Anything else is left alone.
    /// </summary>
    private static void RemoveStaleTemporaries(SafeFileHandle root)
    {
        IEnumerable<string> names;
        try
        {
            // The handle's own directory, whatever its path leads to by now.
            names = Directory.EnumerateFileSystemEntries($"/proc/self/fd/{root.DangerousGetHandle()}").Select(e => System.IO.Path.GetFileName(e)).Where(IsTemporaryName).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var name in names)
        {
            if (Interop.Stat(root, name, out var named) != 0 || named.Type != S_IFREG)
            {
                continue;
            }

            var fd = OpenAt(root, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
            if (fd < 0)
            {
                continue;
            }

            using var file = new SafeFileHandle(fd, ownsHandle: true);
            if (Interop.Stat(file, "", out var opened) == 0 && opened.Type == S_IFREG && opened.Inode == named.Inode && opened.Device == named.Device
                && LockWholeFile(file) == 0)
            {
                _ = UnlinkAt(root, name);
            }
        }
    }

    /// <summary>Whether an absolute name lies (lexically) under this directory, as it was named or where its link leads.</summary>
    public bool Holds(string name) =>
        name.StartsWith('/') && _prefixes.Any(prefix => name.StartsWith(prefix + "/", StringComparison.Ordinal));

    public void Dispose() => _root.Dispose();

    /// <summary>
    /// A client's name as a path below the root: relative names as they are; an absolute name only
    /// when it lies (lexically) under the data dir; anything else is refused like a link.
    /// </summary>
    private string Relative(string name)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ConfinementException(name.Length == 0 ? ENOENT : EACCES);
        }

        if (!name.StartsWith('/'))
        {
            return name;
        }

        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return name[(prefix.Length + 1)..];
            }
        }

        throw new ConfinementException(EACCES);
    }

    /// <summary>Opens <paramref name="relative"/> under the root with <paramref name="flags"/>, never through a link nor out.</summary>
    private SafeFileHandle OpenBeneath(string relative, int flags, int mode = 0)
    {
        if (UseOpenat2)
        {
            // RESOLVE_NO_SYMLINKS refuses a link anywhere, the last name included (ELOOP).
            var fd = OpenAt2(_root, relative, flags, mode, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            if (fd != -ENOSYS)
            {
                return Handle(fd);
            }

            UseOpenat2 = false;
        }

        using var parent = Walk(relative, out var leaf);
        return (flags & O_DIRECTORY) != 0 ? OpenDirectory(parent.Top, leaf) : Handle(OpenAt(parent.Top, leaf, flags | O_NOFOLLOW, mode));
    }

    /// <summary>
    /// A directory by one name, never a link: opened as O_PATH|O_NOFOLLOW (the entry itself, whatever it is)
    /// and then looked at through that descriptor, so a swap between the look and the open cannot fool it.
    /// An O_PATH handle serves as the directory of later *at calls.
    /// </summary>
    private static SafeFileHandle OpenDirectory(SafeFileHandle dir, string name)
    {
        var handle = Handle(OpenAt(dir, name, O_PATH | O_NOFOLLOW));
        var result = Interop.Stat(handle, "", out var status);
        if (result != 0 || status.Type != S_IFDIR)
        {
            handle.Dispose();
            throw new ConfinementException(result != 0 ? -result : status.Type == S_IFLNK ? EACCES : ENOTDIR);
        }

        return handle;
    }

    private static SafeFileHandle Handle(int fd) =>
        fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
        : throw new ConfinementException(-fd is ELOOP or EXDEV ? EACCES : -fd);

    /// <summary>The directory holding the last component, walked one name at a time; <paramref name="leaf"/> is that name.</summary>
    private DirectoryStack Walk(string relative, out string leaf)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        // A trailing ".." or a name ending in "/" names a directory: open it as the leaf.
        leaf = parts.Count == 0 ? "." : parts[^1];
        var stack = new DirectoryStack(_root);
        try
        {
            for (var i = 0; i < parts.Count - 1; i++)
            {
                stack.Enter(parts[i]);
            }

            if (leaf == "..")
            {
                stack.Enter("..");
                leaf = ".";
            }

            return stack;
        }
        catch
        {
            stack.Dispose();
            throw;
        }
    }

    /// <summary>The directory handles of a walk; <c>..</c> pops one, and popping the root is refused.</summary>
    private sealed class DirectoryStack(SafeFileHandle root) : IDisposable
    {
        private readonly Stack<SafeFileHandle> _opened = new();

        public SafeFileHandle Top => _opened.Count > 0 ? _opened.Peek() : root;

        public void Enter(string name)
        {
            if (name == "..")
            {
                if (_opened.Count == 0)
                {
                    throw new ConfinementException(EACCES);
                }

                _opened.Pop().Dispose();
                return;
            }

            _opened.Push(OpenDirectory(Top, name));
        }

        public void Dispose()
        {
            while (_opened.Count > 0)
            {
                _opened.Pop().Dispose();
            }
        }
    }

    /// <summary>What the entry is, without following a link; null when there is nothing by that name.</summary>
    public Status? Stat(string name)
    {
        var relative = Relative(name);
        SafeFileHandle parent;
        string leaf;
        try
        {
            parent = OpenParent(relative, out leaf);
        }
        catch (ConfinementException e) when (e.Errno is ENOENT or ENOTDIR)
        {
            return null;
        }

        using (parent)
        {
            var result = Interop.Stat(parent, leaf, out var status);
            return result == 0 ? status : result is -ENOENT or -ENOTDIR ? null : throw new ConfinementException(-result);
        }
    }

    /// <summary>Whether a regular file by that name is there (links and anything outside: no).</summary>
    public bool FileExists(string name)
    {
        try
        {
            return Stat(name) is { Type: S_IFREG };
        }
        catch (ConfinementException)
        {
            return false;
        }
    }

    /// <summary>The directory that will hold <paramref name="relative"/>'s last component (a handle the caller disposes).</summary>
    private SafeFileHandle OpenParent(string relative, out string leaf)
    {
        var trimmed = relative.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        leaf = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        var dir = slash < 0 ? "." : trimmed[..slash];
        if (leaf is "" or "." or "..")
        {
            throw new ConfinementException(leaf == "" ? ENOENT : EISDIR);
        }

        return OpenBeneath(dir.Length == 0 ? "." : dir, O_RDONLY | O_DIRECTORY);
    }

    /// <summary>Opens a regular file for reading, without blocking on a FIFO or device; anything else is refused.</summary>
    public SafeFileHandle OpenRead(string name)
    {
        var handle = OpenBeneath(Relative(name), O_RDONLY | O_NONBLOCK | O_NOCTTY);
        var result = Interop.Stat(handle, "", out var status);
        if (result != 0 || status.Type != S_IFREG)
        {
            handle.Dispose();
            throw new ConfinementException(result != 0 ? -result : status.Type == S_IFDIR ? EISDIR : EACCES);
        }

        return handle;
    }

    /// <summary>
    /// Starts writing a new file by that name: a fresh temporary file beside it, renamed over the name
    /// by <see cref="NewFile.Commit"/>. An existing directory is refused (EISDIR), an existing link is
    /// refused (EACCES) and an existing file is replaced, never written through.
    /// </summary>
    public NewFile Create(string name)
    {
        RefuseWriteIfReadOnly();
        var parent = OpenParent(Relative(name), out var leaf);
        try
        {
            var result = Interop.Stat(parent, leaf, out var existing);
            if (result == 0 && existing.Type != S_IFREG)
            {
                throw new ConfinementException(existing.Type == S_IFDIR ? EISDIR : EACCES);
            }

            if (result != 0 && result != -ENOENT)
            {
                throw new ConfinementException(-result);
            }

            _quota?.Reserve(parent, WriteQuota.MinimumFileBytes);
            try
            {
                // O_EXCL makes a guessed or planted name harmless (EEXIST): another name is tried.
                for (var attempt = 0; ; attempt++)
                {
                    var temporary = ".qmp-" + Random.Shared.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
                    var fd = OpenAt(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0b110_100_100);
                    if (fd != -EEXIST || attempt == 16)
                    {
                        var handle = Handle(fd);

                        // Locked while written: a later emulator's start-up cleaning leaves it alone.
                        _ = LockWholeFile(handle);
                        return new NewFile(parent, temporary, leaf, handle, _quota);
                    }
                }
            }
            catch
            {
                _quota?.Release(WriteQuota.MinimumFileBytes);
                throw;
            }
        }
        catch
        {
            parent.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes sure a regular file by that name is there, as open(O_CREAT) would: a missing one is created empty; one
    /// already there is replaced by an empty one when <paramref name="truncate"/> (O_TRUNC, never written through),
    /// else kept as it is (O_APPEND with nothing appended). A link, directory, FIFO or device by that name is refused
    /// as <see cref="Create"/> refuses it.
    /// </summary>
    public void CreateOrKeep(string name, bool truncate)
    {
        RefuseWriteIfReadOnly();
        if (!truncate && Stat(name) is { } existing)
        {
            if (existing.Type != S_IFREG)
            {
                throw new ConfinementException(existing.Type == S_IFDIR ? EISDIR : EACCES);
            }

            return;
        }

        using var file = Create(name);
        file.Commit();
    }

    /// <summary>Nothing is created in an image directory, whatever a caller asks (the search for images is the only user of one).</summary>
    private void RefuseWriteIfReadOnly()
    {
        if (ReadOnly)
        {
            throw new ConfinementException(EACCES);
        }
    }

    /// <summary>
    /// A file being written under a temporary name; renamed into place on commit, removed otherwise. Its
    /// bytes are counted against the quota as they are written (<see cref="WriteQuota"/>); a sparse length
    /// set by <see cref="SetLength"/> takes no space and is not counted.
    /// </summary>
    internal sealed class NewFile : IDisposable
    {
        private readonly SafeFileHandle _parent;
        private readonly string _temporary;
        private readonly string _name;
        private readonly WriteQuota? _quota;
        private long _counted;
        private bool _done;

        public NewFile(SafeFileHandle parent, string temporary, string name, SafeFileHandle handle, WriteQuota? quota = null)
        {
            _parent = parent;
            _temporary = temporary;
            _name = name;
            _quota = quota;
            _counted = quota is null ? 0 : WriteQuota.MinimumFileBytes;
            Handle = handle;
        }

        public SafeFileHandle Handle { get; }

        public long Length { get; private set; }

        /// <summary>Appends <paramref name="bytes"/>; past the quota or the free-space floor, an IOException with ENOSPC and nothing written.</summary>
        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (_quota is not null && Length + bytes.Length > _counted)
            {
                var more = Length + bytes.Length - _counted;
                try
                {
                    _quota.Reserve(Handle, more);
                }
                catch (ConfinementException e)
                {
                    // A write that fails, as the disk being full does (not an open that fails).
                    throw new IOException(e.Message, e.Errno);
                }

                _counted += more;
            }

            RandomAccess.Write(Handle, bytes, Length);
            Length += bytes.Length;
        }

        /// <summary>Makes the file exactly <paramref name="length"/> bytes (a sparse tail reads as zeros).</summary>
        public void SetLength(long length)
        {
            try
            {
                RandomAccess.SetLength(Handle, length);
            }
            catch (ArgumentOutOfRangeException)
            {
                // .NET's answer to ftruncate's EFBIG (past what the filesystem holds in one file): the errno's words.
                throw new ConfinementException(Interop.EFBIG);
            }

            Length = length;
        }

        public void Commit()
        {
            var statted = Interop.Stat(Handle, "", out var written);
            Status? replaced = Interop.Stat(_parent, _name, out var existing) == 0 ? existing : null;

            // Renamed while still open, so still locked: no other emulator's start-up takes it for stale.
            var result = RenameAt(_parent, _temporary, _name);
            if (result != 0)
            {
                throw new ConfinementException(-result);
            }

            _done = true;
            Handle.Dispose();
            if (_quota is not null && statted == 0)
            {
                _quota.Named(written, _counted, replaced);
            }
        }

        public void Dispose()
        {
            Handle.Dispose();
            if (!_done)
            {
                _ = UnlinkAt(_parent, _temporary);
                _quota?.Release(_counted);
                _done = true;
            }

            _parent.Dispose();
        }
    }

    /// <summary>
    /// Binds a listening unix socket at <paramref name="name"/> inside the data dir, through the
    /// parent directory's handle (bind on <c>/proc/self/fd/N/leaf</c>, so no link on the way is
    /// followed, and an existing entry of any kind makes bind fail instead of being replaced).
    /// </summary>
    public BoundSocket BindSocket(string name)
    {
        RefuseWriteIfReadOnly();
        var parent = OpenParent(Relative(name), out var leaf);
        System.Net.Sockets.Socket? socket = null;
        try
        {
            var fd = BindUnixSocket($"/proc/self/fd/{parent.DangerousGetHandle()}/{leaf}");
            if (fd < 0)
            {
                throw new ConfinementException(-fd is EEXIST ? EADDRINUSE : -fd is ELOOP or EXDEV ? EACCES : -fd);
            }

            socket = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(fd, ownsHandle: true));
            var result = Interop.Stat(parent, leaf, out var status);
            if (result != 0)
            {
                throw new ConfinementException(-result);
            }

            return new BoundSocket(parent, leaf, socket, status);
        }
        catch
        {
            socket?.Dispose();
            parent.Dispose();
            throw;
        }
    }

    /// <summary>A socket the emulator bound; <see cref="Dispose"/> removes its entry only while it is still that socket.</summary>
    internal sealed class BoundSocket(SafeFileHandle parent, string name, System.Net.Sockets.Socket socket, Status created) : IDisposable
    {
        public System.Net.Sockets.Socket Socket { get; } = socket;

        public void Dispose()
        {
            Socket.Dispose();
            if (Interop.Stat(parent, name, out var now) == 0 && now.Type == S_IFSOCK && now.Inode == created.Inode && now.Device == created.Device)
            {
                _ = UnlinkAt(parent, name);
            }

            parent.Dispose();
        }
    }
}
