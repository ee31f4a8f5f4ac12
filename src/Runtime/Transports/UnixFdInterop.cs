using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Qmp.Runtime.Transports;

/// <summary>
/// File descriptor passing (SCM_RIGHTS) over unix sockets, and telling a peer that closed from one
/// that only shut down its sending side. <see cref="Socket"/> has no managed API for either, so this
/// calls Linux's sendmsg/recvmsg/poll directly. All P/Invoke lives here.
/// Calls use MSG_DONTWAIT and wait for readiness through the socket's own async machinery.
/// </summary>
internal static partial class UnixFdInterop
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgDontwait = 0x40;
    private const int MsgNosignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EConnReset = 104;

    /// <summary>At most this many descriptors per message (QEMU accepts a handful).</summary>
    public const int MaxFdsPerMessage = 16;

    public static bool IsSupported => OperatingSystem.IsLinux();

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollCore(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMsg(nint fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsg(nint fd, MsgHdr* message, int flags);

    private static unsafe nuint Align(nuint length) => (length + (nuint)sizeof(nuint) - 1) & ~((nuint)sizeof(nuint) - 1);

    private static unsafe nuint HeaderSize => Align((nuint)sizeof(CmsgHdr));

    /// <summary>
    /// True when the peer of a unix socket has closed its end entirely (POLLHUP or POLLERR now), not
    /// merely shut down its sending side; pending input does not hide it. Does not wait.
    /// </summary>
    public static unsafe bool HasHungUp(Socket socket)
    {
        const short PollErr = 0x8, PollHup = 0x10;
        EnsureSupported();
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var entry = new PollFd { Fd = (int)socket.SafeHandle.DangerousGetHandle(), Events = 0 };
            return PollCore(&entry, 1, 0) > 0 && (entry.Revents & (PollHup | PollErr)) != 0;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Sends <paramref name="data"/> with <paramref name="fds"/> attached; completes when every byte is sent.</summary>
    public static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> data, IReadOnlyList<SafeHandle> fds, CancellationToken cancellationToken)
    {
        EnsureSupported();
        if (fds.Count > MaxFdsPerMessage)
        {
            throw new ArgumentException($"At most {MaxFdsPerMessage} file descriptors per message.", nameof(fds));
        }

        int sent;
        while (true)
        {
            sent = TrySend(socket, data.Span, fds, out var errno);
            if (sent >= 0)
            {
                break;
            }

            if (errno == EAgain)
            {
                // The send buffer is full; descriptors must travel with the first byte, so wait and retry.
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (errno != EIntr)
            {
                throw new IOException($"sendmsg failed (errno {errno}).");
            }
        }

        if (sent < data.Length)
        {
            await socket.SendAsync(data[sent..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Receives bytes; descriptors that arrive with them are appended to <paramref name="fds"/>
    /// (close-on-exec, owned by the caller). Returns 0 at end of stream.
    /// </summary>
    public static async ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> buffer, List<SafeFileHandle> fds, CancellationToken cancellationToken)
    {
        EnsureSupported();
        while (true)
        {
            var n = TryReceive(socket, buffer.Span, fds, out var errno);
            if (n >= 0)
            {
                return n;
            }

            switch (errno)
            {
                case EAgain:
                    // A zero-byte receive completes when data (or end of stream) is ready, consuming nothing.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    break;
                case EIntr:
                    break;
                case EConnReset:
                    return 0;
                default:
                    throw new IOException($"recvmsg failed (errno {errno}).");
            }
        }
    }

    private static unsafe int TrySend(Socket socket, ReadOnlySpan<byte> data, IReadOnlyList<SafeHandle> fds, out int errno)
    {
        var count = fds.Count;
        var controlLength = count == 0 ? 0 : HeaderSize + Align((nuint)(count * sizeof(int)));
        var control = stackalloc byte[(int)controlLength + 1];
        new Span<byte>(control, (int)controlLength).Clear();
        var refs = new bool[count];
        var socketRef = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            if (count > 0)
            {
                var header = (CmsgHdr*)control;
                header->Length = HeaderSize + (nuint)(count * sizeof(int));
                header->Level = SolSocket;
                header->Type = ScmRights;
                var slots = (int*)(control + HeaderSize);
                for (var i = 0; i < count; i++)
                {
                    fds[i].DangerousAddRef(ref refs[i]);
                    slots[i] = checked((int)fds[i].DangerousGetHandle());
                }
            }

            fixed (byte* p = data)
            {
                var iov = new IoVec { Base = p, Length = (nuint)data.Length };
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = count > 0 ? control : null, ControlLength = controlLength };
                var result = SendMsg(socket.SafeHandle.DangerousGetHandle(), &message, MsgDontwait | MsgNosignal);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
                return (int)result;
            }
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                if (refs[i])
                {
                    fds[i].DangerousRelease();
                }
            }

            if (socketRef)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private static unsafe int TryReceive(Socket socket, Span<byte> buffer, List<SafeFileHandle> fds, out int errno)
    {
        var controlLength = HeaderSize + Align((nuint)(MaxFdsPerMessage * sizeof(int)));
        var control = stackalloc byte[(int)controlLength];
        var socketRef = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            fixed (byte* p = buffer)
            {
                var iov = new IoVec { Base = p, Length = (nuint)buffer.Length };
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = controlLength };
                var result = RecvMsg(socket.SafeHandle.DangerousGetHandle(), &message, MsgDontwait | MsgCmsgCloexec);
                if (result < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    return -1;
                }

                errno = 0;
                CollectFds(&message, fds);
                if ((message.Flags & MsgCtrunc) != 0)
                {
                    // The kernel dropped descriptors that did not fit; nothing is leaked on our side.
                    errno = 0;
                }

                return (int)result;
            }
        }
        finally
        {
            if (socketRef)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private static unsafe void CollectFds(MsgHdr* message, List<SafeFileHandle> fds)
    {
        var start = (byte*)message->Control;
        var end = start + message->ControlLength;
        var current = message->ControlLength >= (nuint)sizeof(CmsgHdr) ? start : null;
        while (current != null && current + sizeof(CmsgHdr) <= end)
        {
            var header = (CmsgHdr*)current;
            if (header->Length < (nuint)sizeof(CmsgHdr) || current + header->Length > end)
            {
                break;
            }

            if (header->Level == SolSocket && header->Type == ScmRights)
            {
                var count = (int)((header->Length - HeaderSize) / sizeof(int));
                var slots = (int*)(current + HeaderSize);
                for (var i = 0; i < count; i++)
                {
                    fds.Add(new SafeFileHandle(slots[i], ownsHandle: true));
                }
            }

            current += Align(header->Length);
        }
    }

    private static void EnsureSupported()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("File descriptor passing (SCM_RIGHTS) is implemented for Linux only.");
        }
    }
}
