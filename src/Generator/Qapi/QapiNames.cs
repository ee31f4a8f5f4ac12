using System.Text;
using System.Text.RegularExpressions;

namespace Qmp.Codegen.Qapi;

/// <summary>QAPI's naming rules, after QEMU's expr.py (<c>check_name_*</c>) and common.py (<c>c_name</c>).</summary>
internal static class QapiNames
{
    // An optional downstream prefix (__com.example_), an optional x- (experimental), then the stem.
    private static readonly Regex ValidName = new(@"^(__[a-z0-9.-]+_)?(x-)?([a-z][a-z0-9_-]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex Camel = new(@"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant);
    private static readonly Regex ConfigSymbol = new(@"^[A-Z][A-Z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>The stem of a valid name, or null with why not.</summary>
    public static string? Stem(string name, out string? problem)
    {
        var match = ValidName.Match(name);
        if (!match.Success)
        {
            problem = "is not a valid name (letters, digits, '-' and '_', starting with a letter)";
            return null;
        }
        // The whole q_ namespace is the generator's own (q_obj_*, q_empty).
        if (CName(name).StartsWith("q_", System.StringComparison.Ordinal))
        {
            problem = "uses the reserved prefix 'q_'";
            return null;
        }
        problem = null;
        return match.Groups[3].Value;
    }

    /// <summary>Commands, members, values, features: lower case and '-' (unless an exception allows more).</summary>
    public static string? CheckLower(string name, bool permitUpper, bool permitUnderscore)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
            return problem;
        foreach (var c in stem)
        {
            if ((!permitUpper && c >= 'A' && c <= 'Z') || (!permitUnderscore && c == '_'))
                return "must not use upper case or '_'";
        }
        return null;
    }

    /// <summary>Events: upper case and '_'.</summary>
    public static string? CheckUpper(string name)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
            return problem;
        foreach (var c in stem)
        {
            if ((c >= 'a' && c <= 'z') || c == '-')
                return "must not use lower case or '-'";
        }
        return null;
    }

    /// <summary>Types: CamelCase, not ending in List (the generator's name for arrays).</summary>
    public static string? CheckCamel(string name)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
            return problem;
        if (!Camel.IsMatch(stem))
            return "must use CamelCase";
        if (name.EndsWith("List", System.StringComparison.Ordinal))
            return "must not end in 'List'";
        return null;
    }

    public static bool IsConfigSymbol(string text) => ConfigSymbol.IsMatch(text);

    /// <summary>The C name QEMU derives, which is what member and value clashes are judged by ('a-b' and 'a_b' clash).</summary>
    public static string CName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
            sb.Append(char.IsLetterOrDigit(c) && c < 128 ? c : '_');
        return sb.ToString();
    }
}
