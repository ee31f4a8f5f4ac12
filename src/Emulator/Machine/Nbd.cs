using System.Net;
using System.Net.Sockets;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private Socket? _nbdListener;
    private CancellationTokenSource? _nbdStop;
    private DataDirectory.BoundSocket? _nbdUnix;

    /// <summary>Where the NBD server listens (for tests: port 0 binds a free port).</summary>
    public EndPoint? NbdEndPoint
    {
        get
        {
            lock (Gate)
            {
                return _nbdListener?.LocalEndPoint;
            }
        }
    }

    /// <summary>Resolves a host name for <c>nbd-server-start</c> (tests replace it to watch where it runs).</summary>
    internal Func<string, IPAddress[]> ResolveHost { get; set; } = Dns.GetHostAddresses;

    public override ValueTask NbdServerStartAsync(NbdServerStartArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var addr = arguments.Addr;

        // A name is resolved before the machine lock is taken (DNS may take seconds); its failure is
        // answered after the checks QEMU makes first.
        var inet = addr.Type == "inet" ? ResolveInet(addr.Data?.Host, addr.Data?.Port) : default;
        lock (Gate)
        {
            if (_nbdListener is not null)
            {
                throw Generic("NBD server already running");
            }

            var type = addr.Type ?? throw MissingParameter("type");
            Socket socket;
            switch (type)
            {
                case "inet":
                    var endPoint = inet.EndPoint ?? throw inet.Error!;
                    var ip = endPoint.Address;
                    var port = endPoint.Port;
                    socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                        socket.Bind(new IPEndPoint(ip, port));
                    }
                    catch (SocketException ex)
                    {
                        socket.Dispose();
                        throw Generic($"Failed to bind socket: {ex.Message}");
                    }

                    break;
                case "unix":
                    // Confined to the data dir like every file the emulator creates; an entry already
                    // there (of any kind) is never removed: bind fails as on a path in use.
                    var path = ExtraString(addr.Data?.AdditionalProperties, "path") ?? throw MissingParameter("path");
                    if (Vm.Files is not { } files)
                    {
                        throw Generic($"Failed to bind socket to {path}: Permission denied");
                    }

                    try
                    {
                        _nbdUnix = files.BindSocket(path);
                    }
                    catch (ConfinementException ex)
                    {
                        throw Generic($"Failed to bind socket to {path}: {ex.Reason}");
                    }

                    socket = _nbdUnix.Socket;
                    break;
                default:
                    throw InvalidParameter("type");
            }

            socket.Listen(16);
            _nbdListener = socket;
            _nbdStop = new CancellationTokenSource();
            _ = ServeNbdAsync(socket, _nbdStop.Token);
        }

        return Done();
    }

    /// <summary>
    /// QEMU's inet_parse and getaddrinfo for a listening address: an empty host is any address; a failure
    /// is answered in QEMU's words, <c>address resolution failed for HOST:PORT: REASON</c>.
    /// </summary>
    private (IPEndPoint? EndPoint, QmpException? Error) ResolveInet(string? host, string? portText)
    {
        if (host is null)
        {
            return (null, MissingParameter("host"));
        }

        if (portText is null)
        {
            return (null, MissingParameter("port"));
        }

        QmpException Failed(string reason) => Generic($"address resolution failed for {host}:{portText}: {reason}");
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return (null, Failed("Servname not supported for ai_socktype"));
        }

        if (host.Length == 0)
        {
            return (new IPEndPoint(IPAddress.Any, port), null);
        }

        if (IPAddress.TryParse(host, out var parsed))
        {
            return (new IPEndPoint(parsed, port), null);
        }

        try
        {
            return ResolveHost(host).FirstOrDefault() is { } ip ? (new IPEndPoint(ip, port), null) : (null, Failed("No address associated with hostname"));
        }
        catch (SocketException ex)
        {
            // gai_strerror's words, which QEMU prints, rather than .NET's.
            return (null, Failed(ex.SocketErrorCode switch
            {
                SocketError.HostNotFound => "Name or service not known",
                SocketError.TryAgain => "Temporary failure in name resolution",
                SocketError.NoData => "No address associated with hostname",
                _ => "Name or service not known",
            }));
        }
        catch (ArgumentException)
        {
            // A name .NET refuses outright (too long, bad characters): getaddrinfo does not know it either.
            return (null, Failed("Name or service not known"));
        }
    }

    /// <summary>Greets each client with the NBD newstyle handshake (NBDMAGIC, IHAVEOPT) and closes on its first option.</summary>
    private static async Task ServeNbdAsync(Socket listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                var hello = new byte[18];
                "NBDMAGIC"u8.CopyTo(hello);
                "IHAVEOPT"u8.CopyTo(hello.AsSpan(8));
                hello[17] = 1; // NBD_FLAG_FIXED_NEWSTYLE
                await client.SendAsync(hello, cancellationToken).ConfigureAwait(false);
                var buffer = new byte[64];
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    await client.ReceiveAsync(buffer, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public override ValueTask NbdServerAddAsync(NbdServerAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (_nbdListener is null)
            {
                throw Generic("NBD server not running");
            }

            var drive = FindDrive(arguments.Device);
            if (drive.Exported)
            {
                throw Generic($"NBD server already exporting device '{arguments.Device}'");
            }

            if (drive.Image is null)
            {
                throw Generic($"Device '{arguments.Device}' has no medium");
            }

            drive.Exported = true;
        }

        return Done();
    }

    public override ValueTask NbdServerStopAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            StopNbd();
        }

        return Done();
    }

    internal void StopNbd()
    {
        CloseNbdSockets();
        foreach (var drive in Vm.Drives)
        {
            drive.Exported = false;
        }
    }

    /// <summary>Stops serving NBD and closes its socket; each field is taken once, so this may run without the lock at exit.</summary>
    private void CloseNbdSockets()
    {
        if (Interlocked.Exchange(ref _nbdStop, null) is { } stop)
        {
            stop.Cancel();
            stop.Dispose();
        }

        // The unix socket's entry goes only while it is still the socket bound here.
        Interlocked.Exchange(ref _nbdListener, null)?.Dispose();
        Interlocked.Exchange(ref _nbdUnix, null)?.Dispose();
    }
}
