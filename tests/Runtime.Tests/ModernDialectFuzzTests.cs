using System.Text;
using System.Text.Json;
using Qmp.Runtime.Protocol;
using Qmp.Runtime.Server;

namespace Qmp.Runtime.Tests;

/// <summary>
/// Mutants of the parity requests through the read loop's streamer and QEMU 7.2's parser
/// (<see cref="QmpJsonSyntax"/>), then a whole session: nothing throws, and what the parser accepts
/// System.Text.Json reads too (the server never falls back to a guess).
/// </summary>
public class ModernDialectFuzzTests
{
    private static readonly byte[] s_alphabet = Encoding.UTF8.GetBytes("{}[]:,\"'\\ -01e.+aelnrstuxy@\u00e9\n")
        .Concat(new byte[] { 0x00, 0x01, 0x80, 0xC3, 0xED, 0xA0, 0xFF }).ToArray();

    private static IEnumerable<byte[]> Mutants(int count, int seed)
    {
        var random = new Random(seed);
        var seeds = ModernDialectParityTests.BeforeNegotiation.Concat(ModernDialectParityTests.AfterNegotiation)
            .Select(Encoding.UTF8.GetBytes).ToArray();
        for (var i = 0; i < count; i++)
        {
            var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(bytes.Count + 1);
                switch (random.Next(3))
                {
                    case 0:
                        bytes.Insert(at, s_alphabet[random.Next(s_alphabet.Length)]);
                        break;
                    case 1 when at < bytes.Count:
                        bytes.RemoveAt(at);
                        break;
                    default:
                        if (at < bytes.Count)
                        {
                            bytes[at] = s_alphabet[random.Next(s_alphabet.Length)];
                        }

                        break;
                }
            }

            bytes.Add((byte)'\n');
            yield return [.. bytes];
        }
    }

    [Fact]
    public async Task The_parser_never_throws_and_agrees_with_System_Text_Json()
    {
        var messages = 0;
        foreach (var input in Mutants(50_000, 2026))
        {
            var offered = 0;
            using var streamer = new QmpJsonStreamer((buffer, _) =>
            {
                var n = Math.Min(buffer.Length, input.Length - offered);
                input.AsSpan(offered, n).CopyTo(buffer.Span);
                offered += n;
                return ValueTask.FromResult(n);
            }, 1 << 20, 64, null);
            while (await streamer.ReadAsync() is { Kind: not QmpInputKind.EndOfStream } found)
            {
                if (found.Kind != QmpInputKind.Message)
                {
                    continue;
                }

                messages++;
                var error = QmpJsonSyntax.Check(found.Json.Span);
                if (error is null)
                {
                    var text = Encoding.UTF8.GetString(found.Json.Span);
                    var exception = Record.Exception(() => JsonDocument.Parse(found.Json).Dispose());
                    Assert.True(exception is null, $"QEMU's parser accepts {text} but System.Text.Json refuses it: {exception?.Message}");
                }
                else
                {
                    Assert.StartsWith("JSON parse error, ", error, StringComparison.Ordinal);
                }
            }
        }

        Assert.True(messages > 40_000, $"only {messages} messages");
    }

    /// <summary>
    /// Text System.Text.Json takes and QEMU's parser refuses (or may): a name given twice, escaped or
    /// nested, surrogate and noncharacter escapes, bytes that are not UTF-8, noncharacters written raw.
    /// </summary>
    public static TheoryData<byte[]> RefusedOnlyByQemu => new()
    {
        "{\"execute\":\"x\",\"execute\":\"y\"}"u8.ToArray(),
        "{\"execute\":\"x\",\"\\u0065xecute\":\"y\"}"u8.ToArray(),
        "{\"execute\":\"x\",\"arguments\":{\"a\":[{\"b\":1,\"b\":2}]}}"u8.ToArray(),
        "{\"execute\":\"\\ud800\"}"u8.ToArray(),
        "{\"execute\":\"\\udc00\\ud800\"}"u8.ToArray(),
        "{\"execute\":\"\\ufdd0\"}"u8.ToArray(),
        "{\"execute\":\"\\uFFFE\"}"u8.ToArray(),
        "{\"execute\":\"\\ud83f\\udffe\"}"u8.ToArray(),
        ExecuteRaw(0xFF),
        ExecuteRaw(0xC3),
        ExecuteRaw(0xEF, 0xB7, 0x90),
        ExecuteRaw(0xEF, 0xBF, 0xBF),
        ExecuteRaw(0xF0, 0x9F, 0xBF, 0xBE),
    };

    /// <summary>A request whose command name is <paramref name="raw"/>, bytes as they are.</summary>
    private static byte[] ExecuteRaw(params byte[] raw) => [.. "{\"execute\":\""u8, .. raw, .. "\"}"u8];

    [Theory]
    [MemberData(nameof(RefusedOnlyByQemu))]
    public void The_one_parse_refuses_in_QEMUs_words_what_only_QEMU_refuses(byte[] message)
    {
        Assert.Null(Record.Exception(() => JsonDocument.Parse(message).Dispose()));
        var expected = QmpJsonSyntax.Check(message);
        Assert.NotNull(expected);
        Assert.Null(QmpModernJson.Parse(message, 66, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_one_parse_takes_what_QEMU_takes_with_text_outside_ASCII()
    {
        byte[] message = [.. "{\"execute\":\"caf"u8, 0xC3, 0xA9, .. "\",\"id\":\"\\ud83d\\ude00\\u00e9\"}"u8];
        Assert.Null(QmpJsonSyntax.Check(message));
        using var document = QmpModernJson.Parse(message, 66, out var error);
        Assert.Null(error);
        Assert.Equal("caf\u00e9", document!.RootElement.GetProperty("execute").GetString());
    }

    [Fact]
    public async Task The_one_parse_agrees_with_QEMUs_parser_on_every_mutant()
    {
        var refused = 0;
        foreach (var input in Mutants(50_000, 2027))
        {
            var offered = 0;
            using var streamer = new QmpJsonStreamer((buffer, _) =>
            {
                var n = Math.Min(buffer.Length, input.Length - offered);
                input.AsSpan(offered, n).CopyTo(buffer.Span);
                offered += n;
                return ValueTask.FromResult(n);
            }, 1 << 20, 64, null);
            while (await streamer.ReadAsync() is { Kind: not QmpInputKind.EndOfStream } found)
            {
                if (found.Kind != QmpInputKind.Message)
                {
                    continue;
                }

                // What the server did before it parsed once: QEMU's parser, then System.Text.Json.
                var expected = QmpJsonSyntax.Check(found.Json.Span);
                using var document = QmpModernJson.Parse(found.Json, 66, out var error);
                Assert.True(expected == error, $"{Encoding.UTF8.GetString(found.Json.Span)}: QEMU's parser says {expected ?? "nothing"}, the one parse {error ?? "nothing"}");
                Assert.Equal(error is null, document is not null);
                refused += error is null ? 0 : 1;
            }
        }

        Assert.True(refused > 10_000, $"only {refused} refused");
    }

    /// <summary>
    /// What the dispatch fuzzer (tests/Fuzz) expects: a name given twice or a lone surrogate escape is
    /// one parse error, one reply, as on QEMU 7.2; only a byte 0xFE or 0xFF (a lexical error to QEMU's
    /// lexer, taken by System.Text.Json) cuts a request, and then the lexer's error comes first.
    /// </summary>
    [Fact]
    public async Task One_request_gets_one_reply_unless_the_lexer_cuts_it()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\"}\n");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());

        async Task<List<string>> RepliesAsync(byte[] request)
        {
            byte[] bytes = [.. request, .. "\n{\"execute\":\"query-status\",\"id\":\"sync\"}\n"u8];
            await peer.Socket.SendAsync(bytes);
            var replies = new List<string>();
            for (var line = await peer.ReadLineAsync(); !line.Contains("\"id\": \"sync\"", StringComparison.Ordinal); line = await peer.ReadLineAsync())
            {
                replies.Add(line);
            }

            return replies;
        }

        Assert.Equal(["{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, duplicate key\"}}"],
            await RepliesAsync("{\"id\":1,\"execute\":\"query-status\",\"arguments\":{\"a\":1,\"a\":2}}"u8.ToArray()));
        Assert.Equal(["{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, \\\\ud800 is not a valid Unicode character\"}}"],
            await RepliesAsync("{\"id\":2,\"execute\":\"query-status\",\"arguments\":{\"a\":\"\\ud800\"}}"u8.ToArray()));
        var cut = await RepliesAsync([.. "{\"id\":3,\"execute\":\"query-status\",\"arguments\":{\"a\":\"x"u8, 0xFF, .. "\",\"b\":{\"c\":1}}}"u8]);
        Assert.True(cut.Count > 1, string.Join("\n", cut));
        Assert.StartsWith("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '", cut[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_answers_every_mutant_and_goes_on()
    {
        await using var fx = new ModernFixture();
        await using var peer = await fx.ConnectRawAsync();
        await peer.ReadLineAsync();
        await peer.SendAsync("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}\n");
        Assert.Equal("{\"return\": {}}", await peer.ReadLineAsync());
        var all = new List<byte>();
        foreach (var input in Mutants(3_000, 7))
        {
            // Each mutant on its own line; a quote left open would swallow the rest, so one is closed here.
            all.AddRange(input);
            all.AddRange("\"}]}]\n"u8.ToArray());
        }

        await peer.Socket.SendAsync(all.ToArray());
        await peer.SendAsync("\n{\"execute\":\"query-status\",\"id\":\"end\"}\n");
        string line;
        do
        {
            line = await peer.ReadLineAsync();
            using var reply = JsonDocument.Parse(line);
            Assert.True(reply.RootElement.TryGetProperty("return", out _) || reply.RootElement.TryGetProperty("error", out _), line);
            Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        }
        while (!line.Contains("\"id\": \"end\"", StringComparison.Ordinal));
    }
}
