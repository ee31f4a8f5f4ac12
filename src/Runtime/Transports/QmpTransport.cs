using System.Net;
using System.Net.Sockets;

namespace Qmp.Runtime.Transports;

/// <summary>Opens client connections for a <see cref="QmpAddress"/>.</summary>
internal static class QmpTransport
{
    /// <summary>Connects; <c>Socket</c> is set for socket transports (unix sockets allow fd passing).</summary>
    public static async Task<(Stream Stream, Socket? Socket)> ConnectAsync(QmpAddress address, CancellationToken cancellationToken)
    {
        switch (address.Kind)
        {
            case QmpTransportKind.Unix:
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(address.Path!), cancellationToken).ConfigureAwait(false);
                        return (new NetworkStream(socket, ownsSocket: true), socket);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                }

            case QmpTransportKind.Tcp:
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        var host = string.IsNullOrEmpty(address.Host) ? "localhost" : address.Host;
                        if (IPAddress.TryParse(host, out var ip))
                        {
                            await socket.ConnectAsync(new IPEndPoint(ip, address.Port), cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await socket.ConnectAsync(host, address.Port, cancellationToken).ConfigureAwait(false);
                        }

                        return (new NetworkStream(socket, ownsSocket: true), socket);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                }

            default:
                return (OpenStdio(), null);
        }
    }

    public static Stream OpenStdio() => new DuplexStream(Console.OpenStandardInput(), Console.OpenStandardOutput());
}
