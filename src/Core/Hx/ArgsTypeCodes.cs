using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Hx;

/// <summary>
/// One <c>args_type</c> code of QEMU 2.1's monitor: its kind, the QAPI builtin its value has on the
/// wire (null for an <c>O</c> option list, whose members travel flattened), and the name QEMU 2.1's
/// <c>check_client_args_type</c> uses for it in errors (null where it does not check the type).
/// </summary>
public sealed record ArgsTypeCode(string Code, ArgumentKind Kind, string? WireType, string? CheckedAs);

/// <summary>
/// The one table from an <c>args_type</c> code to what travels on the wire, in the model's terms
/// (QAPI's builtins), so an .hx schema's C# types follow the same mapping as a QAPI schema's.
/// <c>M</c> and <c>o</c> are sizes to the human monitor (suffixes, megabytes), but over QMP QEMU 2.1
/// checks them only for a JSON integer (<c>check_client_args_type</c>: <c>QTYPE_QINT</c>) and hands
/// the handler an <c>int64_t</c> (which refuses or clamps a negative one itself), as QEMU's own QAPI
/// schema types those arguments <c>int</c> (<c>block_resize</c>'s <c>size</c>, <c>balloon</c>'s
/// <c>value</c>): so they are <c>int</c> here too (a <c>long</c>), not QAPI's unsigned <c>size</c>. Everything else (the
/// parser, the schema model, the C# types, the docs, the shell) reads the wire type from here, so
/// adding a code is adding a row.
/// </summary>
public static class ArgsTypeCodes
{
    /// <summary><c>-x</c>: an optional flag, a boolean over QMP.</summary>
    public static readonly ArgsTypeCode Flag = new("-", ArgumentKind.Flag, SchemaBuiltins.Bool, "bool");

    public static readonly IReadOnlyList<ArgsTypeCode> All = new[]
    {
        new ArgsTypeCode("s", ArgumentKind.String, SchemaBuiltins.Str, "string"),
        new ArgsTypeCode("F", ArgumentKind.FileName, SchemaBuiltins.Str, "string"),
        new ArgsTypeCode("B", ArgumentKind.BlockDevice, SchemaBuiltins.Str, "string"),
        new ArgsTypeCode("i", ArgumentKind.Int, SchemaBuiltins.Int, "int"),
        new ArgsTypeCode("l", ArgumentKind.Long, SchemaBuiltins.Int, "int"),
        new ArgsTypeCode("M", ArgumentKind.Megabytes, SchemaBuiltins.Int, "int"),
        new ArgsTypeCode("o", ArgumentKind.Octets, SchemaBuiltins.Int, "int"),
        new ArgsTypeCode("T", ArgumentKind.Double, SchemaBuiltins.Number, "number"),
        new ArgsTypeCode("b", ArgumentKind.Bool, SchemaBuiltins.Bool, "bool"),
        new ArgsTypeCode("O", ArgumentKind.OptionList, null, null),
        new ArgsTypeCode("q", ArgumentKind.Any, SchemaBuiltins.Any, null),
    };

    private static readonly Dictionary<string, ArgsTypeCode> s_byCode = All.ToDictionary(c => c.Code);

    private static readonly Dictionary<ArgumentKind, ArgsTypeCode> s_byKind = All.Concat(new[] { Flag }).ToDictionary(c => c.Kind);

    /// <summary>The codes as an error message lists them: <c>s F B i l M o T b O q</c>.</summary>
    public static string Known => string.Join(" ", All.Select(c => c.Code));

    /// <summary>The row of a code (without its <c>?</c>); null for an unknown code.</summary>
    public static ArgsTypeCode? Find(string code) => s_byCode.TryGetValue(code, out var row) ? row : null;

    public static ArgsTypeCode Of(ArgumentKind kind) => s_byKind[kind];
}
