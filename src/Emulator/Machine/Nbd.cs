using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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

    public override ValueTask NbdServerStartAsync(NbdServerStartArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var addr = arguments.Addr;
        lock (Gate)
        {
            if (_nbdListener is not null)
            {
                throw Generic("NBD server already running");
            }

            string type = addr.Type ?? throw MissingParameter("type");
            Socket socket;
            switch (type)
            {
                case "inet":
                    string host = addr.Data?.Host ?? throw MissingParameter("host");
                    string portText = addr.Data?.Port ?? throw MissingParameter("port");
                    if (!int.TryParse(portText, out int port) || port is < 0 or > 65535)
                    {
                        throw Generic($"address resolution failed for {host}:{portText}: Servname not supported for ai_socktype");
                    }

                    var ip = host.Length == 0 ? IPAddress.Any : IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw Generic($"address resolution failed for {host}:{portText}: Name or service not known");
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
                    string path = ExtraString(addr.Data?.Extra, "path") ?? throw MissingParameter("path");
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
