using System.Collections.Concurrent;
using System.Diagnostics;

namespace Qmp.Testing;

/// <summary>
/// QEMU's source tree for a Debian suite, through eng/get-qemu-schema.sh (cached by the script; the
/// repository holds none of QEMU's files). Null, with the reason, when it cannot be had. One file,
/// linked into each test project that reads QEMU's sources.
/// </summary>
internal static class QemuSources
{
    private static readonly ConcurrentDictionary<string, (string? Dir, string Reason)> s_trees = new();

    public static (string? Dir, string Reason) Get(string suite) => s_trees.GetOrAdd(suite, Fetch);

    private static (string? Dir, string Reason) Fetch(string suite)
    {
        var script = Path.Combine(RepositoryRoot(), "eng", "get-qemu-schema.sh");
        if (!File.Exists(script))
        {
            return (null, "eng/get-qemu-schema.sh not found");
        }

        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(suite);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(300_000))
            {
                process.Kill(entireProcessTree: true);
                return (null, $"eng/get-qemu-schema.sh {suite} did not finish in 5 minutes");
            }
            var dir = stdout.Result.Trim();
            if (process.ExitCode != 0 || !File.Exists(Path.Combine(dir, "qapi", "qapi-schema.json")))
            {
                return (null, $"eng/get-qemu-schema.sh {suite} could not get QEMU's sources: {stderr.Result.Trim()}");
            }

            return (dir, "");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return (null, "bash could not run eng/get-qemu-schema.sh: " + e.Message);
        }
    }

    public static string RepositoryRoot() => Repository.Root;
}

/// <summary>Runs when QEMU's sources for the suite can be had; otherwise skipped with the reason.</summary>
public sealed class QemuSchemaFactAttribute : FactAttribute
{
    public QemuSchemaFactAttribute(string suite)
    {
        var (dir, reason) = QemuSources.Get(suite);
        if (dir is null)
        {
            Skip = reason;
        }
    }
}
