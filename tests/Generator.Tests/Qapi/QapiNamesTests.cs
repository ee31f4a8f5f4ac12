using System.Text;
using System.Text.RegularExpressions;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// QapiNames reads QAPI's name rules by hand (every name of a schema is checked, and a regex match
/// per name cost the builder much of its time): every short name over the characters that matter
/// gets the answer the rules' regexes give (QEMU's expr.py patterns, written here as the reference).
/// </summary>
public class QapiNamesTests
{
    private static readonly Regex s_validName = new(@"^(__[a-z0-9.-]+_)?(x-)?([a-z][a-z0-9_-]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex s_camel = new(@"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant);

    /// <summary>Every string up to <paramref name="length"/> characters over <paramref name="alphabet"/>, after <paramref name="prefix"/>.</summary>
    private static IEnumerable<string> Strings(string prefix, string alphabet, int length)
    {
        var level = new List<string> { prefix };
        for (var i = 0; i <= length; i++)
        {
            foreach (var s in level)
            {
                yield return s;
            }

            level = level.SelectMany(s => alphabet.Select(c => s + c)).ToList();
        }
    }

    private static IEnumerable<string> Names() =>
        Strings("", "aZx-_.1q", 4)
            .Concat(Strings("__", "ax-_.1", 4))
            .Concat(Strings("x-", "aZ-_1", 3))
            .Concat(new[] { "__com.example_foo", "__org.qemu_x-bar", "q_obj_x", "q-a", "qa", "q", "x-1abc", "X-Foo", "BlockdevOptions", "ABC", "Abc1", "A1b", "Foo-Bar", "foo\n", "foo\u212a", "\u00e9t\u00e9" });

    [Fact]
    public void Stem_is_what_the_name_pattern_gives()
    {
        var checkedNames = 0;
        foreach (var name in Names())
        {
            var match = s_validName.Match(name);
            string? expected = null;
            if (match.Success && !Reference.CName(name).StartsWith("q_", StringComparison.Ordinal))
            {
                expected = match.Groups[3].Value;
            }

            var stem = QapiNames.Stem(name, out var problem);
            Assert.True(expected == stem, $"'{name}': expected stem '{expected}', got '{stem}' ({problem})");
            Assert.Equal(stem is null, problem is not null);
            checkedNames++;
        }
        Assert.True(checkedNames > 5_000, checkedNames + " names");
    }

    [Fact]
    public void CamelCase_is_what_the_camel_pattern_gives()
    {
        foreach (var name in Strings("", "AaZz1-_", 4).Concat(new[] { "BlockdevOptions", "ABC", "Abc1", "A1b", "Fooé", "FooList", "Foo\n" }))
        {
            var stem = QapiNames.Stem(name, out _);
            var expected = stem is null ? null
                : !s_camel.IsMatch(stem) ? "must use CamelCase"
                : name.EndsWith("List", StringComparison.Ordinal) ? "must not end in 'List'"
                : null;
            var actual = QapiNames.CheckCamel(name);
            Assert.True(stem is null ? actual is not null : expected == actual, $"'{name}': expected '{expected}', got '{actual}'");
        }
    }

    [Fact]
    public void CName_replaces_what_is_not_an_ASCII_letter_or_digit()
    {
        foreach (var name in Strings("", "aZ1-_.é", 3))
        {
            Assert.Equal(Reference.CName(name), QapiNames.CName(name));
        }
    }

    private static class Reference
    {
        public static string CName(string name)
        {
            var sb = new StringBuilder(name.Length);
            foreach (var c in name)
            {
                sb.Append(char.IsLetterOrDigit(c) && c < 128 ? c : '_');
            }

            return sb.ToString();
        }
    }
}
