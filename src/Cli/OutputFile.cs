using System.Security.Cryptography;
using System.Text;

namespace Qmp.Codegen.Cli;

/// <summary>
/// How qmp-codegen writes a file it is told to write (<c>introspect -o</c>, <c>docs -o</c>): into a
/// fresh file beside the target under a random name, created with <see cref="FileMode.CreateNew"/>
/// (O_CREAT|O_EXCL, which never opens what is already there, a planted symlink included), then
/// renamed over the target. A failed run leaves no half-written file, and a symlink or hard link
/// at the target is replaced, never written through.
/// </summary>
internal static class OutputFile
{
    public static void Write(string path, string text) => Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var target = Path.GetFullPath(path);
        // A dot-name with 128 random bits: nobody can plant it in advance, and globs skip it.
        // The target's name is cut to 64 characters there, so the temporary's stays within NAME_MAX (255
        // bytes) whenever the target's does.
        var name = Path.GetFileName(target);
        var cut = name.Length > 64 && char.IsHighSurrogate(name[63]) ? 63 : Math.Min(name.Length, 64);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, "." + name[..cut] + "." + RandomNumberGenerator.GetHexString(32, lowercase: true) + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            try
            {
                stream.Write(bytes);
            }
            catch
            {
                stream.Dispose();
                File.Delete(temporary);
                throw;
            }
        }
        try
        {
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
