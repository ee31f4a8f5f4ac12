using System.Text;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The 7.2 persona's block graph and jobs: what libvirt 9.0 sends for <c>snapshot-create-as --disk-only</c> and
/// <c>blockcopy --finish</c> (../shared/reference/libvirt-notes.md), with the errors a client meets on the way, sent
/// to the installed QEMU 7.2 and to the persona side by side: events (JOB_STATUS_CHANGE through each job's life,
/// BLOCK_JOB_READY/COMPLETED/CANCELLED) equal in order and data, errors equal in class and words, replies equal in
/// shape and in the members that tell the graph (node names, drivers, backing, read-only, job status).
/// </summary>
public sealed class Qemu72BlockTests
{
    /// <summary>Requests in order; <c>DIR</c> is the target's own folder. Each is followed by the events it causes.</summary>
    private static readonly (string Request, int EventsAfter)[] Session =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/snap.qcow2","node-name":"libvirt-2-storage","auto-read-only":true,"discard":"unmap"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/none.qcow2","node-name":"x1"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"libvirt-2-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"libvirt-1-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"1bad"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"qcow2","file":"nosuch","node-name":"q1"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"qcow2","file":"libvirt-2-storage","node-name":"q1"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"create-libvirt-2-format","options":{"driver":"qcow2","file":"libvirt-2-storage","size":67108864,"cluster-size":65536,"backing-file":"DIR/disk.qcow2","backing-fmt":"qcow2"}}}""", 3),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"libvirt-2-format","read-only":false,"driver":"qcow2","file":"libvirt-2-storage","backing":null}}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"transaction","arguments":{"actions":[{"type":"blockdev-snapshot","data":{"node":"libvirt-1-format","overlay":"nosuch"}}]}}""", 0),
        ("""{"execute":"transaction","arguments":{"actions":[{"type":"blockdev-snapshot","data":{"node":"libvirt-1-format","overlay":"libvirt-2-format"}}]}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"nosuch"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-1-storage"}}""", 0),

        // blockcopy --wait --finish: a copy, mirrored, READY, then a soft cancel leaves the copy.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"libvirt-3-storage","auto-read-only":true,"discard":"unmap"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"create-libvirt-3-format","options":{"driver":"qcow2","file":"libvirt-3-storage","size":67108864,"cluster-size":65536}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-3-format"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"libvirt-3-format","read-only":false,"driver":"qcow2","file":"libvirt-3-storage","backing":null}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"copy-vda-libvirt-2-format","device":"libvirt-2-format","target":"libvirt-3-format","sync":"full","auto-finalize":true,"auto-dismiss":false}}""", 2),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 4),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-storage"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-storage"}}""", 0),

        // A mirror completed (the drive pivots to the copy), then one cancelled by force.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"c-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"c-format","driver":"qcow2","file":"c-storage","backing":null}}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-2-format","target":"c-format","sync":"full"}}""", 2),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-2-format","target":"c-format","sync":"full"}}""", 0),
        ("""{"execute":"block-job-complete","arguments":{"device":"m1"}}""", 5),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m2","device":"c-format","target":"libvirt-2-format","sync":"full"}}""", 2),
        ("""{"execute":"job-cancel","arguments":{"id":"m2"}}""", 4),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"query-blockstats","arguments":{"query-nodes":true}}""", 0),
    ];

    /// <summary>
    /// A mirror paused, sped and completed while paused; backups (blockdev-backup into a node, drive-backup into a file
    /// the command creates or an existing one, sync full, top and none) with their errors; a paused backup cancelled.
    /// </summary>
    private static readonly (string Request, int EventsAfter)[] JobSession =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"c-storage"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"cr","options":{"driver":"qcow2","file":"c-storage","size":67108864}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"cr"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"c-format","driver":"qcow2","file":"c-storage","backing":null}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-1-format","target":"c-format","sync":"full","auto-dismiss":false}}""", 2),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-resume","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":1048576}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":-1}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"nosuch","speed":1}}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 4),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":1}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"query-block"}""", 0),

        // Backups of the drive's image (now c-format) into a node of the same size, then into files.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/snap.qcow2","node-name":"b-storage"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"cr","options":{"driver":"qcow2","file":"b-storage","size":67108864}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"cr"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"b-format","driver":"qcow2","file":"b-storage","backing":null}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"nosuch","target":"b-format","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"nosuch","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"c-format","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"incremental"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"full","speed":-1}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"full"}}""", 5),
        ("""{"execute":"blockdev-backup","arguments":{"device":"c-format","target":"b-format","sync":"none"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b3","device":"c-format","target":"b-format","sync":"none"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"b3"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"b3"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"b3","force":true}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d1","device":"c-format","target":"DIR/db.qcow2","sync":"full"}}""", 5),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d2","device":"c-format","target":"DIR/db2.img","sync":"top","format":"raw"}}""", 5),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d3","device":"c-format","target":"DIR/none.qcow2","sync":"full","mode":"existing"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d4","device":"c-format","target":"DIR/db3.qcow2","sync":"none","format":"vmdkx"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d5","device":"virtio-disk0","target":"DIR/db4.qcow2","sync":"none"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d6","device":"c-format","target":"DIR/nodir/db.qcow2","sync":"full"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d7","device":"c-format","target":"DIR/db.qcow2","sync":"full","mode":"existing","auto-finalize":false}}""", 3),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-finalize","arguments":{"id":"d7"}}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
    ];

    [QemuFact]
    public async Task Libvirts_snapshot_and_blockcopy_get_the_replies_and_events_qemu_7_2_gives() => await CompareAsync(Session);

    [QemuFact]
    public async Task Paused_sped_and_backup_jobs_get_the_replies_and_events_qemu_7_2_gives() => await CompareAsync(JobSession);

    private static async Task CompareAsync((string Request, int EventsAfter)[] session)
    {
        var qemu = await RunAsync(Target.Qemu, session);
        var persona = await RunAsync(Target.Emulator, session);
        var differences = Enumerable.Range(0, session.Length).Where(i => qemu[i] != persona[i]).Select(i => $"step {i}:\nqemu:    {qemu[i]}\npersona: {persona[i]}").ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>Runs <paramref name="session"/> on a disk of its own and gives each step as comparable text.</summary>
    private static async Task<List<string>> RunAsync(string kind, (string Request, int EventsAfter)[] session)
    {
        var dir = Target.NewDirectory();
        var disk = Path.Combine(dir, "disk.qcow2");
        File.WriteAllBytes(disk, QemuMachine.Qcow2Image(64L << 20, null));
        File.WriteAllBytes(Path.Combine(dir, "snap.qcow2"), []);
        File.WriteAllBytes(Path.Combine(dir, "copy.qcow2"), []);
        var socket = Path.Combine(dir, "qmp.sock");
        string[] line =
        [
            "-S", "-m", "64",
            "-blockdev", $$"""{"driver":"file","filename":"{{disk}}","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}""",
            "-blockdev", """{"node-name":"libvirt-1-format","read-only":false,"driver":"qcow2","file":"libvirt-1-storage"}""",
            "-device", """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"libvirt-1-format","id":"virtio-disk0","bootindex":1}""",
            "-qmp", $"unix:{socket},server=on,wait=off",
        ];
        await using var target = Target.Start(kind, dir, line, qemuOnly: ["-machine", "pc-i440fx-7.2", "-accel", "tcg"], emulatorOnly: ["--qemu", "7.2", "-machine", "pc-i440fx-7.2", "-accel", "tcg", "-nodefaults"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        var steps = new List<string>();

        // QEMU pauses a job while its nodes are drained (standby from ready, paused from running) and resumes it when the
        // drain ends; whether a drain meets a job depends on the machine's load (seen under CI: a mirror went standby and
        // back to ready while the next command ran). Such pairs are left out on both sides (the persona's backup sends the
        // one QEMU's backup command always causes); a pause the session asks for, and the job's return from it, are kept.
        var drained = new HashSet<string>(StringComparer.Ordinal);
        var userPaused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (request, eventsAfter) in session)
        {
            var pausing = PausedJob(request);
            await qmp.SendAsync(request.Replace("DIR", dir, StringComparison.Ordinal) + "\r\n");
            var lines = new List<string> { request };

            // The job being paused may meet a drain before the pause takes effect (seen under load: standby, ready,
            // standby, then the reply); the pause-resume pairs among its changes before the reply are the drain's.
            var pausingChanges = new List<(int Line, bool Pause)>();
            var replied = false;
            for (var after = 0; !replied || after < eventsAfter;)
            {
                var message = JsonDocument.Parse(await qmp.ReadLineAsync(), new JsonDocumentOptions { MaxDepth = 2048 }).RootElement.Clone();
                if (message.TryGetProperty("event", out var name))
                {
                    if (IsDrainPause(message, drained, userPaused, pausing))
                    {
                        continue;
                    }

                    if (!replied && pausing is not null && ChangedJob(message) is ({ } id, { } status) && id == pausing)
                    {
                        pausingChanges.Add((lines.Count, status is "standby" or "paused"));
                    }

                    lines.Add("  " + name.GetString() + " " + (message.TryGetProperty("data", out var data) ? Canonical(data) : ""));
                    after += replied ? 1 : 0;
                }
                else
                {
                    lines.Add("  " + Reply(message));
                    replied = true;
                    if (pausing is not null && message.TryGetProperty("return", out _))
                    {
                        userPaused.Add(pausing);
                    }
                }
            }

            var drainPairs = new HashSet<int>();
            for (var i = 0; i + 1 < pausingChanges.Count; i++)
            {
                if (pausingChanges[i].Pause && !pausingChanges[i + 1].Pause)
                {
                    drainPairs.Add(pausingChanges[i].Line);
                    drainPairs.Add(pausingChanges[i + 1].Line);
                    i++;
                }
            }

            var text = new StringBuilder();
            for (var i = 0; i < lines.Count; i++)
            {
                if (!drainPairs.Contains(i))
                {
                    text.Append(lines[i]).Append('\n');
                }
            }

            steps.Add(text.ToString().Replace(dir, "DIR", StringComparison.Ordinal));
        }

        return steps;
    }

    /// <summary>A JOB_STATUS_CHANGE's job and status, else nulls.</summary>
    private static (string? Id, string? Status) ChangedJob(JsonElement message) =>
        message.GetProperty("event").GetString() == "JOB_STATUS_CHANGE" && message.GetProperty("data") is var data
            ? (data.GetProperty("id").GetString(), data.GetProperty("status").GetString())
            : (null, null);

    /// <summary>The job a job-pause or block-job-pause request pauses, else null.</summary>
    private static string? PausedJob(string request)
    {
        var root = JsonDocument.Parse(request).RootElement;
        return root.GetProperty("execute").GetString() switch
        {
            "job-pause" => root.GetProperty("arguments").GetProperty("id").GetString(),
            "block-job-pause" => root.GetProperty("arguments").GetProperty("device").GetString(),
            _ => null,
        };
    }

    /// <summary>
    /// Whether <paramref name="message"/> is a JOB_STATUS_CHANGE into <c>standby</c> or <c>paused</c> that a drain caused,
    /// or the change back out of it. A job the session is pausing (<paramref name="pausing"/>) or has paused
    /// (<paramref name="userPaused"/>) stays paused through drains, so its changes are the session's own and are kept.
    /// </summary>
    private static bool IsDrainPause(JsonElement message, HashSet<string> drained, HashSet<string> userPaused, string? pausing)
    {
        if (message.GetProperty("event").GetString() != "JOB_STATUS_CHANGE")
        {
            return false;
        }

        var data = message.GetProperty("data");
        var id = data.GetProperty("id").GetString()!;
        if (id == pausing || userPaused.Contains(id))
        {
            if (data.GetProperty("status").GetString() is "ready" or "running" or "aborting" or "concluded" or "null")
            {
                userPaused.Remove(id);
            }

            return false;
        }

        switch (data.GetProperty("status").GetString())
        {
            case "standby" or "paused":
                drained.Add(id);
                return true;
            case "ready" or "running":
                return drained.Remove(id);
            default:
                return false;
        }
    }

    /// <summary>An error as its class and words; a return as its shape and the members that tell the graph.</summary>
    private static string Reply(JsonElement message) =>
        message.TryGetProperty("error", out var error)
            ? $"error {error.GetProperty("class").GetString()}: {error.GetProperty("desc").GetString()}"
            : "return " + Shape(message.GetProperty("return"));

    /// <summary>Members whose values are compared; every other member counts by its name and JSON kind only.</summary>
    private static readonly HashSet<string> Compared = new(StringComparer.Ordinal)
    {
        "node-name", "drv", "ro", "backing_file", "backing_file_depth", "virtual-size", "format", "device", "qdev", "status", "type", "id",
        "ready", "len", "offset", "auto-finalize", "auto-dismiss", "current-progress", "total-progress", "error", "backing-filename", "backing-filename-format",
    };

    private static string Shape(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => m.Name + ":" + (Compared.Contains(m.Name) && m.Value.ValueKind != JsonValueKind.Object && m.Value.ValueKind != JsonValueKind.Array ? m.Value.GetRawText() : Shape(m.Value)))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Shape)) + "]",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => value.ValueKind.ToString(),
    };

    private static string Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => m.Name + ":" + Canonical(m.Value))) + "}",
        _ => value.GetRawText(),
    };
}
