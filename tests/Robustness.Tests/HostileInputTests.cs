using System.Text;

namespace Qmp.Robustness.Tests;

/// <summary>
/// The emulator's QMP server on hostile input over a real unix socket, raw sockets on both sides: every bad input
/// gets its QEMU 2.1 error (class and desc exactly), the same connection then still answers <c>query-status</c>,
/// and a second client connected throughout is unaffected. (Runtime.Tests covers the basic cases with a test
/// dispatcher; these go through the emulator and add bytes, sizes and shapes it does not send.)
/// </summary>
public sealed class HostileInputTests
{
    private const string InvalidJson = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid JSON syntax\"}}";
    private const string NotObject = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Expected 'object' in QMP input\"}}";
    private const string ArgumentsNotObject = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'arguments' expects 'object'\"}}";

    /// <summary>Several replies, one per line, in order.</summary>
    private static string Lines(params string[] lines) => string.Join("\n", lines);

    private static string Times(int count, string line) => Lines(Enumerable.Repeat(line, count).ToArray());

    /// <summary>QEMU's limits: 64 MiB of tokens per request, nesting 1024.</summary>
    private const int TokenLimit = 64 * 1024 * 1024;

    /// <summary>Bytes: strings are UTF-8, ints are single raw bytes.</summary>
    private static byte[] B(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            if (part is string text)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
            }
            else
            {
                bytes.Add((byte)(int)part);
            }
        }

        return bytes.ToArray();
    }

    private static readonly Dictionary<string, (Func<byte[]> Input, string Reply)> s_survivable = Cases(new()
    {
        // Invalid JSON of kinds Runtime.Tests does not send. As QEMU's lexer does, a lexical error drops the
        // tokens gathered so far and reading starts afresh at the next structural or control character, so
        // what follows on the line may give errors of its own (checked against QEMU 7.2 in Emulator.Tests).
        ["single quotes (QEMU's extension: served)"] = (() => B("{'execute':'query-status'}\r\n"), Peer.Status),
        ["trailing comma"] = (() => B("{\"execute\":\"query-status\",}\r\n"), InvalidJson),
        ["NaN"] = (() => B("NaN\r\n"), InvalidJson),
        ["NUL byte inside an object (then a stray '}')"] = (() => B("{\"execute\":\"query-status\"", 0, "}\r\n"), Times(2, InvalidJson)),
        ["raw control character in a string (then a stray '}')"] = (() => B("{\"execute\":\"query-\tstatus\"}\r\n"), Times(2, InvalidJson)),
        ["bad escape"] = (() => B("{\"execute\":\"query-status\\q\"}\r\n"), InvalidJson),
        ["stray closing brace"] = (() => B("}\r\n"), InvalidJson),
        ["stray closing bracket"] = (() => B("]\r\n"), InvalidJson),

        // Invalid UTF-8 before a value: a BOM-like 0xff 0xfe, an overlong '/', a lone continuation byte.
        ["0xff 0xfe before an object (each an error, then the object is served)"] = (() => B(0xff, 0xfe, "{\"execute\":\"query-status\"}\r\n"), Lines(InvalidJson, InvalidJson, Peer.Status)),
        ["overlong encoding outside a string"] = (() => B(0xc0, 0xaf, "\r\n"), InvalidJson),
        ["lone continuation byte"] = (() => B(0x80, "\r\n"), InvalidJson),

        // Non-object values.
        ["number (a delimiter ends it)"] = (() => B("42\r\n"), NotObject),
        ["negative float"] = (() => B("-0.5e-7 "), NotObject),
        ["null (a delimiter ends it)"] = (() => B("null "), NotObject),
        ["true (a delimiter ends it)"] = (() => B("true\n"), NotObject),
        ["empty array"] = (() => B("[]"), NotObject),
        ["array of commands"] = (() => B("[{\"execute\":\"query-status\"}]"), NotObject),
        ["empty string"] = (() => B("\"\""), NotObject),
        ["empty object"] = (() => B("{}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Expected 'execute' in QMP input\"}}"),

        // Unknown top-level members (checked before the id is taken: the reply has no id).
        ["Execute capitalised"] = (() => B("{\"Execute\":\"query-status\",\"id\":1}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'Execute' is unexpected\"}}"),
        ["unknown member after a valid execute"] = (() => B("{\"execute\":\"stop\",\"id\":1,\"data\":{}}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'data' is unexpected\"}}"),
        ["unknown member with an empty name"] = (() => B("{\"\":0,\"execute\":\"stop\"}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member '' is unexpected\"}}"),
        ["execute of type object"] = (() => B("{\"execute\":{\"name\":\"stop\"}}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'execute' expects 'string'\"}}"),
        ["execute null"] = (() => B("{\"execute\":null,\"id\":3}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'execute' expects 'string'\"}}"),

        // arguments of the wrong type.
        ["arguments null"] = (() => B("{\"execute\":\"stop\",\"arguments\":null}"), ArgumentsNotObject),
        ["arguments string"] = (() => B("{\"execute\":\"stop\",\"arguments\":\"{}\"}"), ArgumentsNotObject),
        ["arguments number"] = (() => B("{\"execute\":\"stop\",\"arguments\":0}"), ArgumentsNotObject),
        ["arguments false"] = (() => B("{\"execute\":\"stop\",\"arguments\":false}"), ArgumentsNotObject),
        ["arguments array of an object"] = (() => B("{\"execute\":\"stop\",\"arguments\":[{}]}"), ArgumentsNotObject),

        // Members of arguments of the wrong type reach the command's own checks (QEMU 2.1 wording, id echoed).
        ["int argument given a string"] = (() => B("{\"execute\":\"memsave\",\"arguments\":{\"val\":\"0\",\"size\":1,\"filename\":\"m\"},\"id\":7}"), "{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'val', expected: int\"}}"),
        ["string argument given an object"] = (() => B("{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":1,\"filename\":{}},\"id\":7}"), "{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'filename', expected: string\"}}"),
        ["bool argument given a string"] = (() => B("{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":\"yes\",\"protocol\":\"file:x\"},\"id\":7}"), "{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'paging', expected: bool\"}}"),
        ["missing argument"] = (() => B("{\"execute\":\"memsave\",\"arguments\":{\"val\":0,\"size\":1},\"id\":7}"), "{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'filename' is missing\"}}"),
        ["unknown argument"] = (() => B("{\"execute\":\"cont\",\"arguments\":{\"now\":true},\"id\":7}"), "{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter 'now'\"}}"),

        // Huge numbers: as an id echoed verbatim, as an int argument a type error (QEMU parses them as floats).
        ["10,000-digit number as id"] = (() => B("{\"execute\":\"query-status\",\"id\":" + new string('9', 10_000) + "}"), Peer.Status[..^1] + ", \"id\": " + new string('9', 10_000) + "}"),
        ["exponent overflow as id"] = (() => B("{\"execute\":\"query-status\",\"id\":1e999999999}"), "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1e999999999}"),
        ["10,000-digit int argument"] = (() => B("{\"execute\":\"memsave\",\"arguments\":{\"val\":" + new string('9', 10_000) + ",\"size\":1,\"filename\":\"m\"},\"id\":1}"), "{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'val', expected: int\"}}"),
        ["int argument 1e400"] = (() => B("{\"execute\":\"memsave\",\"arguments\":{\"val\":1e400,\"size\":1,\"filename\":\"m\"},\"id\":1}"), "{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'val', expected: int\"}}"),
        // A token over 64 MiB is cut there (an error); the rest of its digits are a new number at top level.
        ["number over the token limit"] = (() => B("{\"execute\":\"query-status\",\"id\":" + new string('7', TokenLimit + 10) + "}"), Lines(InvalidJson, NotObject, InvalidJson)),

        // Huge strings: under the limit is served (the id comes back whole).
        ["string just under the limit"] = (() => B("{\"execute\":\"query-status\",\"id\":\"" + new string('s', 1_000_000) + "\"}"), Peer.Status[..^1] + ", \"id\": \"" + new string('s', 1_000_000) + "\"}"),
        ["4 MiB member name"] = (() => B("{\"execute\":\"query-status\",\"" + new string('n', 4 * 1024 * 1024) + "\":1}"), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member '" + new string('n', 4 * 1024 * 1024) + "' is unexpected\"}}"),

        // Nesting: 1024 is served; the bracket that opens level 1025 is refused with the tokens before it, and
        // each bracket after it is read afresh (an error for every stray closing one), as QEMU does.
        ["depth 1024 as id"] = (() => B("{\"execute\":\"query-status\",\"id\":" + new string('[', 1023) + new string(']', 1023) + "}"), Peer.Status[..^1] + ", \"id\": " + new string('[', 1023) + new string(']', 1023) + "}"),
        ["depth 1025 as id"] = (() => B("{\"execute\":\"query-status\",\"id\":" + new string('[', 1024) + new string(']', 1024) + "}"), Times(1026, InvalidJson)),
        ["depth 1025 in arguments"] = (() => B("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000\",\"x\":" + new string('[', 1023) + new string(']', 1023) + "}}"), Times(1026, InvalidJson)),
    });

    public static TheoryData<string> Survivable => new(s_survivable.Keys);

    public static TheoryData<string> BadText => new(s_badText.Keys);

    public static TheoryData<string> CutOff => new(s_cutOff.Keys);

    /// <summary>Cases by name: theory data stays small (the inputs run to megabytes), inputs are built when run.</summary>
    private static Dictionary<string, (Func<byte[]> Input, string Reply)> Cases(Dictionary<string, (Func<byte[]> Input, string Reply)> cases) => cases;

    [Theory]
    [MemberData(nameof(Survivable))]
    public async Task Bad_input_gets_its_error_the_connection_survives_and_a_bystander_is_unaffected(string name)
    {
        var (build, reply) = s_survivable[name];
        var input = build();
        await using var emu = await Emu.StartAsync();
        await using var bystander = await emu.ConnectNegotiatedAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        await bystander.AssertAliveAsync("\"before\"");

        await peer.SendAsync(input);
        foreach (var line in reply.Split('\n'))
        {
            Assert.Equal(line, await peer.ReadLineAsync());
        }

        await peer.AssertAliveAsync();
        await peer.AssertAliveAsync("2");

        await bystander.AssertAliveAsync("\"after\"");
        Assert.Equal(2, emu.Emulator.Server.Sessions.Count);
    }

    /// <summary>
    /// Invalid UTF-8 inside strings and lone UTF-16 surrogate escapes. QEMU 2.1's lexer rejects bytes that cannot
    /// start or continue UTF-8 (0xc0, 0xc1, 0xf5..0xff) with "Invalid JSON syntax"; whatever the reply, it must be a
    /// QMP error and the connection must survive. Today the server closes the connection without a reply when such
    /// a string is the value of "execute" or a member name (QmpServer.HandleRequestAsync: JsonElement.GetString()
    /// and JsonProperty.Name throw InvalidOperationException, which only the catch-all in RunConnectionAsync sees),
    /// answers with .NET's message when it is inside arguments, and echoes invalid UTF-8 back verbatim in an id.
    /// </summary>
    private static readonly Dictionary<string, (Func<byte[]> Input, string Reply)> s_badText = Cases(new()
    {
        ["invalid UTF-8 in execute (0xff: a lexical error, then a stray '}')"] = (() => B("{\"execute\":\"query-st", 0xff, "atus\"}"), Times(2, InvalidJson)),
        ["invalid UTF-8 in a member name"] = (() => B("{\"exe", 0xc0, 0xaf, "cute\":\"query-status\"}"), InvalidJson),
        ["invalid UTF-8 in an argument (0xfe: a lexical error, then two stray '}')"] = (() => B("{\"execute\":\"ringbuf-write\",\"arguments\":{\"device\":\"x\",\"data\":\"", 0xfe, "\"}}"), Times(3, InvalidJson)),
        ["invalid UTF-8 in the id (0xff 0xfe: two lexical errors, then a stray '}')"] = (() => B("{\"execute\":\"query-status\",\"id\":\"", 0xff, 0xfe, "\"}"), Times(3, InvalidJson)),
        ["truncated UTF-8 sequence in execute"] = (() => B("{\"execute\":\"query-status", 0xe2, 0x82, "\"}"), InvalidJson),
        ["lone surrogate escape in execute"] = (() => B("{\"execute\":\"\\ud800\"}"), InvalidJson),
        ["lone surrogate escape in a member name"] = (() => B("{\"\\udc00\":1,\"execute\":\"query-status\"}"), InvalidJson),
    });

    [Theory]
    [MemberData(nameof(BadText))]
    public async Task Invalid_text_in_strings_gets_invalid_json_syntax_and_the_connection_survives(string name)
    {
        var (build, reply) = s_badText[name];
        var input = build();
        await using var emu = await Emu.StartAsync();
        await using var bystander = await emu.ConnectNegotiatedAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync(input);
        foreach (var expected in reply.Split('\n'))
        {
            var line = await peer.TryReadLineAsync();
            Assert.True(line is not null, "the server closed the connection instead of replying");
            Assert.Equal(expected, line);
        }

        await peer.AssertAliveAsync();
        await bystander.AssertAliveAsync();
    }

    [Fact]
    public async Task Several_bad_inputs_in_one_write_each_get_their_error_in_order()
    {
        await using var emu = await Emu.StartAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync("1 \"s\" null {\"execute\":\"stop\",\"arguments\":[]} {\"x\":1} {\"execute\":\"query-status\",\"id\":9}");
        Assert.Equal(NotObject, await peer.ReadLineAsync());
        Assert.Equal(NotObject, await peer.ReadLineAsync());
        Assert.Equal(NotObject, await peer.ReadLineAsync());
        Assert.Equal(ArgumentsNotObject, await peer.ReadLineAsync());
        Assert.Equal("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input object member 'x' is unexpected\"}}", await peer.ReadLineAsync());
        Assert.Equal(Peer.Status[..^1] + ", \"id\": 9}", await peer.ReadLineAsync());
    }

    [Fact]
    public async Task Unclosed_deep_nesting_is_refused_without_waiting_for_the_end()
    {
        // 200,000 opening brackets and nothing else: the server must answer as soon as the limit is crossed
        // (once per 1025 brackets, as QEMU), not buffer the lot waiting for a close that never comes.
        await using var emu = await Emu.StartAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync(new string('[', 200_000));
        for (var i = 0; i < 200_000 / 1025; i++)
        {
            Assert.Equal(InvalidJson, await peer.ReadLineAsync());
        }
    }

    [Fact]
    public async Task An_unterminated_huge_string_is_refused_at_the_limit_and_the_rest_read_afresh()
    {
        await using var emu = await Emu.StartAsync();
        await using var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync("{\"execute\":\"query-status\",\"id\":\"" + new string('u', TokenLimit + 1));
        Assert.Equal(InvalidJson, await peer.ReadLineAsync());

        // What follows the cut is lexed as QEMU's lexer would: 'uuu' is a keyword token, then the quote
        // opens a string that the control character ends with an error.
        await peer.SendAsync("uu\"\u0001");
        Assert.Equal(InvalidJson, await peer.ReadLineAsync());
        Assert.Equal(InvalidJson, await peer.ReadLineAsync());
        await peer.AssertAliveAsync();
    }

    private static readonly Dictionary<string, (Func<byte[]> Input, string Reply)> s_cutOff = Cases(new()
    {
        ["inside a member name"] = (() => B("{\"execute\":\"query-status\",\"argu"), ""),
        ["inside a multi-byte UTF-8 character"] = (() => B("{\"execute\":\"query-status\",\"id\":\"caf", 0xc3), ""),
        ["inside a number"] = (() => B("{\"execute\":\"query-status\",\"id\":12345"), ""),
        ["inside a long string"] = (() => B("{\"execute\":\"query-status\",\"id\":\"" + new string('o', 2 * 1024 * 1024)), ""),
        ["inside deep nesting"] = (() => B("{\"execute\":\"query-status\",\"id\":" + new string('[', 1000)), ""),
        ["after a complete command whose reply is pending"] = (() => B("{\"execute\":\"query-status\",\"id\":1}{\"exec"), ""),
    });

    [Theory]
    [MemberData(nameof(CutOff))]
    public async Task A_message_cut_off_by_a_disconnect_ends_only_that_session(string name)
    {
        var input = s_cutOff[name].Input();
        await using var emu = await Emu.StartAsync();
        await using var bystander = await emu.ConnectNegotiatedAsync();
        var peer = await emu.ConnectNegotiatedAsync();
        await peer.SendAsync(input);
        await peer.DisposeAsync();
        Assert.True(await Wait.UntilAsync(() => emu.Emulator.Server.Sessions.Count == 1), "the cut-off session ended");
        await bystander.AssertAliveAsync();
        await using var next = await emu.ConnectNegotiatedAsync();
        await next.AssertAliveAsync();
    }
}
