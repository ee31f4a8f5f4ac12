using System.Buffers.Binary;

namespace Qmp.Emulator;

/// <summary>
/// What the emulator reads from a qcow2 image's header, with QEMU 7.2's words for an image it would not open:
/// one reader for the command line's <c>-blockdev</c> and QMP's <c>blockdev-add</c>.
/// </summary>
internal static class Qcow2Header
{
    /// <summary>"QFI\xfb": a qcow2 image's first four bytes.</summary>
    public static ReadOnlySpan<byte> Magic => [0x51, 0x46, 0x49, 0xfb];

    /// <summary>The virtual size (bytes 24..31, big-endian), or null with QEMU's reason in <paramref name="refusal"/>.</summary>
    public static long? VirtualSize(byte[]? header, out string refusal)
    {
        refusal = "";
        if (header is null || header.Length < 32 || !header.AsSpan(0, 4).SequenceEqual(Magic))
        {
            refusal = "Image is not in qcow2 format";
            return null;
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        if (version is < 2 or > 3)
        {
            refusal = $"Unsupported qcow2 version {version}";
            return null;
        }

        var size = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(24));
        if (size > long.MaxValue)
        {
            refusal = "Could not refresh total sector count: File too large";
            return null;
        }

        return (long)size;
    }
}
