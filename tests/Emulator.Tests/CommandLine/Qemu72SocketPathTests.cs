using System.Diagnostics;
using System.Net.Sockets;
using Qmp.Emulator.CommandLine;

namespace Qmp.Emulator.Tests.CommandLine;

/// <summary>
/// A monitor's <c>-chardev socket,path=...</c> as QEMU 7.2 takes odd paths (libvirt's <c>charmonitor</c> is a path
/// under its own folder, QEMUMachine's one in a temp folder; a harness may build either from data): a comma written
/// <c>,,</c>, spaces and non-ASCII names, an empty path (a fresh <c>$TMPDIR/qemu-socket-XXXXXX</c>), and the paths
/// QEMU refuses in one line before it starts (too long for sun_path, a missing folder, a directory).
/// </summary>
public sealed class Qemu72SocketPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-sockpath-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Line(string path) =>
        ["-machine", "none", "-display", "none", "-nodefaults", "-chardev", $"socket,id=mon,path={path},server=on,wait=off", "-mon", "chardev=mon,mode=control"];

    /// <summary>The refusal (all of it, as QEMU prints it, under QEMU's name) of a line that must not start.</summary>
    private static string Refusal(string[] line)
    {
        var error = new StringWriter();
        Assert.Null(Qemu72CommandLine.Parse(line, error, "qemu-system-x86_64"));
        return error.ToString().ReplaceLineEndings("\n");
    }

    private string TooLong => Path.Combine(_dir, new string('a', 120) + ".sock");

    [Fact]
    public void A_path_longer_than_sun_path_is_refused_in_QEMUs_words()
    {
        var path = TooLong;
        Assert.Equal(
            $"qemu-system-x86_64: -chardev socket,id=mon,path={path},server=on,wait=off: UNIX socket path '{path}' is too long\nPath must be less than 108 bytes\n",
            Refusal(Line(path)));

        // Counted in bytes, as QEMU counts them: 60 two-byte characters are 120 bytes.
        var wide = Path.Combine(_dir, new string('é', 60));
        Assert.Contains("is too long", Refusal(Line(wide)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_and_a_directory_are_refused_in_QEMUs_words()
    {
        var missing = Path.Combine(_dir, "nodir", "m.sock");
        Assert.EndsWith($"server=on,wait=off: Failed to bind socket to {missing}: No such file or directory\n", Refusal(Line(missing)), StringComparison.Ordinal);
        Assert.EndsWith($"server=on,wait=off: Failed to unlink socket {_dir}: Is a directory\n", Refusal(Line(_dir)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comma_written_twice_spaces_and_non_ASCII_name_the_socket()
    {
        await AssertServedAsync(Line(Path.Combine(_dir, "a,,b.sock")), Path.Combine(_dir, "a,b.sock"));
        await AssertServedAsync(Line(Path.Combine(_dir, "sp ace é.sock")), Path.Combine(_dir, "sp ace é.sock"));
    }

    [Fact]
    public async Task An_empty_path_listens_on_a_fresh_socket_in_TMPDIR()
    {
        var saved = Environment.GetEnvironmentVariable("TMPDIR");
        Environment.SetEnvironmentVariable("TMPDIR", _dir);
        LaunchConfiguration launch;
        try
        {
            var error = new StringWriter();
            launch = Qemu72CommandLine.Parse(Line(""), error) ?? throw new Xunit.Sdk.XunitException(error.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", saved);
        }

        var path = launch.Chardevs.Single(c => c.Id == "mon").Path!;
        Assert.Matches(@"^qemu-socket-[A-Za-z0-9]{6}$", Path.GetFileName(path));
        Assert.Equal(_dir, Path.GetDirectoryName(path));
        await AssertServedAsync(launch, path);
    }

    /// <summary>The same refusals from QEMU 7.2 itself, last line for last line (libvirt shows the last line).</summary>
    [QemuFact]
    public async Task QEMU_7_2_refuses_the_same_paths_with_the_same_last_line()
    {
        foreach (var path in new[] { TooLong, Path.Combine(_dir, "nodir", "m.sock"), _dir })
        {
            var start = new ProcessStartInfo(Executables.Qemu!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in Line(path))
            {
                start.ArgumentList.Add(arg);
            }

            using var qemu = Process.Start(start)!;
            var stderr = qemu.StandardError.ReadToEndAsync();
            _ = qemu.StandardOutput.ReadToEndAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds));
            await qemu.WaitForExitAsync(patience.Token);
            Assert.Equal(1, qemu.ExitCode);
            static string LastLine(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')[^1];
            Assert.Equal(LastLine(await stderr), LastLine(Refusal(Line(path))));
        }
    }

    private static async Task AssertServedAsync(string[] line, string socketPath)
    {
        var error = new StringWriter();
        var launch = Qemu72CommandLine.Parse(line, error) ?? throw new Xunit.Sdk.XunitException(error.ToString());
        await AssertServedAsync(launch, socketPath);
    }

    /// <summary>The emulator started from the line listens on <paramref name="socketPath"/> and greets there.</summary>
    private static async Task AssertServedAsync(LaunchConfiguration launch, string socketPath)
    {
        var options = EmulatorProgram.FromLaunch(launch, []).Options;
        await using var emulator = await QemuEmulator.StartAsync(options);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        using var reader = new StreamReader(new NetworkStream(client));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds));
        Assert.StartsWith("{\"QMP\":", await reader.ReadLineAsync(patience.Token), StringComparison.Ordinal);
    }
}
