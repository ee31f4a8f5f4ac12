using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Qmp.Codegen.Schema;
using Xunit.Abstractions;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// Our doc parser against QEMU's own (qapi_docs.py runs scripts/qapi/parser.py of the same QEMU):
/// every member and feature description and every Since section of every definition doc of QEMU
/// 7.2's and 10.0's schemas reads the same, whitespace aside (QEMU 10 keeps continuation
/// indentation, 7.2 and we remove it). Skipped with the reason when QEMU's sources cannot be had.
/// </summary>
public sealed class QemuDocAgreementTests(ITestOutputHelper output)
{
    [QemuSchemaFact("bookworm")]
    public void Docs_of_qemu_7_2_read_as_qemu_reads_them() => Agree("bookworm");

    [QemuSchemaFact("trixie")]
    public void Docs_of_qemu_10_0_read_as_qemu_reads_them() => Agree("trixie");

    /// <summary>
    /// Where we differ on purpose (Qapi/README.md): QEMU 10 ends a description at a line that is not
    /// indented and makes the rest a paragraph of the definition; its author meant it to go on.
    /// </summary>
    private static readonly string[] s_deliberate = { "trixie AudiodevDBusOptions @nsamples" };

    private static string Normal(string? text) => text is null ? "" : Regex.Replace(text, @"\s+", " ").Trim();

    private void Agree(string suite)
    {
        var qemu = QemuDocs(QemuSources.Get(suite).Dir!);
        if (qemu is null)
        {
            output.WriteLine("python3 with QEMU's scripts/qapi could not run; nothing compared");
            return;
        }
        var schema = QemuSchemaTests.Read(suite).Schema;
        var index = new SchemaIndex(schema);
        var ours = new Dictionary<string, (SchemaDoc? Doc, Dictionary<string, string?> Members)>(StringComparer.Ordinal);
        Dictionary<string, string?> MembersOf(string? typeName) =>
            index.ObjectType(typeName) is { IsImplicit: true } o ? o.Members.ToDictionary(m => m.Name, m => m.Doc) : new();
        foreach (var c in schema.Commands)
        {
            ours[c.Name] = (c.Doc, MembersOf(c.Arguments?.Name));
        }

        foreach (var e in schema.Events)
        {
            ours[e.Name] = (e.Doc, MembersOf(e.Data?.Name));
        }

        foreach (var t in schema.Types)
        {
            ours[t.Name] = (t.Doc, t switch
            {
                SchemaObjectType o => o.Members.ToDictionary(m => m.Name, m => m.Doc)
                    .Concat(o.IsUnion ? MembersOf(o.Base) : new()).ToDictionary(p => p.Key, p => p.Value),
                SchemaEnumType en => en.Values.ToDictionary(v => v.Name, v => v.Doc),
                SchemaAlternateType a => a.Branches.ToDictionary(b => b.Name, b => b.Doc),
                _ => new(),
            });
        }
        var compared = 0;
        var differences = new List<string>();
        foreach (var (symbol, theirs) in qemu)
        {
            if (!ours.TryGetValue(symbol, out var mine) || mine.Doc is null)
            {
                differences.Add($"{suite} {symbol}: QEMU has a doc, we have none");
                continue;
            }
            foreach (var (name, text) in theirs.Args)
            {
                compared++;
                if (!mine.Members.TryGetValue(name, out var our) || Normal(our) != Normal(text))
                {
                    differences.Add($"{suite} {symbol} @{name}: ours \"{Normal(our)}\" | QEMU \"{Normal(text)}\"");
                }
            }
            foreach (var (name, text) in theirs.Features)
            {
                compared++;
                var our = mine.Doc.Features.FirstOrDefault(f => f.Name == name)?.Text;
                if (Normal(our) != Normal(text))
                {
                    differences.Add($"{suite} {symbol} feature @{name}: ours \"{Normal(our)}\" | QEMU \"{Normal(text)}\"");
                }
            }
            compared++;
            if (Normal(mine.Doc.SinceVersion) != Normal(theirs.Since))
            {
                differences.Add($"{suite} {symbol} Since: ours \"{Normal(mine.Doc.SinceVersion)}\" | QEMU \"{Normal(theirs.Since)}\"");
            }
        }
        output.WriteLine($"{suite}: {qemu.Count} definition docs, {compared} descriptions and Since sections compared, {differences.Count} differ");
        foreach (var d in differences.Take(40))
        {
            output.WriteLine("  " + d);
        }

        var unexpected = differences.Where(d => !s_deliberate.Any(k => d.StartsWith(k + ":", StringComparison.Ordinal))).ToList();
        Assert.Empty(unexpected);
        // The deliberate differences still happen (else the list above is stale).
        Assert.All(s_deliberate.Where(k => k.StartsWith(suite + " ", StringComparison.Ordinal)),
            k => Assert.Contains(differences, d => d.StartsWith(k + ":", StringComparison.Ordinal)));
    }

    private sealed record QemuDoc(Dictionary<string, string> Args, Dictionary<string, string> Features, string? Since);

    private static Dictionary<string, QemuDoc>? QemuDocs(string qemuDir)
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(QemuSources.RepositoryRoot(), "tests", "Generator.Tests", "Qapi", "qapi_docs.py"));
            start.ArgumentList.Add(qemuDir);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var json = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = stderr.Result;
            if (process.ExitCode != 0)
            {
                return null;
            }

            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => new QemuDoc(
                p.Value.GetProperty("args").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString()!),
                p.Value.GetProperty("features").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString()!),
                p.Value.GetProperty("since").GetString()));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
