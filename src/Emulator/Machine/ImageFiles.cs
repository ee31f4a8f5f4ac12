using System.Buffers.Binary;
using System.Text;
using Qmp.Emulator.Model;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private const int Qcow2ClusterBits = 16;

    /// <summary>Largest qcow2 L1 table the emulator writes (128 Ki entries: images up to 64 TiB).</summary>
    private const long MaxQcow2L1Entries = 128 * 1024;

    /// <summary>
    /// Creates an image file in the data dir as QEMU's bdrv_img_create does for a new target
    /// (<c>mode: absolute-paths</c>): qcow2 gets a header (version 3, 64 KiB clusters, the backing file
    /// and its format), a refcount table and block, and an empty L1 table; other formats a sparse file
    /// of the virtual size. Without <c>--data-dir</c> targets stay virtual, as before.
    /// </summary>
    private void CreateImageFile(string filename, string format, long size, BlockImage? backing)
    {
        if (Vm.Files is not { } files)
        {
            return;
        }

        CheckCreatableSize(filename, size);
        try
        {
            using var file = files.Create(filename);
            if (format == "qcow2")
            {
                file.Write(Qcow2Image(size, backing));
            }
            else
            {
                file.SetLength(size);
            }

            file.Commit();
        }
        catch (IOException e)
        {
            throw FileError("create", filename, e);
        }
    }

    /// <summary>
    /// Refuses an image the emulator will not create (both personas' image creation): a negative size, or one whose
    /// qcow2 L1 table would outgrow <see cref="MaxQcow2L1Entries"/> (the table is allocated whole, under the machine lock).
    /// </summary>
    internal static void CheckCreatableSize(string filename, long size)
    {
        if (size < 0 || (size >> (Qcow2ClusterBits + Qcow2ClusterBits - 3)) >= MaxQcow2L1Entries)
        {
            throw Generic($"Could not create '{filename}': File too large");
        }
    }

    /// <summary>The bytes of an empty qcow2 v3 image as qemu-img 7.2 lays it out (header, refcounts at 64 and 128 KiB, L1 at 192 KiB).</summary>
    internal static byte[] Qcow2Image(long size, BlockImage? backing)
    {
        const int Cluster = 1 << Qcow2ClusterBits;
        var l1Entries = (size + (1L << (Qcow2ClusterBits + Qcow2ClusterBits - 3)) - 1) >> (Qcow2ClusterBits + Qcow2ClusterBits - 3);
        var l1Clusters = (int)Math.Max(1, ((l1Entries * 8) + Cluster - 1) / Cluster);
        var image = new byte[(3 * Cluster) + (l1Entries * 8)];
        var h = image.AsSpan();
        "QFI"u8.CopyTo(h);
        h[3] = 0xfb;
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], 3); // version
        BinaryPrimitives.WriteUInt32BigEndian(h[20..], Qcow2ClusterBits);
        BinaryPrimitives.WriteInt64BigEndian(h[24..], size);
        BinaryPrimitives.WriteUInt32BigEndian(h[36..], (uint)l1Entries);
        BinaryPrimitives.WriteInt64BigEndian(h[40..], 3 * Cluster); // L1 table
        BinaryPrimitives.WriteInt64BigEndian(h[48..], Cluster); // refcount table
        BinaryPrimitives.WriteUInt32BigEndian(h[56..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(h[96..], 4); // refcount_order: 16-bit refcounts
        BinaryPrimitives.WriteUInt32BigEndian(h[100..], 112); // header_length (with compression_type zlib)
        var at = 112;
        if (backing is not null)
        {
            var fmt = Encoding.UTF8.GetBytes(backing.Format);
            BinaryPrimitives.WriteUInt32BigEndian(h[at..], 0xe2792aca); // backing file format extension
            BinaryPrimitives.WriteUInt32BigEndian(h[(at + 4)..], (uint)fmt.Length);
            fmt.CopyTo(h[(at + 8)..]);
            at += 8 + ((fmt.Length + 7) & ~7);
        }

        at += 8; // end of extensions (type 0, length 0)
        if (backing is not null)
        {
            var name = Encoding.UTF8.GetBytes(backing.Filename);
            if (at + name.Length > Cluster)
            {
                throw Generic("Backing file name too long");
            }

            BinaryPrimitives.WriteInt64BigEndian(h[8..], at);
            BinaryPrimitives.WriteUInt32BigEndian(h[16..], (uint)name.Length);
            name.CopyTo(h[at..]);
        }

        BinaryPrimitives.WriteInt64BigEndian(h[Cluster..], 2L * Cluster); // refcount table -> block
        for (var i = 0; i < 3 + l1Clusters; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(h[((2 * Cluster) + (2 * i))..], 1);
        }

        return image;
    }
}
