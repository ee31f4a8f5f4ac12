using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    /// <summary>Named descriptors per monitor connection (<c>getfd</c>), closed with the connection.</summary>
    private readonly ConcurrentDictionary<long, Dictionary<string, SafeFileHandle>> _sessionFds = new();

    /// <summary>Which monitor connection passed each descriptor now in an fd set (for the per-session cap).</summary>
    private readonly Dictionary<SafeFileHandle, long> _fdsetOwners = [];

    /// <summary>
    /// Descriptors a command took from a client and still holds (<c>dump-guest-memory fd:NAME</c> while it writes,
    /// a 7.2 <c>netdev_add</c> backend's until <c>netdev_del</c>), with the connection that passed each: they count
    /// against the caps until closed, so repeating the command cannot hold descriptors past them.
    /// </summary>
    private readonly Dictionary<SafeFileHandle, long> _busyFds = [];

    /// <summary>
    /// Refuses one more held descriptor past the caps (EmulatorLimits: per fd set, per connection,
    /// per process); the descriptor offered is closed. Runs under the machine lock.
    /// </summary>
    private void CheckFdCaps(QmpSession session, SafeFileHandle fd, FdSet? set)
    {
        string? refusal = null;
        var named = _sessionFds.Values.Sum(f => f.Count) + _busyFds.Count;
        if (set is not null && set.Fds.Count >= EmulatorLimits.MaxFdsPerFdset)
        {
            refusal = $"fdset-id {set.Id} already holds {EmulatorLimits.MaxFdsPerFdset} file descriptors, the most one fd set may hold";
        }
        else if (SessionFds(session).Count + _fdsetOwners.Values.Count(id => id == session.Id) + _busyFds.Values.Count(id => id == session.Id) >= EmulatorLimits.MaxFdsPerSession)
        {
            refusal = $"This monitor connection already holds {EmulatorLimits.MaxFdsPerSession} file descriptors, the most one connection may hold";
        }
        else if (named + _fdsetOwners.Count >= EmulatorLimits.EffectiveMaxFdsPerProcess)
        {
            refusal = $"The emulator already holds {EmulatorLimits.EffectiveMaxFdsPerProcess} file descriptors for clients, the most it may hold";
        }

        if (refusal is not null)
        {
            fd.Dispose();
            throw Generic(refusal);
        }
    }

    /// <summary>
    /// A descriptor's name or fd set note is kept as long as the descriptor, up to 1024 of them: at most
    /// <see cref="EmulatorLimits.MaxIdBytes"/> bytes, like the ids clients name (QEMU sets no length).
    /// </summary>
    private static void CheckKeptText(SafeFileHandle fd, string parameter, string? text)
    {
        if (text is not null && System.Text.Encoding.UTF8.GetByteCount(text) > EmulatorLimits.MaxIdBytes)
        {
            fd.Dispose();
            throw InvalidParameterValue(parameter, $"at most {EmulatorLimits.MaxIdBytes} bytes");
        }
    }

    private Dictionary<string, SafeFileHandle> SessionFds(QmpSession session) =>
        _sessionFds.GetOrAdd(session.Id, id =>
        {
            session.Closed.Register(() =>
            {
                if (_sessionFds.TryRemove(id, out var fds))
                {
                    lock (Gate)
                    {
                        foreach (var fd in fds.Values)
                        {
                            fd.Dispose();
                        }
                    }
                }
            });
            return new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        });

    public override ValueTask GetfdAsync(GetfdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!session.TryTakeFileDescriptor(out var fd))
            {
                throw Generic("No file descriptor supplied via SCM_RIGHTS");
            }

            if (arguments.Fdname.Length > 0 && char.IsAsciiDigit(arguments.Fdname[0]))
            {
                fd.Dispose();
                throw InvalidParameterValue("fdname", "a name not starting with a digit");
            }

            CheckKeptText(fd, "fdname", arguments.Fdname);

            var fds = SessionFds(session);
            if (!fds.ContainsKey(arguments.Fdname))
            {
                CheckFdCaps(session, fd, null);
            }

            if (fds.Remove(arguments.Fdname, out var old))
            {
                old.Dispose();
            }

            fds[arguments.Fdname] = fd;
        }

        return Done();
    }

    public override ValueTask ClosefdAsync(ClosefdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!SessionFds(session).Remove(arguments.Fdname, out var fd))
            {
                throw Generic($"File descriptor named '{arguments.Fdname}' not found");
            }

            fd.Dispose();
        }

        return Done();
    }

    /// <summary>Takes a named descriptor if the session passed one by that name (the 7.2 persona's add_client looks first), else null.</summary>
    internal SafeFileHandle? TryTakeNamedFd(QmpSession session, string name)
    {
        lock (Gate)
        {
            return SessionFds(session).Remove(name, out var fd) ? fd : null;
        }
    }

    /// <summary>Whether the session passed a descriptor by that name.</summary>
    internal bool HasNamedFd(QmpSession session, string name)
    {
        lock (Gate)
        {
            return SessionFds(session).ContainsKey(name);
        }
    }

    /// <summary>Takes a named descriptor (as add_client and migrate fd: do).</summary>
    private SafeFileHandle TakeNamedFd(QmpSession session, string name)
    {
        if (!SessionFds(session).Remove(name, out var fd))
        {
            throw Generic($"File descriptor named '{name}' not found");
        }

        return fd;
    }

    /// <summary>Takes a named descriptor for a command that goes on using it: counted until <see cref="ReleaseBusyFd"/>. Under the machine lock.</summary>
    private SafeFileHandle TakeBusyFd(QmpSession session, string name)
    {
        var fd = TakeNamedFd(session, name);
        _busyFds[fd] = session.Id;
        return fd;
    }

    /// <summary>
    /// QEMU's monitor_fd_param for a backend that keeps the descriptor it names (the 7.2 persona's <c>netdev_add</c>
    /// <c>fd=</c>, <c>fds=</c>, <c>vhostfd=</c>): a name is taken from the connection's <c>getfd</c> descriptors, as QEMU
    /// takes it, and counted against the fd caps until <see cref="ReleaseBusyFd"/>. A number names one of QEMU's own
    /// descriptors; here it would name the emulator's (its sockets and files), which no client may reach, so every
    /// number is answered as a descriptor that is not open (<paramref name="owner"/> is the backend's id). Under the machine lock.
    /// </summary>
    internal SafeFileHandle TakeFdParameter(QmpSession session, string owner, string name)
    {
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
        {
            throw Generic(int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? $"{owner}: Can't use file descriptor {number}: Bad file descriptor"
                : $"Invalid file descriptor number '{name}'");
        }

        if (!SessionFds(session).Remove(name, out var fd))
        {
            throw Generic($"File descriptor named '{name}' has not been found");
        }

        _busyFds[fd] = session.Id;
        return fd;
    }

    /// <summary>The command is done with a descriptor <see cref="TakeBusyFd"/> or <see cref="TakeFdParameter"/> gave it: closed and no longer counted.</summary>
    internal void ReleaseBusyFd(SafeFileHandle fd)
    {
        lock (Gate)
        {
            _busyFds.Remove(fd);
            fd.Dispose();
        }
    }

    /// <summary>
    /// Writes to a descriptor a client passed, which may be a pipe or socket nobody drains: set
    /// non-blocking, and when full, retried after a pause (1 ms doubling to 50 ms) that holds no thread,
    /// until everything is written or <paramref name="cancellationToken"/> (the client left, shutdown) ends it.
    /// </summary>
    private static async ValueTask WriteToClientFdAsync(SafeFileHandle fd, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var pause = 0;
        while (bytes.Length > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Interop.Write(fd, bytes.Span);
            if (n >= 0)
            {
                bytes = bytes[n..];
                pause = 0;
            }
            else if (n == -Interop.EAGAIN)
            {
                pause = Math.Clamp(pause * 2, 1, 50);
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
            else if (n != -Interop.EINTR)
            {
                // HResult carries errno, as .NET's own IOExceptions do on Unix.
                throw new IOException(null, -n);
            }
        }
    }

    public override ValueTask<AddFdResult> AddFdAsync(AddFdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU takes the descriptor before it looks at the set.
            if (!session.TryTakeFileDescriptor(out var fd))
            {
                throw Generic("No file descriptor supplied via SCM_RIGHTS");
            }

            if (arguments.FdsetId is < 0)
            {
                fd.Dispose();
                throw InvalidParameterValue("fdset-id", "a non-negative value");
            }

            CheckKeptText(fd, "opaque", arguments.Opaque);
            var setId = arguments.FdsetId ?? Enumerable.Range(0, int.MaxValue).First(i => !Vm.FdSets.ContainsKey(i));
            Vm.FdSets.TryGetValue(setId, out var existing);
            CheckFdCaps(session, fd, existing);
            if (existing is not { } set)
            {
                Vm.FdSets[setId] = set = new FdSet { Id = setId };
            }

            var number = (long)fd.DangerousGetHandle();
            set.Fds.Add((number, arguments.Opaque, fd));
            _fdsetOwners[fd] = session.Id;
            return Done(new AddFdResult { FdsetId = setId, Fd = number });
        }
    }

    public override ValueTask RemoveFdAsync(RemoveFdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var what = arguments.Fd is { } n ? $"fdset-id:{arguments.FdsetId}, fd:{n}" : $"fdset-id:{arguments.FdsetId}";
            if (!Vm.FdSets.TryGetValue(arguments.FdsetId, out var set))
            {
                throw Generic($"File descriptor named '{what}' not found");
            }

            var removed = set.Fds.Where(f => arguments.Fd is null || f.Fd == arguments.Fd).ToList();
            if (removed.Count == 0)
            {
                throw Generic($"File descriptor named '{what}' not found");
            }

            foreach (var f in removed)
            {
                set.Fds.Remove(f);
                _fdsetOwners.Remove(f.Handle);
                f.Handle.Dispose();
            }

            if (set.Fds.Count == 0)
            {
                Vm.FdSets.Remove(set.Id);
            }
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<FdsetInfo>> QueryFdsetsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<FdsetInfo>>(Vm.FdSets.Values.OrderBy(s => s.Id).Select(s => new FdsetInfo
            {
                FdsetId = s.Id,
                Fds = s.Fds.Select(f => new FdsetFdInfo { Fd = f.Fd, Opaque = f.Opaque }).ToList(),
            }).ToList());
        }
    }
}
