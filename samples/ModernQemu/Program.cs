// The QEMU people run today, through the client generated from its own QAPI schema (QEMU 7.2).
// With no argument it starts qemu-system-x86_64 (-M pc, a qcow2 disk, an empty CD-ROM) and drives
// it, or, where no QEMU is installed, the reference emulator's QEMU 7.2 persona in-process; with
// --connect unix:PATH it drives a QEMU that is already running.
#if QEMU72_CLIENT
using System.Diagnostics;
using ModernQemu.Qemu72;
using Qmp.Emulator;

var address = args switch
{
    [] => null,
    ["--connect", var a] => a,
    _ => null,
};
if (args.Length > 0 && address is null)
{
    Console.Error.WriteLine("usage: ModernQemu [--connect unix:PATH]");
    return 2;
}

Process? qemu = null;
QemuEmulator? emulator = null;
DirectoryInfo? dir = null;
try
{
    var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
    if (address is null && binary is null)
    {
        // No QEMU here: the reference emulator answers as qemu-system-x86_64 7.2 (its recorded schema and
        // catalogues), in this process, with its default PC (a disk and an empty CD-ROM).
        dir = Directory.CreateTempSubdirectory("modern-qemu-");
        var socket = Path.Combine(dir.FullName, "qmp.sock");
        emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qemu = EmulatorOptions.Qemu72, Qmp = [$"unix:{socket},server=on,wait=off"] });
        Console.WriteLine("no qemu-system-x86_64 on PATH: started the reference emulator's QEMU 7.2 persona in-process");
        address = "unix:" + socket;
    }
    else if (address is null)
    {
        dir = Directory.CreateTempSubdirectory("modern-qemu-");
        var disk = Path.Combine(dir.FullName, "disk.qcow2");
        using (var img = Process.Start(new ProcessStartInfo("qemu-img") { ArgumentList = { "create", "-q", "-f", "qcow2", disk, "64M" } })!)
        {
            await img.WaitForExitAsync();
        }

        var socket = Path.Combine(dir.FullName, "qmp.sock");
        qemu = Process.Start(new ProcessStartInfo(binary!)
        {
            ArgumentList =
            {
                "-M", "pc", "-m", "128", "-display", "none",
                "-drive", $"file={disk},if=ide,id=disk0", "-drive", "if=ide,media=cdrom,id=cd0",
                "-qmp", $"unix:{socket},server=on,wait=off",
            },
            RedirectStandardError = true,
        })!;
        address = "unix:" + socket;
    }

    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    var ct = timeout.Token;
    // A QEMU just started creates its socket a moment before it listens: the client waits for it.
    await using var client = await Qemu72Client.ConnectAsync(address, new Qmp.Runtime.QmpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, ct);
    Console.WriteLine($"connected: QEMU {client.Greeting.Version}");

    // What this QEMU lacks of the schema the client was generated from, before using it.
    var report = await client.CheckSchemaAsync(ct);
    Console.WriteLine($"schema check: {report.Differences.Count} difference(s), {report.Breaking.Count()} breaking; commands this QEMU lacks: {report.MissingCommands.Count} ({string.Join(", ", report.MissingCommands)})");

    var status = await client.QueryStatusAsync(ct);
    Console.WriteLine($"status: {status.Status} (running: {status.Running})");
    foreach (var drive in await client.QueryBlockAsync(ct))
    {
        Console.WriteLine($"drive {drive.Device}: {drive.Inserted?.File ?? "(empty)"}");
    }

    // Subscribed before the command is sent: QEMU sends STOP before the reply.
    var stop = await client.ExecuteAndWaitForEventAsync(c => client.StopAsync(c), (StopEvent e) => true, TimeSpan.FromSeconds(10), ct);
    Console.WriteLine("event STOP");
    await client.ExecuteAndWaitForEventAsync(c => client.ContAsync(c), (ResumeEvent e) => true, TimeSpan.FromSeconds(10), ct);
    Console.WriteLine("event RESUME");
    return 0;
}
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Qmp.Runtime.QmpException or OperationCanceledException)
{
    Console.Error.WriteLine($"ModernQemu: {e.Message}");
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

    dir?.Delete(recursive: true);
}

#else
Console.Error.WriteLine("ModernQemu: built without a client: QEMU 7.2's QAPI schema could not be had at build time. "
    + "Run eng/get-qemu-schema.sh bookworm (it needs apt and Debian's deb-src entries; see obj/qemu72-error.txt), then build again.");
return 2;
#endif
