namespace Qmp.Testing;

/// <summary>
/// Where the repository's files are (schema/, docs/, golden files), found by walking up from the
/// test binary (tests/X/bin/Release/net10.0/) to the folder holding Qmp.Codegen.sln. Not from
/// <c>[CallerFilePath]</c>: CI builds (<c>ContinuousIntegrationBuild</c>) map source paths to
/// <c>/_/</c>, which names no folder on disk. Linked into every test project by tests/Directory.Build.props.
/// </summary>
internal static class Repository
{
    /// <summary>The repository's root folder.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the root: <c>Repository.PathOf("tests", "Docs.Tests", "Cases")</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Qmp.Codegen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Qmp.Codegen.sln above {AppContext.BaseDirectory}: the tests read the repository's files and must run from its tests/*/bin/ folders");
    }
}
