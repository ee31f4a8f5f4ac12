using System.Text;
using System.Text.Json;
using Consumer.Qemu;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The generated 2.1 client against hand-made replies of a newer or older QEMU: what is new is
/// read (an unknown member ignored, an unknown enum value kept, an unknown event untyped); what this
/// client requires and the reply lacks fails that one call with where and what, and the rest goes on.
/// </summary>
public sealed class ToleranceTests
{
    private sealed class HandMadeServer(Dictionary<string, string> replies) : IQmpCommandDispatcher
    {
        public QmpServer? Server { get; set; }

        public bool HasCommand(string name) => replies.ContainsKey(name);

        public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
        {
            if (command == "stop")
            {
                // An event this client's schema does not know, then one it knows.
                Server!.EmitEvent("X_NEW_EVENT", w =>
                {
                    w.WriteStartObject();
                    w.WriteString("why", "newer QEMU");
                    w.WriteEndObject();
                });
                Server.EmitEvent("STOP");
            }

            return ValueTask.FromResult(QmpReturn.FromUtf8(Encoding.UTF8.GetBytes(replies[command])));
        }
    }

    private static readonly Dictionary<string, string> s_replies = new()
    {
        ["query-status"] = "{\"running\": false, \"singlestep\": false, \"status\": \"colo\", \"x-added-in-9.0\": {\"a\": [1]}}",
        ["query-kvm"] = "{\"enabled\": true}",
        ["query-block"] = "[{\"device\": \"ide0-hd0\", \"type\": \"unknown\", \"removable\": false, \"locked\": false, \"inserted\": {\"ro\": false}}]",
        ["query-name"] = "{\"name\": \"vm1\"}",
        ["stop"] = "{}",
    };

    [Fact]
    public async Task Newer_replies_are_read_and_a_missing_member_fails_only_its_call()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-tolerance-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            var dispatcher = new HandMadeServer(s_replies);
            await using var server = QmpServer.Listen($"unix:{socket},server,nowait", dispatcher);
            dispatcher.Server = server;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var client = await QemuClient.ConnectAsync($"unix:{socket}", cancellationToken: timeout.Token);

            // An unknown member is ignored; an unknown enum value is kept as sent.
            var status = await client.QueryStatusAsync(timeout.Token);
            Assert.Equal("colo", status.Status.Value);
            Assert.NotEqual(RunState.Running, status.Status);

            // A member this client requires and the reply lacks: that call fails with the command, where, and the raw reply.
            var kvm = await Assert.ThrowsAsync<QmpReplyException>(() => client.QueryKvmAsync(timeout.Token));
            Assert.Equal(("query-kvm", "return.present", "{\"enabled\": true}"), (kvm.Command, kvm.Path, kvm.Reply));
            Assert.Contains("Parameter 'present' is missing", kvm.Message, StringComparison.Ordinal);
            var block = await Assert.ThrowsAsync<QmpReplyException>(() => client.QueryBlockAsync(timeout.Token));
            Assert.Equal("return[0].inserted.file", block.Path);
            Assert.StartsWith("[{\"device\": \"ide0-hd0\"", block.Reply, StringComparison.Ordinal);

            // The connection goes on: the next call and events.
            Assert.Equal("vm1", (await client.QueryNameAsync(timeout.Token)).Name);
            await using var events = client.ReadEventsAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
            var next = events.MoveNextAsync();
            await client.StopAsync(timeout.Token);
            Assert.True(await next);
            var untyped = Assert.IsType<UntypedQemuEvent>(events.Current);
            Assert.Equal("X_NEW_EVENT", untyped.Raw.Name);
            Assert.True(await events.MoveNextAsync());
            Assert.IsType<StopEvent>(events.Current);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
