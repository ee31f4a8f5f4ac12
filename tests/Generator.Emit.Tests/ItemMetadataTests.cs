using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The QmpSchema item's metadata: namespace, what to generate, and mistakes in them.</summary>
public class ItemMetadataTests
{
    private const string Schema = "{ .name = \"stop\", .args_type = \"force:-f\", .mhandler.cmd_new = qmp_marshal_input_stop, },\nSQMP\nstop\n----\nStop the emulator.\nArguments:\n- \"force\": stop at once (json-bool, optional)\nExample:\n-> { \"execute\": \"stop\" }\n<- { \"return\": {} }\nEQMP\n";

    private static GeneratorRunResult Run(string ns, string? generate, string path = "/a.hx")
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        return GeneratorHarness.CreateDriver(new[] { new GeneratorHarness.SchemaFile(path, Schema, ns, generate) }, trackSteps: false)
            .RunGenerators(compilation).GetRunResult().Results.Single();
    }

    [Theory]
    [InlineData(null, new[] { "My.Vm.A.Commands.g.cs", "My.Vm.A.Types.g.cs", "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs" })]
    [InlineData("Client;Server", new[] { "My.Vm.A.Commands.g.cs", "My.Vm.A.Types.g.cs", "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs" })]
    [InlineData("Client,Server", new[] { "My.Vm.A.Commands.g.cs", "My.Vm.A.Types.g.cs", "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs" })]
    [InlineData("Client", new[] { "My.Vm.A.Commands.g.cs", "My.Vm.A.Types.g.cs", "My.Vm.Client.Interface.g.cs", "My.Vm.Client.g.cs", "My.Vm.ClientSchema.g.cs" })]
    [InlineData("server", new[] { "My.Vm.A.Types.g.cs", "My.Vm.Server.Handlers.g.cs", "My.Vm.Server.g.cs" })]
    [InlineData("Types", new[] { "My.Vm.A.Types.g.cs" })]
    public void Generate_selects_the_outputs(string? generate, string[] expected)
    {
        var result = Run("My.Vm", generate);
        // The types and the client's commands are in the files of the schema's module (a.hx: A).
        Assert.Equal(expected, result.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void An_invalid_namespace_is_an_error_and_generates_nothing()
    {
        var result = Run("My-Vm.2x", "Client");
        Assert.Empty(result.GeneratedSources);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("QMP0100", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Equal("/a.hx", error.Location.GetLineSpan().Path);
    }

    [Fact]
    public void An_unknown_generate_value_is_a_warning()
    {
        var result = Run("My.Vm", "Clinet;Server");
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("QMP0101", DiagnosticSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Contains("Clinet", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(result.GeneratedSources, s => s.HintName == "My.Vm.Server.g.cs");
    }

    [Fact]
    public void Hx_files_without_namespace_metadata_are_ignored()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var result = GeneratorHarness.CreateDriver(
                new[] { new GeneratorHarness.SchemaFile("/a.hx", Schema, "My.Vm") },
                new[] { GeneratorHarness.Text("/other.hx", Schema) },
                trackSteps: false)
            .RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Empty(result.GeneratedSources);
    }

    private const string QapiSchema = "{ 'command': 'stop', 'data': { '*force': 'bool' } }\n";

    private const string SavedAnswer = "[{\"name\": \"stop\", \"meta-type\": \"command\", \"arg-type\": \"0\", \"ret-type\": \"0\"},"
        + " {\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}]";

    private static ImmutableArray<Diagnostic> Diagnostics(GeneratorHarness.SchemaFile file)
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        return GeneratorHarness.CreateDriver(new[] { file }, trackSteps: false).RunGenerators(compilation).GetRunResult().Results.Single().Diagnostics;
    }

    /// <summary>Item metadata are checked once for every kind of input: a QAPI item and a saved answer report what an .hx item does.</summary>
    [Theory]
    [InlineData("/a.hx")]
    [InlineData("/qapi-schema.json")]
    [InlineData("/live.json")]
    public void Bogus_Access_and_Diagnostics_are_reported_for_every_kind_of_input(string path)
    {
        var text = path switch { "/a.hx" => Schema, "/live.json" => SavedAnswer, _ => QapiSchema };
        var diagnostics = Diagnostics(new GeneratorHarness.SchemaFile(path, text, "My.Vm", "Client", Access: "Bogus", Diagnostics: "bogus"));
        var access = Assert.Single(diagnostics, d => d.Id == "QMP0104");
        Assert.Equal(DiagnosticSeverity.Error, access.Severity);
        Assert.Equal(path, access.Location.GetLineSpan().Path);
        Assert.Contains("'Bogus'", access.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Single(diagnostics, d => d.Id == "QMP0105");
    }

    /// <summary>Every id a reader or the generator reports has a title in the IDE, never its bare id (QMP0220 showed as "QMP0220").</summary>
    [Fact]
    public void A_qapi_diagnostic_has_its_descriptors_title()
    {
        var diagnostics = Diagnostics(new GeneratorHarness.SchemaFile("/qapi-schema.json", "{ 'struct': 'Holder', 'data': { 'thing': 'Thing' } }\n", "My.Vm", "Client"));
        var unknown = Assert.Single(diagnostics, d => d.Id == "QMP0220");
        Assert.Equal("Reference to an unknown type", unknown.Descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
