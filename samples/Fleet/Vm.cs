using System.Diagnostics;
using Fleet.Qemu;
using Qmp.Runtime;

namespace Fleet;

/// <summary>
/// One VM of the fleet: its client, kept between polls, and what the table shows. A poll either
/// runs query-status, or (re)connects when the client is gone and its backoff has passed; it never
/// waits out a backoff, so one unreachable VM does not slow the round.
/// </summary>
internal sealed class Vm(string name, string address) : IAsyncDisposable
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_lastRetry = TimeSpan.FromSeconds(5);

    // One options object for every client: a stuck VM gives up its slot after the command timeout.
    private static readonly QmpClientOptions s_clientOptions = new()
    {
        CommandTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    private QemuClient? _client;
    private bool _everConnected;
    private TimeSpan _backoff = s_firstRetry;
    private long _nextAttempt;

    public string Name { get; } = name;

    public string State { get; private set; } = "connecting";

    public string Status { get; private set; } = "-";

    public TimeSpan RoundTrip { get; private set; }

    public int Polls { get; private set; }

    public int Failures { get; private set; }

    public int Reconnects { get; private set; }

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        if (_client is { Client.IsConnected: false })
        {
            await _client.DisposeAsync();
            _client = null;
        }

        if (_client is null && !await ConnectAsync(cancellationToken))
        {
            return;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            var status = await _client!.QueryStatusAsync(cancellationToken);
            RoundTrip = Stopwatch.GetElapsedTime(start);
            Status = status.Status.ToString();
            State = "ok";
            Polls++;
        }
        catch (Exception e) when (e is QmpDisconnectedException or TimeoutException or QmpException)
        {
            Failures++;
            State = e is QmpException error ? error.ErrorClass.ToString() : "dropped";
        }
    }

    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _nextAttempt);
        if (wait > TimeSpan.Zero)
        {
            State = $"retry in {wait.TotalMilliseconds:F0} ms";
            return false;
        }

        try
        {
            _client = await QemuClient.ConnectAsync(address, s_clientOptions, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            // QmpConnectException (nothing listening) and QmpDisconnectedException (gone during the handshake) are IOExceptions.
            // Doubling, capped, with jitter so VMs that dropped together do not retry together.
            Failures++;
            State = "unreachable";
            var jittered = _backoff * (0.8 + 0.4 * Random.Shared.NextDouble());
            _nextAttempt = Stopwatch.GetTimestamp() + (long)(jittered.TotalSeconds * Stopwatch.Frequency);
            _backoff = _backoff * 2 < s_lastRetry ? _backoff * 2 : s_lastRetry;
            return false;
        }

        if (_everConnected)
        {
            Reconnects++;
        }

        _everConnected = true;
        _backoff = s_firstRetry;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
        }
    }
}
