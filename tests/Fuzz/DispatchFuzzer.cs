using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Qmp.Runtime;

namespace Qmp.Fuzz;

/// <summary>
/// Fuzzes the argument checks of generated QAPI servers through their dispatch: a <see cref="QmpServer"/>
/// serving the servers generated from QEMU 7.2's recorded schema filtered to query-status and
/// blockdev-add: a union taken boxed, its file an alternate) and samples/CustomSchema's cooling.json
/// (integer widths, an alternate with null, a union whose branch has no members), called over a unix
/// socket with mutants of good arguments. Only mutants that are JSON are sent (the others never reach
/// the checks). A finding is a connection that ends, a reply other than a return or a GenericError
/// in one of QEMU's forms, or more than one reply to a request QEMU's lexer does not cut.
/// </summary>
internal static class DispatchFuzzer
{
    private static readonly (string Command, string Arguments)[] s_seeds =
    [
        ("blockdev-add", """{"driver":"qcow2","node-name":"disk0","read-only":true,"discard":"unmap","lazy-refcounts":true,"cache-size":1048576,"file":{"driver":"file","node-name":"f","filename":"/images/disk0.qcow2","locking":"off"}}"""),
        ("blockdev-add", """{"driver":"raw","file":{"driver":"qcow2","file":"base"}}"""),
        ("blockdev-add", """{"driver":"qcow2","file":"disk0-file","force-share":false}"""),
        ("query-status", """{}"""),
        ("set-cooling", """{"zone":"cpu0","mode":"fan","rpm":65535}"""),
        ("set-cooling", """{"zone":"gpu0","mode":"liquid","litres-per-hour":255,"coolant":null}"""),
        ("set-cooling", """{"zone":"gpu0","mode":"liquid","litres-per-hour":0,"coolant":"glycol"}"""),
        ("set-cooling", """{"zone":"case","mode":"passive"}"""),
        ("set-limit", """{"zone":"cpu0","millicelsius":-9223372036854775808,"hysteresis":65535}"""),
        ("query-zones", """{}"""),
    ];

    private static readonly string[] s_tokens =
    [
        "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "0", "-1", "1.5", "{}", "[]", "\"driver\":", "\"file\":", "\"mode\":",
        "\"qcow2\"", "\"file\"", "\"raw\"", "\"fan\"", "\"liquid\"", "\"passive\"", "\"nosuch\"", "\"\\u0000\"", "\"\\ud800\"", "\"bogus\":1,",
        "{\"driver\":\"raw\",\"file\":", "[[[[[[[[", "]]]]]]]]", "65536", "256", "-1",
    ];

    /// <summary>The words QEMU 7.2 refuses arguments with (qobject-input-visitor.c, qapi-visit-core.c, qmp-dispatch.c).</summary>
    private static readonly string[] s_forms =
    [
        "Parameter '", "Invalid parameter type for '", "QMP input member 'arguments' must be an object",
        // Text that JsonDocument takes and QEMU's JSON parser does not (a duplicate key, invalid UTF-8): refused before any check.
        "JSON parse error, ", "QMP input must be a JSON object", "QMP input member '",
    ];

    public static async Task<int> RunAsync(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var random = new Random(seed);
        var commands = s_seeds.Select(s => s.Command).Distinct().ToArray();
        var mutators = commands.ToDictionary(
            command => command,
            command => new Mutator(random, [.. s_seeds.Where(s => s.Command == command).Select(s => Encoding.UTF8.GetBytes(s.Arguments))], [.. s_tokens.Select(Encoding.UTF8.GetBytes)]));
        var dir = Directory.CreateTempSubdirectory("qmp-fuzz-dispatch-");
        var failures = 0;
        long notJson = 0, refused = 0, accepted = 0;
        try
        {
            var blockSocket = Path.Combine(dir.FullName, "block.sock");
            var coolingSocket = Path.Combine(dir.FullName, "cooling.sock");
            await using var blockServer = QmpServer.Listen($"unix:{blockSocket},server,nowait", new BlockMachine());
            await using var coolingServer = QmpServer.Listen($"unix:{coolingSocket},server,nowait", new CoolingMachine());
            var connections = new Dictionary<string, Connection>(StringComparer.Ordinal);
            var block = await Connection.OpenAsync(blockSocket);
            var cooling = await Connection.OpenAsync(coolingSocket);
            foreach (var command in commands)
            {
                connections[command] = command is "blockdev-add" or "query-status" ? block : cooling;
            }

            var options = new JsonDocumentOptions { MaxDepth = QmpLimits.DefaultServerMaxDepth + 2 };
            var clock = Stopwatch.StartNew();
            for (long i = 0; i < inputs; i++)
            {
                var command = commands[random.Next(commands.Length)];
                var mutator = mutators[command];
                var input = random.Next(2) == 0 ? mutator.Mutate(mutator.Seed()) : VisitorFuzzer.Reshape(random, mutator.Seed());
                try
                {
                    using var document = JsonDocument.Parse(input, options);
                }
                catch (JsonException)
                {
                    notJson++;
                    continue;
                }

                watchdog.Arm("dispatch", input);
                try
                {
                    var connection = connections[command];
                    var replies = await connection.RoundTripAsync(command, input, i);
                    if (SplitByLexer(input) ? !replies[0].Contains("JSON parse error, stray '", StringComparison.Ordinal) : replies.Count != 1)
                    {
                        // One request, one reply (as on QEMU), unless QEMU's lexer cuts the request.
                        failures += QmpFuzzer.Save(findings, "dispatch-" + command, input, string.Join("\n", replies));
                        continue;
                    }

                    foreach (var reply in replies)
                    {
                        using var answer = JsonDocument.Parse(reply);
                        if (answer.RootElement.TryGetProperty("return", out _))
                        {
                            accepted++;
                        }
                        else if (answer.RootElement.TryGetProperty("error", out var error)
                            && error.GetProperty("class").GetString() == "GenericError"
                            && s_forms.Any(f => error.GetProperty("desc").GetString()!.StartsWith(f, StringComparison.Ordinal)))
                        {
                            refused++;
                        }
                        else
                        {
                            failures += QmpFuzzer.Save(findings, "dispatch-" + command, input, reply);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or JsonException)
                {
                    failures += QmpFuzzer.Save(findings, "dispatch-" + command, input, ex.ToString());
                    // The connection may be gone: open new ones so the run goes on.
                    block.Dispose();
                    cooling.Dispose();
                    block = await Connection.OpenAsync(blockSocket);
                    cooling = await Connection.OpenAsync(coolingSocket);
                    foreach (var name in commands)
                    {
                        connections[name] = name is "blockdev-add" or "query-status" ? block : cooling;
                    }
                }
                finally
                {
                    watchdog.Disarm();
                }

                if ((i + 1) % 100_000 == 0)
                {
                    Console.WriteLine($"dispatch: {i + 1} inputs, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }

            block.Dispose();
            cooling.Dispose();
            Console.WriteLine($"dispatch: {inputs} inputs ({notJson} not JSON, {accepted} accepted, {refused} refused in QEMU's words) in {clock.Elapsed.TotalSeconds:F1} s ({inputs / clock.Elapsed.TotalSeconds:F0}/s), {failures} findings");
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        return failures;
    }

    /// <summary>
    /// Whether QEMU's JSON lexer cuts the request: System.Text.Json takes bytes 0xFE and 0xFF in a
    /// string (it does not check UTF-8 there), while to QEMU's lexer (and the server's streamer) they
    /// are a lexical error that drops the message so far, then tokens after it are read afresh, each
    /// balanced run a message with its own error. A name given twice or a lone surrogate escape does
    /// not cut it: QEMU's parser refuses the whole message with one error.
    /// </summary>
    internal static bool SplitByLexer(byte[] arguments) => arguments.AsSpan().IndexOfAny((byte)0xFE, (byte)0xFF) >= 0;

    /// <summary>A raw QMP connection: one request line out, one reply line in.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        private Connection(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: false);
            _reader = new StreamReader(_stream, Encoding.UTF8);
        }

        public static async Task<Connection> OpenAsync(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            var connection = new Connection(socket);
            await connection.ReadLineAsync(); // greeting
            await connection.WriteAsync(Encoding.UTF8.GetBytes("""{"execute":"qmp_capabilities"}""" + "\n"));
            await connection.ReadLineAsync();
            return connection;
        }

        /// <summary>
        /// Sends one request with <paramref name="id"/> and gives its replies: the first, when it carries the
        /// id; otherwise (a parse error has none, or the lexer cut the request, see <see cref="SplitByLexer"/>)
        /// every reply until that of a ping sent after it (dropped), so the caller sees how many there were.
        /// </summary>
        public async Task<List<string>> RoundTripAsync(string command, byte[] arguments, long id)
        {
            var request = new List<byte>(arguments.Length + 64);
            request.AddRange(Encoding.UTF8.GetBytes($$"""{"id":{{id}},"execute":"{{command}}","arguments":"""));
            request.AddRange(arguments);
            request.AddRange("}\n"u8.ToArray());
            await WriteAsync([.. request]);
            var first = await ReadLineAsync();
            if (first.StartsWith($$"""{"id": {{id}},""", StringComparison.Ordinal) || first.EndsWith($$""", "id": {{id}}}""", StringComparison.Ordinal))
            {
                return [first];
            }

            var replies = new List<string> { first };
            await WriteAsync(Encoding.UTF8.GetBytes("""{"execute":"qmp_capabilities","id":"sync"}""" + "\n"));
            while (true)
            {
                var reply = await ReadLineAsync();
                if (reply.Contains("\"id\": \"sync\"", StringComparison.Ordinal))
                {
                    return replies;
                }
                replies.Add(reply);
            }
        }

        private async Task WriteAsync(byte[] bytes)
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }

        private async Task<string> ReadLineAsync() => await _reader.ReadLineAsync() ?? throw new IOException("the server closed the connection");

        public void Dispose()
        {
            _reader.Dispose();
            _stream.Dispose();
            _socket.Dispose();
        }
    }

    private sealed class BlockMachine : Modern.ModernCommandsBase
    {
        public override ValueTask<Modern.QueryStatusResult> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Modern.QueryStatusResult { Running = true, Singlestep = false, Status = new Modern.QueryStatusResultStatus("running") });

        public override ValueTask BlockdevAddAsync(Modern.BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class CoolingMachine : Cooling.CoolingCommandsBase
    {
        public override ValueTask<IReadOnlyList<Cooling.ZoneInfo>> QueryZonesAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Cooling.ZoneInfo>>([]);

        public override ValueTask SetCoolingAsync(Cooling.CoolingConfig arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public override ValueTask SetLimitAsync(Cooling.SetLimitArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
