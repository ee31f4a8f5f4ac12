using System.Diagnostics;
using System.Text.Json;
using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;
using Xunit.Abstractions;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// QEMU's own schemas, read whole: Debian 12's QEMU 7.2 and Debian 13's QEMU 10.0. Zero errors, and
/// the counts equal what QEMU's own scripts/qapi counts on the same files (run with python3 when
/// it is installed; for 7.2 also the figures the issue states).
/// </summary>
public sealed class QemuSchemaTests(ITestOutputHelper output)
{
    /// <summary>How QEMU's generator counts: named (non-implicit) entities by meta-type, and doc blocks as its parser splits them.</summary>
    internal sealed record Counts(int Commands, int Events, int Structs, int Unions, int Enums, int Alternates, int DocBlocks)
    {
        public override string ToString() =>
            $"{Commands} commands, {Events} events, {Structs} structs, {Unions} unions, {Enums} enums, {Alternates} alternates, {DocBlocks} doc blocks";
    }

    internal static Counts Count(QapiReadResult result)
    {
        var objects = result.Schema.Types.OfType<SchemaObjectType>().Where(o => !o.IsImplicit).ToList();
        return new Counts(
            result.Schema.Commands.Count,
            result.Schema.Events.Count,
            objects.Count(o => !o.IsUnion),
            objects.Count(o => o.IsUnion),
            result.Schema.Types.OfType<SchemaEnumType>().Count(),
            result.Schema.Types.OfType<SchemaAlternateType>().Count(),
            result.DocBlocks);
    }

    internal static QapiReadResult Read(string suite)
    {
        var dir = QemuSources.Get(suite).Dir!;
        return QapiReader.ReadDetailed(Path.Combine(dir, "qapi", "qapi-schema.json"), p => File.Exists(p) ? File.ReadAllText(p) : null);
    }

    [QemuSchemaFact("bookworm")]
    public void Qemu_7_2_reads_without_errors_and_counts_as_qemu_does()
    {
        var result = Read("bookworm");
        Report("QEMU 7.2 (bookworm)", result);
        Assert.Empty(result.Schema.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error).Select(d => d.Format()));
        Assert.Equal(new Counts(220, 52, 418, 39, 155, 6, 930), Count(result));
        if (QemusOwnCounts("bookworm") is { } qemu)
        {
            Assert.Equal(qemu, Count(result));
        }
    }

    [QemuSchemaFact("trixie")]
    public void Qemu_10_0_reads_without_errors_and_counts_as_qemu_does()
    {
        var result = Read("trixie");
        Report("QEMU 10.0 (trixie)", result);
        var messages = ExampleMessages(result.Schema);
        output.WriteLine($"QEMU 10.0 example messages: {messages.Count(m => m.Message.Json is not null)} of {messages.Count} read as JSON " +
            $"({messages.Count(m => m.Message.Json is not null && !m.Message.Repairs.IsEmpty)} of them repaired)");
        Assert.Empty(result.Schema.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error).Select(d => d.Format()));
        if (QemusOwnCounts("trixie") is { } qemu)
        {
            Assert.Equal(qemu, Count(result));
        }
    }

    /// <summary>Every example message of every definition's doc, with the definition's name.</summary>
    internal static List<(string Name, SchemaExampleMessage Message)> ExampleMessages(QmpSchema schema) =>
        schema.Commands.Select(c => (c.Name, c.Doc))
            .Concat(schema.Events.Select(e => (e.Name, e.Doc)))
            .Concat(schema.Types.Select(t => (t.Name, t.Doc)))
            .Where(x => x.Doc is not null)
            .SelectMany(x => x.Doc!.Examples.SelectMany(e => e.Messages.Select(m => (x.Name, Message: m))))
            .ToList();

    [QemuSchemaFact("bookworm")]
    public void Every_example_message_of_qemu_7_2_is_read()
    {
        var result = Read("bookworm");
        var messages = ExampleMessages(result.Schema);
        var json = messages.Count(m => m.Message.Json is not null);
        var repaired = messages.Count(m => m.Message.Json is not null && !m.Message.Repairs.IsEmpty);
        output.WriteLine($"QEMU 7.2 example messages: {json} of {messages.Count} read as JSON ({repaired} of them repaired)");
        foreach (var (name, message) in messages.Where(m => m.Message.Json is null))
        {
            output.WriteLine($"  not JSON, in {name} at {message.Location}: {message.Text}");
        }

        foreach (var (name, message) in messages.Where(m => !m.Message.Repairs.IsEmpty))
        {
            output.WriteLine($"  repaired, in {name} at {message.Location}: {string.Join("; ", message.Repairs)}");
        }
        // Every message the lenient reader returns is JSON a strict reader accepts.
        foreach (var (_, message) in messages.Where(m => m.Message.Json is not null))
        {
            JsonDocument.Parse(message.Json!).Dispose();
        }

        Assert.True(messages.Count > 400, $"only {messages.Count} messages found");
        Assert.Equal(messages.Count, json);
    }

    private void Report(string what, QapiReadResult result)
    {
        output.WriteLine($"{what}: {Count(result)}; {result.Files.Count} files; " +
            $"{result.Schema.Diagnostics.Count(d => d.Severity == SchemaSeverity.Error)} errors, {result.Schema.Diagnostics.Count(d => d.Severity == SchemaSeverity.Warning)} warnings");
        foreach (var d in result.Schema.Diagnostics.Take(50))
        {
            output.WriteLine("  " + d.Format());
        }

        if (QemusOwnCounts(what.Contains("7.2") ? "bookworm" : "trixie") is { } qemu)
        {
            output.WriteLine($"{what} by QEMU's own scripts/qapi: {qemu}");
        }
    }

    /// <summary>The counts QEMU's scripts/qapi (parser.py, schema.py) give for the same files, by qapi_counts.py; null without python3.</summary>
    internal static Counts? QemusOwnCounts(string suite)
    {
        var dir = QemuSources.Get(suite).Dir;
        if (dir is null)
        {
            return null;
        }

        var script = Path.Combine(QemuSources.RepositoryRoot(), "tests", "Generator.Tests", "Qapi", "qapi_counts.py");
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(dir);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                return null;
            }

            var n = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            return new Counts(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
