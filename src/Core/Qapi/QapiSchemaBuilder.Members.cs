using System;
using System.Collections.Generic;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

// Members as QEMU's expr.py checks them (normalize_members, check_type_*): names, optionality, types.
internal sealed partial class QapiSchemaBuilder
{
    /// <summary>The members of a struct, an inline base or inline data, each checked and its type noted for resolution.</summary>
    private EquatableArray<SchemaMember> Members(QapiValue data, Definition d, string owner, string? ownerName, bool documented)
    {
        if (data.Kind != QapiValueKind.Object)
        {
            Report(QapiDiagnostics.BadValue, data.Location, "the members of " + owner, "an object");
            return EquatableArray<SchemaMember>.Empty;
        }
        var permissive = ownerName is not null && _pragmas.MemberNameExceptions.Contains(ownerName);
        var members = new List<SchemaMember>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in data.Members)
        {
            var optional = member.Key.StartsWith("*", StringComparison.Ordinal);
            var name = optional ? member.Key.Substring(1) : member.Key;
            var source = "member '" + name + "' of " + owner;
            if (QapiNames.CheckLower(name, permissive, permissive) is { } problem)
            {
                Report(QapiDiagnostics.BadName, member.KeyLocation, "member", name, problem);
            }

            var cname = QapiNames.CName(name);
            if (cname == "u" || cname.StartsWith("has_", StringComparison.Ordinal))
            {
                Report(QapiDiagnostics.BadName, member.KeyLocation, "member", name, "is a name the generated C reserves ('u', 'has_*')");
            }

            var (typeNode, condition, featuresNode) = NormalizeWithFeatures(member, source);
            if (typeNode is null)
            {
                continue;
            }

            var type = TypeRef(typeNode, source);
            if (type is null)
            {
                continue;
            }

            var features = Features(featuresNode, d, source);
            if (seen.TryGetValue(cname, out var other))
            {
                Report(QapiDiagnostics.MemberClash, member.KeyLocation, source, "member '" + other + "'");
                continue;
            }
            seen[cname] = name;
            if (documented)
            {
                d.DocumentedMembers.Add((name, member.KeyLocation));
            }

            members.Add(new SchemaMember(name, type, optional, null, condition, features, member.KeyLocation));
        }
        return members.ToEquatableArray();
    }

    /// <summary>A member written as <c>'T'</c>, <c>['T']</c> or <c>{ 'type': ..., 'if': ... }</c> (QEMU's normalize_members).</summary>
    private (QapiValue? Type, SchemaCondition? Condition) Normalize(QapiMemberSyntax member, string source, string[] optional)
    {
        if (member.Value.Kind != QapiValueKind.Object)
        {
            return (member.Value, null);
        }

        if (!CheckKeys(member.Value, source, Keys.Type, optional))
        {
            return (null, null);
        }

        return (member.Value["type"], Condition(member.Value["if"], source));
    }

    private (QapiValue? Type, SchemaCondition? Condition, QapiValue? Features) NormalizeWithFeatures(QapiMemberSyntax member, string source)
    {
        var (type, condition) = Normalize(member, source, Keys.IfFeatures);
        return (type, condition, member.Value.Kind == QapiValueKind.Object ? member.Value["features"] : null);
    }

    /// <summary>A type name or an array of one; null (reported) otherwise.</summary>
    private SchemaTypeRef? TypeRef(QapiValue node, string source)
    {
        if (node.Kind == QapiValueKind.String)
        {
            return SchemaTypeRef.Of(Use(node, source));
        }

        if (node.Kind == QapiValueKind.Array && node.Items.Count == 1 && node.Items[0].Kind == QapiValueKind.String)
        {
            return SchemaTypeRef.ArrayOf(Use(node.Items[0], source));
        }

        Report(QapiDiagnostics.BadValue, node.Location, "the type of " + source, "a type name or an array of one type name");
        return null;
    }

    private string? TypeName(QapiValue? node, string source)
    {
        if (node is null)
        {
            return null;
        }

        if (node.Kind == QapiValueKind.String)
        {
            return Use(node, source);
        }

        Report(QapiDiagnostics.BadValue, node.Location, source, "a type name");
        return null;
    }

    private string Use(QapiValue node, string source)
    {
        _uses.Add(new TypeUse(node.String!, node, source));
        return node.String!;
    }
}
