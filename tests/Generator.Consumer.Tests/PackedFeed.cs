namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The repository packed once per test run as a user packs it (tests/Package.Smoke/pack-clean-copy.sh:
/// a clean copy, the README's eng/pack.sh): the feed folder, the clean copy and the version, shared by
/// the tests that build projects from the packages. Removed when the test process exits.
/// </summary>
internal static class PackedFeed
{
    private static readonly Lazy<Task<(string Feed, string Clone, string Version)>> s_packed = new(PackAsync);

    public static Task<(string Feed, string Clone, string Version)> GetAsync() => s_packed.Value;

    private static async Task<(string Feed, string Clone, string Version)> PackAsync()
    {
        var work = Directory.CreateTempSubdirectory("qmp-packed-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => work.Delete(recursive: true);
        var feed = Path.Combine(work.FullName, "feed");
        var clone = Path.Combine(work.FullName, "clone");
        // A hang guard, not a timing: packing builds five projects, many minutes on a loaded 2-core machine.
        var (exit, output, stderr) = await Scripts.RunAsync(
            Path.Combine(Repository.Root, "tests", "Package.Smoke", "pack-clean-copy.sh"), TimeSpan.FromMinutes(30), [feed, clone]);
        if (exit != 0)
        {
            throw new InvalidOperationException("pack-clean-copy.sh failed: " + output + stderr);
        }
        var version = output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("version: ", StringComparison.Ordinal))["version: ".Length..];
        return (feed, clone, version);
    }
}
