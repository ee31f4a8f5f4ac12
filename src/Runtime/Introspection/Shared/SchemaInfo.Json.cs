// Shared with the generator (see SchemaInfo.cs): no JSON library, so it writes by hand.
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Qmp.Runtime.Introspection;

#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed partial class SchemaInfo
{
    /// <summary>
    /// The entries as compact JSON, the array <c>query-qmp-schema</c> returns, in the same shape
    /// (an enum carries both <c>members</c> and <c>values</c>, as QEMU 6.2 to 9.0 send), plus each
    /// <see cref="SchemaInfoEntry.Condition"/> as <c>"if"</c>. Reading it back gives an equal schema.
    /// </summary>
    public string ToJson()
    {
        var w = new StringBuilder(_entries.Count * 120);
        w.Append('[');
        for (var i = 0; i < _entries.Count; i++)
        {
            if (i > 0)
            {
                w.Append(',');
            }

            WriteEntry(w, _entries[i]);
        }
        w.Append(']');
        return w.ToString();
    }

    internal static void WriteEntry(StringBuilder w, SchemaInfoEntry entry)
    {
        w.Append("{\"name\":");
        Str(w, entry.Name);
        w.Append(",\"meta-type\":");
        Str(w, entry.MetaType);
        switch (entry)
        {
            case SchemaInfoBuiltin b:
                w.Append(",\"json-type\":");
                Str(w, b.JsonType);
                break;
            case SchemaInfoEnum e:
                w.Append(",\"members\":[");
                for (var i = 0; i < e.Members.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Append(',');
                    }

                    w.Append("{\"name\":");
                    Str(w, e.Members[i].Name);
                    Features(w, e.Members[i].Features);
                    Condition(w, e.Members[i].Condition);
                    w.Append('}');
                }
                w.Append("],\"values\":[");
                for (var i = 0; i < e.Members.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Append(',');
                    }

                    Str(w, e.Members[i].Name);
                }
                w.Append(']');
                break;
            case SchemaInfoArray a:
                w.Append(",\"element-type\":");
                Str(w, a.ElementType);
                break;
            case SchemaInfoObject o:
                w.Append(",\"members\":[");
                for (var i = 0; i < o.Members.Count; i++)
                {
                    var m = o.Members[i];
                    if (i > 0)
                    {
                        w.Append(',');
                    }

                    w.Append("{\"name\":");
                    Str(w, m.Name);
                    w.Append(",\"type\":");
                    Str(w, m.Type);
                    if (m.IsOptional)
                    {
                        w.Append(",\"default\":null");
                    }

                    Features(w, m.Features);
                    Condition(w, m.Condition);
                    w.Append('}');
                }
                w.Append(']');
                if (o.Tag is not null)
                {
                    w.Append(",\"tag\":");
                    Str(w, o.Tag);
                    w.Append(",\"variants\":[");
                    for (var i = 0; i < o.Variants.Count; i++)
                    {
                        if (i > 0)
                        {
                            w.Append(',');
                        }

                        w.Append("{\"case\":");
                        Str(w, o.Variants[i].Case);
                        w.Append(",\"type\":");
                        Str(w, o.Variants[i].Type);
                        Condition(w, o.Variants[i].Condition);
                        w.Append('}');
                    }
                    w.Append(']');
                }
                break;
            case SchemaInfoAlternate alt:
                w.Append(",\"members\":[");
                for (var i = 0; i < alt.MemberTypes.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Append(',');
                    }

                    w.Append("{\"type\":");
                    Str(w, alt.MemberTypes[i]);
                    w.Append('}');
                }
                w.Append(']');
                break;
            case SchemaInfoCommand c:
                w.Append(",\"arg-type\":");
                Str(w, c.ArgType);
                w.Append(",\"ret-type\":");
                Str(w, c.RetType);
                if (c.AllowOob)
                {
                    w.Append(",\"allow-oob\":true");
                }

                break;
            case SchemaInfoEvent ev:
                w.Append(",\"arg-type\":");
                Str(w, ev.ArgType);
                break;
        }
        Features(w, entry.Features);
        Condition(w, entry.Condition);
        w.Append('}');
    }

    // Not in QEMU's answer (its build has already applied them): a client's description keeps its
    // schema's conditions under "if", which QEMU's SchemaInfo lacks and a reader of it skips.
    private static void Condition(StringBuilder w, string? condition)
    {
        if (condition is null)
        {
            return;
        }

        w.Append(",\"if\":");
        Str(w, condition);
    }

    private static void Features(StringBuilder w, IReadOnlyList<string> features)
    {
        if (features.Count == 0)
        {
            return;
        }

        w.Append(",\"features\":[");
        for (var i = 0; i < features.Count; i++)
        {
            if (i > 0)
            {
                w.Append(',');
            }

            Str(w, features[i]);
        }
        w.Append(']');
    }

    private static void Str(StringBuilder w, string s)
    {
        w.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': w.Append("\\\""); break;
                case '\\': w.Append("\\\\"); break;
                case '\n': w.Append("\\n"); break;
                case '\r': w.Append("\\r"); break;
                case '\t': w.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        w.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        w.Append(c);
                    }

                    break;
            }
        }
        w.Append('"');
    }
}
