using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>
/// The modern dialect against QEMU 7.2 itself (<c>-machine none</c>): the same bytes to both, the replies
/// compared byte for byte (error class, <c>desc</c>, <c>id</c> and member order). Each message was
/// found in QEMU 7.2's sources (monitor/qmp.c, monitor/qmp-cmds-control.c, qapi/qmp-dispatch.c,
/// qobject/json-parser.c, json-streamer.c) and is confirmed here on the installed QEMU.
/// </summary>
public class ModernDialectParityTests
{
    /// <summary>Sent before <c>qmp_capabilities</c>.</summary>
    public static readonly string[] BeforeNegotiation =
    [
        """{"execute":"query-status"}""",
        """{"execute":"nosuch","id":7}""",
        """{"exec-oob":"query-status","id":1}""",
        """[1]""",
        """1""",
        """{"execute":"qmp_capabilities","arguments":{"enable":["bogus"]},"id":2}""",
        """{"execute":"qmp_capabilities","arguments":{"enable":"oob"}}""",
        """{"execute":"qmp_capabilities","arguments":{"bogus":1}}""",
        """{"execute":"qmp_capabilities","arguments":{"enable":[1]}}""",
        """{"execute":1}""",
        """{"execute":"query-status","arguments":[]}""",
        """{}""",
        """{"id":1}""",
    ];

    /// <summary>Sent after <c>qmp_capabilities</c> with <c>oob</c> enabled.</summary>
    public static readonly string[] AfterNegotiation =
    [
        """{"execute":"qmp_capabilities","id":3}""",
        """{"execute":"nosuch","id":1}""",
        """{"exec-oob":"query-status","id":"x"}""",
        """{"exec-oob":"nosuch","id":"x"}""",
        """{"exec-oob":"qmp_capabilities","id":4}""",
        """{"exec-oob":"query-yank","id":"y"}""",
        """{"execute":1}""",
        """{"exec-oob":1}""",
        """{"execute":"query-status","arguments":[]}""",
        """{"execute":"query-status","exec-oob":"query-status"}""",
        """{"exec-oob":"query-status","execute":"query-status"}""",
        """{"arguments":{},"id":1}""",
        """{"execute":"query-status","bogus":1}""",
        """{"bogus":1,"execute":"query-status","arguments":5}""",
        """{"execute":"query-status","id":[1,{"a":null}]}""",
        """{"execute":"query-status","id":true}""",
        """{"execute":"query-status","id":null}""",
        """{"execute":"query-status","id":1.5}""",
        """{"execute":"query-status","id":{"b":1,"a":2}}""",
        """{"execute":"query-status","id":"\u00e9\ud83d\ude00"}""",
        """{'execute':'query-status','id':'sq'}""",
        """{"execute" 1}""",
        """{"execute":}""",
        """{1:2}""",
        """tru""",
        """{"a":1 "b":2}""",
        """[1 2]""",
        """{"execute":"query-status","execute":"query-status"}""",
        """@""",
        """-x""",
        """01""",
        """{"a":[1.5e]}""",
        """{"a":@}""",
        """ "\x" """,
        """[1,]""",
        """{"a":1,}""",
        """ "\u" """,
        """{"execute":"query-status","id":"\ud800"}""",
        """{"execute":"query-status","id":"\ud83d\u0041"}""",
        """{"execute":"query-status","id":"\uffff"}""",
        """}""",
        """{"execute":"query-status","arguments":{}}""",
    ];

    private const string Negotiate = """{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}""";

    [QemuFact]
    public async Task Every_malformed_request_gets_QEMU_7_2s_reply()
    {
        var (qemuGreeting, qemu) = await RunOnQemuAsync();
        using var greeting = JsonDocument.Parse(qemuGreeting);
        await using var fx = new ModernFixture(new QmpServerOptions { Greeting = QmpGreeting.Parse(greeting.RootElement) });
        await using var peer = await fx.ConnectRawAsync();
        var ours = await peer.ReadLineAsync();
        var replies = await RunCasesAsync(peer);

        Assert.Equal(qemuGreeting, ours);
        string[] cases = [.. BeforeNegotiation, Negotiate, .. AfterNegotiation];
        Assert.Equal(cases.Length, qemu.Count);
        var differences = cases.Select((request, i) => (request, qemu: qemu[i], ours: replies[i]))
            .Where(c => c.qemu != c.ours)
            .Select(c => $"{c.request}\n  QEMU 7.2: {c.qemu}\n  ours:     {c.ours}")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {cases.Length} differ:\n" + string.Join("\n", differences));

        // Every reply is an error but those of the cases that are well formed.
        Assert.True(qemu.Count(r => r.Contains("\"error\"", StringComparison.Ordinal)) >= 40);
    }

    private static async Task<(string Greeting, List<string> Replies)> RunOnQemuAsync()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(qemu.Socket);
        var greeting = await peer.ReadLineAsync();
        return (greeting, await RunCasesAsync(peer));
    }

    private static async Task<List<string>> RunCasesAsync(RawPeer peer) =>
        [.. await Transcript.RunAsync(peer, BeforeNegotiation), .. await Transcript.RunAsync(peer, [Negotiate]), .. await Transcript.RunAsync(peer, AfterNegotiation)];
}
