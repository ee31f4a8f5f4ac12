using System.Reflection;

namespace Qmp.Samples.Tests;

public sealed class SampleTests
{
    [Fact]
    public async Task Quickstart_runs_its_session_against_the_embedded_emulator()
    {
        var (exit, output) = await RunAsync("Quickstart");
        Assert.True(exit == 0, output);
        Assert.Contains("connected: QEMU 2.1.0", output, StringComparison.Ordinal);
        Assert.Contains("query-status: running (running: True)", output, StringComparison.Ordinal);
        Assert.Contains("stop -> event STOP, status now paused", output, StringComparison.Ordinal);
        Assert.Contains("cont -> event RESUME, status now running", output, StringComparison.Ordinal);
        Assert.Contains("query-block: 4 drive(s)", output, StringComparison.Ordinal);
        Assert.Contains("eject ide9-cd0 -> DeviceNotFound: Device 'ide9-cd0' not found", output, StringComparison.Ordinal);
        Assert.Matches(@"backup on ide0-hd0: +\d+\.\d% of 10240 MiB", output);
        Assert.Contains("event BLOCK_JOB_COMPLETED (backup on ide0-hd0, 10240 of 10240 MiB)", output, StringComparison.Ordinal);
    }

    /// <summary>The README's claim: the same session against a real QEMU started as a user would (-M pc, a disk, a CD-ROM).</summary>
    [QemuFact]
    public async Task Quickstart_runs_its_session_against_qemu()
    {
        await using var qemu = await RealQemu.StartAsync();
        var (exit, output) = await RunAsync("Quickstart", "--connect", qemu.Address);
        Assert.True(exit == 0, output);
        Assert.Contains("query-status: running (running: True)", output, StringComparison.Ordinal);
        Assert.Contains("stop -> event STOP, status now paused", output, StringComparison.Ordinal);
        Assert.Matches(@"disk0 +\S+ +removable=False \S*disk\.qcow2", output);
        Assert.Matches(@"cd0 +\S+ +removable=True +\(empty\)", output);
        Assert.Contains("eject ide9-cd0 -> DeviceNotFound:", output, StringComparison.Ordinal);
        Assert.Contains("event BLOCK_JOB_COMPLETED (backup on disk0, 64 of 64 MiB)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quickstart_rejects_unknown_arguments()
    {
        var (exit, output) = await RunAsync("Quickstart", "--bogus");
        Assert.Equal(2, exit);
        Assert.Contains("usage: Quickstart", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomSchema_serves_and_calls_its_own_command()
    {
        var (exit, output) = await RunAsync("CustomSchema");
        Assert.True(exit == 0, output);
        Assert.Contains("cpu0    1800 rpm  auto  CPU socket 0", output, StringComparison.Ordinal);
        Assert.Contains("event FAN_SPEED_CHANGED: rear now 1200 rpm", output, StringComparison.Ordinal);
        Assert.Contains("refused as expected: GenericError: Speed 100 is below the safe minimum", output, StringComparison.Ordinal);
    }

    /// <summary>Issue 22 item 6: the sample's QAPI schema (schema/cooling.json) served by its generated server and called with its generated client.</summary>
    [Fact]
    public async Task CustomSchema_serves_and_calls_its_QAPI_schema_in_the_modern_dialect()
    {
        var (exit, output) = await RunAsync("CustomSchema");
        Assert.True(exit == 0, output);
        output = output.ReplaceLineEndings("\n");
        Assert.Contains("connected to the cooling controller; capabilities [oob]", output, StringComparison.Ordinal);
        Assert.Contains("  cpu0   61.0 C  fan  CPU socket 0\n  gpu0   74.5 C  liquid", output, StringComparison.Ordinal);
        Assert.Contains("event ZONE_OVERHEAT: gpu0 at 74500 above 50000", output, StringComparison.Ordinal);
        Assert.Contains("set-limit refused: GenericError: Parameter 'zone' is missing", output, StringComparison.Ordinal);
        Assert.Contains("set-cooling refused: GenericError: Parameter 'rpm' expects uint16_t", output, StringComparison.Ordinal);
        Assert.Contains("set-cooling refused: GenericError: Parameter 'mode' does not accept value 'ice'", output, StringComparison.Ordinal);
        Assert.Contains("query-qmp-schema: 20 entities, commands query-zones, set-cooling, set-limit, query-qmp-schema", output, StringComparison.Ordinal);
    }

    [QemuFact]
    public async Task ModernQemu_drives_qemu_with_the_client_generated_from_its_qapi_schema()
    {
        var (exit, output) = await RunAsync("ModernQemu");
        if (exit == 2 && output.Contains("built without a client", StringComparison.Ordinal))
        {
            // QEMU is here but its source package was not (no apt deb-src): the sample says so plainly.
            Assert.Contains("eng/get-qemu-schema.sh bookworm", output, StringComparison.Ordinal);
            return;
        }

        Assert.True(exit == 0, output);
        Assert.Contains("connected: QEMU 7.2", output, StringComparison.Ordinal);
        Assert.Contains("schema check: ", output, StringComparison.Ordinal);
        Assert.Contains("drive cd0: (empty)", output, StringComparison.Ordinal);
        Assert.Contains("event STOP\nevent RESUME", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    /// <summary>Where no QEMU is installed (none on PATH) the sample runs its session on the emulator's QEMU 7.2 persona, in-process.</summary>
    [Fact]
    public async Task ModernQemu_runs_on_the_7_2_persona_in_process_where_no_qemu_is_installed()
    {
        var (exit, output) = await RunWithoutQemuAsync("ModernQemu");
        if (exit == 2 && output.Contains("built without a client", StringComparison.Ordinal))
        {
            Assert.Contains("eng/get-qemu-schema.sh bookworm", output, StringComparison.Ordinal);
            return;
        }

        Assert.True(exit == 0, output);
        Assert.Contains("no qemu-system-x86_64 on PATH: started the reference emulator's QEMU 7.2 persona in-process", output, StringComparison.Ordinal);
        Assert.Contains("connected: QEMU 7.2", output, StringComparison.Ordinal);
        // The client was generated from QEMU 7.2's QAPI schema, the persona serves the recorded x86_64 binary's: only
        // other targets' and build configurations' commands are missing, nothing breaks.
        Assert.Matches(@"schema check: \d+ difference\(s\), 0 breaking; commands this QEMU lacks: \d+ \([^)]*query-gic-capabilities", output);
        Assert.Contains("status: running (running: True)", output, StringComparison.Ordinal);
        Assert.Contains("(empty)", output, StringComparison.Ordinal);
        Assert.Contains("event STOP\nevent RESUME", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModernQemu_rejects_unknown_arguments()
    {
        var (exit, output) = await RunAsync("ModernQemu", "--bogus");
        Assert.Equal(2, exit);
        Assert.True(output.Contains("usage: ModernQemu", StringComparison.Ordinal) || output.Contains("built without a client", StringComparison.Ordinal), output);
    }

    /// <summary>
    /// Issue 14's drift: the client generated from QEMU 10.0's schema against the QEMU installed
    /// here (7.2). The compatibility report comes first, naming what 7.2 lacks and what it has
    /// that 10.0 dropped; then the Quickstart's session completes with the 10.0 client.
    /// </summary>
    [QemuFact]
    public async Task DriftQemu_prints_the_compatibility_report_then_completes_the_quickstart_session()
    {
        var (exit, output) = await RunAsync("DriftQemu");
        if (exit == 2 && output.Contains("built without a client", StringComparison.Ordinal))
        {
            // QEMU is here but QEMU 10.0's source package was not (no apt deb-src for trixie): the sample says so plainly.
            Assert.Contains("eng/get-qemu-schema.sh trixie", output, StringComparison.Ordinal);
            return;
        }

        Assert.True(exit == 0, output);
        output = output.ReplaceLineEndings("\n");
        Assert.Contains("connected: QEMU 7.2", output, StringComparison.Ordinal);
        var report = output.IndexOf("schema check:\nQMP schema: client ", StringComparison.Ordinal);
        var session = output.IndexOf("query-status: running (running: True)", StringComparison.Ordinal);
        Assert.True(report >= 0 && session > report, "the report comes first:\n" + output);
        var reportText = output[report..session];
        // Named items of the drift: a command 7.2 lacks, an enum value 7.2 does not know, a member 10.0 dropped.
        Assert.Contains("NOT compatible", reportText, StringComparison.Ordinal);
        Assert.Matches(@"commands the server lacks \(\d+\):\n  [^\n]*\bblock-job-change\b", reportText);
        Assert.Contains("dump-guest-memory/arg-type/format/^kdump-raw-zlib", reportText, StringComparison.Ordinal);
        Assert.Contains("query-status/ret-type/singlestep (StatusInfo): ignored by the client", reportText, StringComparison.Ordinal);
        Assert.Matches(@"this session: query-status, stop, cont, [^\n]* as generated; [^\n]*\bquery-block\b[^\n]* with differences above", reportText);

        // 10.0's BlockDeviceInfo requires 'active', which 7.2 never sends: that call alone fails to read, the session goes on.
        Assert.Contains("query-block: the typed reply could not be read at return[0].inserted.active; read from the raw reply", output, StringComparison.Ordinal);

        // The Quickstart's session, to its end.
        Assert.Contains("stop -> event STOP, status now paused\ncont -> event RESUME, status now running", output, StringComparison.Ordinal);
        Assert.Matches(@"disk0 +\S+ +removable=False \S*disk\.qcow2", output);
        Assert.Matches(@"cd0 +\S+ +removable=True +\(empty\)", output);
        Assert.Contains("eject ide9-cd0 -> DeviceNotFound:", output, StringComparison.Ordinal);
        Assert.Matches(@"drive-backup disk0 -> \S+backup\.qcow2", output);
        Assert.EndsWith("event BLOCK_JOB_COMPLETED (backup on disk0, 64 of 64 MiB)\n", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The drift where no QEMU is installed: the 10.0 client against the emulator's QEMU 7.2 persona, in-process. The
    /// report names the same drift as against QEMU 7.2, and the Quickstart's session runs to its block job's end.
    /// </summary>
    [Fact]
    public async Task DriftQemu_reports_and_runs_on_the_7_2_persona_in_process_where_no_qemu_is_installed()
    {
        var (exit, output) = await RunWithoutQemuAsync("DriftQemu");
        if (exit == 2 && output.Contains("built without a client", StringComparison.Ordinal))
        {
            Assert.Contains("eng/get-qemu-schema.sh trixie", output, StringComparison.Ordinal);
            return;
        }

        output = output.ReplaceLineEndings("\n");
        Assert.Contains("no qemu-system-x86_64 on PATH: started the reference emulator's QEMU 7.2 persona in-process", output, StringComparison.Ordinal);
        var report = output.IndexOf("schema check:\nQMP schema: client ", StringComparison.Ordinal);
        var session = output.IndexOf("query-status: running (running: True)", StringComparison.Ordinal);
        Assert.True(report >= 0 && session > report, "the report comes first:\n" + output);
        Assert.Matches(@"commands the server lacks \(\d+\):\n  [^\n]*\bblock-job-change\b", output[report..session]);
        Assert.Contains("stop -> event STOP, status now paused\ncont -> event RESUME, status now running", output, StringComparison.Ordinal);
        Assert.Contains("query-block: the typed reply could not be read at return[0].inserted.active; read from the raw reply", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DriftQemu_runs_on_the_7_2_persona_in_process_where_no_qemu_is_installed()
    {
        var (exit, output) = await RunWithoutQemuAsync("DriftQemu");
        if (exit == 2 && output.Contains("built without a client", StringComparison.Ordinal))
        {
            Assert.Contains("eng/get-qemu-schema.sh trixie", output, StringComparison.Ordinal);
            return;
        }

        Assert.True(exit == 0, output);
        output = output.ReplaceLineEndings("\n");
        Assert.Contains("no qemu-system-x86_64 on PATH: started the reference emulator's QEMU 7.2 persona in-process", output, StringComparison.Ordinal);
        Assert.Contains("connected: QEMU 7.2", output, StringComparison.Ordinal);
        var report = output.IndexOf("schema check:\nQMP schema: client ", StringComparison.Ordinal);
        var session = output.IndexOf("query-status: running (running: True)", StringComparison.Ordinal);
        Assert.True(report >= 0 && session > report, "the report comes first:\n" + output);
        var reportText = output[report..session];
        Assert.Contains("NOT compatible", reportText, StringComparison.Ordinal);
        Assert.Matches(@"commands the server lacks \(\d+\):\n  [^\n]*\bblock-job-change\b", reportText);
        Assert.Contains("query-status/ret-type/singlestep (StatusInfo): ignored by the client", reportText, StringComparison.Ordinal);
        Assert.Contains("stop -> event STOP, status now paused\ncont -> event RESUME, status now running", output, StringComparison.Ordinal);
        Assert.Contains("eject ide9-cd0 -> DeviceNotFound:", output, StringComparison.Ordinal);
        Assert.Matches(@"event BLOCK_JOB_COMPLETED \(backup on \S+, \d+ of \d+ MiB\)\n$", output);
    }

    [Fact]
    public async Task DriftQemu_rejects_unknown_arguments()
    {
        var (exit, output) = await RunAsync("DriftQemu", "--bogus");
        Assert.Equal(2, exit);
        Assert.True(output.Contains("usage: DriftQemu", StringComparison.Ordinal) || output.Contains("built without a client", StringComparison.Ordinal), output);
    }

    /// <summary>The sample with a PATH that holds no QEMU (an empty folder), the .NET host named by its full path.</summary>
    private static async Task<(int ExitCode, string Output)> RunWithoutQemuAsync(string sample)
    {
        var empty = Directory.CreateTempSubdirectory("qmp-no-qemu-");
        try
        {
            return await RunAsync(sample, empty.FullName, []);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    internal static Task<(int ExitCode, string Output)> RunAsync(string sample, params string[] args) => RunAsync(sample, null, args);

    private static async Task<(int ExitCode, string Output)> RunAsync(string sample, string? path, string[] args)
    {
        var configuration = typeof(SampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var dll = Path.Combine(RepositoryRoot(), "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var environment = new Dictionary<string, string>();
        if (path is not null)
        {
            environment["PATH"] = path;
        }

        var (exit, stdout, stderr) = await ChildProcess.RunAsync(path is null ? "dotnet" : DotnetHost(), [dll, .. args], TimeSpan.FromSeconds(90), environment: environment);
        return (exit, stdout + stderr);
    }

    /// <summary>The .NET host running these tests (the samples run on the same runtime).</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));

    private static string RepositoryRoot() => Qmp.Testing.Repository.Root;
}
