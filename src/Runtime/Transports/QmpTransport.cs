using System.Net;
using System.Net.Sockets;

namespace Qmp.Runtime.Transports;

/// <summary>Opens client connections for a <see cref="QmpAddress"/>.</summary>
internal static class QmpTransport
{
    /// <summary>The first pause between attempts while waiting for a server; doubled up to <see cref="s_maxRetryDelay"/>.</summary>
    internal static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(10);

    internal static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Connects as <see cref="ConnectAsync(QmpAddress, CancellationToken)"/>; with <paramref name="wait"/>,
    /// a server that is not listening yet (a unix socket file not there yet, or there but refusing, as
    /// QEMU's is for a moment after it creates it; a TCP port that refuses) is tried again after a short,
    /// growing pause measured with <paramref name="time"/>, until <paramref name="wait"/> has passed.
    /// Failures are <see cref="QmpConnectException"/>s naming the address, in QEMU's words.
    /// </summary>
    public static async Task<(Stream Stream, Socket? Socket)> ConnectAsync(QmpAddress address, TimeSpan? wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = s_firstRetryDelay;
        while (true)
        {
            try
            {
                return await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                var waited = time.GetElapsedTime(started);
                if (wait is not { } limit || !NotListeningYet(address, ex))
                {
                    throw new QmpConnectException(address, Reason(address, ex), ex);
                }

                if (waited >= limit)
                {
                    throw new QmpConnectException(address, $"{Reason(address, ex)} (still, after waiting {limit.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s for the server to listen)", ex);
                }

                var pause = delay < limit - waited ? delay : limit - waited;
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < s_maxRetryDelay ? delay * 2 : s_maxRetryDelay;
            }
        }
    }

    /// <summary>No one listens there yet: the errors a starting server gives.</summary>
    private static bool NotListeningYet(QmpAddress address, SocketException ex) =>
        ex.SocketErrorCode == SocketError.ConnectionRefused
        // .NET reports a unix socket path that does not exist (ENOENT) as AddressNotAvailable.
        || (address.Kind == QmpTransportKind.Unix && ex.SocketErrorCode == SocketError.AddressNotAvailable);

    /// <summary>
    /// QEMU's words for a failed connect (util/qemu-sockets.c): <c>Failed to connect to 'PATH': No such file
    /// or directory</c>, <c>Failed to connect to 'HOST:PORT': Connection refused</c>.
    /// </summary>
    private static string Reason(QmpAddress address, SocketException ex)
    {
        var where = address.Kind == QmpTransportKind.Unix ? address.Path! : $"{address.Host}:{address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var why = address.Kind == QmpTransportKind.Unix && ex.SocketErrorCode == SocketError.AddressNotAvailable && !System.IO.Path.Exists(address.Path)
            ? "No such file or directory"
            : ex.Message;
        return $"Failed to connect to '{where}': {why}";
    }

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
