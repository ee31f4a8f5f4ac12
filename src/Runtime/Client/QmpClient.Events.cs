using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>Waiting for one event, and running a command together with the event it causes.</summary>
public sealed partial class QmpClient
{
    /// <summary>
    /// Waits for the next event named <paramref name="name"/> (that <paramref name="predicate"/> accepts)
    /// to arrive after this call. The subscription is made before this method returns, so a command
    /// sent after the call cannot outrun it:
    /// <code>
    /// var stopped = client.WaitForEventAsync("STOP", timeout: TimeSpan.FromSeconds(5));
    /// await client.ExecuteAsync("stop");
    /// QmpEvent stop = await stopped;
    /// </code>
    /// </summary>
    /// <param name="name">The event's wire name, e.g. <c>DEVICE_DELETED</c>.</param>
    /// <param name="predicate">Which of those events; null takes the first.</param>
    /// <param name="timeout">How long to wait, measured by <see cref="QmpClientOptions.TimeProvider"/>; null waits until cancelled.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The event.</returns>
    /// <exception cref="TimeoutException">No such event within <paramref name="timeout"/>.</exception>
    /// <exception cref="QmpDisconnectedException">The connection ended first.</exception>
    public Task<QmpEvent> WaitForEventAsync(string name, Func<QmpEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var subscription = SubscribeEvents([name]);
        return WaitAsync(subscription, name, e => predicate is null || predicate(e) ? e : null, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits for the next event of the typed kind <typeparamref name="TEvent"/> (that
    /// <paramref name="predicate"/> accepts) to arrive after this call, as the generated code types it:
    /// <code>
    /// var deleted = qemu.Client.WaitForEventAsync&lt;DeviceDeletedEvent&gt;(QemuEvents.Parse, e =&gt; e.Device == "nic1", TimeSpan.FromSeconds(5));
    /// </code>
    /// The subscription is made before this method returns.
    /// </summary>
    /// <typeparam name="TEvent">The typed event, e.g. a generated <c>StopEvent</c>.</typeparam>
    /// <param name="parse">Turns a raw event into its typed form: the generated <c>{Stem}Events.Parse</c>.</param>
    /// <param name="predicate">Which of those events; null takes the first.</param>
    /// <param name="timeout">How long to wait, measured by <see cref="QmpClientOptions.TimeProvider"/>; null waits until cancelled.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The event.</returns>
    /// <exception cref="TimeoutException">No such event within <paramref name="timeout"/>.</exception>
    /// <exception cref="QmpDisconnectedException">The connection ended first.</exception>
    public Task<TEvent> WaitForEventAsync<TEvent>(Func<QmpEvent, object> parse, Func<TEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        var subscription = SubscribeEvents();
        return WaitAsync(subscription, typeof(TEvent).Name, Typed(parse, predicate), timeout, cancellationToken);
    }

    /// <summary>
    /// Runs a command and waits for the event it causes, subscribed <em>before</em> the command is
    /// sent, so an event that arrives with or before the reply is not missed (<c>device_del</c> and
    /// <c>DEVICE_DELETED</c>). A command that fails throws its <see cref="QmpException"/> and stops waiting.
    /// </summary>
    /// <param name="command">The command, e.g. <c>device_del</c>.</param>
    /// <param name="arguments">Its arguments (a JSON object), or null.</param>
    /// <param name="eventName">The event's wire name, e.g. <c>DEVICE_DELETED</c>.</param>
    /// <param name="predicate">Which of those events; null takes the first.</param>
    /// <param name="timeout">For the reply and the event together, measured by <see cref="QmpClientOptions.TimeProvider"/>; null waits until cancelled.</param>
    /// <param name="cancellationToken">Stops waiting (a command already sent still runs on the server).</param>
    /// <returns>The command's <c>return</c> value and the event.</returns>
    public async Task<(JsonElement Reply, QmpEvent Event)> ExecuteAndWaitForEventAsync(string command, JsonElement? arguments, string eventName, Func<QmpEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var scope = new WaitScope(timeout, _options.TimeProvider, cancellationToken);
        var waiting = WaitForEventAsync(eventName, predicate, null, scope.Token);
        return await ExecuteThenWaitAsync(ct => ExecuteAsync(command, arguments, ct), waiting, eventName, scope).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a typed command (a method of the generated client) and waits for the typed event it causes,
    /// subscribed <em>before</em> the command is sent:
    /// <code>
    /// var (info, stop) = await qemu.Client.ExecuteAndWaitForEventAsync(
    ///     ct =&gt; qemu.QueryStatusAsync(ct), QemuEvents.Parse, (StopEvent e) =&gt; true, TimeSpan.FromSeconds(5));
    /// </code>
    /// A command that fails throws its <see cref="QmpException"/> and stops waiting.
    /// </summary>
    /// <typeparam name="TResult">What the command returns.</typeparam>
    /// <typeparam name="TEvent">The typed event, e.g. a generated <c>DeviceDeletedEvent</c>.</typeparam>
    /// <param name="command">Sends the command with the token it is given.</param>
    /// <param name="parse">Turns a raw event into its typed form: the generated <c>{Stem}Events.Parse</c>.</param>
    /// <param name="predicate">Which of those events; null takes the first.</param>
    /// <param name="timeout">For the reply and the event together, measured by <see cref="QmpClientOptions.TimeProvider"/>; null waits until cancelled.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The command's reply and the event.</returns>
    public async Task<(TResult Reply, TEvent Event)> ExecuteAndWaitForEventAsync<TResult, TEvent>(Func<CancellationToken, Task<TResult>> command, Func<QmpEvent, object> parse, Func<TEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(command);
        using var scope = new WaitScope(timeout, _options.TimeProvider, cancellationToken);
        var waiting = WaitForEventAsync(parse, predicate, null, scope.Token);
        return await ExecuteThenWaitAsync(command, waiting, typeof(TEvent).Name, scope).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a typed command without a result (a method of the generated client) and waits for the typed
    /// event it causes, subscribed <em>before</em> the command is sent:
    /// <code>
    /// var deleted = await qemu.Client.ExecuteAndWaitForEventAsync(
    ///     ct =&gt; qemu.DeviceDelAsync("nic1", ct), QemuEvents.Parse, (DeviceDeletedEvent e) =&gt; e.Device == "nic1", TimeSpan.FromSeconds(30));
    /// </code>
    /// A command that fails throws its <see cref="QmpException"/> and stops waiting.
    /// </summary>
    /// <typeparam name="TEvent">The typed event, e.g. a generated <c>DeviceDeletedEvent</c>.</typeparam>
    /// <param name="command">Sends the command with the token it is given.</param>
    /// <param name="parse">Turns a raw event into its typed form: the generated <c>{Stem}Events.Parse</c>.</param>
    /// <param name="predicate">Which of those events; null takes the first.</param>
    /// <param name="timeout">For the reply and the event together, measured by <see cref="QmpClientOptions.TimeProvider"/>; null waits until cancelled.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The event.</returns>
    public async Task<TEvent> ExecuteAndWaitForEventAsync<TEvent>(Func<CancellationToken, Task> command, Func<QmpEvent, object> parse, Func<TEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(command);
        using var scope = new WaitScope(timeout, _options.TimeProvider, cancellationToken);
        var waiting = WaitForEventAsync(parse, predicate, null, scope.Token);
        var (_, e) = await ExecuteThenWaitAsync(
            async ct =>
            {
                await command(ct).ConfigureAwait(false);
                return true;
            },
            waiting,
            typeof(TEvent).Name,
            scope).ConfigureAwait(false);
        return e;
    }

    private static Func<QmpEvent, TEvent?> Typed<TEvent>(Func<QmpEvent, object> parse, Func<TEvent, bool>? predicate)
        where TEvent : class =>
        e => parse(e) is TEvent typed && (predicate is null || predicate(typed)) ? typed : null;

    private static async Task<(TResult Reply, TEvent Event)> ExecuteThenWaitAsync<TResult, TEvent>(Func<CancellationToken, Task<TResult>> command, Task<TEvent> waiting, string what, WaitScope scope)
    {
        TResult reply;
        try
        {
            reply = await command(scope.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The command failed: stop waiting for its event, and observe that wait's end.
            scope.Cancel();
            try
            {
                await waiting.ConfigureAwait(false);
            }
            catch (Exception waitError) when (waitError is OperationCanceledException or QmpDisconnectedException)
            {
            }

            if (ex is OperationCanceledException && scope.TimedOut)
            {
                throw new TimeoutException($"No reply within {scope.Timeout}.", ex);
            }

            throw;
        }

        try
        {
            return (reply, await waiting.ConfigureAwait(false));
        }
        catch (OperationCanceledException ex) when (scope.TimedOut)
        {
            throw new TimeoutException($"No {what} event within {scope.Timeout} of sending the command.", ex);
        }
    }

    private async Task<TEvent> WaitAsync<TEvent>(QmpEventSubscription subscription, string what, Func<QmpEvent, TEvent?> match, TimeSpan? timeout, CancellationToken cancellationToken)
        where TEvent : class
    {
        using (subscription)
        {
            using var scope = new WaitScope(timeout, _options.TimeProvider, cancellationToken);
            try
            {
                await foreach (var e in subscription.Reader.ReadAllAsync(scope.Token).ConfigureAwait(false))
                {
                    if (match(e) is { } found)
                    {
                        return found;
                    }
                }
            }
            catch (OperationCanceledException ex) when (scope.TimedOut)
            {
                throw new TimeoutException($"No {what} event within {timeout}.", ex);
            }

            throw _closeError ?? new QmpDisconnectedException();
        }
    }

    /// <summary>A caller's token, linked with an optional timeout on the client's clock.</summary>
    private sealed class WaitScope : IDisposable
    {
        private readonly CancellationTokenSource? _timeout;
        private readonly CancellationTokenSource _linked;

        public WaitScope(TimeSpan? timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            Timeout = timeout;
            _timeout = timeout is { } t ? new CancellationTokenSource(t, time) : null;
            _linked = _timeout is null
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        }

        public TimeSpan? Timeout { get; }

        public CancellationToken Token => _linked.Token;

        public bool TimedOut => _timeout?.IsCancellationRequested == true;

        public void Cancel() => _linked.Cancel();

        public void Dispose()
        {
            _linked.Dispose();
            _timeout?.Dispose();
        }
    }
}
