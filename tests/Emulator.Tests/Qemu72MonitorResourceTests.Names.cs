using System.Text.Json;

namespace Qmp.Emulator.Tests;

// What query-chardev calls a backend, and block_resize on a node a job holds, beside QEMU 7.2.
public sealed partial class Qemu72MonitorResourceTests
{
    private static readonly Step[] s_chardevAndBusySteps =
    [
        new("chardev-add", """{"id":"c1","backend":{"type":"file","data":{"out":"chr.log"}}}"""),
        new("chardev-add", """{"id":"c2","backend":{"type":"ringbuf","data":{}}}"""),
        new("chardev-add", """{"id":"c3","backend":{"type":"null","data":{}}}"""),
        new("chardev-add", """{"id":"c4","backend":{"type":"pty","data":{}}}"""),
        new("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f0"}"""),
        new("blockdev-add", """{"driver":"raw","file":"f0","node-name":"r0"}"""),
        new("blockdev-add", """{"driver":"file","filename":"target.raw","node-name":"n0"}"""),
        new("blockdev-mirror", """{"job-id":"m1","device":"r0","target":"n0","sync":"full"}"""),
        new("block_resize", """{"node-name":"r0","size":131072}"""),
        new("block_resize", """{"node-name":"n0","size":131072}"""),
        new("block_resize", """{"node-name":"r0","size":-1}"""),
    ];

    [QemuFact]
    public async Task Chardev_names_and_resizing_a_node_a_job_holds_answer_as_qemu_7_2_side_by_side()
    {
        var qemu = await ChardevNamesAsync(Target.Qemu);
        var persona = await ChardevNamesAsync(Target.Emulator);
        Assert.Equal(qemu, persona);

        // QEMU's own answers, so that a change on both sides is seen too.
        Assert.Contains("c1 file", qemu);
        Assert.Contains("c2 ringbuf", qemu);
        Assert.Contains("c3 null", qemu);
        Assert.Contains("block_resize r0: GenericError: Device '(null)' is in use", qemu);
    }

    /// <summary>Each step's reply, then query-chardev's filename of each chardev the steps added (its order is QEMU's hash table's).</summary>
    private static async Task<List<string>> ChardevNamesAsync(string kind)
    {
        await using var started = await StartAsync(kind);
        File.WriteAllBytes(Path.Combine(started.Work, "target.raw"), new byte[65536]);
        var lines = new List<string>();
        foreach (var step in s_chardevAndBusySteps)
        {
            var node = step.Arguments is { } a && JsonDocument.Parse(a).RootElement.TryGetProperty("node-name", out var n) ? " " + n.GetString() : "";
            lines.Add($"{step.Command}{node}: {await RunAsync(started.Client, step)}");
        }

        var chardevs = await started.Client.ExecuteAsync("query-chardev");
        lines.AddRange(chardevs.EnumerateArray()
            .Select(c => $"{c.GetProperty("label").GetString()} {c.GetProperty("filename").GetString()}")
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "/dev/pts/[0-9]+$", "/dev/pts/N")) // the host's next free pty
            .Where(l => l.Length > 1 && l[0] == 'c' && char.IsAsciiDigit(l[1]))
            .Order(StringComparer.Ordinal));
        return lines;
    }
}
