using System.Diagnostics;
using Qmp.Emulator.CommandLine;

namespace Qmp.Emulator.Tests.CommandLine;

/// <summary>Runs where qemu-system-x86_64 is installed; otherwise skipped with the reason.</summary>
public sealed class QemuTheoryAttribute : TheoryAttribute
{
    public QemuTheoryAttribute()
    {
        if (Executables.Qemu is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86): QEMU's half of the side-by-side wording is not run";
        }
    }
}

/// <summary>
/// A line QEMU 7.2 refuses is refused with QEMU's line. Each case is the argv, and the line QEMU 7.2.22
/// printed for it (program name taken off; <c>{dir}</c> is the test's folder). One test holds the
/// emulator to that line everywhere; the other runs the real QEMU on the same argv where it is installed
/// and holds it to the same line, so the two are compared side by side through the table.
/// </summary>
public sealed class Qemu72RefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-argv72-").FullName;

    public Qemu72RefusalTests()
    {
        File.WriteAllBytes(Path.Combine(_dir, "raw.img"), new byte[4096]);
        File.WriteAllBytes(Path.Combine(_dir, "disk.qcow2"), QemuMachine.Qcow2Image(16L << 20, null));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> Cases => new()
    {
        { "-bogus", "-bogus: invalid option" },
        { "-m", "-m: requires an argument" },
        { "-m|abc", "-m abc: Parameter 'size' expects a non-negative number below 2^64" },
        { "-m|64,maxmem=x", "-m 64,maxmem=x: Parameter 'maxmem' expects a non-negative number below 2^64" },
        { "-smp|abc", "Parameter 'smp.cpus' expects integer" },
        { "-smp|1,foo=2", "Parameter 'smp.foo' is unexpected" },
        { "-smp|1,sockets=2,cores=1,threads=1", "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * dies (1) * cores (1) * threads (1) != maxcpus (1)" },
        { "-smp|2,maxcpus=1", "Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * dies (1) * cores (1) * threads (1) == maxcpus (1) < smp_cpus (2)" },
        { "-machine|none|-smp|2", "Invalid SMP CPUs 2. The max CPUs supported by machine 'none' is 1" },
        { "-machine|bogus", "unsupported machine type" },
        { "-machine|none,accel=foo", "invalid accelerator foo" },
        { "-accel|foo", "-accel foo: invalid accelerator foo" },
        { "-machine|none,accel=tcg|-accel|tcg", "The -accel and \"-machine accel=\" options are incompatible" },
        { "-accel|tcg,bogus=1", "-accel tcg,bogus=1: Property 'tcg-accel.bogus' not found" },
        { "-cpu|bogus", "unable to find CPU model 'bogus'" },
        { "-uuid|xyz", "-uuid xyz: failed to parse UUID string: wrong format" },
        { "-name|guest=a,bogus=1", "-name guest=a,bogus=1: Invalid parameter 'bogus'" },
        { "-name|guest=a,debug-threads=maybe", "-name guest=a,debug-threads=maybe: Parameter 'debug-threads' expects 'on' or 'off'" },
        { "-overcommit|foo=bar", "-overcommit foo=bar: Invalid parameter 'foo'" },
        { "-msg|timestamp=maybe", "-msg timestamp=maybe: Parameter 'timestamp' expects 'on' or 'off'" },
        { "-boot|strict=maybe", "Parameter 'boot.strict' expects 'on' or 'off'" },
        { "-rtc|base=foo", "invalid datetime format" },
        { "-sandbox|on,obsolete=maybe", "-sandbox on,obsolete=maybe: invalid argument for obsolete" },
        { "-display|bogus", "-display bogus: Parameter 'type' does not accept value 'bogus'" },
        { "-device|bogus-dev", "-device bogus-dev: 'bogus-dev' is not a valid device model name" },
        { "-device|{\"id\":\"d\"}", "-device {\"id\":\"d\"}: Parameter 'driver' is missing" },
        { "-device|virtio-balloon-pci,id=1bad", "-device virtio-balloon-pci,id=1bad: Parameter 'id' expects an identifier" },
        { "-device|virtio-balloon-pci,id=a|-device|virtio-balloon-pci,id=a", "-device virtio-balloon-pci,id=a: Duplicate ID 'a' for device" },
        { "-device|{\"driver\":\"virtio-blk-pci\",\"drive\":\"nosuch\",\"id\":\"d\"}", "-device {\"driver\":\"virtio-blk-pci\",\"drive\":\"nosuch\",\"id\":\"d\"}: Property 'virtio-blk-device.drive' can't find value 'nosuch'" },
        { "-blockdev|{\"node-name\":\"x\"}", "-blockdev {\"node-name\":\"x\"}: Parameter 'driver' is missing" },
        { "-blockdev|node-name=x", "-blockdev node-name=x: Parameter 'driver' is missing" },
        { "-blockdev|{\"driver\":", "-blockdev {\"driver\":: JSON parse error, premature EOI" },
        { "-blockdev|{\"driver\":x}", "-blockdev {\"driver\":x}: JSON parse error, invalid keyword 'x'" },
        { "-blockdev|{\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"f\"} x", "-blockdev {\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"f\"} x: Expecting at most one JSON value" },
        { "-blockdev|driver=bogus,node-name=x", "-blockdev driver=bogus,node-name=x: Parameter 'driver' does not accept value 'bogus'" },
        { "-blockdev|driver=file,foo", "-blockdev driver=file,foo: Expected '=' after parameter 'foo'" },
        { "-blockdev|driver=file,file.x=1,file=y", "-blockdev driver=file,file.x=1,file=y: Parameters 'file.*' used inconsistently" },
        { "-blockdev|driver=file,node-name=x", "-blockdev driver=file,node-name=x: Parameter 'filename' is missing" },
        { "-blockdev|driver=qcow2,node-name=x", "-blockdev driver=qcow2,node-name=x: Parameter 'file' is missing" },
        { "-blockdev|{\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"a\",\"read-only\":\"on\"}", "-blockdev {\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"a\",\"read-only\":\"on\"}: Invalid parameter type for 'read-only', expected: boolean" },
        { "-blockdev|{\"driver\":\"file\",\"filename\":1,\"node-name\":\"s\"}", "-blockdev {\"driver\":\"file\",\"filename\":1,\"node-name\":\"s\"}: Invalid parameter type for 'filename', expected: string" },
        { "-blockdev|driver=file,filename.x=1,node-name=s", "-blockdev driver=file,filename.x=1,node-name=s: Parameters 'filename.*' are unexpected" },
        { "-blockdev|{\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":1}", "-blockdev {\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":1}: Invalid parameter type for 'node-name', expected: string" },
        { "-blockdev|{\"driver\":\"null-co\",\"node-name\":\"n\",\"size\":\"x\"}", "-blockdev {\"driver\":\"null-co\",\"node-name\":\"n\",\"size\":\"x\"}: Invalid parameter type for 'size', expected: integer" },
        { "-blockdev|driver=null-co,node-name=n,size=x", "-blockdev driver=null-co,node-name=n,size=x: Parameter 'size' expects integer" },
        { "-blockdev|{\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"s\",\"read-only\":null}", "-blockdev {\"driver\":\"file\",\"filename\":\"{dir}/raw.img\",\"node-name\":\"s\",\"read-only\":null}: Invalid parameter type for 'read-only', expected: boolean" },
        { "-blockdev|driver=file,filename={dir}/raw.img,node-name=s,read-only.x=1", "-blockdev driver=file,filename={dir}/raw.img,node-name=s,read-only.x=1: Parameters 'read-only.*' are unexpected" },
        { "-device|{\"driver\":1}", "-device {\"driver\":1}: Parameter 'driver' is missing" },
        { "-object|{\"qom-type\":\"memory-backend-ram\",\"id\":1,\"size\":1}", "-object {\"qom-type\":\"memory-backend-ram\",\"id\":1,\"size\":1}: Invalid parameter type for 'id', expected: string" },
        { "-netdev|{\"type\":\"user\",\"id\":[]}", "-netdev {\"type\":\"user\",\"id\":[]}: Invalid parameter type for 'id', expected: string" },
        { "-blockdev|driver=file,filename={dir}/raw.img", "-blockdev driver=file,filename={dir}/raw.img: 'node-name' must be specified for the root node" },
        { "-blockdev|driver=file,filename={dir}/raw.img,node-name=1bad", "-blockdev driver=file,filename={dir}/raw.img,node-name=1bad: Invalid node-name: '1bad'" },
        { "-blockdev|driver=file,filename={dir}/raw.img,node-name=a|-blockdev|driver=file,filename={dir}/raw.img,node-name=a", "-blockdev driver=file,filename={dir}/raw.img,node-name=a: Duplicate nodes with node-name='a'" },
        { "-blockdev|driver=qcow2,node-name=a,file=nosuch", "-blockdev driver=qcow2,node-name=a,file=nosuch: Cannot find device='nosuch' nor node-name='nosuch'" },
        { "-blockdev|driver=qcow2,node-name=x,file.driver=file,file.filename={dir}/raw.img", "-blockdev driver=qcow2,node-name=x,file.driver=file,file.filename={dir}/raw.img: Image is not in qcow2 format" },
        { "-blockdev|driver=file,filename={dir}/missing.img,node-name=a", "-blockdev driver=file,filename={dir}/missing.img,node-name=a: Could not open '{dir}/missing.img': No such file or directory" },
        { "-blockdev|driver=file,filename=/dev/null,node-name=a", "-blockdev driver=file,filename=/dev/null,node-name=a: 'file' driver requires '/dev/null' to be a regular file" },
        { "-chardev|socket,path={dir}/s,server=on,wait=off", "-chardev socket,path={dir}/s,server=on,wait=off: chardev: no id specified" },
        { "-chardev|bogus,id=x", "-chardev bogus,id=x: 'bogus' is not a valid char driver name" },
        { "-chardev|null,id=1x", "-chardev null,id=1x: Parameter 'id' expects an identifier" },
        { "-chardev|null,foo=bar", "-chardev null,foo=bar: Invalid parameter 'foo'" },
        { "-chardev|null,id=1x,foo=bar", "-chardev null,id=1x,foo=bar: Parameter 'id' expects an identifier" },
        { "-chardev|bogus,id=x,foo=bar", "-chardev bogus,id=x,foo=bar: Invalid parameter 'foo'" },
        { "-chardev|file,id=c,path={dir}/out.log,bogus=1", "-chardev file,id=c,path={dir}/out.log,bogus=1: Invalid parameter 'bogus'" },
        { "-chardev|socket,id=c,fd=x,server=on,wait=off", "-chardev socket,id=c,fd=x,server=on,wait=off: Unable to parse FD number x" },
        { "-chardev|socket,id=c,fd=999,server=on,wait=off", "-chardev socket,id=c,fd=999,server=on,wait=off: File descriptor '999' is not a socket" },
        { "-chardev|null,id=a|-chardev|null,id=a", "-chardev null,id=a: Duplicate ID 'a' for chardev" },
        { "-chardev|file,id=c", "-chardev file,id=c: chardev: file: no filename given" },
        { "-chardev|file,id=c,path={dir}/nodir/out.log", "-chardev file,id=c,path={dir}/nodir/out.log: Could not open '{dir}/nodir/out.log': No such file or directory" },
        { "-mon|chardev=nosuch,mode=control", "-mon chardev=nosuch,mode=control: chardev \"nosuch\" not found" },
        { "-mon|mode=control", "-mon mode=control: Parameter 'chardev' is missing" },
        { "-mon|chardev=x,mode=bogus", "-mon chardev=x,mode=bogus: Parameter 'mode' does not accept value 'bogus'" },
        { "-qmp|foo:bar", "-qmp foo:bar: 'foo:bar' is not a valid char driver" },
        { "-qmp|unix:{dir}/q.sock,server=on,wait=off,bogus=1", "-qmp unix:{dir}/q.sock,server=on,wait=off,bogus=1: Invalid parameter 'bogus'" },
        { "-object|{\"qom-type\":\"bogus\",\"id\":\"x\"}", "-object {\"qom-type\":\"bogus\",\"id\":\"x\"}: Parameter 'qom-type' does not accept value 'bogus'" },
        { "-object|{\"qom-type\":\"secret\",\"data\":\"x\"}", "-object {\"qom-type\":\"secret\",\"data\":\"x\"}: Parameter 'id' is missing" },
        { "-object|{\"qom-type\":\"secret\",\"id\":\"s\"}", "Either 'file' or 'data' must be provided" },
        { "-object|memory-backend-ram,id=m,size=64M|-object|memory-backend-ram,id=m,size=64M", "-object memory-backend-ram,id=m,size=64M: Duplicate ID 'm' for object" },
        { "-netdev|{\"type\":\"bogus\",\"id\":\"n\"}", "-netdev {\"type\":\"bogus\",\"id\":\"n\"}: Parameter 'type' does not accept value 'bogus'" },
        { "-netdev|user", "-netdev user: Parameter 'id' is missing" },
        { "-netdev|user,id=n|-netdev|user,id=n", "-netdev user,id=n: Duplicate ID 'n' for netdev" },
        { "-audiodev|{\"id\":\"a\",\"driver\":\"bogus\"}", "-audiodev {\"id\":\"a\",\"driver\":\"bogus\"}: Parameter 'driver' does not accept value 'bogus'" },
        { "-audiodev|none", "-audiodev none: Parameter 'id' is missing" },
    };

    private string[] Argv(string spec) => [.. spec.Split('|').Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal))];

    private string Expected(string line) => line.Replace("{dir}", _dir, StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_emulator_refuses_with_QEMUs_line(string argv, string qemuLine)
    {
        var error = new StringWriter();
        var config = Qemu72CommandLine.Parse(["-display", "none", "-S", .. Argv(argv)], error, "qemu-system-x86_64");
        Assert.Null(config);
        Assert.Equal("qemu-system-x86_64: " + Expected(qemuLine), error.ToString().TrimEnd('\n'));
    }

    [QemuTheory]
    [MemberData(nameof(Cases))]
    public void QEMU_7_2_refuses_with_the_same_line(string argv, string qemuLine)
    {
        Assert.Equal(Expected(qemuLine), QemuFirstLine(Executables.Qemu!, ["-display", "none", "-S", .. Argv(argv)]));
    }

    /// <summary>QEMU's first error line (warnings skipped), its program name taken off; QEMU must exit non-zero.</summary>
    private string QemuFirstLine(string qemu, string[] argv)
    {
        var start = new ProcessStartInfo(qemu)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var arg in argv)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Patience.Seconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"QEMU accepted {string.Join(' ', argv)} (still running after {Patience.Seconds} s)");
        }

        Assert.NotEqual(0, process.ExitCode);
        var prefix = Path.GetFileName(qemu) + ": ";
        var line = stderr.Result.Split('\n').First(l => l.StartsWith(prefix, StringComparison.Ordinal) && !l.Contains(": warning: ", StringComparison.Ordinal));
        return line[prefix.Length..];
    }
}
