namespace Qmp.Codegen.Docs.Tests;

/// <summary>Issue 22 item 6: the docs page of samples/CustomSchema's QAPI schema (a top file and an included module) renders.</summary>
public sealed class SamplePageTests
{
    private static readonly string s_top = Qmp.Testing.Repository.PathOf("samples", "CustomSchema", "schema", "cooling.json");

    [Fact]
    public void The_CustomSchema_samples_QAPI_schema_renders_with_every_entity_and_no_diagnostic()
    {
        var page = RepoFiles.QapiPage(s_top);
        Assert.True(page.Qapi);
        Assert.Equal((4, 1, 2), (page.CommandCount, page.EventCount, page.FileCount));
        Assert.Empty(page.OtherDiagnostics);
        var entries = page.Areas.SelectMany(a => a.Entries).ToList();
        Assert.All(entries, e => Assert.Empty(e.Diagnostics));
        var names = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["query-zones", "set-cooling", "set-limit", "query-qmp-schema", "ZONE_OVERHEAT", "CoolingMode", "CoolingConfig", "StrOrNull"]), names);

        var (markdown, html) = RepoFiles.RenderQapi(s_top);
        Assert.Contains("Sets the temperature at which a zone reports", markdown, StringComparison.Ordinal);
        Assert.Contains("set-cooling", html, StringComparison.Ordinal);
        Assert.DoesNotContain(RepoFiles.RepoRoot, html, StringComparison.Ordinal);
    }
}
