using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Qmp.Codegen.Hx;
using static Qmp.Codegen.Tests.Introspection.OneFormatTests;

namespace Qmp.Codegen.Tests;

/// <summary>
/// The Roslyn-free core (issue 21 item 5): the readers, the model and the emitters are
/// src/Core's Qmp.Codegen.Core, which references no Roslyn assembly, so Roslyn stays out of shared
/// code by the compiler's word, not a comment; the generator assembly keeps only the Roslyn part.
/// </summary>
public sealed class CoreProjectTests
{
    [Fact]
    public void The_readers_the_model_and_the_emitters_live_in_the_core_assembly()
    {
        Assert.Equal("Qmp.Codegen.Core", typeof(SchemaParser).Assembly.GetName().Name);
        Assert.Same(typeof(SchemaParser).Assembly, typeof(global::Qmp.Codegen.Schema.QmpSchema).Assembly);
        Assert.Same(typeof(SchemaParser).Assembly, typeof(global::Qmp.Codegen.Emit.ClientEmitter).Assembly);
        Assert.Same(typeof(SchemaParser).Assembly, typeof(DiagnosticCatalogue).Assembly);
        Assert.Equal("Qmp.Codegen.Generator", typeof(QmpGenerator).Assembly.GetName().Name);
    }

    [Theory]
    [InlineData("net10.0")]
    [InlineData("netstandard2.0")]
    public void The_core_references_no_Roslyn_assembly(string targetFramework)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Repository.PathOf("src", "Core", "bin", configuration, targetFramework, "Qmp.Codegen.Core.dll");
        Assert.True(File.Exists(path), path);
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToList();
        Assert.Contains(references, r => r is "netstandard" or "System.Runtime");
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }

    [Fact]
    public void The_core_project_has_no_Roslyn_package()
    {
        var project = File.ReadAllText(Repository.PathOf("src", "Core", "Qmp.Codegen.Core.csproj"));
        Assert.DoesNotContain("Microsoft.CodeAnalysis", project, StringComparison.Ordinal);
        Assert.DoesNotContain(project.Split('\n'), l => l.Contains("ProjectReference", StringComparison.Ordinal) && l.Contains("Generator", StringComparison.Ordinal));
    }

    [Fact]
    public void The_analyzer_compiles_no_reader_model_or_emitter_of_its_own()
    {
        // The generator's analyzer build holds the pipeline and the Roslyn diagnostics; everything it
        // runs comes from the core's dll beside it.
        string[] core = ["Qmp.Codegen.Hx", "Qmp.Codegen.Qapi", "Qmp.Codegen.Introspection", "Qmp.Codegen.Schema", "Qmp.Codegen.Model",
            "Qmp.Codegen.Generation", "Qmp.Codegen.Emit", "Qmp.Codegen.Docs", "Qmp.Codegen.Helpers", "Qmp.Runtime.Introspection"];
        var generator = AnalyzerBuildTypes("Generator", "Qmp.Codegen.Generator.dll");
        Assert.Contains(generator, t => t is { Namespace: "Qmp.Codegen", Name: "QmpGenerator", Public: true });
        Assert.DoesNotContain(generator, t => core.Contains(t.Namespace));
        Assert.DoesNotContain(generator, t => t is { Namespace: "Qmp.Codegen", Name: "SchemaDiagnostics" or "DiagnosticCatalogue" or "SchemaInput" });
        Assert.Contains(AnalyzerBuildTypes("Core", "Qmp.Codegen.Core.dll"), t => t is { Namespace: "Qmp.Codegen.Hx", Name: "SchemaParser", Public: true });
    }

    [Fact]
    public void The_core_does_no_IO_as_the_compiler_asks_of_analyzer_code()
    {
        // RS1035 (APIs banned for analyzers) reaches only the generator project, which references
        // Roslyn; the core runs in the compiler too, so its analyzer build is held to the same rule here.
        string[] banned = ["System.IO.File", "System.IO.Directory", "System.IO.FileInfo", "System.IO.DirectoryInfo", "System.IO.FileStream",
            "System.IO.FileSystemInfo", "System.IO.DriveInfo", "System.Console", "System.Diagnostics.Process"];
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Repository.PathOf("src", "Core", "bin", configuration, "netstandard2.0", "Qmp.Codegen.Core.dll");
        Assert.True(File.Exists(path), path);
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        var used = metadata.TypeReferences.Select(metadata.GetTypeReference)
            .Select(t => metadata.GetString(t.Namespace) + "." + metadata.GetString(t.Name)).ToList();
        Assert.Contains("System.String", used);
        Assert.Empty(used.Intersect(banned, StringComparer.Ordinal));
    }

    [Fact]
    public void The_cli_references_the_core_and_not_the_generator()
    {
        var references = typeof(Cli.SchemaLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Qmp.Codegen.Core", references);
        Assert.DoesNotContain("Qmp.Codegen.Generator", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }
}
