using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>
/// What the client logs of a message it ignores is an excerpt (<c>QmpClientLog.Excerpt</c>: at most
/// 512 bytes and the message's size), the same as its Trace lines: the message is never decoded whole
/// for a log line (one of 64 MiB would have been a 128 MiB string, logging enabled or not).
/// </summary>
public sealed class ClientLogExcerptTests
{
    [Fact]
    public async Task An_ignored_message_is_logged_as_an_excerpt_with_its_size()
    {
        var logger = new ListLogger();
        var (clientEnd, serverEnd) = await ServerProtocolTests.SocketPairAsync();
        var connect = QmpClient.ConnectAsync(clientEnd, new QmpClientOptions { Negotiate = false, Logger = logger });
        using var reader = new StreamReader(serverEnd);
        await serverEnd.WriteAsync("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":1,\"major\":2},\"package\":\"\"},\"capabilities\":[]}}\r\n"u8.ToArray());
        await using var client = await connect.Within();
        var command = client.ExecuteAsync("query-status");
        var id = JsonDocument.Parse((await reader.ReadLineAsync().Within())!).RootElement.GetProperty("id").GetInt64();

        // Not an object, an object of neither kind, a reply whose id is no command's: each 100,000 bytes and more.
        var big = new string('x', 100_000);
        var notObject = $"[\"{big}\"]";
        var neither = $"{{\"other\":\"{big}\"}}";
        var unmatchedId = $"\"{big}\"";
        await serverEnd.WriteAsync(System.Text.Encoding.UTF8.GetBytes(
            $"{notObject}\r\n{neither}\r\n{{\"return\":{{}},\"id\":{unmatchedId}}}\r\n{{\"return\":{{}},\"id\":{id}}}\r\n"));
        await command.Within();

        var messages = logger.Messages;
        Assert.Contains($"QMP: unexpected message ignored: {notObject[..512]}... ({notObject.Length} bytes)", messages);
        Assert.Contains($"QMP: unexpected message ignored: {neither[..512]}... ({neither.Length} bytes)", messages);
        Assert.Contains($"QMP: reply with id {unmatchedId[..512]}... ({unmatchedId.Length} bytes) matches no command this client sent; ignored", messages);
    }
}
