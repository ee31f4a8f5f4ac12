using System.Text;
using Microsoft.Win32.SafeHandles;
using Qmp.Emulator.Confinement;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// Reads a QAPI top file's includes from disk for the schema reader, shared as source by every program
/// that reads a QAPI schema the user names: <c>qmp-codegen</c> (its <c>SchemaLoader</c>, every command
/// that reads a schema) and the sample shell's <c>--qapi</c>. The reader resolves an include as QEMU
/// does (relative to the including file); this decides whether the file may be read at all. An include
/// is read only when it lies beneath the top file's folder or one of the include folders given (the
/// CLI's <c>--include-dir</c>), is reached through no symbolic link, is a regular file, and keeps within
/// <see cref="MaxFileBytes"/> (and all of them within <see cref="MaxTotalBytes"/> and
/// <see cref="MaxFiles"/>). Anything else is unreadable: the reader's QMP0202 on the include line, as
/// for a missing file, with the reason given to the program's <c>report</c> (one line each).
/// </summary>
/// <remarks>
/// On Linux every check is made on what was opened, not on a name looked at before: each folder is
/// opened once, and an include beneath its handle name by name (the emulator's
/// <see cref="DataDirectory"/>: openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, else O_NOFOLLOW per
/// component), with O_NONBLOCK, its type read from the descriptor: a FIFO is refused at once, a
/// device is never read. Elsewhere the same rules are checked on the path just before it is opened.
/// The top file is the user's choice and is read as named (links followed), within the size limit.
/// </remarks>
internal sealed class QapiFiles : IDisposable
{
    /// <summary>The most one file (the top file or an include) may hold; QEMU 10's largest is under 0.3 MiB.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>The most all the files of one schema may hold together; QEMU 10's 50 files hold about 2 MiB.</summary>
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>The most files one schema may read, the top file included.</summary>
    public const int MaxFiles = 1024;

    private readonly string _topName;
    private readonly string _topText;
    private readonly string _root;
    private readonly List<(string Path, DataDirectory? Handle)> _folders = [];
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly Action<string> _report;
    private readonly bool _takesIncludeDirs;
    private long _total;

    private QapiFiles(string topPath, string topText, string pathBase, bool takesIncludeDirs, Action<string> report)
    {
        _topName = topPath;
        _topText = topText;
        _root = pathBase;
        _takesIncludeDirs = takesIncludeDirs;
        _report = report;
        _total = Encoding.UTF8.GetByteCount(topText);
        _texts[topPath] = topText;
    }

    public void Dispose()
    {
        foreach (var (_, handle) in _folders)
        {
            handle?.Dispose();
        }
    }

    /// <summary>Every file read so far, the top file's too, by the reader's path.</summary>
    public IReadOnlyDictionary<string, string> Texts => _texts;

    /// <summary>
    /// The include reader for the top file <paramref name="top"/> (its text already read,
    /// <see cref="ReadTop"/>), which the schema reader names <paramref name="topPath"/>: the reader's
    /// paths are resolved against <paramref name="pathBase"/>. Includes are read from beneath the top
    /// file's folder and the <paramref name="includeDirs"/> only (null: the program takes no
    /// <c>--include-dir</c>, and its refusals do not name one). Each refusal is one line, without the
    /// program's name, to <paramref name="report"/>. Null (the reason reported) when an include folder
    /// cannot be opened.
    /// </summary>
    public static QapiFiles? Open(FileInfo top, string topPath, string topText, string pathBase, IReadOnlyList<DirectoryInfo>? includeDirs, Action<string> report)
    {
        var files = new QapiFiles(topPath, topText, pathBase, includeDirs is not null, report);
        foreach (var named in new[] { top.DirectoryName! }.Concat((includeDirs ?? []).Select(d => d.FullName)))
        {
            var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(named));
            try
            {
                files._folders.Add((folder, Interop.IsSupported ? DataDirectory.Open(folder, readOnly: true) : null));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report($"cannot open include folder {folder}: {e.Message}");
                files.Dispose();
                return null;
            }
        }
        return files;
    }

    /// <summary>The text of the file the user named, or null (the reason to <paramref name="report"/>) when it cannot be read or passes <see cref="MaxFileBytes"/>.</summary>
    public static string? ReadTop(FileInfo top, Action<string> report)
    {
        try
        {
            using var handle = File.OpenHandle(top.FullName);
            return Decode(ReadAtMost(handle, MaxFileBytes) ?? throw new IOException($"it is larger than {MaxFileBytes / (1024 * 1024)} MiB"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report($"cannot read {top}: {e.Message}");
            return null;
        }
    }

    /// <summary>The reader's callback: the text of a path as the reader spells it (relative to the path base), or null (unreadable).</summary>
    public string? ReadFile(string path)
    {
        if (path == _topName)
        {
            return _topText;
        }

        string? refusal;
        try
        {
            var text = ReadInclude(path, out refusal);
            if (text is not null)
            {
                _texts[path] = text;
                return text;
            }
        }
        catch (ConfinementException e)
        {
            // A link, a way out, anything but a regular file: refused alike (EACCES), so nothing tells what lies outside.
            refusal = e.Errno is Interop.ENOENT or Interop.ENOTDIR ? null : e.Errno == Interop.EACCES ? "refused: a symbolic link, or not a regular file" : e.Reason;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            refusal = e is FileNotFoundException or DirectoryNotFoundException ? null : e.Message;
        }
        if (refusal is not null)
        {
            // Named from the top file's folder, as its include lines name it, whatever the reader's path base.
            var named = path.Contains('\0', StringComparison.Ordinal) ? path : Path.GetRelativePath(_folders[0].Path, Path.GetFullPath(Path.Combine(_root, path)));
            _report($"include '{Qmp.Runtime.Introspection.TerminalText.Escape(named)}': {refusal}");
        }
        return null;
    }

    private string? ReadInclude(string path, out string? refusal)
    {
        refusal = null;
        if (_texts.Count >= MaxFiles)
        {
            refusal = $"the schema reads more than {MaxFiles} files";
            return null;
        }
        var full = path.Contains('\0', StringComparison.Ordinal) ? null : Path.GetFullPath(Path.Combine(_root, path));
        var folder = full is null ? default : _folders.FirstOrDefault(f => full.StartsWith(f.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (folder.Path is null)
        {
            refusal = _takesIncludeDirs ? "outside the top file's folder and the --include-dir folders" : "outside the top file's folder";
            return null;
        }

        var allowed = (int)Math.Min(MaxFileBytes, MaxTotalBytes - _total);
        byte[]? bytes;
        if (folder.Handle is { } directory)
        {
            using var handle = directory.OpenRead(full!);
            bytes = ReadAtMost(handle, allowed);
        }
        else
        {
            bytes = ReadChecked(folder.Path, full!, allowed);
        }
        if (bytes is null)
        {
            refusal = allowed < MaxFileBytes
                ? $"the schema's files hold more than {MaxTotalBytes / (1024 * 1024)} MiB in all"
                : $"larger than {MaxFileBytes / (1024 * 1024)} MiB";
            return null;
        }
        _total += bytes.Length;
        return Decode(bytes);
    }

    /// <summary>Where there is no handle-based walk: no link from the folder down, a regular file, then read.</summary>
    private static byte[]? ReadChecked(string folder, string full, int allowed)
    {
        var relative = Path.GetRelativePath(folder, full).Split(Path.DirectorySeparatorChar);
        var at = folder;
        foreach (var part in relative)
        {
            at = Path.Combine(at, part);
            var info = new FileInfo(at);
            if (info.LinkTarget is not null)
            {
                throw new UnauthorizedAccessException("refused: a symbolic link");
            }
        }
        if (!File.Exists(full) || (File.GetAttributes(full) & (FileAttributes.Device | FileAttributes.Directory)) != 0)
        {
            throw new FileNotFoundException(null, full);
        }

        using var handle = File.OpenHandle(full);
        return ReadAtMost(handle, allowed);
    }

    /// <summary>The file's bytes, or null when it holds more than <paramref name="limit"/> (never read past it, whatever its size says).</summary>
    private static byte[]? ReadAtMost(SafeFileHandle handle, int limit)
    {
        var buffer = new byte[Math.Min(limit + 1, 64 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
            }
            var read = RandomAccess.Read(handle, buffer.AsSpan(length), length);
            if (read == 0)
            {
                return length > limit ? null : buffer[..length];
            }

            length += read;
        }
    }

    /// <summary>As File.ReadAllText: UTF-8 unless a byte order mark says otherwise.</summary>
    private static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
