using System.Text;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Tests;

public class FrameReaderTests
{
    /// <summary>Feeds the reader from fixed chunks, one chunk per read.</summary>
    private static QmpFrameReader ReaderOver(IEnumerable<byte[]> chunks, int maxBytes = 1 << 20, int maxDepth = 64)
    {
        var queue = new Queue<byte[]>(chunks);
        return new QmpFrameReader((buffer, _) =>
        {
            if (!queue.TryDequeue(out var chunk))
            {
                return ValueTask.FromResult(0);
            }

            // A chunk larger than the buffer is handed over in pieces.
            var n = Math.Min(chunk.Length, buffer.Length);
            chunk.AsSpan(0, n).CopyTo(buffer.Span);
            if (n < chunk.Length)
            {
                var rest = new Queue<byte[]>();
                rest.Enqueue(chunk[n..]);
                foreach (var c in queue) { rest.Enqueue(c); }
                queue = rest;
            }

            return ValueTask.FromResult(n);
        }, maxBytes, maxDepth);
    }

    private static async Task<List<string>> ReadAll(QmpFrameReader reader)
    {
        var result = new List<string>();
        while (true)
        {
            var frame = await reader.ReadAsync();
            if (frame.Kind == QmpFrameKind.EndOfStream)
            {
                return result;
            }

            result.Add(frame.Kind == QmpFrameKind.Message ? Encoding.UTF8.GetString(frame.Utf8.Span) : "!" + frame.Kind);
        }
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Several_values_in_one_read()
    {
        var frames = await ReadAll(ReaderOver([B("{\"a\":1}{\"b\":[2,3]}\r\n  {\"c\":\"}\"} \"s\" 42\n")]));
        Assert.Equal(["{\"a\":1}", "{\"b\":[2,3]}", "{\"c\":\"}\"}", "\"s\"", "42"], frames);
    }

    [Fact]
    public async Task One_value_over_many_reads()
    {
        var text = "{\"execute\":\"eject\",\"arguments\":{\"device\":\"ide1-cd0\",\"force\":true},\"id\":\"a\\\"b\"}";
        var chunks = text.Select(c => B(c.ToString())).ToList();
        Assert.Equal([text], await ReadAll(ReaderOver(chunks)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(2024)]
    public async Task Random_splits_give_the_same_values(int seed)
    {
        // Property: however the byte stream is cut into reads, the same values come out.
        var random = new Random(seed);
        var values = new List<string>();
        var all = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            var value = random.Next(5) switch
            {
                0 => $"{{\"execute\":\"cmd{i}\",\"id\":{i}}}",
                1 => $"{{\"s\":\"br{{ace\\\"s]\",\"n\":[1,2,{{\"x\":null}}],\"u\":\"\u00e9\u4e2d\"}}",
                2 => $"[{i},true,false,null,-1.5e3]",
                3 => $"\"str{i}\"",
                _ => $"{{\"deep\":[[[[{{\"k\":{i}}}]]]]}}",
            };
            values.Add(value);
            all.Append(value).Append(random.Next(3) switch { 0 => "\r\n", 1 => " ", _ => "\n\t " });
        }

        var bytes = B(all.ToString());
        var chunks = new List<byte[]>();
        for (var at = 0; at < bytes.Length;)
        {
            var n = Math.Min(bytes.Length - at, random.Next(1, 64));
            chunks.Add(bytes[at..(at + n)]);
            at += n;
        }

        Assert.Equal(values, await ReadAll(ReaderOver(chunks)));
    }

    [Fact]
    public async Task Invalid_json_is_reported_and_the_next_line_still_parses()
    {
        var frames = await ReadAll(ReaderOver([B("{\"a\" \"b\"} junk\r\n"), B("{\"ok\":1}\r\n}\n[1]\n")]));
        Assert.Equal(["!InvalidJson", "{\"ok\":1}", "!InvalidJson", "[1]"], frames);
    }

    [Fact]
    public async Task Oversized_value_is_skipped_and_reading_continues()
    {
        var big = "{\"s\":\"" + new string('x', 5000) + "\",\"a\":[{\"b\":\"]}\"}]}";
        var frames = await ReadAll(ReaderOver([B("{\"a\":1}"), B(big[..3000]), B(big[3000..] + "{\"b\":2}\n")], maxBytes: 1000));
        Assert.Equal(["{\"a\":1}", "!TooLarge", "{\"b\":2}"], frames);
    }

    [Fact]
    public async Task Oversized_value_complete_in_one_read_is_skipped()
    {
        var frames = await ReadAll(ReaderOver([B("[" + string.Join(",", Enumerable.Range(0, 100)) + "] {\"b\":2}")], maxBytes: 50));
        Assert.Equal(["!TooLarge", "{\"b\":2}"], frames);
    }

    [Fact]
    public async Task Too_deep_value_is_skipped()
    {
        var deep = new string('[', 20) + new string(']', 20);
        var frames = await ReadAll(ReaderOver([B(deep + " {\"ok\":true}\n")], maxDepth: 10));
        Assert.Equal(["!TooDeep", "{\"ok\":true}"], frames);
    }

    [Fact]
    public async Task Partial_value_at_end_of_stream_leaves_nothing()
    {
        Assert.Equal(["{\"a\":1}"], await ReadAll(ReaderOver([B("{\"a\":1}{\"execute\":\"qu")])));
    }

    [Fact]
    public async Task Large_value_of_many_megabytes_is_read_whole()
    {
        var big = "{\"return\":\"" + new string('y', 20 * 1024 * 1024) + "\"}";
        var bytes = B(big + "\r\n");
        var chunks = bytes.Chunk(64 * 1024).ToList();
        var frames = await ReadAll(ReaderOver(chunks, maxBytes: 64 * 1024 * 1024));
        Assert.Single(frames);
        Assert.Equal(big.Length, frames[0].Length);
    }
}
