using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

/// <summary>
/// The types a QAPI server checks arguments against, one line per type in the form
/// <c>Qmp.Runtime.Qapi.QapiShapeSet</c> reads (objects with their bases' members first, enums,
/// alternates by the JSON type of each branch): <c>name\tline</c>, in schema order.
/// </summary>
public static class QapiShapeLines
{
    public static EquatableArray<string> Of(QmpSchema schema)
    {
        var index = SchemaIndex.Of(schema);
        var lines = new List<string>();
        foreach (var type in schema.Types)
        {
            var line = type switch
            {
                SchemaEnumType e => "E " + string.Join(" ", e.Values.Select(v => v.Name)),
                SchemaAlternateType a => "A " + string.Join(" ", a.Branches.Select(b => KindOf(index, b.Type) + "=" + b.Type)),
                SchemaObjectType o => ObjectLine(index, o),
                _ => null,
            };
            if (line is not null)
            {
                lines.Add(type.Name + "\t" + line);
            }
        }
        if (index.Type(SchemaBuiltins.QType) is null)
        {
            lines.Add(SchemaBuiltins.QType + "\tE " + string.Join(" ", SchemaBuiltins.QTypeEnum.Values.Select(v => v.Name)));
        }

        return lines.ToEquatableArray();
    }

    private static string ObjectLine(SchemaIndex index, SchemaObjectType type)
    {
        var members = index.BaseChain(type)
            .SelectMany(t => t.Members)
            .Select(m => (m.Optional ? "*" : string.Empty) + m.Name + ":" + m.Type);
        var line = "S " + string.Join(" ", members);
        if (type.Variants is { } variants)
        {
            line += " | " + variants.Tag + " " + string.Join(" ", variants.Branches.Select(b => b.Case + "=" + b.Type.Name));
        }

        return line;
    }

    /// <summary>The JSON type (<c>QapiJsonType</c>'s name) a branch of an alternate takes.</summary>
    private static string KindOf(SchemaIndex index, SchemaTypeRef type)
    {
        if (type.IsArray)
        {
            return "Array";
        }

        return SchemaBuiltins.JsonTypeOf(type.Name) switch
        {
            JsonType.String => "String",
            JsonType.Int or JsonType.Number => "Number",
            JsonType.Boolean => "Bool",
            JsonType.Null => "Null",
            null => index.Type(type.Name) switch
            {
                SchemaEnumType => "String",
                SchemaAlternateType => "Object",
                _ => "Object",
            },
            _ => "Object",
        };
    }
}
