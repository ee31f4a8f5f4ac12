using System.Globalization;
using System.Runtime.InteropServices;
using Qmp.Emulator;

return await EmulatorProgram.RunAsync(args).ConfigureAwait(false);

/// <summary>The <c>qmp-emulator</c> command line: QEMU's options for QMP, run state and size.</summary>
internal static class EmulatorProgram
{
    internal const string Usage = """
        usage: qmp-emulator [options]
          -qmp unix:PATH,server,nowait | tcp:HOST:PORT,server,nowait   a QMP monitor (repeatable)
          -S                      start paused (prelaunch) until 'cont'
          -name NAME              the guest name (query-name)
          -uuid UUID              the machine UUID (query-uuid)
          -smp N[,maxcpus=M]      CPUs
          -m SIZE                 RAM, in MiB or with a suffix (K, M, G)
          -no-shutdown            accepted (the emulator always stays up after a guest shutdown)
          --machine FILE          a JSON description of the virtual hardware
          --data-dir DIR          where commands may write files (screendump, memsave, dump-guest-memory)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        EmulatorOptions? options;
        try
        {
            options = Parse(args);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync("qmp-emulator: " + ex.Message).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 1;
        }

        if (options is null)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        await using var emulator = await QemuEmulator.StartAsync(options).ConfigureAwait(false);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        foreach (var endPoint in emulator.EndPoints)
        {
            await Console.Error.WriteLineAsync($"qmp-emulator: QMP on {endPoint}").ConfigureAwait(false);
        }

        try
        {
            await emulator.Exited.WaitAsync(stop.Token).ConfigureAwait(false);

            // Let the reply to 'quit' and the SHUTDOWN event reach the client.
            await Task.Delay(100).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    /// <summary>Reads QEMU-style options; null when only help was asked for.</summary>
    internal static EmulatorOptions? Parse(string[] args)
    {
        var qmp = new List<string>();
        bool paused = false;
        string? name = null, uuid = null, machineFile = null, dataDir = null;
        int? cpus = null, maxCpus = null;
        long? memory = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"option '{arg}' needs a value");
            switch (arg)
            {
                case "-qmp" or "--qmp":
                    qmp.Add(Value());
                    break;
                case "-S":
                    paused = true;
                    break;
                case "-name" or "--name":
                    name = Value().Split(',')[0].Replace("guest=", "", StringComparison.Ordinal);
                    break;
                case "-uuid" or "--uuid":
                    uuid = Value();
                    if (!Guid.TryParse(uuid, out _))
                    {
                        throw new FormatException($"Fail to parse UUID string. Wrong format.");
                    }

                    break;
                case "-smp" or "--smp":
                    foreach (var part in Value().Split(','))
                    {
                        if (part.StartsWith("maxcpus=", StringComparison.Ordinal))
                        {
                            maxCpus = int.Parse(part[8..], CultureInfo.InvariantCulture);
                        }
                        else if (part.StartsWith("cpus=", StringComparison.Ordinal))
                        {
                            cpus = int.Parse(part[5..], CultureInfo.InvariantCulture);
                        }
                        else if (!part.Contains('=', StringComparison.Ordinal))
                        {
                            cpus = int.Parse(part, CultureInfo.InvariantCulture);
                        }
                    }

                    break;
                case "-m" or "--m":
                    memory = ParseSize(Value().Split(',')[0].Replace("size=", "", StringComparison.Ordinal));
                    break;
                case "-no-shutdown" or "-nodefaults" or "-nographic":
                    break;
                case "-display" or "-machine" or "-M" or "-accel":
                    Value();
                    break;
                case "--machine":
                    machineFile = Value();
                    break;
                case "--data-dir":
                    dataDir = Value();
                    break;
                case "-h" or "--help" or "-help":
                    return null;
                default:
                    throw new FormatException($"unknown option '{arg}'");
            }
        }

        return new EmulatorOptions
        {
            Qmp = qmp,
            StartPaused = paused,
            Name = name,
            Uuid = uuid,
            Cpus = cpus,
            MaxCpus = maxCpus,
            MemoryBytes = memory,
            Machine = machineFile is null ? null : MachineDescription.Load(machineFile),
            DataDir = dataDir,
        };
    }

    /// <summary>QEMU's -m: a bare number is MiB; K, M, G, T suffixes.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0)
        {
            throw new FormatException("empty size");
        }

        char suffix = char.ToUpperInvariant(text[^1]);
        long multiplier = suffix switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, 'B' => 1, _ => 0 };
        string digits = multiplier == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            throw new FormatException($"invalid size '{text}'");
        }

        return value * (multiplier == 0 ? 1L << 20 : multiplier);
    }
}
