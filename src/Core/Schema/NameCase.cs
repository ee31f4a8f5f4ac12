using System.Linq;
using System.Text;

namespace Qmp.Codegen.Schema;

/// <summary>The one PascalCase of schema names, which the readers (names they make up) and the C# back end (identifiers) share.</summary>
public static class NameCase
{
    /// <summary>
    /// PascalCase, QAPI style: every run of ASCII letters and digits starts upper case, the rest keeps
    /// its case, everything else goes (<c>block_set_io-throttle</c> is <c>BlockSetIoThrottle</c>); a
    /// name all upper case (an event's) is read in lower case first (<c>BLOCK_JOB_COMPLETED</c> is
    /// <c>BlockJobCompleted</c>) when <paramref name="shouting"/>. A name with no letter or digit is <c>Value</c>.
    /// </summary>
    public static string Pascal(string name, bool shouting = false)
    {
        if (shouting && !name.Any(char.IsLower))
        {
            name = name.ToLowerInvariant();
        }

        var builder = new StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                builder.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }
        return builder.Length == 0 ? "Value" : builder.ToString();
    }
}
