using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests.Qapi;

/// <summary>
/// A client that knows less than the QEMU it talks to, as an older client meets a newer QEMU: the
/// generator runs on a copy of QEMU 7.2's schema with two things cut out (the <c>RunState</c> value
/// <c>paused</c>, and the <c>qcow2</c> branch of <c>ImageInfoSpecific</c> with its value of
/// <c>ImageInfoSpecificKind</c>), the client is compiled with a small typed program, and the program
/// drives a real QEMU 7.2 into sending both. The unknown enum value is kept as it came, the unknown
/// branch arrives as <c>Unknown</c> with its members as raw JSON (and writes back unchanged), and
/// the connection goes on. The copy is made in memory from the cached sources (never committed).
/// </summary>
public sealed class TrimmedSchemaTests(ITestOutputHelper output)
{
    private const string Ns = "Acme.Trimmed72";

    /// <summary>Typed code against the trimmed client, compiled with it: what a user of such a client writes.</summary>
    private const string Program = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using System.Text.Json;
        using Acme.Trimmed72;

        namespace Consumer;

        public static class TrimmedDriver
        {
            public static async Task<IReadOnlyList<string>> RunAsync(string address, CancellationToken ct)
            {
                var seen = new List<string>();
                await using var client = await Trimmed72Client.ConnectAsync(address, cancellationToken: ct);
                // RunState without 'paused': stop, then query-status reads the value all the same.
                await client.ExecuteAndWaitForEventAsync(c => client.StopAsync(c), (StopEvent e) => true, TimeSpan.FromSeconds(60), ct);
                var paused = await client.QueryStatusAsync(ct);
                seen.Add($"status {paused.Status} known={paused.Status.IsKnown} running={paused.Running}");

                // ImageInfoSpecific without its qcow2 branch: the disk's format-specific data.
                foreach (var drive in await client.QueryBlockAsync(ct))
                {
                    if (drive.Inserted?.Image.FormatSpecific is not { } specific)
                        continue;
                    var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                    using (var writer = new Utf8JsonWriter(buffer))
                        ImageInfoSpecific.Write(writer, specific);
                    var unknown = specific as ImageInfoSpecific.Unknown;
                    seen.Add($"query-block {drive.Device}: {specific.GetType().Name} type={specific.Type} known={specific.Type.IsKnown}"
                        + $" members=[{string.Join(",", unknown?.BranchMembers.Keys ?? [])}]"
                        + $" compat={(unknown is not null && unknown.BranchMembers.TryGetValue("data", out var data) && data.TryGetProperty("compat", out var compat) ? compat.GetString() : "-")}");
                    seen.Add("written back: " + System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
                }
                foreach (var node in await client.QueryNamedBlockNodesAsync(cancellationToken: ct))
                    if (node.Image.FormatSpecific is { } specific)
                        seen.Add($"query-named-block-nodes {node.NodeName}: {specific.GetType().Name} type={specific.Type}");

                // The connection goes on: the known value after cont.
                await client.ExecuteAndWaitForEventAsync(c => client.ContAsync(c), (ResumeEvent e) => true, TimeSpan.FromSeconds(60), ct);
                var running = await client.QueryStatusAsync(ct);
                seen.Add($"status {running.Status} known={running.Status.IsKnown} running={running.Running}");
                return seen;
            }
        }
        """;

    [QemuTreeAndQemuFact("bookworm")]
    public async Task A_reply_with_an_enum_value_and_a_union_branch_the_client_does_not_know_is_read()
    {
        var qapi = Path.Combine(QemuSources.Get("bookworm").Dir!, "qapi");
        var files = QapiHarness.Folder(qapi);
        var top = Path.GetFullPath(Path.Combine(qapi, "qapi-schema.json"));
        var blockCore = Path.GetFullPath(Path.Combine(qapi, "block-core.json"));
        var runState = Path.GetFullPath(Path.Combine(qapi, "run-state.json"));
        files[blockCore] = Cut(Cut(files[blockCore], "'data': [ 'qcow2', 'vmdk',", "'data': [ 'vmdk',"),
            "'qcow2': 'ImageInfoSpecificQCow2Wrapper',", "");
        files[runState] = Cut(Cut(files[runState], "'io-error', 'paused',", "'io-error',"),
            "# @paused: guest has been paused via the 'stop' command\n", "");

        var (compilation, diagnostics, _) = QapiHarness.Generate(QapiHarness.CreateDriver(top, files, Ns), Program);
        Assert.True(diagnostics.IsEmpty, string.Join(Environment.NewLine, diagnostics.Take(30)));
        var assembly = QapiHarness.Load(compilation);

        await using var qemu = await Qmp.Testing.RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = assembly.GetType("Consumer.TrimmedDriver")!.GetMethod("RunAsync")!;
        var seen = await (Task<IReadOnlyList<string>>)run.Invoke(null, [qemu.Address, timeout.Token])!;
        foreach (var line in seen)
        {
            output.WriteLine(line);
        }

        Assert.Equal("status paused known=False running=False", seen[0]);
        // The disk (qcow2) arrives as the Unknown branch, its members kept; the empty CD-ROM has none.
        Assert.Equal("query-block disk0: Unknown type=qcow2 known=False members=[data] compat=1.1", seen[1]);
        Assert.StartsWith("written back: {\"type\":\"qcow2\",\"data\":{\"compat\":\"1.1\",", seen[2], StringComparison.Ordinal);
        Assert.Contains(seen, l => l.StartsWith("query-named-block-nodes ", StringComparison.Ordinal) && l.EndsWith(": Unknown type=qcow2", StringComparison.Ordinal));
        Assert.Equal("status running known=True running=True", seen[^1]);
    }

    /// <summary>Replaces <paramref name="what"/>, which must be there: a QEMU source that changed fails here, not silently.</summary>
    private static string Cut(string text, string what, string with)
    {
        var normalized = text.ReplaceLineEndings("\n");
        Assert.True(normalized.Contains(what, StringComparison.Ordinal), $"QEMU 7.2's schema no longer has: {what}");
        return normalized.Replace(what, with, StringComparison.Ordinal);
    }
}

/// <summary>Runs when QEMU's sources for the suite can be had and qemu-system-x86_64 is installed; otherwise skipped with the reason.</summary>
public sealed class QemuTreeAndQemuFactAttribute : FactAttribute
{
    public QemuTreeAndQemuFactAttribute(string suite)
    {
        Skip = Qmp.Testing.RealQemu.Binary is null
            ? "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
            : QemuSources.Get(suite) is (null, var reason) ? reason : null;
    }
}
