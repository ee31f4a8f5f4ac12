using System;
using System.Linq;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Schema;

/// <summary>How the operands of a <see cref="SchemaCondition"/> combine.</summary>
public enum ConditionKind
{
    /// <summary>A build configuration symbol such as <c>CONFIG_SPICE</c>.</summary>
    Config,
    All,
    Any,
    Not,
}

/// <summary>
/// A build condition (QAPI's <c>'if'</c>; QEMU 2.1's <c>#if defined(...)</c>): the entity exists
/// only in builds where it holds. A symbol, or all/any/not of nested conditions.
/// </summary>
public sealed record SchemaCondition(ConditionKind Kind, string? Config, EquatableArray<SchemaCondition> Operands)
{
    public static SchemaCondition Symbol(string config) => new(ConditionKind.Config, config, EquatableArray<SchemaCondition>.Empty);

    public static SchemaCondition AllOf(params SchemaCondition[] operands) => new(ConditionKind.All, null, operands.ToEquatableArray());

    public static SchemaCondition AnyOf(params SchemaCondition[] operands) => new(ConditionKind.Any, null, operands.ToEquatableArray());

    public static SchemaCondition NotOf(SchemaCondition operand) => new(ConditionKind.Not, null, new[] { operand }.ToEquatableArray());

    /// <summary>As C's preprocessor would write it: <c>defined(CONFIG_A) &amp;&amp; !defined(CONFIG_B)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ConditionKind.Config => "defined(" + Config + ")",
        ConditionKind.Not => "!" + Grouped(Operands[0]),
        ConditionKind.All => string.Join(" && ", Operands.Select(Grouped)),
        _ => string.Join(" || ", Operands.Select(Grouped)),
    };

    /// <summary>QAPI's spelling, as the schema writes it: <c>CONFIG_A</c>, <c>{'all': [...]}</c>.</summary>
    public string ToQapi() => Kind switch
    {
        ConditionKind.Config => Config!,
        ConditionKind.Not => "{'not': " + Operands[0].ToQapi() + "}",
        _ => "{'" + (Kind == ConditionKind.All ? "all" : "any") + "': [" + string.Join(", ", Operands.Select(o => o.ToQapi())) + "]}",
    };

    private static string Grouped(SchemaCondition c) =>
        c.Kind is ConditionKind.All or ConditionKind.Any && c.Operands.Count > 1 ? "(" + c + ")" : c.ToString();
}

/// <summary>A feature of an entity or member (QAPI <c>'features'</c>); <c>deprecated</c> and <c>unstable</c> are special.</summary>
public sealed record SchemaFeature(string Name, SchemaCondition? Condition)
{
    public const string Deprecated = "deprecated";
    public const string Unstable = "unstable";

    public static bool Has(EquatableArray<SchemaFeature> features, string name)
    {
        // A loop, not Any(): asked for every entity and member, and LINQ would box the array each time.
        foreach (var feature in features)
        {
            if (string.Equals(feature.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
