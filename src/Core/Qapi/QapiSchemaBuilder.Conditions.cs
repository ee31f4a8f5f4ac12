using System.Collections.Generic;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

// Conditions and features as QEMU's expr.py checks them (check_if, check_features).
internal sealed partial class QapiSchemaBuilder
{
    /// <summary>QEMU's check_if: a config symbol, or one of <c>all</c>/<c>any</c> (non-empty arrays) or <c>not</c>, nested.</summary>
    private SchemaCondition? Condition(QapiValue? node, string source)
    {
        if (node is null)
        {
            return null;
        }

        return ConditionOf(node, source, 0);
    }

    private SchemaCondition? ConditionOf(QapiValue node, string source, int depth)
    {
        switch (node.Kind)
        {
            case QapiValueKind.String:
                if (QapiNames.IsConfigSymbol(node.String!))
                {
                    return SchemaCondition.Symbol(node.String!);
                }

                Report(QapiDiagnostics.BadCondition, node.Location, source, "'" + node.String + "' is not a valid configuration symbol (upper case, digits, '_')");
                return null;
            case QapiValueKind.Object:
                if (node.Members.Count != 1)
                {
                    Report(QapiDiagnostics.BadCondition, node.Location, source, "an object condition has exactly one of the keys 'all', 'any', 'not'");
                    return null;
                }
                var member = node.Members[0];
                switch (member.Key)
                {
                    case "not":
                        return ConditionOf(member.Value, source, depth + 1) is { } negated ? SchemaCondition.NotOf(negated) : null;
                    case "all":
                    case "any":
                        if (member.Value.Kind != QapiValueKind.Array)
                        {
                            Report(QapiDiagnostics.BadCondition, member.Value.Location, source, "'" + member.Key + "' must be an array");
                            return null;
                        }
                        if (member.Value.Items.Count == 0)
                        {
                            Report(QapiDiagnostics.BadCondition, member.Value.Location, source, "'" + member.Key + "' of nothing is useless");
                            return null;
                        }
                        var operands = new List<SchemaCondition>();
                        foreach (var item in member.Value.Items)
                        {
                            if (ConditionOf(item, source, depth + 1) is not { } operand)
                            {
                                return null;
                            }

                            operands.Add(operand);
                        }
                        return member.Key == "all" ? SchemaCondition.AllOf(operands.ToArray()) : SchemaCondition.AnyOf(operands.ToArray());
                    default:
                        Report(QapiDiagnostics.BadCondition, member.KeyLocation, source, "unknown key '" + member.Key + "' (valid: 'all', 'any', 'not')");
                        return null;
                }
            default:
                Report(QapiDiagnostics.BadCondition, node.Location, source, "must be a string or an object");
                return null;
        }
    }

    /// <summary>QEMU's check_features: an array of names or <c>{ 'name': ..., 'if': ... }</c>.</summary>
    private EquatableArray<SchemaFeature> Features(QapiValue? node, Definition d, string source)
    {
        if (node is null)
        {
            return EquatableArray<SchemaFeature>.Empty;
        }

        if (node.Kind != QapiValueKind.Array)
        {
            Report(QapiDiagnostics.BadValue, node.Location, "'features' of " + source, "an array");
            return EquatableArray<SchemaFeature>.Empty;
        }
        var features = new List<SchemaFeature>();
        foreach (var item in node.Items)
        {
            var nameNode = item;
            SchemaCondition? condition = null;
            if (item.Kind == QapiValueKind.Object)
            {
                if (!CheckKeys(item, "a feature of " + source, Keys.Name, Keys.If))
                {
                    continue;
                }

                nameNode = item["name"]!;
                condition = Condition(item["if"], "feature of " + source);
            }
            if (nameNode.Kind != QapiValueKind.String)
            {
                Report(QapiDiagnostics.BadValue, nameNode.Location, "a feature of " + source, "a name or an object with 'name'");
                continue;
            }
            var name = nameNode.String!;
            if (QapiNames.CheckLower(name, false, false) is { } problem)
            {
                Report(QapiDiagnostics.BadName, nameNode.Location, "feature", name, problem);
            }

            if (features.Exists(f => f.Name == name))
            {
                Report(QapiDiagnostics.MemberClash, nameNode.Location, "feature '" + name + "' of " + source, "feature '" + name + "'");
                continue;
            }
            d.Features.Add((name, nameNode.Location));
            features.Add(new SchemaFeature(name, condition));
        }
        return features.ToEquatableArray();
    }
}
