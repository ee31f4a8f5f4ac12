using System.Text.RegularExpressions;

namespace Qmp.Codegen.Qapi;

/// <summary>QAPI's naming rules, after QEMU's expr.py (<c>check_name_*</c>) and common.py (<c>c_name</c>).</summary>
internal static class QapiNames
{
    // An optional downstream prefix (__com.example_), an optional x- (experimental), then the stem.
    private static readonly Regex s_validName = new(@"^(__[a-z0-9.-]+_)?(x-)?([a-z][a-z0-9_-]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex s_camel = new(@"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant);
    private static readonly Regex s_configSymbol = new(@"^[A-Z][A-Z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>The stem of a valid name, or null with why not.</summary>
    public static string? Stem(string name, out string? problem)
    {
        if (!IsPrintableAscii(name))
        {
            return StemByRegex(name, out problem);
        }

        var start = StemStart(name);
        if (start < 0)
        {
            problem = "is not a valid name (letters, digits, '-' and '_', starting with a letter)";
            return null;
        }
        // The whole q_ namespace is the generator's own (q_obj_*, q_empty): the C name starts with q_.
        if (name.Length > 1 && name[0] == 'q' && !IsAsciiLetterOrDigit(name[1]))
        {
            problem = "uses the reserved prefix 'q_'";
            return null;
        }
        problem = null;
        return start == 0 ? name : name.Substring(start);
    }

    /// <summary><see cref="Stem"/> by the regex itself, for text that is not printable ASCII (the parser lets no such string through).</summary>
    private static string? StemByRegex(string name, out string? problem)
    {
        var match = s_validName.Match(name);
        if (!match.Success)
        {
            problem = "is not a valid name (letters, digits, '-' and '_', starting with a letter)";
            return null;
        }
        if (CName(name).StartsWith("q_", System.StringComparison.Ordinal))
        {
            problem = "uses the reserved prefix 'q_'";
            return null;
        }
        problem = null;
        return match.Groups[3].Value;
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c < ' ' || c >= 127)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Where <see cref="s_validName"/>'s stem starts in <paramref name="name"/> (printable ASCII), or
    /// -1 when it does not match: the pattern read by hand, since every name is checked and a regex
    /// match per name was a good part of the builder's time.
    /// </summary>
    private static int StemStart(string name)
    {
        var i = 0;
        if (name.StartsWith("__", System.StringComparison.Ordinal))
        {
            // A downstream prefix: __, letters, digits, '.' or '-', then '_'. Nothing else can match a name starting with '_'.
            var j = 2;
            while (j < name.Length && (IsAsciiLetterOrDigit(name[j]) || name[j] is '.' or '-'))
            {
                j++;
            }

            if (j == 2 || j >= name.Length || name[j] != '_')
            {
                return -1;
            }

            i = j + 1;
        }
        // x- is taken as the experimental prefix when the rest is a stem; else it is part of the stem.
        if (i + 1 < name.Length && name[i] is 'x' or 'X' && name[i + 1] == '-' && IsStem(name, i + 2))
        {
            return i + 2;
        }

        return IsStem(name, i) ? i : -1;
    }

    /// <summary>From <paramref name="start"/> to the end: a letter, then letters, digits, '_' and '-'.</summary>
    private static bool IsStem(string name, int start)
    {
        if (start >= name.Length || !IsAsciiLetter(name[start]))
        {
            return false;
        }

        for (var i = start + 1; i < name.Length; i++)
        {
            if (!IsAsciiLetterOrDigit(name[i]) && name[i] is not ('_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsAsciiLetterOrDigit(char c) => IsAsciiLetter(c) || c is >= '0' and <= '9';

    /// <summary>Commands, members, values, features: lower case and '-' (unless an exception allows more).</summary>
    public static string? CheckLower(string name, bool permitUpper, bool permitUnderscore)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
        {
            return problem;
        }

        foreach (var c in stem)
        {
            if ((!permitUpper && c >= 'A' && c <= 'Z') || (!permitUnderscore && c == '_'))
            {
                return "must not use upper case or '_'";
            }
        }
        return null;
    }

    /// <summary>Events: upper case and '_'.</summary>
    public static string? CheckUpper(string name)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
        {
            return problem;
        }

        foreach (var c in stem)
        {
            if ((c >= 'a' && c <= 'z') || c == '-')
            {
                return "must not use lower case or '-'";
            }
        }
        return null;
    }

    /// <summary>Types: CamelCase, not ending in List (the generator's name for arrays).</summary>
    public static string? CheckCamel(string name)
    {
        var stem = Stem(name, out var problem);
        if (stem is null)
        {
            return problem;
        }

        if (!IsCamel(stem))
        {
            return "must use CamelCase";
        }

        if (name.EndsWith("List", System.StringComparison.Ordinal))
        {
            return "must not end in 'List'";
        }

        return null;
    }

    /// <summary><see cref="s_camel"/> read by hand for printable ASCII: an upper-case letter, letters and digits, a lower-case letter after the first.</summary>
    private static bool IsCamel(string stem)
    {
        if (!IsPrintableAscii(stem))
        {
            return s_camel.IsMatch(stem);
        }

        if (stem.Length < 2 || stem[0] is not (>= 'A' and <= 'Z'))
        {
            return false;
        }

        var lower = false;
        for (var i = 1; i < stem.Length; i++)
        {
            var c = stem[i];
            if (!IsAsciiLetterOrDigit(c))
            {
                return false;
            }

            lower |= c is >= 'a' and <= 'z';
        }
        return lower;
    }

    public static bool IsConfigSymbol(string text) => s_configSymbol.IsMatch(text);

    /// <summary>The C name QEMU derives, which is what member and value clashes are judged by ('a-b' and 'a_b' clash).</summary>
    public static string CName(string name)
    {
        var first = 0;
        while (first < name.Length && IsAsciiLetterOrDigit(name[first]))
        {
            first++;
        }

        if (first == name.Length)
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = first; i < chars.Length; i++)
        {
            if (!IsAsciiLetterOrDigit(chars[i]))
            {
                chars[i] = '_';
            }
        }
        return new string(chars);
    }
}
