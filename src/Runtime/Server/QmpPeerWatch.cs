using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Transports;

namespace Qmp.Runtime.Server;

/// <summary>
/// Runs a command while watching its connection. Requests are read one after another, so while a
/// command runs nobody reads the socket: a client that left would go unnoticed until the command
/// ends, and a command waiting on the client (a dump into a pipe nobody drains) would never end.
/// So the socket is watched (<see cref="WatchForEndAsync"/>); when the client has left, the
/// command's token is cancelled and the session ends.
/// </summary>
internal static class QmpPeerWatch
{
    public static async ValueTask<QmpReturn> DispatchAsync(IQmpCommandDispatcher dispatcher, QmpConnection connection,
        string command, JsonElement arguments, ILogger logger)
    {
        if (connection.Socket is not { } socket)
        {
            return await dispatcher.DispatchAsync(command, arguments, connection.Session, connection.Token).ConfigureAwait(false);
        }

        using var peerLeft = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
        using var stopWatching = new CancellationTokenSource();
        var watch = WatchForEndAsync(socket, peerLeft, stopWatching.Token);
        try
        {
            return await dispatcher.DispatchAsync(command, arguments, connection.Session, peerLeft.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (peerLeft.IsCancellationRequested && !connection.Token.IsCancellationRequested)
        {
            QmpLog.LeftDuringCommand(logger, connection.Session.Id, command);
            connection.Abort(null);
            throw;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    private static async Task WatchForEndAsync(Socket socket, CancellationTokenSource peerLeft, CancellationToken stop)
    {
        try
        {
            if (socket.AddressFamily == AddressFamily.Unix && UnixFdInterop.IsSupported)
            {
                // A unix peer that closed hangs up; one that only shut down its sending side (as socat does
                // at the end of its input) is still reading its reply and is left alone. Checked now, then
                // after a pause of 10 ms doubling to 200 ms while the command runs.
                for (var pause = 10; !UnixFdInterop.HasHungUp(socket); pause = Math.Min(pause * 2, 200))
                {
                    await Task.Delay(pause, stop).ConfigureAwait(false);
                }
            }
            else if (await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, stop).ConfigureAwait(false) != 0)
            {
                // TCP cannot tell a half-close from a close, so the end of the stream means the client
                // left; a request already waiting stops the watch (it is read after this command).
                return;
            }

            await peerLeft.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Reset or closed: gone as well.
            await peerLeft.CancelAsync().ConfigureAwait(false);
        }
    }
}
