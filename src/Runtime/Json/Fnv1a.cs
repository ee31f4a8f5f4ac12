using System.Text;

namespace Qmp.Runtime;

/// <summary>
/// 32-bit FNV-1a over UTF-8 bytes: cheap for the few dozen bytes of a member name or a string
/// value, spread well enough for the small tables that use it (the string cache, the QAPI input
/// reader's member lookup). One implementation, so a name hashed as bytes off the wire and the same
/// name hashed as a string always agree.
/// </summary>
internal static class Fnv1a
{
    private const uint OffsetBasis = 2166136261u;
    private const uint Prime = 16777619u;

    public static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = OffsetBasis;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    /// <summary>The hash of <paramref name="text"/>'s UTF-8 encoding; an ASCII text (its chars are its bytes) is not encoded.</summary>
    public static uint Hash(string text)
    {
        if (!Ascii.IsValid(text))
        {
            return Hash(Encoding.UTF8.GetBytes(text));
        }

        var hash = OffsetBasis;
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }

        return hash;
    }
}
