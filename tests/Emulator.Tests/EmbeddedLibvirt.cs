using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Qmp.Emulator.Tests;

/// <summary>
/// libvirt 9.0's embedded QEMU driver (<c>virsh -c qemu:///embed?root=DIR</c>, no daemon) in a fresh temporary
/// root, set up as ../shared/tools/libvirt-check.sh does it (../shared/reference/libvirt-notes.md): qemu.conf
/// without security driver, cgroups or virtlogd, and, where the system lacks the <c>libvirt-qemu</c> user the
/// privileged driver looks up, that user supplied in a private mount namespace. Every process started under the
/// root (libvirt's emulators name it on their command line) is ended on dispose, and the root deleted.
/// </summary>
internal sealed class EmbeddedLibvirt : IDisposable
{
    private static readonly Lazy<string?> s_skip = new(FindSkipReason);
    private readonly string[] _enter;

    public EmbeddedLibvirt()
    {
        Work = Directory.CreateTempSubdirectory("qmp-libvirt-").FullName;
        Root = Path.Combine(Work, "root");
        Directory.CreateDirectory(Path.Combine(Root, "etc"));
        File.WriteAllText(Path.Combine(Root, "etc", "qemu.conf"), """
            security_driver = "none"
            user = "root"
            group = "root"
            stdio_handler = "file"
            cgroup_controllers = [ ]

            """);
        _enter = [];
        if (!HasUser("passwd", "libvirt-qemu") || !HasUser("group", "libvirt-qemu"))
        {
            var nss = Directory.CreateDirectory(Path.Combine(Work, "nss")).FullName;
            File.WriteAllText(Path.Combine(nss, "passwd"), File.ReadAllText("/etc/passwd") + (HasUser("passwd", "libvirt-qemu") ? "" : "libvirt-qemu:x:64055:64055:Libvirt Qemu,,,:/nonexistent:/usr/sbin/nologin\n"));
            File.WriteAllText(Path.Combine(nss, "group"), File.ReadAllText("/etc/group") + (HasUser("group", "libvirt-qemu") ? "" : "libvirt-qemu:x:64055:\n"));
            var enter = Path.Combine(nss, "enter");
            File.WriteAllText(enter, $"#!/bin/sh\nmount --bind '{nss}/passwd' /etc/passwd && mount --bind '{nss}/group' /etc/group || exit 125\nexec \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(enter, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            _enter = ["unshare", "-m", "--propagation", "private", enter];
        }
    }

    /// <summary>Why libvirt cannot be run here (not root, virsh or its QEMU driver missing); null when it can.</summary>
    public static string? SkipReason => s_skip.Value;

    /// <summary>The temporary folder: the root, logs and the wrapper scripts.</summary>
    public string Work { get; }

    public string Root { get; }

    /// <summary>libvirt's debug log of the last <see cref="VirshAsync"/> (its QMP traffic and errors).</summary>
    public string LogFile => Path.Combine(Work, "libvirt.log");

    /// <summary>
    /// A script that runs the emulator built beside the tests with <paramref name="arguments"/> first, as a
    /// launcher runs a QEMU binary: libvirt clears the environment, so the script names the .NET runtime.
    /// </summary>
    public string EmulatorWrapper(string name, params string[] arguments)
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var apphost = Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator");
        var script = Path.Combine(Work, name);
        var quoted = string.Join(" ", arguments.Select(a => $"'{a}'"));
        File.WriteAllText(script, $"#!/bin/sh\nDOTNET_ROOT='{dotnetRoot}' exec '{apphost}' {quoted} \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return script;
    }

    /// <summary>Runs <c>virsh -c qemu:///embed?root=ROOT ARGS</c>: its exit code and its output (stdout and stderr).</summary>
    public async Task<(int ExitCode, string Output)> VirshAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(_enter.Length > 0 ? _enter[0] : "virsh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _enter.Skip(1).Concat(_enter.Length > 0 ? ["virsh"] : []).Concat(["-c", $"qemu:///embed?root={Root}"]).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LIBVIRT_LOG_FILTERS"] = "1:qemu.qemu_monitor 1:qemu.qemu_process 1:qemu.qemu_capabilities 3:*";
        start.Environment["LIBVIRT_LOG_OUTPUTS"] = "1:file:" + LogFile;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"virsh {string.Join(' ', args)}: no answer within {timeout.TotalSeconds} s\n{await stdout}{await stderr}\n{Diagnostics()}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    // Errors libvirt logs on every run in a container, whatever the emulator does.
    private static readonly string[] s_noise = ["virAccessManagerGetDefault", "dmidecode", "virConnectSetKeepAlive", "virCgroupDetectControllers"];

    /// <summary>libvirt's error lines of its debug log, for a failure message.</summary>
    public string Diagnostics() => File.Exists(LogFile)
        ? string.Join("\n", File.ReadLines(LogFile).Where(l => l.Contains(" error : ", StringComparison.Ordinal) && !s_noise.Any(n => l.Contains(n, StringComparison.Ordinal))).TakeLast(5))
        : "(no libvirt log)";

    public void Dispose()
    {
        // What libvirt started for us and left running (a probe that hung): by pid, each naming our folder.
        foreach (var pid in OurProcesses())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(Patience.Seconds));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }

        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private List<int> OurProcesses()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(Work + "/", StringComparison.Ordinal))
                    {
                        pids.Add(pid);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return pids;
    }

    private static bool HasUser(string database, string name) =>
        File.Exists($"/etc/{database}") && File.ReadLines($"/etc/{database}").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "libvirt's embedded QEMU driver runs on Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "not root (libvirt's embedded QEMU driver runs privileged)";
        }

        if (Executables.Find("virsh") is null)
        {
            return "virsh not installed (apt-get install libvirt-clients libvirt-daemon-driver-qemu libvirt-daemon)";
        }

        string[] drivers = ["/usr/lib/x86_64-linux-gnu/libvirt/connection-driver", "/usr/lib64/libvirt/connection-driver", "/usr/lib/libvirt/connection-driver"];
        if (!drivers.Any(d => File.Exists(Path.Combine(d, "libvirt_driver_qemu.so"))))
        {
            return "libvirt's QEMU driver not installed (apt-get install libvirt-daemon-driver-qemu)";
        }

        if ((!HasUser("passwd", "libvirt-qemu") || !HasUser("group", "libvirt-qemu")) && Executables.Find("unshare") is null)
        {
            return "the libvirt-qemu user is missing and unshare (util-linux) is not installed to supply it";
        }

        return null;
    }
}

/// <summary>Runs where libvirt's embedded QEMU driver can (<see cref="EmbeddedLibvirt.SkipReason"/>); otherwise skipped with the reason.</summary>
public sealed class LibvirtFactAttribute : FactAttribute
{
    public LibvirtFactAttribute()
    {
        if (EmbeddedLibvirt.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
