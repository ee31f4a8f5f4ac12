namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// Each Cases/NAME.hx, and each QAPI top file Cases/NAME.json (with what it includes from
/// Cases/qapi-include/), renders to NAME.md and NAME.html beside it, exactly. A template or builder
/// change shows up as a diff in those files; QMP_UPDATE_GOLDEN=1 rewrites them.
/// </summary>
public class GoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoFiles.CasesDir, "*.hx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    public static TheoryData<string> QapiCases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoFiles.CasesDir, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QapiCases))]
    public void Qapi_case_renders_its_expected_markdown_and_html(string name)
    {
        var (markdown, html) = RepoFiles.RenderQapi(Path.Combine(RepoFiles.CasesDir, name + ".json"));
        Compare(Path.Combine(RepoFiles.CasesDir, name + ".md"), markdown);
        Compare(Path.Combine(RepoFiles.CasesDir, name + ".html"), html);
    }

    [Fact]
    public void There_are_qapi_cases() => Assert.True(QapiCases().Count >= 2);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_renders_its_expected_markdown_and_html(string name)
    {
        var (markdown, html) = RepoFiles.Render([Path.Combine(RepoFiles.CasesDir, name + ".hx")]);
        Compare(Path.Combine(RepoFiles.CasesDir, name + ".md"), markdown);
        Compare(Path.Combine(RepoFiles.CasesDir, name + ".html"), html);
    }

    [Fact]
    public void There_are_cases() => Assert.True(Cases().Count >= 3);

    private static void Compare(string path, string actual)
    {
        if (RepoFiles.UpdateGolden)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with QMP_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            var line = 0;
            while (line < Math.Min(e.Length, a.Length) && e[line] == a[line])
            {
                line++;
            }

            Assert.Fail($"{Path.GetFileName(path)} differs at line {line + 1}:\n  expected: {(line < e.Length ? e[line] : "<end>")}\n  actual:   {(line < a.Length ? a[line] : "<end>")}\n(QMP_UPDATE_GOLDEN=1 rewrites the expected files)");
        }
    }
}
