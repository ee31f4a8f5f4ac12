// Quickstart: a short QMP session that shows the pieces — greeting, query-status, stop/cont with
// their events, query-block, an eject that fails with its error class, and a block job followed
// to completion. Against the in-process emulator by default; `-- --connect unix:PATH` for any
// other QMP server (a real QEMU included).
using Qmp.Emulator;
using Qmp.Runtime;
using Quickstart.Qemu;

var connect = args.Length == 2 && args[0] == "--connect" ? args[1] : null;
if (args.Length > 0 && connect is null)
{
    Console.Error.WriteLine("usage: Quickstart [--connect unix:PATH | tcp:HOST:PORT]");
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = cancel.Token;
QemuEmulator? emulator = null;
var work = Directory.CreateTempSubdirectory("qmp-quickstart-");
try
{
    if (connect is null)
    {
        var socket = Path.Combine(work.FullName, "qmp.sock");
        emulator = await QemuEmulator.StartAsync(new EmulatorOptions
        {
            Qmp = [$"unix:{socket},server,nowait"],
            Name = "quickstart",
            DataDir = work.FullName,
        }, ct);
        connect = $"unix:{socket}";
        Console.WriteLine($"started the reference emulator, QMP on {socket}");
    }

    await using var qemu = await QemuClient.ConnectAsync(connect, cancellationToken: ct);
    Console.WriteLine($"connected: QEMU {qemu.Greeting.Version}, capabilities [{string.Join(", ", qemu.Greeting.Capabilities)}]");

    var status = await qemu.QueryStatusAsync(ct);
    Console.WriteLine($"query-status: {status.Status} (running: {status.Running})");

    // Events arrive on their own, from the moment of subscription: ExecuteAndWaitForEventAsync
    // subscribes, then sends the command, and returns the event the command caused.
    var eventTimeout = TimeSpan.FromSeconds(10);
    var stop = await qemu.Client.ExecuteAndWaitForEventAsync<StopEvent>(qemu.StopAsync, QemuEvents.Parse, timeout: eventTimeout, cancellationToken: ct);
    Console.WriteLine($"stop -> event {stop.EventName}, status now {(await qemu.QueryStatusAsync(ct)).Status}");
    var resume = await qemu.Client.ExecuteAndWaitForEventAsync<ResumeEvent>(qemu.ContAsync, QemuEvents.Parse, timeout: eventTimeout, cancellationToken: ct);
    Console.WriteLine($"cont -> event {resume.EventName}, status now {(await qemu.QueryStatusAsync(ct)).Status}");

    var drives = await qemu.QueryBlockAsync(ct);
    Console.WriteLine($"query-block: {drives.Count} drive(s)");
    foreach (var drive in drives)
    {
        Console.WriteLine($"  {drive.Device,-10} {drive.Type,-8} removable={drive.Removable,-5} {drive.Inserted?.File ?? "(empty)"}");
    }

    try
    {
        await qemu.EjectAsync(device: "ide9-cd0", force: true, cancellationToken: ct);
    }
    catch (QmpException e)
    {
        Console.WriteLine($"eject ide9-cd0 -> {e.ErrorClass}: {e.Description}");
    }

    var disk = drives.FirstOrDefault(d => d.Inserted is not null && !d.Removable);
    if (disk is null)
    {
        Console.WriteLine("no disk to back up on this server; skipping the block job");
        return 0;
    }
    var size = disk.Inserted!.Image?.VirtualSize ?? (1L << 30);
    var target = Path.Combine(work.FullName, "backup.qcow2");
    // A speed that makes the job take about two seconds, so there is progress to watch.
    // Waiting starts before the command, so a job that ends at once is not missed.
    var completed = qemu.Client.WaitForEventAsync<BlockJobCompletedEvent>(QemuEvents.Parse, e => e.Device == disk.Device, cancellationToken: ct);
    await qemu.DriveBackupAsync(device: disk.Device, target: target, sync: "full", format: "qcow2", speed: size / 2, cancellationToken: ct);
    Console.WriteLine($"drive-backup {disk.Device} -> {target}");
    var done = Describe(completed);
    while (!done.IsCompleted)
    {
        foreach (var job in await qemu.QueryBlockJobsAsync(ct))
        {
            Console.WriteLine($"  {job.Type} on {job.Device}: {100.0 * job.Offset / Math.Max(1, job.Len),5:F1}% of {job.Len >> 20} MiB");
        }

        await Task.WhenAny(done, Task.Delay(400, ct));
    }
    Console.WriteLine($"event {await done}");
    return 0;
}
catch (Exception e) when (e is QmpException or IOException or OperationCanceledException or TimeoutException)
{
    Console.Error.WriteLine($"quickstart: {e.Message}");
    return 1;
}
finally
{
    if (emulator is not null)
    {
        await emulator.DisposeAsync();
    }

    work.Delete(recursive: true);
}

static async Task<string> Describe(Task<BlockJobCompletedEvent> completed)
{
    var job = await completed;
    return $"{BlockJobCompletedEvent.WireName} ({job.Type} on {job.Device}, {job.Offset >> 20} of {job.Len >> 20} MiB)";
}
