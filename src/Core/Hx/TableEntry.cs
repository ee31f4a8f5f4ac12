using System.Collections.Generic;

namespace Qmp.Codegen.Hx;

/// <summary>A string field of a table entry, with where each character of its value came from.</summary>
internal sealed class HxStringField
{
    public HxStringField(string value, int[] sourceOffsets, int literalCount, int start)
    {
        Value = value;
        SourceOffsets = sourceOffsets;
        LiteralCount = literalCount;
        Start = start;
    }

    public string Value { get; }

    /// <summary>File offset of each character of <see cref="Value"/> (C literals may be concatenated).</summary>
    public int[] SourceOffsets { get; }

    public int LiteralCount { get; }

    /// <summary>File offset of the field's first literal.</summary>
    public int Start { get; }

    public int OffsetOf(int index) =>
        SourceOffsets.Length == 0 ? Start : SourceOffsets[index < SourceOffsets.Length ? index : SourceOffsets.Length - 1];
}

/// <summary>One <c>{ .name = ..., ... }</c> initializer of the dispatch table, as written.</summary>
internal sealed class HxTableEntry
{
    public int Start { get; set; }

    public int End { get; set; }

    public Dictionary<string, HxStringField> Strings { get; } = new();

    /// <summary>Fields whose value is a C expression (handler names, flags).</summary>
    public Dictionary<string, (string Value, int Offset)> Expressions { get; } = new();

    /// <summary>Where each field name starts, for diagnostics.</summary>
    public Dictionary<string, int> FieldOffsets { get; } = new();

    public string? Condition { get; set; }
}
