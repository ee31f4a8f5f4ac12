using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Qmp.Emulator;
using Qmp.Fuzz;
using Qmp.Runtime;

// dotnet run -c Release --project tests/Fuzz -- [qmp|schema|qapi|introspection|visitor|dispatch|all] [inputs per target] [seed]
var mode = args.Length > 0 ? args[0] : "all";
var inputs = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2026;
var findings = Path.Combine(Path.GetTempPath(), "qmp-fuzz-findings");
Directory.CreateDirectory(findings);
using var watchdog = new Watchdog(TimeSpan.FromSeconds(10), findings);
var failures = 0;
if (mode is "qmp" or "all")
{
    failures += await QmpFuzzer.RunAsync(inputs, seed, watchdog, findings);
}

if (mode is "schema" or "all")
{
    failures += SchemaFuzzer.Run(inputs, seed, watchdog, findings);
}

if (mode is "qapi" or "all")
{
    failures += QapiFuzzer.Run(inputs, seed, watchdog, findings);
}

if (mode is "introspection" or "all")
{
    failures += IntrospectionFuzzer.Run(inputs, seed, watchdog, findings);
}

if (mode is "visitor" or "all")
{
    failures += VisitorFuzzer.Run(inputs, seed, watchdog, findings);
}

if (mode is "dispatch" or "all")
{
    failures += await DispatchFuzzer.RunAsync(inputs, seed, watchdog, findings);
}

Console.WriteLine(failures == 0 ? "no crash, no hang, no finding" : $"{failures} findings in {findings}");
return failures == 0 ? 0 : 1;

/// <summary>
/// Kills the run when one input takes longer than the timeout (a hang), after saving that input: a loop that
/// never ends cannot be interrupted from inside, so the watchdog is its own thread.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly string _findings;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private long _armedAt;
    private byte[]? _input;
    private string _target = "";

    public Watchdog(TimeSpan timeout, string findings)
    {
        _timeout = timeout;
        _findings = findings;
        _thread = new Thread(Watch) { IsBackground = true, Name = "fuzz watchdog" };
        _thread.Start();
    }

    public TimeSpan Timeout => _timeout;

    public void Arm(string target, byte[] input)
    {
        _target = target;
        _input = input;
        Volatile.Write(ref _armedAt, Stopwatch.GetTimestamp());
    }

    public void Disarm() => Volatile.Write(ref _armedAt, 0);

    private void Watch()
    {
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(200);
            var armed = Volatile.Read(ref _armedAt);
            if (armed != 0 && Stopwatch.GetElapsedTime(armed) > _timeout)
            {
                var file = Path.Combine(_findings, $"hang-{_target}-{DateTime.UtcNow:HHmmss}.bin");
                File.WriteAllBytes(file, _input ?? []);
                Console.Error.WriteLine($"HANG: one {_target} input ran over {_timeout.TotalSeconds} s; saved to {file}");
                Environment.Exit(3);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}

/// <summary>Byte and text mutations: bit flips, interesting bytes and tokens, deletions, duplications, splices.</summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens)
{
    private static readonly string[] s_numbers =
    [
        "0", "-1", "1.5", "1e308", "-1e308", "1e-320", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "4611686018427387904", "2147483648", "1073741825", "65536", "-0", "00", "1E+2",
    ];

    public byte[] Seed() => seeds[random.Next(seeds.Count)];

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count + 1);
            switch (random.Next(10))
            {
                case 0 when data.Count > 0:
                    data[Math.Min(at, data.Count - 1)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[Math.Min(at, data.Count - 1)] = (byte)random.Next(256);
                    break;
                case 2:
                    data.InsertRange(at, tokens[random.Next(tokens.Count)]);
                    break;
                case 3 when data.Count > 0:
                    var length = random.Next(Math.Min(64, data.Count - Math.Min(at, data.Count - 1)) + 1);
                    data.RemoveRange(Math.Min(at, data.Count - 1), Math.Min(length, data.Count - Math.Min(at, data.Count - 1)));
                    break;
                case 4 when data.Count > 0:
                    int from = random.Next(data.Count), count = random.Next(Math.Min(128, data.Count - from) + 1);
                    data.InsertRange(at, data.GetRange(from, count));
                    break;
                case 5:
                    var other = Seed();
                    var cut = random.Next(other.Length + 1);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(other.AsSpan(cut).ToArray());
                    break;
                case 6:
                    ReplaceNumber(data);
                    break;
                case 7:
                    // Nesting: wrap a stretch in brackets many times.
                    var depth = 1 + random.Next(random.Next(2) == 0 ? 8 : 2000);
                    data.InsertRange(at, Enumerable.Repeat((byte)'[', depth));
                    data.InsertRange(Math.Min(data.Count, at + depth + random.Next(16)), Enumerable.Repeat((byte)']', random.Next(depth + 1)));
                    break;
                case 8 when data.Count > 0:
                    // A value of another JSON type in place of a value.
                    ReplaceValue(data);
                    break;
                default:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(s_numbers[random.Next(s_numbers.Length)]));
                    break;
            }
        }

        return data.ToArray();
    }

    private void ReplaceNumber(List<byte> data)
    {
        var digits = Enumerable.Range(0, data.Count).Where(i => data[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || data[i - 1] is < (byte)'0' or > (byte)'9')).ToList();
        if (digits.Count == 0)
        {
            return;
        }

        int start = digits[random.Next(digits.Count)], end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'-')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.UTF8.GetBytes(s_numbers[random.Next(s_numbers.Length)]));
    }

    private void ReplaceValue(List<byte> data)
    {
        var colons = Enumerable.Range(0, data.Count).Where(i => data[i] == (byte)':').ToList();
        if (colons.Count == 0)
        {
            return;
        }

        int start = colons[random.Next(colons.Count)] + 1, end = start;
        while (end < data.Count && data[end] is not ((byte)',' or (byte)'}' or (byte)']'))
        {
            end++;
        }

        string[] values = ["\"x\"", "1", "1.5", "true", "null", "{}", "[]", "[1]", "{\"a\":1}", "\"\\u0000\"", "\"\\ud800\"", "\"" + new string('a', 300) + "\""];
        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.UTF8.GetBytes(values[random.Next(values.Length)]));
    }
}

/// <summary>Records errors the server logs: a command that failed with an unforeseen exception is a finding.</summary>
internal sealed class FindingLogger : ILogger
{
    public List<string> Errors { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            lock (Errors)
            {
                Errors.Add(formatter(state, exception) + ": " + exception);
            }
        }
    }
}

/// <summary>The emulator's dispatcher, less commands that reach outside the process (nbd-server-start binds network sockets).</summary>
internal sealed class ContainedDispatcher(IQmpCommandDispatcher inner) : IQmpCommandDispatcher
{
    public bool HasCommand(string name) => inner.HasCommand(name);

    public ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken) =>
        command == "nbd-server-start" ? throw QmpException.Generic("not while fuzzing") : inner.DispatchAsync(command, arguments, session, cancellationToken);
}

/// <summary>A session's two directions: the input read to its end, the output kept.</summary>
internal sealed class Duplex(byte[] input) : Stream
{
    private readonly MemoryStream _in = new(input, writable: false);

    public MemoryStream Output { get; } = new();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(_in.Read(buffer.Span));

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (Output)
        {
            Output.Write(buffer, offset, count);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (Output)
        {
            Output.Write(buffer.Span);
        }

        return ValueTask.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

internal static class Seeds
{
    public static string SchemaDirectory => Path.Combine(AppContext.BaseDirectory, "schema");

    public static List<(string Path, string Text)> SchemaFiles() =>
        Directory.GetFiles(SchemaDirectory, "*.hx").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList();
}

internal static class QmpFuzzer
{
    private static readonly byte[] s_negotiate = "{\"execute\":\"qmp_capabilities\"}\r\n"u8.ToArray();

    public static async Task<int> RunAsync(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var (commands, examples) = SchemaAdapter.Read(Seeds.SchemaFiles());
        var seeds = new List<byte[]>();
        foreach (var example in examples)
        {
            seeds.Add(Encoding.UTF8.GetBytes(example));
        }

        // A well-typed request for every command, each argument given a value of its type.
        foreach (var (command, arguments) in commands)
        {
            var members = arguments.Select(a => JsonSerializer.Serialize(a.Name) + ":" + a.JsonType switch
            {
                "string" => "\"ide0-hd0\"",
                "int" => "16",
                "number" => "0.5",
                "bool" => "true",
                _ => "{\"type\":\"file\",\"data\":{\"out\":\"x\"}}",
            });
            seeds.Add(Encoding.UTF8.GetBytes("{\"execute\":" + JsonSerializer.Serialize(command) + ",\"arguments\":{" + string.Join(",", members) + "},\"id\":1}"));
        }

        // Framing: several messages per line, split lines, ids of every type, strings with escapes.
        foreach (var framing in new[]
        {
            "{\"execute\":\"query-status\",\"id\":1}\r\n{\"execute\":\"query-kvm\",\"id\":\"x\"}",
            "{\"execute\" 1}{\"execute\":\"query-kvm\",\"id\":\"x\"}",
            "{\"execute\":\"query-status\",\n\"id\":[1,{\"a\":null}]}",
            "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info \\u0062lock\"}}",
            "{'execute':'query-kvm'}",
            "[]\n{}\n\"x\"\n{\"execute\":[]}\n{\"arguments\":{}}",
            "{\"execute\":\"transaction\",\"arguments\":{\"actions\":[{\"type\":\"blockdev-snapshot-sync\",\"data\":{\"device\":\"ide0-hd0\",\"snapshot-file\":\"s\",\"mode\":\"existing\"}}]}}",
            "{\"execute\":\"memsave\",\"arguments\":{\"val\":4611686018427387904,\"size\":4611686018427387904,\"filename\":\"m\"}}",
            "{\"execute\":\"chardev-add\",\"arguments\":{\"id\":\"r\",\"backend\":{\"type\":\"ringbuf\",\"data\":{\"size\":1024}}}}",
            "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000\",\"id\":\"n\",\"bus\":\"pci.0\",\"addr\":\"0x9\"}}",
            "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/nic0\",\"property\":\"mac\",\"value\":\"52:54:00:12:34:57\"}}",
        })
        {
            seeds.Add(Encoding.UTF8.GetBytes(framing));
        }

        byte[][] tokens = [.. new[]
        {
            "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "\\u00e9", "\r\n", "\n", "\0", "\xff", "null", "true", "false",
            "\"execute\"", "\"arguments\"", "\"id\"", "\"exec-oob\"", "\"control\"", "'", "/*", "é", "\u2028", "1e999",
        }.Select(Encoding.UTF8.GetBytes), [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];
        var random = new Random(seed);
        var mutator = new Mutator(random, seeds, tokens);
        var logger = new FindingLogger();
        int failures = 0, sessionsPerEmulator = 2000;
        long replies = 0, returns = 0;
        QemuEmulator? emulator = null;
        QmpServer? server = null;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            if (i % sessionsPerEmulator == 0)
            {
                // A fresh machine now and then: state that mutants pile up (chardevs, devices, fd sets) stays small.
                if (server is not null)
                {
                    await server.DisposeAsync();
                }

                if (emulator is not null)
                {
                    await emulator.DisposeAsync();
                }

                emulator = await QemuEmulator.StartAsync(new EmulatorOptions { TickInterval = TimeSpan.FromHours(1) });
                server = QmpServer.Create(new ContainedDispatcher(emulator.Machine), new QmpServerOptions { Logger = logger });
            }

            var mutant = mutator.Mutate(mutator.Seed());
            byte[] input = [.. s_negotiate, .. mutant, (byte)'\n'];
            var duplex = new Duplex(input);
            watchdog.Arm("qmp", input);
            try
            {
                await server!.RunSessionAsync(duplex).WaitAsync(watchdog.Timeout);
            }
            catch (Exception ex)
            {
                failures += Save(findings, "qmp-crash", input, ex.ToString());
                continue;
            }
            finally
            {
                watchdog.Disarm();
            }

            var problem = CheckOutput(duplex.Output.ToArray(), ref replies, ref returns);
            if (problem is null && logger.Errors.Count > 0)
            {
                problem = string.Join("\n", logger.Errors);
                logger.Errors.Clear();
            }

            if (problem is not null)
            {
                failures += Save(findings, "qmp", input, problem);
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"qmp: {i + 1} inputs, {replies} lines out, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }

        Console.WriteLine($"qmp: {inputs} inputs (one session each: framing, dispatch, argument reading) in {clock.Elapsed.TotalSeconds:F1} s, {replies} lines out ({returns - inputs} successful commands after negotiation), {failures} findings");
        return failures;
    }

    /// <summary>Every line out is one JSON object: a greeting, a return, an error without .NET's words, or an event.</summary>
    private static string? CheckOutput(byte[] output, ref long replies, ref long returns)
    {
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] != (byte)'\n')
            {
                continue;
            }

            var line = output.AsSpan(start, i - start);
            start = i + 1;
            replies++;
            try
            {
                using var doc = JsonDocument.Parse(line.ToArray());
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !(root.TryGetProperty("QMP", out _) || root.TryGetProperty("return", out _) || root.TryGetProperty("event", out _) || root.TryGetProperty("error", out _)))
                {
                    return "a line that is no QMP message: " + Encoding.UTF8.GetString(line);
                }

                if (root.TryGetProperty("return", out _))
                {
                    returns++;
                }

                if (root.TryGetProperty("error", out var error) && error.GetProperty("desc").GetString() is { } desc
                    && (desc.Contains("xception", StringComparison.Ordinal) || desc.Contains("out of range", StringComparison.Ordinal) || desc.Contains("invalid format", StringComparison.Ordinal)))
                {
                    return ".NET's words in an error: " + desc;
                }
            }
            catch (JsonException ex)
            {
                return "a line that is not JSON (" + ex.Message + "): " + Encoding.UTF8.GetString(line);
            }
        }

        return start == output.Length ? null : "output not ending in a line end";
    }

    internal static int Save(string findings, string kind, byte[] input, string problem)
    {
        var name = Path.Combine(findings, $"{kind}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..12]}");
        File.WriteAllBytes(name + ".bin", input);
        File.WriteAllText(name + ".txt", problem);
        Console.Error.WriteLine($"{kind}: {problem.Split('\n')[0]} ({name}.bin)");
        return 1;
    }
}

internal static class SchemaFuzzer
{
    public static int Run(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var files = Seeds.SchemaFiles();

        // Small seeds: the files cut at their entries (table entries, SQMP/EQMP doc blocks, conditions), alone and
        // in runs of a few; now and then a whole file.
        var chunks = new List<string>();
        foreach (var (_, text) in files)
        {
            var cuts = new SortedSet<int> { 0, text.Length };
            foreach (var marker in new[] { "{ .name", "{\n", "SQMP", "EQMP", "#if", "#endif", "{ .event" })
            {
                for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
                {
                    cuts.Add(at);
                }
            }

            var points = cuts.ToList();
            for (var i = 0; i + 1 < points.Count; i++)
            {
                for (var run = 1; run <= 3 && i + run < points.Count; run++)
                {
                    chunks.Add(text[points[i]..points[i + run]]);
                }
            }
        }

        var seeds = chunks.Where(c => c.Length is > 0 and < 20_000).Select(Encoding.UTF8.GetBytes).ToList();
        byte[][] tokens = [.. new[]
        {
            "SQMP\n", "\nEQMP\n", "{ .name = \"", "\", .args_type = \"", "\", .mhandler.cmd_new = qmp_marshal_input_x, },", "{ .event = \"",
            "#if defined(CONFIG_X)\n", "#endif\n", "-> ", "<- ", "Arguments:\n", "Example:\n", "Returns:", "- \"", "(json-string)", "(json-int, optional)",
            "\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085", "\0", "\\", "\"", ":", "?", "-x", ":O", ":q", ":s?", ",", "HXCOMM ", "@", "{", "}", "[", "]", "\t",
        }.Select(Encoding.UTF8.GetBytes), [0xed, 0xa0, 0x80], [0xff]];
        var random = new Random(seed);
        var mutator = new Mutator(random, seeds, tokens);
        var failures = 0;
        long diagnostics = 0, whole = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            byte[] input;
            if (i % 5000 == 4999)
            {
                // A whole file, mutated: the parser's paths across entries.
                var (_, text) = files[random.Next(files.Count)];
                input = mutator.Mutate(Encoding.UTF8.GetBytes(text));
                whole++;
            }
            else
            {
                input = mutator.Mutate(mutator.Seed());
            }

            // Invalid UTF-8 becomes U+FFFD, as a file read does.
            var hx = Encoding.UTF8.GetString(input);
            watchdog.Arm("schema", input);
            try
            {
                diagnostics += SchemaAdapter.Parse("fuzz.hx", hx);
            }
            catch (Exception ex)
            {
                failures += QmpFuzzer.Save(findings, "schema", input, ex.ToString());
            }
            finally
            {
                watchdog.Disarm();
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"schema: {i + 1} inputs, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.WriteLine($"schema: {inputs} inputs ({whole} whole files, the rest entries of schema/*.hx) in {clock.Elapsed.TotalSeconds:F1} s, {diagnostics} diagnostics, {failures} findings");
        return failures;
    }
}
