
namespace Qmp.Codegen.Tests;

/// <summary>
/// Every command that takes a schema reads it one way (src/Cli/SchemaLoader.cs): the same files,
/// the same include confinement and the same diagnostics for check, model, docs and compat.
/// </summary>
public sealed class CliSchemaLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new("qmp-loader-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

    private const string Server = """[{"name": "query-x", "meta-type": "command", "arg-type": "q_empty", "ret-type": "q_empty"}, {"name": "q_empty", "meta-type": "object", "members": []}]""";

    /// <summary>The error lines of <c>check</c> (stdout), for comparison with what another command prints.</summary>
    private static List<string> CheckErrors(string schema)
    {
        var (exit, stdout, _) = QmpCodegenCli.Run("check", schema);
        Assert.Equal(1, exit);
        var errors = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(": error QMP", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        return errors;
    }

    [Fact]
    public void Compat_on_a_malformed_saved_answer_reports_what_check_reports()
    {
        var saved = Write("client.json", """[{"name": "query-x", "meta-type": "command", "arg-type": "q_empty"}]""");
        var server = Write("server.json", Server);
        var errors = CheckErrors(saved);
        Assert.Contains(errors, e => e.Contains("QMP0301", StringComparison.Ordinal) && e.Contains("it has no 'ret-type'", StringComparison.Ordinal));
        var (exit, _, stderr) = QmpCodegenCli.Run("compat", saved, "--against", server);
        Assert.Equal(2, exit);
        foreach (var error in errors)
        {
            Assert.Contains(error, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compat_on_a_QAPI_schema_with_errors_reports_what_check_reports()
    {
        var top = Write("top.json", "{ 'union': 'U', 'base': { 'kind': 'E' }, 'discriminator': 'kind', 'data': {} }\n{ 'enum': 'E', 'data': [ 'a' ] }\n");
        var errors = CheckErrors(top);
        var (exit, _, stderr) = QmpCodegenCli.Run("compat", top, "--against", Write("server.json", Server));
        Assert.Equal(2, exit);
        foreach (var error in errors)
        {
            Assert.Contains(error, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_refuses_an_include_outside_the_schema_folder_as_docs_does()
    {
        Write("victim.json", "{ 'struct': 'VictimSecret', 'data': { 'victimsecret': 'int' } }\n");
        var top = Write(Path.Combine("schema", "top.json"), "{ 'include': '../victim.json' }\n{ 'command': 'c' }\n");
        var errors = CheckErrors(top);
        Assert.Contains(errors, e => e.Contains("QMP0202", StringComparison.Ordinal) && e.Contains("victim.json'", StringComparison.Ordinal));
        var (exit, stdout, stderr) = QmpCodegenCli.Run("model", top);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("VictimSecret", stdout, StringComparison.Ordinal);
        Assert.Contains("outside the top file's folder and the --include-dir folders", stderr, StringComparison.Ordinal);
        // With the folder allowed, check reads it.
        var (allowed, _, _) = QmpCodegenCli.Run("check", top, "--include-dir", _folder.Path);
        Assert.Equal(0, allowed);
    }

    [Fact]
    public void Docs_renders_a_saved_answer()
    {
        var saved = Write("live.json", Server);
        var output = Path.Combine(_folder.Path, "out");
        var (exit, _, stderr) = QmpCodegenCli.Run("docs", saved, "-o", output);
        Assert.True(exit == 0, stderr);
        Assert.Contains("query-x", File.ReadAllText(Path.Combine(output, "qmp-reference.md")), StringComparison.Ordinal);
    }
}
