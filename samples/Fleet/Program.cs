// Fleet: one process holding a QMP connection to each of many VMs, as a management service does.
// Starts N reference emulators in-process (or takes the QMP sockets given with --connect), polls
// query-status on all of them every interval with bounded concurrency, shows a live table (plain
// lines when the output is not a terminal), reconnects a VM whose connection drops with backoff,
// stops cleanly on Ctrl+C, and shuts the emulators down. How to hold many clients:
// - one QemuClient per VM, kept open between polls (an idle client holds no buffers);
// - one QmpClientOptions shared by all, with a command timeout so one stuck VM cannot hold a slot;
// - a dropped client is disposed and replaced; attempts are spaced by a doubling backoff with jitter,
//   and a VM waiting for its next attempt does not hold up the others.
using System.Diagnostics;
using System.Globalization;
using Fleet;
using Qmp.Emulator;
using Spectre.Console;

var options = FleetOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Fleet [--vms N | --connect unix:PATH ...] [--concurrency N] [--interval MS] [--rounds N] [--restart-after ROUND] [--plain]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;
var work = Directory.CreateTempSubdirectory("qmp-fleet-");
var emulators = new List<QemuEmulator>();
var vms = new List<Vm>();
var plain = options.Plain || Console.IsOutputRedirected;
try
{
    if (options.Connect.Count == 0)
    {
        for (var i = 0; i < options.Vms; i++)
        {
            emulators.Add(await StartEmulatorAsync(i, ct));
            vms.Add(new Vm($"vm{i}", $"unix:{SocketOf(i)}"));
        }

        Console.WriteLine($"started {options.Vms} reference emulators in {work.FullName}");
    }
    else
    {
        vms.AddRange(options.Connect.Select(address => new Vm(address, address)));
    }

    var table = new Table().AddColumns("VM", "state", "status", "round trip", "polls", "failures", "reconnects");
    if (plain)
    {
        await PollAsync(() => { });
        Render(table);
        AnsiConsole.Write(table);
    }
    else
    {
        await AnsiConsole.Live(table).StartAsync(async context => await PollAsync(() =>
        {
            Render(table);
            context.Refresh();
        }));
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.WriteLine("cancelled");
}
finally
{
    // Clients first (their read loops end), then the emulators they talked to.
    foreach (var vm in vms)
    {
        await vm.DisposeAsync();
    }

    foreach (var emulator in emulators)
    {
        await emulator.DisposeAsync();
    }

    work.Delete(recursive: true);
}

foreach (var vm in vms)
{
    Console.WriteLine($"{vm.Name}: {vm.Status}, {vm.Polls} polls, {vm.Failures} failures, {vm.Reconnects} reconnects");
}

return 0;

async Task PollAsync(Action render)
{
    var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct };
    for (var round = 1; options.Rounds is not { } rounds || round <= rounds; round++)
    {
        var due = Stopwatch.GetTimestamp() + (long)(options.Interval.TotalSeconds * Stopwatch.Frequency);
        await Parallel.ForEachAsync(vms, parallel, async (vm, token) => await vm.PollAsync(token));
        render();
        if (plain)
        {
            var ok = vms.Count(vm => vm.State == "ok");
            var times = vms.Where(vm => vm.State == "ok").Select(vm => vm.RoundTrip.TotalMilliseconds).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {ok}/{vms.Count} ok{(times.Count > 0 ? $", slowest {times[^1]:F2} ms" : "")}{string.Concat(vms.Where(vm => vm.State != "ok").Select(vm => $", {vm.Name} {vm.State}"))}"));
        }

        if (round == options.RestartAfter && emulators.Count > 0)
        {
            // What a QEMU restart looks like to the fleet: vm0's connection ends, its socket comes back.
            await emulators[0].DisposeAsync();
            emulators[0] = await StartEmulatorAsync(0, ct);
        }

        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, ct);
        }
    }
}

void Render(Table table)
{
    table.Rows.Clear();
    foreach (var vm in vms)
    {
        var state = vm.State == "ok" ? "[green]ok[/]" : $"[yellow]{Markup.Escape(vm.State)}[/]";
        table.AddRow(Markup.Escape(vm.Name), state, Markup.Escape(vm.Status), vm.State == "ok" ? $"{vm.RoundTrip.TotalMilliseconds:F2} ms" : "-",
            vm.Polls.ToString(CultureInfo.InvariantCulture), vm.Failures.ToString(CultureInfo.InvariantCulture), vm.Reconnects.ToString(CultureInfo.InvariantCulture));
    }
}

string SocketOf(int index) => Path.Combine(work.FullName, $"vm{index}.sock");

Task<QemuEmulator> StartEmulatorAsync(int index, CancellationToken cancellationToken) =>
    QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{SocketOf(index)},server,nowait"], Name = $"vm{index}" }, cancellationToken);
