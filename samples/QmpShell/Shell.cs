using System.Text.Json;
using Qmp.Runtime;
using QmpShell.Qemu;

namespace QmpShell;

/// <summary>
/// The read-execute-print loop: each line is a shell word (<c>help</c>, <c>quit</c>) or a command
/// sent through the generated client's connection; replies are printed indented, errors as
/// <c>error: CLASS: description</c>, events as <c>event NAME at TIME DATA</c> whenever they arrive
/// (<see cref="EventText"/>).
/// </summary>
internal sealed class Shell(QemuClient qemu, CommandCatalog catalog, IShellConsole console)
{
    private int _failures;

    /// <summary>Commands that failed (an error reply or a line that could not be read).</summary>
    public int Failures => _failures;

    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        using var subscription = qemu.Client.SubscribeEvents();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = PumpEventsAsync(subscription, stop);
        var exitCode = 0;
        try
        {
            while (true)
            {
                var line = console.ReadLine(stop.Token);
                if (line is null)
                {
                    break;
                }

                var outcome = await ExecuteLineAsync(line, subscription, stop.Token).ConfigureAwait(false);
                if (outcome == Outcome.Quit)
                {
                    break;
                }

                if (outcome == Outcome.Disconnected)
                {
                    exitCode = 1;
                    break;
                }
            }
        }
        finally
        {
            lock (console.Sync)
            {
                Drain(subscription);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
        return exitCode;
    }

    internal enum Outcome
    {
        Continue,
        Quit,
        Disconnected,
    }

    internal async Task<Outcome> ExecuteLineAsync(string line, QmpEventSubscription subscription, CancellationToken cancellationToken)
    {
        var text = line.Trim();
        if (text.Length == 0 || text.StartsWith('#'))
        {
            return Outcome.Continue;
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        switch (words[0])
        {
            case "quit" or "exit" when words.Length == 1:
                return Outcome.Quit;
            case "help" when words.Length == 1:
                console.WriteLine(HelpText.List(catalog, console.Width));
                return Outcome.Continue;
            case "help":
                console.WriteLine(HelpText.Command(catalog, words[1], console.Width));
                return Outcome.Continue;
        }
        if (text.StartsWith('!'))
        {
            text = text[1..];
        }

        ParsedCommand? command;
        try
        {
            command = ShellSyntax.Parse(text, catalog);
        }
        catch (ShellSyntaxException e)
        {
            Interlocked.Increment(ref _failures);
            console.WriteLine($"error: {e.Message}");
            return Outcome.Continue;
        }
        if (command is null)
        {
            return Outcome.Continue;
        }

        JsonElement? arguments = command.Arguments is null ? null : JsonSerializer.SerializeToElement(command.Arguments);
        string output;
        var outcome = Outcome.Continue;
        try
        {
            var result = await qemu.Client.ExecuteAsync(command.Name, arguments, cancellationToken).ConfigureAwait(false);
            output = SpectreText.Json(result, console.Width, console.Colors);
        }
        catch (QmpException e)
        {
            Interlocked.Increment(ref _failures);
            output = $"error: {e.ErrorClassName}: {e.Description}";
        }
        catch (QmpDisconnectedException e)
        {
            Interlocked.Increment(ref _failures);
            output = $"error: the connection is closed ({e.Message})";
            outcome = Outcome.Disconnected;
        }
        catch (QmpProtocolException e)
        {
            Interlocked.Increment(ref _failures);
            output = $"error: {e.Message}";
        }
        // Events that came before the reply are printed before it.
        lock (console.Sync)
        {
            Drain(subscription);
            console.WriteLine(output);
        }
        return outcome;
    }

    private async Task PumpEventsAsync(QmpEventSubscription subscription, CancellationTokenSource stop)
    {
        try
        {
            while (await subscription.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                lock (console.Sync)
                {
                    Drain(subscription);
                }
            }
            // The stream completes when the connection closes.
            if (!stop.IsCancellationRequested)
            {
                console.WriteLine("connection closed by the server");
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Drain(QmpEventSubscription subscription)
    {
        while (subscription.Reader.TryRead(out var qmpEvent))
        {
            console.WriteLine(EventText.Format(qmpEvent, catalog));
        }
    }
}
