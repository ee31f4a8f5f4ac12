using System.Buffers;
using System.Runtime.InteropServices;

namespace Qmp.Runtime.Protocol;

/// <summary>
/// Bytes outside the GC heap, given back to the system the moment they are let go. A request buffer of
/// tens of MiB as a managed array would stay in the process's memory until a full collection, so a few
/// clients sending large unfinished requests (each growth leaving the old array behind) could hold
/// several times what the server's budget counts; with these, what is counted is what is held.
/// No finalizer (a span may still point in): the owner must dispose it.
/// </summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    public NativeBuffer(int length)
    {
        _pointer = (byte*)NativeMemory.Alloc((nuint)length);
        _length = length;
    }

    public int Length => _length;

    /// <summary>Grows or shrinks in place where the allocator can (realloc), keeping the first bytes.</summary>
    public void Resize(int length)
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        _pointer = (byte*)NativeMemory.Realloc(_pointer, (nuint)length);
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is not null)
        {
            NativeMemory.Free(_pointer);
            _pointer = null;
            _length = 0;
        }
    }
}
