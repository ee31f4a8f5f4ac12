using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime.Server;

/// <summary>Serves one accepted or connected socket: (stream, socket, peer, what to release when it ends).</summary>
internal delegate void QmpServeSocket(Stream stream, Socket socket, string peer, Action? ended);

/// <summary>
/// A server's listening sockets and admission: binding unix and TCP addresses as QEMU's <c>-qmp</c> does,
/// QEMU's client mode, and the accept loops that admit a client only while its listener
/// (<see cref="QmpServerOptions.MaxClientsPerListener"/>) and the server
/// (<see cref="QmpServerOptions.MaxConnections"/>) have a slot for it.
/// </summary>
internal sealed class QmpListenerSet(QmpServerOptions options, ILogger logger, QmpServeSocket serve, CancellationToken shutdown) : IDisposable
{
    private readonly List<Listener> _listeners = [];
    private readonly SemaphoreSlim _connectionSlots = new(options.MaxConnections, options.MaxConnections);

    /// <summary>Bound endpoints of the listening sockets (for port 0).</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Where(l => l.Socket is not null).Select(l => l.Socket!.LocalEndPoint!).ToArray();
            }
        }
    }

    /// <summary>Binds a <c>server</c> address (unix or TCP) and starts accepting; returns the accept loop.</summary>
    public Task Listen(QmpAddress address)
    {
        var createdPath = address.Kind == QmpTransportKind.Unix;
        var socket = createdPath ? BindUnix(address.Path!) : BindTcp(address);
        return Start(address, socket, createdPath);
    }

    /// <summary>Accepts on an already listening socket (an inherited <c>fd=N</c>); returns the accept loop.</summary>
    public Task Adopt(Socket listening)
    {
        var address = listening.LocalEndPoint switch
        {
            UnixDomainSocketEndPoint unix => new QmpAddress(QmpTransportKind.Unix, unix.ToString(), null, 0, true, false),
            IPEndPoint ip => new QmpAddress(QmpTransportKind.Tcp, null, ip.Address.ToString(), ip.Port, true, false),
            _ => new QmpAddress(QmpTransportKind.Unix, "(inherited socket)", null, 0, true, false),
        };
        return Start(address, listening, false);
    }

    /// <summary>QEMU's chardev client mode: connect now, fail now (as QEMU fails at startup).</summary>
    public static (Stream Stream, Socket Socket) ConnectAsClient(QmpAddress address)
    {
        try
        {
            var (stream, socket) = QmpTransport.ConnectAsync(address, CancellationToken.None).GetAwaiter().GetResult();
            return (stream, socket!);
        }
        catch (SocketException ex)
        {
            var target = address.Kind == QmpTransportKind.Unix ? address.Path! : $"{address.Host}:{address.Port}";
            throw new IOException($"Failed to connect to '{target}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Stops listening and removes the unix socket files this server created. The admission slots stay:
    /// connections still ending give theirs back.
    /// </summary>
    public void Dispose()
    {
        lock (_listeners)
        {
            foreach (var listener in _listeners)
            {
                listener.Socket?.Dispose();
                if (listener.CreatedPath && UnixPathInfo.Probe(listener.Address.Path!) == UnixPathInfo.Kind.Socket)
                {
                    try
                    {
                        File.Delete(listener.Address.Path!);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }
        }
    }

    private Task Start(QmpAddress address, Socket socket, bool createdPath)
    {
        var listener = new Listener(address, socket, createdPath, new SemaphoreSlim(options.MaxClientsPerListener, options.MaxClientsPerListener));
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        return AcceptLoopAsync(listener);
    }

    private static Socket BindUnix(string path)
    {
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var createdPath = false;
        try
        {
            // Owner-only from the start: Linux gives the socket file the mode of the socket's own inode
            // (less the umask) at bind, so it is set on the descriptor before bind, never by name
            // afterwards, where a link swapped in after bind would be followed (and the umask is the
            // whole process's, so it is left alone).
            if (OperatingSystem.IsLinux())
            {
                using var descriptor = new SafeFileHandle(socket.Handle, ownsHandle: false);
                File.SetUnixFileMode(descriptor, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            socket.Bind(new UnixDomainSocketEndPoint(path));
            createdPath = true;
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
            {
                // Elsewhere bind takes the umask alone: owner-only by name, before listen().
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            if (createdPath)
            {
                File.Delete(path);
            }

            throw;
        }
    }

    private static Socket BindTcp(QmpAddress address)
    {
        IPAddress ip;
        if (string.IsNullOrEmpty(address.Host))
        {
            ip = IPAddress.Any;
        }
        else if (!IPAddress.TryParse(address.Host, out ip!))
        {
            ip = Dns.GetHostAddresses(address.Host).First();
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Frees PATH for bind only when it holds a socket nobody listens on (left by a process that died);
    /// a live socket or any other file is someone else's and stays (bind then fails with "address in use").
    /// </summary>
    private static void RemoveStaleSocket(string path)
    {
        var kind = UnixPathInfo.Probe(path);
        if (kind == UnixPathInfo.Kind.Missing)
        {
            return;
        }

        if (kind != UnixPathInfo.Kind.Socket)
        {
            throw new IOException($"Failed to bind socket to {path}: Address already in use (not a socket; left untouched)");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }

        throw new IOException($"Failed to bind socket to {path}: Address already in use");
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        try
        {
            while (!shutdown.IsCancellationRequested)
            {
                // One slot per client this monitor serves at a time (QEMU: one); later clients wait in
                // the kernel's backlog and get their greeting when a slot frees.
                await listener.Slots.WaitAsync(shutdown).ConfigureAwait(false);
                var socket = await AdmitAsync(listener).ConfigureAwait(false);
                if (socket.AddressFamily != AddressFamily.Unix)
                {
                    socket.NoDelay = true;
                }

                var remote = socket.AddressFamily == AddressFamily.Unix
                    ? "unix:" + listener.Address.Path
                    : socket.RemoteEndPoint?.ToString() ?? "tcp";
                serve(new NetworkStream(socket, ownsSocket: true), socket, remote, () =>
                {
                    _connectionSlots.Release();
                    listener.Slots.Release();
                });
            }
        }
        catch (Exception ex) when (shutdown.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        catch (Exception ex)
        {
            QmpLog.ListenerFailed(logger, listener.Address.ToString(), ex);
        }
    }

    /// <summary>Takes a server-wide slot (logging when the server is full) and accepts; gives the slots back on failure.</summary>
    private async Task<Socket> AdmitAsync(Listener listener)
    {
        var serverSlot = false;
        try
        {
            if (!_connectionSlots.Wait(0))
            {
                QmpLog.ConnectionBudget(logger, listener.Address.ToString(), options.MaxConnections);
                await _connectionSlots.WaitAsync(shutdown).ConfigureAwait(false);
            }

            serverSlot = true;
            return await AcceptAsync(listener).ConfigureAwait(false);
        }
        catch
        {
            listener.Slots.Release();
            if (serverSlot)
            {
                _connectionSlots.Release();
            }

            throw;
        }
    }

    /// <summary>Accepts; out of file descriptors (EMFILE/ENFILE), logs and retries after a pause instead of giving up.</summary>
    private async Task<Socket> AcceptAsync(Listener listener)
    {
        var backoffMs = 0;
        while (true)
        {
            try
            {
                return await listener.Socket!.AcceptAsync(shutdown).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable
                || ex.NativeErrorCode is 23 or 24)
            {
                // EMFILE/ENFILE/ENOBUFS: the pending connection stays queued; wait for descriptors to be
                // freed (10 ms, doubling up to a second) instead of ending the listener.
                backoffMs = Math.Clamp(backoffMs * 2, 10, 1000);
                QmpLog.AcceptBackoff(logger, listener.Address.ToString(), ex.SocketErrorCode.ToString(), backoffMs);
                await Task.Delay(backoffMs, shutdown).ConfigureAwait(false);
            }
        }
    }

    private sealed record Listener(QmpAddress Address, Socket? Socket, bool CreatedPath, SemaphoreSlim Slots);
}
