namespace Qmp.Codegen.Model;

/// <summary>The type codes of QEMU 2.1's monitor <c>args_type</c> strings.</summary>
public enum ArgumentKind
{
    /// <summary><c>s</c>: a string.</summary>
    String,
    /// <summary><c>F</c>: a file name.</summary>
    FileName,
    /// <summary><c>B</c>: a block device name.</summary>
    BlockDevice,
    /// <summary><c>i</c>: an integer.</summary>
    Int,
    /// <summary><c>l</c>: a target long.</summary>
    Long,
    /// <summary><c>M</c>: a non-negative size in bytes (megabytes in the human monitor).</summary>
    Megabytes,
    /// <summary><c>o</c>: a size in octets.</summary>
    Octets,
    /// <summary><c>T</c>: a double (seconds); accepts integers and floats.</summary>
    Double,
    /// <summary><c>b</c>: a boolean.</summary>
    Bool,
    /// <summary><c>-x</c>: an optional flag, a boolean over QMP.</summary>
    Flag,
    /// <summary><c>O</c>: an option list whose members travel flattened in <c>arguments</c>.</summary>
    OptionList,
    /// <summary><c>q</c>: any JSON value.</summary>
    Any,
}

/// <summary>One <c>name:code</c> pair of a command's <c>args_type</c>.</summary>
public sealed record ArgumentSpec(string Name, string Code, ArgumentKind Kind, bool Optional, SchemaLocation Location)
{
    /// <summary>The CLR type an argument of this kind has in generated code (before optionality).</summary>
    public string ClrType => ClrTypeOf(Kind);

    /// <summary>The C# type of a value of this kind, from its wire type in <see cref="Hx.ArgsTypeCodes"/> (the one table).</summary>
    public static string ClrTypeOf(ArgumentKind kind) => Hx.ArgsTypeCodes.Of(kind).WireType switch
    {
        null => "System.Collections.Generic.IReadOnlyDictionary<string, System.Text.Json.JsonElement>",
        var wire => Schema.SchemaBuiltins.JsonTypeOf(wire) switch
        {
            Schema.JsonType.String => "string",
            Schema.JsonType.Int => "long",
            Schema.JsonType.Number => "double",
            Schema.JsonType.Boolean => "bool",
            _ => "System.Text.Json.JsonElement",
        },
    };

    /// <summary>The JSON type QEMU 2.1 checks for this kind over QMP, as it names it in errors; null where unchecked.</summary>
    public string? JsonType => Hx.ArgsTypeCodes.Of(Kind).CheckedAs;

    /// <summary>The QAPI builtin a value of this kind is on the wire; null for an option list.</summary>
    public string? WireType => Hx.ArgsTypeCodes.Of(Kind).WireType;
}
