// Version drift: a client generated from QEMU 10.0's QAPI schema (Debian 13) against the QEMU
// installed here (7.2 on Debian 12). First it asks what this QEMU lacks of the client's schema
// (CheckSchemaAsync, which compares the schema the client carries with the server's
// query-qmp-schema) and prints the report; then it runs the Quickstart's session with the 10.0
// client: query-status, stop/cont with their events, query-block, an eject that fails with its
// error class, and a backup job followed to BLOCK_JOB_COMPLETED. With no argument it starts
// qemu-system-x86_64 (-M pc, a qcow2 disk, an empty CD-ROM), or, where no QEMU is installed, the
// reference emulator's QEMU 7.2 persona in-process; with --connect unix:PATH it drives a QEMU that
// is already running.
#if QEMU100_CLIENT
using System.Diagnostics;
using System.Text.Json;
using DriftQemu.Qemu100;
using Qmp.Emulator;
using Qmp.Runtime;

var address = args switch
{
    [] => null,
    ["--connect", var a] => a,
    _ => null,
};
if (args.Length > 0 && address is null)
{
    Console.Error.WriteLine("usage: DriftQemu [--connect unix:PATH]");
    return 2;
}

Process? qemu = null;
QemuEmulator? emulator = null;
var work = Directory.CreateTempSubdirectory("drift-qemu-");
try
{
    var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
    if (address is null && binary is null)
    {
        // No QEMU here: the reference emulator answers as qemu-system-x86_64 7.2 (its recorded schema and
        // catalogues), in this process, with its default PC (a disk and an empty CD-ROM); block jobs write
        // into its data directory.
        var socket = Path.Combine(work.FullName, "qmp.sock");
        emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qemu = EmulatorOptions.Qemu72, Qmp = [$"unix:{socket},server=on,wait=off"], DataDir = work.FullName });
        Console.WriteLine("no qemu-system-x86_64 on PATH: started the reference emulator's QEMU 7.2 persona in-process");
        address = "unix:" + socket;
    }
    else if (address is null)
    {
        var disk = Path.Combine(work.FullName, "disk.qcow2");
        using (var img = Process.Start(new ProcessStartInfo("qemu-img") { ArgumentList = { "create", "-q", "-f", "qcow2", disk, "64M" } })!)
        {
            await img.WaitForExitAsync();
        }

        var socket = Path.Combine(work.FullName, "qmp.sock");
        qemu = Process.Start(new ProcessStartInfo(binary!)
        {
            ArgumentList =
            {
                "-M", "pc", "-m", "128", "-display", "none",
                "-drive", $"file={disk},if=ide,id=disk0", "-drive", "if=ide,media=cdrom,id=cd0",
                "-qmp", $"unix:{socket},server=on,wait=off",
            },
            // Kept off the session's output (drive-backup makes QEMU print "Formatting ..."), and drained.
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _ = qemu.StandardOutput.ReadToEndAsync();
        _ = qemu.StandardError.ReadToEndAsync();
        address = "unix:" + socket;
    }

    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    var ct = timeout.Token;
    // A QEMU just started creates its socket a moment before it listens: the client waits for it.
    await using var client = await Qemu100Client.ConnectAsync(address, new Qmp.Runtime.QmpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, ct);
    Console.WriteLine($"connected: QEMU {client.Greeting.Version}, capabilities [{string.Join(", ", client.Greeting.Capabilities)}]; client generated from QEMU 10.0's schema");

    // 1. What this QEMU lacks of the client's schema, before using it.
    var report = await client.CheckSchemaAsync(ct);
    Console.WriteLine("schema check:");
    Console.Write(report);
    // What matters for a program is what it uses: the session below needs these, and no more.
    string[] used = ["query-status", "stop", "cont", "query-block", "eject", "drive-backup", "query-block-jobs", "STOP", "RESUME", "BLOCK_JOB_COMPLETED"];
    var usable = used.Where(u => report.IsCompatibleFor([u])).ToList();
    Console.WriteLine($"this session: {string.Join(", ", usable)} as generated; {string.Join(", ", used.Except(usable))} with differences above (see the report)");

    // 2. The Quickstart's session, with the 10.0 client.
    var status = await client.QueryStatusAsync(ct);
    Console.WriteLine($"query-status: {status.Status} (running: {status.Running})");

    // Subscribed before the command is sent: QEMU sends STOP and RESUME before the reply.
    var eventTimeout = TimeSpan.FromSeconds(10);
    var stop = await client.ExecuteAndWaitForEventAsync(c => client.StopAsync(c), (StopEvent e) => true, eventTimeout, ct);
    Console.WriteLine($"stop -> event {stop.EventName}, status now {(await client.QueryStatusAsync(ct)).Status}");
    var resume = await client.ExecuteAndWaitForEventAsync(c => client.ContAsync(c), (ResumeEvent e) => true, eventTimeout, ct);
    Console.WriteLine($"cont -> event {resume.EventName}, status now {(await client.QueryStatusAsync(ct)).Status}");

    // A reply the client's schema cannot read fails that call alone (QmpReplyException, with the
    // member's path and the raw reply); the connection goes on. 10.0's BlockDeviceInfo requires
    // 'active', which 7.2 never sends (the report says so): the drives are read from the raw reply.
    List<Drive> drives;
    try
    {
        drives = (await client.QueryBlockAsync(ct)).Select(d => new Drive(d.Device, d.Type, d.Removable, d.Inserted?.File, d.Inserted?.Image.VirtualSize)).ToList();
    }
    catch (QmpReplyException e)
    {
        Console.WriteLine($"query-block: the typed reply could not be read at {e.Path}; read from the raw reply");
        drives = Drive.FromReply(e.Reply);
    }
    Console.WriteLine($"query-block: {drives.Count} drive(s)");
    foreach (var drive in drives)
    {
        Console.WriteLine($"  {drive.Device,-10} {drive.Type,-8} removable={drive.Removable,-5} {drive.File ?? "(empty)"}");
    }

    try
    {
        // 10.0 deprecates eject's 'device' (use 'id', a qdev id); 7.2 knows both, and a drive name is what we have.
#pragma warning disable CS0618
        await client.EjectAsync(device: "ide9-cd0", force: true, cancellationToken: ct);
#pragma warning restore CS0618
    }
    catch (QmpException e)
    {
        Console.WriteLine($"eject ide9-cd0 -> {e.ErrorClass}: {e.Description}");
    }

    var disk0 = drives.FirstOrDefault(d => d.File is not null && !d.Removable);
    if (disk0 is null)
    {
        Console.WriteLine("no disk to back up on this server; skipping the block job");
        return 0;
    }
    var size = disk0.VirtualSize ?? (1L << 30);
    var target = Path.Combine(work.FullName, "backup.qcow2");
    // A speed that makes the job take about two seconds, so there is progress to watch. Waiting
    // starts before the command, so a job that ends at once is not missed. drive-backup is
    // deprecated in 10.0 (blockdev-backup replaces it); 7.2 has it, and the Quickstart calls it.
    var completed = client.WaitForEventAsync<BlockJobCompletedEvent>(e => e.Device == disk0.Device, TimeSpan.FromSeconds(30), ct);
#pragma warning disable CS0618
    await client.DriveBackupAsync(new DriveBackup { Device = disk0.Device, Target = target, Sync = MirrorSyncMode.Full, Format = "qcow2", Speed = size / 2 }, ct);
#pragma warning restore CS0618
    Console.WriteLine($"drive-backup {disk0.Device} -> {target}");
    while (!completed.IsCompleted)
    {
        List<(string Type, string Device, long Offset, long Len)> jobs;
        try
        {
            jobs = (await client.QueryBlockJobsAsync(ct)).Select(j => (j.Type.Value, j.Device, j.Offset, j.Len)).ToList();
        }
        catch (QmpReplyException e)
        {
            Console.WriteLine($"query-block-jobs: the typed reply could not be read at {e.Path}; read from the raw reply");
            using var reply = JsonDocument.Parse(e.Reply);
            jobs = reply.RootElement.EnumerateArray().Select(j => (j.GetProperty("type").GetString()!, j.GetProperty("device").GetString()!,
                j.GetProperty("offset").GetInt64(), j.GetProperty("len").GetInt64())).ToList();
        }
        foreach (var job in jobs)
        {
            Console.WriteLine($"  {job.Type} on {job.Device}: {100.0 * job.Offset / Math.Max(1, job.Len),5:F1}% of {job.Len >> 20} MiB");
        }

        await Task.WhenAny(completed, Task.Delay(400, ct));
    }
    var done = await completed;
    Console.WriteLine($"event {BlockJobCompletedEvent.WireName} ({done.Type} on {done.Device}, {done.Offset >> 20} of {done.Len >> 20} MiB)");
    return 0;
}
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or QmpException or OperationCanceledException or TimeoutException)
{
    Console.Error.WriteLine($"DriftQemu: {e.Message}");
    return 1;
}
finally
{
    if (qemu is { HasExited: false })
    {
        qemu.Kill();
        await qemu.WaitForExitAsync();
    }

    if (emulator is not null)
    {
        await emulator.DisposeAsync();
    }

    work.Delete(recursive: true);
}

/// <summary>What the session reads of a drive, from the typed reply or from the raw one.</summary>
internal sealed record Drive(string Device, string Type, bool Removable, string? File, long? VirtualSize)
{
    public static List<Drive> FromReply(string reply)
    {
        using var json = JsonDocument.Parse(reply);
        return json.RootElement.EnumerateArray().Select(d =>
        {
            var inserted = d.TryGetProperty("inserted", out var i) ? i : (JsonElement?)null;
            return new Drive(d.GetProperty("device").GetString()!, d.GetProperty("type").GetString()!, d.GetProperty("removable").GetBoolean(),
                inserted?.GetProperty("file").GetString(), inserted?.GetProperty("image").GetProperty("virtual-size").GetInt64());
        }).ToList();
    }
}
#else
Console.Error.WriteLine("DriftQemu: built without a client: QEMU 10.0's QAPI schema could not be had at build time. "
    + "Run eng/get-qemu-schema.sh trixie (it needs apt and Debian's deb-src entries; see obj/qemu100-error.txt), then build again.");
return 2;
#endif
