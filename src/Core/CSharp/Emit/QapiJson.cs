namespace Qmp.Codegen.Emit;

/// <summary>The runtime's helpers for QAPI's sized integers (<c>Qmp.Runtime.QmpJsonQapi</c>), by CLR type.</summary>
internal static class QapiJson
{
    public const string Class = "global::Qmp.Runtime.QmpJsonQapi";

    private static string Suffix(string width) => width switch
    {
        "sbyte" => "Int8",
        "byte" => "UInt8",
        "short" => "Int16",
        "ushort" => "UInt16",
        "int" => "Int32",
        "uint" => "UInt32",
        _ => "UInt64",
    };

    public static string Reader(string width) => Class + ".Read" + Suffix(width);

    public static string Writer(string width) => Class + ".Write" + Suffix(width);
}
