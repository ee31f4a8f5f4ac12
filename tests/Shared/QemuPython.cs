namespace Qmp.Testing;

/// <summary>
/// python3 and QEMU 7.2's python/ folder (qemu.machine, qemu.qmp, qmp-shell; QEMU's source tree through
/// QemuSources, never committed), found once. Linked, with QemuSources.cs, into the test projects that run them.
/// </summary>
internal static class QemuPython
{
    private static readonly Lazy<(string? Python, string? Path, string? Skip)> s_found = new(Find);

    /// <summary>python3's path; only when <see cref="Skip"/> is null.</summary>
    public static string Python => s_found.Value.Python!;

    /// <summary>The folder to put on PYTHONPATH (holds <c>qemu/machine</c> and <c>qemu/qmp</c>); only when <see cref="Skip"/> is null.</summary>
    public static string PythonPath => s_found.Value.Path!;

    /// <summary>Why the tools cannot run here, or null when they can.</summary>
    public static string? Skip => s_found.Value.Skip;

    /// <summary>
    /// Runs python3 with QEMU's python tree on its path to its end (a 120 s hang guard, see ChildProcess); its standard
    /// output with LF line ends, failing the test on a non-zero exit.
    /// </summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            Python, args, TimeSpan.FromSeconds(2 * Patience.Seconds), environment: new Dictionary<string, string> { ["PYTHONPATH"] = PythonPath });
        Assert.True(exitCode == 0, $"python exited {exitCode}: {stderr}\n{stdout}");
        return stdout.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static (string?, string?, string?) Find()
    {
        var python = Executables.Find("python3");
        if (python is null)
        {
            return (null, null, "python3 not installed: QEMU's python tools need it");
        }

        var (tree, reason) = QemuSources.Get("bookworm");
        if (tree is null)
        {
            return (null, null, "QEMU 7.2's python tree could not be had: " + reason);
        }

        var path = System.IO.Path.Combine(tree, "python");
        if (!Directory.Exists(System.IO.Path.Combine(path, "qemu", "machine")) || !Directory.Exists(System.IO.Path.Combine(path, "qemu", "qmp")))
        {
            return (null, null, "no python/qemu/machine and python/qemu/qmp in " + tree);
        }

        return (python, path, null);
    }
}

/// <summary>Runs when python3 and QEMU 7.2's python tree (<see cref="QemuPython"/>) can be had; otherwise skipped with the reason.</summary>
public sealed class QemuPythonFactAttribute : FactAttribute
{
    public QemuPythonFactAttribute()
    {
        if (QemuPython.Skip is { } reason)
        {
            Skip = reason;
        }
    }
}
