using System.Collections.Generic;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

/// <summary>C# identifiers from QMP names: <c>block_set_io_throttle</c> -> <c>BlockSetIoThrottle</c>.</summary>
public static class Naming
{
    private static readonly HashSet<string> s_keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit",
        "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int",
        "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
        "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
        "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try",
        "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>PascalCase (<see cref="NameCase.Pascal"/>), with <c>_</c> before a leading digit so it is an identifier.</summary>
    public static string Pascal(string name)
    {
        var pascal = NameCase.Pascal(name);
        return char.IsDigit(pascal[0]) ? "_" + pascal : pascal;
    }

    /// <summary>camelCase, escaped with <c>@</c> when it is a keyword.</summary>
    public static string Camel(string name)
    {
        var pascal = Pascal(name);
        var camel = pascal[0] == '_' ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return s_keywords.Contains(camel) ? "@" + camel : camel;
    }

    /// <summary>Returns <paramref name="name"/>, or it with a number appended, so it is not in <paramref name="used"/>; records it.</summary>
    public static string Unique(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var i = 2; !used.Add(candidate); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    /// <summary>The stem of the entry types from the namespace: <c>Acme.Qemu</c> -> <c>Qemu</c>.</summary>
    public static string StemOf(string ns)
    {
        var dot = ns.LastIndexOf('.');
        return Pascal(dot < 0 ? ns : ns.Substring(dot + 1));
    }
}
