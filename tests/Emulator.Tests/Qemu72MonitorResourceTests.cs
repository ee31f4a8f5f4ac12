using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

/// <summary>
/// What the 7.2 persona does with the descriptors, files and channels a QMP client names (issue 23's review):
/// <c>netdev_add</c>'s <c>fd=</c>/<c>fds=</c> taken from <c>getfd</c>, <c>chardev-add</c>'s <c>file</c> backend,
/// <c>migrate</c> to <c>fd:</c> and <c>exec:</c>, block exports by id and <c>block_resize</c>. Each step is answered
/// as QEMU 7.2 answers it, side by side with the installed QEMU, and the emulator's own rules (files only inside
/// --data-dir, nothing run, descriptors closed with their backend) are checked on the persona alone.
/// </summary>
public sealed partial class Qemu72MonitorResourceTests
{
    /// <summary>A request; <c>Fd</c> sends a descriptor with it, <c>Value</c> compares the return value too, <c>Event</c> waits for that event.</summary>
    private sealed record Step(string Command, string? Arguments = null, bool Fd = false, bool Value = false, string? Event = null);

    private static Task<string> AddFileChardevAsync(QmpClient client, string id, string output, bool append = false) =>
        RunAsync(client, new Step("chardev-add", JsonSerializer.Serialize(new { id, backend = new { type = "file", data = new { @out = output, append } } })));

    /// <summary>How many of <paramref name="target"/>'s descriptors are open on <paramref name="path"/>.</summary>
    private static int OpenedBy(Target target, string path) =>
        Directory.GetFiles($"/proc/{target.Process.Id}/fd").Count(fd => new FileInfo(fd).LinkTarget == path);

    private sealed record Run(List<string> Replies, List<string> Files);

    private static async Task<Run> RunAsync(string kind, Step[] steps, Func<string, string[]>? more = null)
    {
        await using var started = await StartAsync(kind, more);
        var replies = new List<string>();
        foreach (var step in steps)
        {
            // Each machine has a folder of its own: a path in a reply is compared from there.
            replies.Add((await RunAsync(started.Client, step, Path.Combine(started.Target.Directory, "passed"))).Replace(started.Work, "FILES", StringComparison.Ordinal));
        }

        return new Run(replies, [.. Directory.GetFileSystemEntries(started.Work).Select(e => Path.GetFileName(e)).Where(n => n != "nbd.sock").Order(StringComparer.Ordinal)]);
    }

    /// <summary>Runs <paramref name="steps"/> on QEMU 7.2 and on the persona, each on its own machine; every reply must be the same.</summary>
    private static async Task<(Run Qemu, Run Persona)> SideBySideAsync(Step[] steps, Func<string, string[]>? more = null)
    {
        var qemu = await RunAsync(Target.Qemu, steps, more);
        var persona = await RunAsync(Target.Emulator, steps, more);
        var differences = steps.Select((step, i) => (step, i)).Where(s => qemu.Replies[s.i] != persona.Replies[s.i])
            .Select(s => $"{s.step.Command} {s.step.Arguments}\n  QEMU:    {qemu.Replies[s.i]}\n  persona: {persona.Replies[s.i]}").ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        return (qemu, persona);
    }

    /// <summary>A reply as <c>return</c> (with the value for a <see cref="Step.Value"/> step) or <c>CLASS: words</c>.</summary>
    private static async Task<string> RunAsync(QmpClient client, Step step, string? passed = null)
    {
        var arguments = step.Arguments is null ? (JsonElement?)null : JsonDocument.Parse(step.Arguments).RootElement.Clone();
        try
        {
            JsonElement result;
            if (step.Fd)
            {
                using var handle = File.OpenHandle(passed!, FileMode.OpenOrCreate, FileAccess.ReadWrite);
                result = await client.ExecuteWithFileDescriptorsAsync(step.Command, arguments, [handle]);
            }
            else if (step.Event is { } name)
            {
                // The reply, then the event the command causes (QEMU may send it later, from its main loop).
                (result, _) = await client.ExecuteAndWaitForEventAsync(step.Command, arguments, name, timeout: TimeSpan.FromSeconds(Target.Patience));
            }
            else
            {
                result = await client.ExecuteAsync(step.Command, arguments);
            }

            return step.Value ? "return " + Sorted(result) : "return";
        }
        catch (QmpException e)
        {
            return e.ErrorClassName + ": " + e.Description;
        }
    }

    /// <summary>A value as JSON with each object's members by name (QEMU's member order is its hash table's).</summary>
    private static string Sorted(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => JsonSerializer.Serialize(m.Name) + ":" + Sorted(m.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Sorted)) + "]",
        _ => value.GetRawText(),
    };

    /// <summary>A machine with a 64 KiB raw file in its folder (the persona's data dir, QEMU's working directory) and a client.</summary>
    private sealed record Started(Target Target, QmpClient Client, string Work) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Target.DisposeAsync();
        }
    }

    /// <summary>The machine; <paramref name="more"/> gives more of its command line from the folder the files are in.</summary>
    private static async Task<Started> StartAsync(string kind, Func<string, string[]>? more = null)
    {
        var dir = Target.NewDirectory();
        var socket = Path.Combine(dir, "qmp.sock");
        var work = Directory.CreateDirectory(Path.Combine(dir, "files")).FullName;
        File.WriteAllBytes(Path.Combine(work, "disk.raw"), new byte[65536]);
        string[] args = ["-machine", "pc-i440fx-7.2,accel=tcg", .. more?.Invoke(work) ?? [], "-qmp", $"unix:{socket},server=on,wait=off"];
        var target = Target.Start(kind, dir, args, qemuOnly: [], emulatorOnly: ["--qemu", "7.2", "--data-dir", work, "-nodefaults"], workingDirectory: work);
        try
        {
            // The first connection proves it listens; the client is served once it leaves.
            await (await target.ConnectAsync(socket)).DisposeAsync();
            return new Started(target, await QmpClient.ConnectAsync("unix:" + socket), work);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }
}
