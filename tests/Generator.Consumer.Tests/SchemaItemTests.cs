namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The build's checks on QmpSchema items, in a project of its own outside the repository (no
/// Directory.Build.props of ours above it), as a package user writes one.
/// </summary>
public sealed class SchemaItemTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("qmp-schema-item-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_QmpSchema_that_names_no_file_is_a_located_error_naming_the_path()
    {
        // As in the README's QAPI item copied outside the repository: $(QemuSchemaDir) is defined nowhere.
        var project = Path.Combine(_dir.FullName, "Stranger.csproj");
        await File.WriteAllTextAsync(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Repository.PathOf("src", "Generator", "build", "Qmp.Codegen.props")}" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <QmpSchema Include="$(QemuSchemaDir)/qapi/qapi-schema.json" Namespace="Stranger.Qemu72" />
                <QmpSchema Include="schema/missing.hx" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "Class1.cs"), "namespace Stranger; public static class Class1 { public static object Client => typeof(Stranger.Qemu72.Qemu72Client); }\n");

        var (exit, output) = await BuildAsync(project);

        Assert.NotEqual(0, exit);
        Assert.Contains($"{project} : error QMP1003: QmpSchema '/qapi/qapi-schema.json' does not exist: no file at /qapi/qapi-schema.json.", output, StringComparison.Ordinal);
        Assert.Contains($"{project} : error QMP1003: QmpSchema 'schema/missing.hx' does not exist: no file at {Path.Combine(_dir.FullName, "schema", "missing.hx")}.", output, StringComparison.Ordinal);
        // Every missing file is reported (not only the first), before the compiler's errors about what it did not generate.
        var compiler = output.IndexOf("error CS", StringComparison.Ordinal);
        Assert.True(compiler < 0 || compiler > output.LastIndexOf("error QMP1003", compiler, StringComparison.Ordinal), output);
    }

    private async Task<(int Exit, string Output)> BuildAsync(string project)
    {
        // A hang guard, not a timing: a restore and a build on a loaded machine.
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("dotnet", ["build", project, "-nologo", "-v:q", "-p:NuGetAudit=false"], TimeSpan.FromMinutes(10), _dir.FullName);
        return (exit, stdout + stderr);
    }
}
