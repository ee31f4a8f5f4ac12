using System.Diagnostics;

namespace Qmp.Emulator.Tests;

/// <summary>qmp-emulator takes QEMU's options.</summary>
public class CommandLineTests
{
    [Fact]
    public void Qemu_style_options_are_read()
    {
        var options = EmulatorProgram.Parse(
        [
            "-qmp", "unix:/tmp/a.sock,server,nowait", "-qmp", "tcp:127.0.0.1:4444,server,nowait",
            "-S", "-name", "guest=vm1,debug-threads=on", "-uuid", "550e8400-e29b-41d4-a716-446655440000",
            "-smp", "2,maxcpus=4", "-m", "512", "-nodefaults", "-display", "none", "--data-dir", "/tmp/vm",
        ])!;
        Assert.Equal(["unix:/tmp/a.sock,server,nowait", "tcp:127.0.0.1:4444,server,nowait"], options.Qmp);
        Assert.True(options.StartPaused);
        Assert.Equal("vm1", options.Name);
        Assert.Equal("550e8400-e29b-41d4-a716-446655440000", options.Uuid);
        Assert.Equal(2, options.Cpus);
        Assert.Equal(4, options.MaxCpus);
        Assert.Equal(512L << 20, options.MemoryBytes);
        Assert.Equal("/tmp/vm", options.DataDir);
        Assert.Null(options.Machine);
    }

    [Fact]
    public void Launcher_options_become_monitors_or_are_accepted()
    {
        var line = EmulatorProgram.Parse(
        [
            "-display", "none", "-vga", "none", "-nographic", "-no-user-config", "-nodefaults", "-machine", "pc,accel=tcg",
            "-chardev", "socket,id=mon,path=/tmp/harness,,x.sock", "-mon", "chardev=mon,mode=control",
            "-chardev", "socket,id=m1,fd=3,server=on,wait=off", "-mon", "chardev=m1,mode=control",
            "-chardev", "socket,id=m2,host=127.0.0.1,port=4444,server=on,wait=off", "-mon", "chardev=m2,mode=control",
            "-qmp", "unix:/tmp/client.sock", "--max-clients", "3", "-pidfile", "/tmp/x.pid", "-daemonize",
        ], TextWriter.Null)!;
        Assert.Equal(["unix:/tmp/client.sock", "unix:/tmp/harness,,x.sock", "tcp:127.0.0.1:4444,server=on,wait=off"], line.Options.Qmp);
        Assert.Equal([3], line.Options.QmpFds);
        Assert.Equal(3, line.Options.MaxClients);
        Assert.Equal("/tmp/x.pid", line.PidFile);
        Assert.True(line.Daemonize);
    }

    [Theory]
    [InlineData(null, EmulatorLimits.DefaultDataDirQuota)]
    [InlineData("0", 0L)]
    [InlineData("5000", 5000L)]
    [InlineData("1M", 1L << 20)]
    [InlineData("10g", 10L << 30)]
    public void The_data_dir_quota_is_bytes_or_a_suffixed_size(string? value, long bytes)
    {
        var options = EmulatorProgram.Parse(value is null ? [] : ["--data-dir-quota", value])!;
        Assert.Equal(bytes, options.DataDirQuota);
    }

    [Fact]
    public void A_data_dir_quota_that_is_no_size_is_refused()
    {
        Assert.Equal("invalid size '4X'", Assert.Throws<FormatException>(() => EmulatorProgram.Parse(["--data-dir-quota", "4X"])).Message);
        Assert.Throws<OverflowException>(() => EmulatorProgram.Parse(["--data-dir-quota", "99999999999T"]));
    }

    [Theory]
    [InlineData("-frobnicate: invalid option", "-frobnicate")]
    [InlineData("--vnc-ish: invalid option", "--vnc-ish")]
    [InlineData("-m: requires an argument", "-m")]
    [InlineData("-mon chardev=nope,mode=control: chardev \"nope\" not found", "-mon", "chardev=nope,mode=control")]
    public void Refusals_are_in_QEMUs_words(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => EmulatorProgram.Parse(args)).Message);

    [Fact]
    public void Options_that_would_add_hardware_are_ignored_with_a_warning()
    {
        var warnings = new StringWriter();
        EmulatorProgram.Parse(["-drive", "file=x.img,if=virtio", "-device", "e1000"], warnings);
        Assert.Contains("qmp-emulator: -drive file=x.img,if=virtio: ignored", warnings.ToString(), StringComparison.Ordinal);
        Assert.Contains("qmp-emulator: -device e1000: ignored", warnings.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("128", 128L << 20)]
    [InlineData("2G", 2L << 30)]
    [InlineData("1024k", 1L << 20)]
    [InlineData("4096B", 4096L)]
    public void Sizes_are_mebibytes_unless_suffixed(string text, long bytes) => Assert.Equal(bytes, EmulatorProgram.ParseSize(text));

    [Theory]
    [InlineData("-m")]
    [InlineData("-m", "lots")]
    [InlineData("-uuid", "not-a-uuid")]
    [InlineData("--frobnicate")]
    public void Bad_options_are_format_errors(params string[] args) =>
        Assert.Throws<FormatException>(() => EmulatorProgram.Parse(args));

    [Fact]
    public void Help_is_not_an_error() => Assert.Null(EmulatorProgram.Parse(["--help"]));

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-smp", "99999999999")]
    [InlineData("--machine", "/no/such/machine.json")]
    public async Task The_program_reports_bad_options_with_its_usage_and_exit_code_1(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Target.Patience));
        var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("qmp-emulator: ", stderr, StringComparison.Ordinal);
        Assert.Contains("usage: qmp-emulator", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
