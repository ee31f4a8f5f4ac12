using System.Text.RegularExpressions;

namespace Qmp.Codegen.Tests;

/// <summary>
/// The house rules the .editorconfig cannot say: test methods are sentences (Reads_nested_structs),
/// so a failing test's name reads as what broke. Naming rules match symbols by kind, not by
/// attribute, so this reads the test sources instead.
/// </summary>
public sealed partial class HouseRulesTests
{
    // A test attribute (Fact, Theory, or one derived from them such as LiveQemuFact) and the method it marks.
    [GeneratedRegex(@"\[(?:\w+)?(?:Fact|Theory)\b[^\]]*\]\s*(?:\[[^\]]*\]\s*)*public\s+(?:async\s+)?(?:Task|void|ValueTask)\s+(?<name>\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex TestMethod();

    [Fact]
    public void Test_methods_are_named_as_sentences_with_underscores()
    {
        var offenders = new List<string>();
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(Repository.PathOf("tests"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            {
                continue;
            }
            foreach (Match match in TestMethod().Matches(File.ReadAllText(file)))
            {
                count++;
                var name = match.Groups["name"].Value;
                // One word needs no separator; two or more are joined by underscores.
                if (!name.Contains('_') && Regex.Count(name, "[A-Z]") > 1)
                {
                    offenders.Add($"{Path.GetRelativePath(Repository.Root, file)}: {name}");
                }
            }
        }
        Assert.True(count > 400, $"only {count} test methods found: the pattern no longer matches how tests are written");
        Assert.True(offenders.Count == 0, "test names in PascalCase (write them as sentences, Reads_nested_structs):\n" + string.Join("\n", offenders));
    }

    // A command-line build reports naming (IDE1006) only when its diagnostic's severity is set, whatever
    // severities the naming rules themselves give; without it the rules below are the IDE's only.
    [Fact]
    public void The_naming_rules_fail_the_build_as_warnings()
    {
        var lines = File.ReadAllLines(Repository.PathOf(".editorconfig")).Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("dotnet_naming_rule.", StringComparison.Ordinal) && l.EndsWith(".severity = warning", StringComparison.Ordinal));
        Assert.Contains("dotnet_diagnostic.IDE1006.severity = warning", lines);
    }
}
