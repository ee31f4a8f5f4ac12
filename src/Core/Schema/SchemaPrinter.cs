using System.Text;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Schema;

/// <summary>
/// Prints a whole <see cref="QmpSchema"/> as plain text, one line per entity, member, branch, value,
/// flag and doc section, in schema order. Golden cases of every reader compare against this
/// (as QEMU's tests/qapi-schema/*.out do), so any change of what a reader infers shows as a diff.
/// Locations are left out, so the same schema written differently prints the same.
/// </summary>
public static class SchemaPrinter
{
    public static string Print(QmpSchema schema, bool docs = true)
    {
        var w = new StringBuilder();
        foreach (var prose in schema.Prose)
        {
            w.Append("prose");
            if (prose.Heading is not null)
            {
                w.Append(" level=").Append(prose.Level).Append(' ').Append(Quote(prose.Heading));
            }

            w.Append('\n');
            if (docs)
            {
                Text(w, "  text", prose.Text);
            }
        }
        foreach (var type in schema.Types)
        {
            Type(w, type, docs);
        }

        foreach (var command in schema.Commands)
        {
            w.Append("command ").Append(command.Name).Append('\n');
            w.Append("  arguments ").Append(command.Arguments?.ToString() ?? "-").Append('\n');
            w.Append("  returns ").Append(command.Returns?.ToString() ?? "-").Append('\n');
            var f = command.Flags;
            if (f != SchemaCommandFlags.Default)
            {
                w.Append("  flags");
                if (f.Boxed)
                {
                    w.Append(" boxed");
                }

                if (!f.SuccessResponse)
                {
                    w.Append(" success-response=false");
                }

                if (f.AllowOob)
                {
                    w.Append(" allow-oob");
                }

                if (f.AllowPreconfig)
                {
                    w.Append(" allow-preconfig");
                }

                if (f.Coroutine)
                {
                    w.Append(" coroutine");
                }

                if (!f.Generated)
                {
                    w.Append(" gen=false");
                }

                w.Append('\n');
            }
            Common(w, command.Condition, command.Features, command.Doc, docs);
        }
        foreach (var e in schema.Events)
        {
            w.Append("event ").Append(e.Name).Append('\n');
            w.Append("  data ").Append(e.Data?.ToString() ?? "-").Append(e.Boxed ? " boxed" : "").Append('\n');
            Common(w, e.Condition, e.Features, e.Doc, docs);
        }
        foreach (var d in schema.Diagnostics)
        {
            w.Append("diagnostic ").Append(d.Severity.ToString().ToLowerInvariant()).Append(' ').Append(d.Id)
                .Append(" (").Append(d.Location.Line).Append(',').Append(d.Location.Column).Append("): ").Append(d.Message).Append('\n');
        }

        return w.ToString();
    }

    private static void Type(StringBuilder w, SchemaType type, bool docs)
    {
        switch (type)
        {
            case SchemaObjectType o:
                w.Append("object ").Append(o.Name);
                if (o.IsImplicit)
                {
                    w.Append(" implicit");
                }

                if (o.AcceptsAnyMember)
                {
                    w.Append(" open");
                }

                w.Append('\n');
                if (o.Base is not null)
                {
                    w.Append("  base ").Append(o.Base).Append('\n');
                }

                foreach (var m in o.Members)
                {
                    w.Append("  member ").Append(m.Name).Append(": ").Append(m.Type).Append(m.Optional ? " optional" : "");
                    Suffix(w, m.Condition, m.Features);
                    if (docs && m.Doc is not null)
                    {
                        Text(w, "    doc", m.Doc);
                    }
                }
                if (o.Variants is { } variants)
                {
                    w.Append("  tag ").Append(variants.Tag).Append('\n');
                    foreach (var b in variants.Branches)
                    {
                        w.Append("  case ").Append(b.Case).Append(": ").Append(b.Type);
                        Suffix(w, b.Condition, EquatableArray<SchemaFeature>.Empty);
                    }
                }
                break;
            case SchemaEnumType e:
                w.Append("enum ").Append(e.Name);
                if (e.Prefix is not null)
                {
                    w.Append(" prefix=").Append(e.Prefix);
                }

                w.Append('\n');
                foreach (var v in e.Values)
                {
                    w.Append("  value ").Append(v.Name);
                    Suffix(w, v.Condition, v.Features);
                    if (docs && v.Doc is not null)
                    {
                        Text(w, "    doc", v.Doc);
                    }
                }
                break;
            case SchemaAlternateType a:
                w.Append("alternate ").Append(a.Name).Append('\n');
                foreach (var b in a.Branches)
                {
                    w.Append("  branch ").Append(b.Name).Append(": ").Append(b.Type);
                    Suffix(w, b.Condition, EquatableArray<SchemaFeature>.Empty);
                    if (docs && b.Doc is not null)
                    {
                        Text(w, "    doc", b.Doc);
                    }
                }
                break;
        }
        Common(w, type.Condition, type.Features, type.Doc, docs);
    }

    private static void Suffix(StringBuilder w, SchemaCondition? condition, EquatableArray<SchemaFeature> features)
    {
        if (condition is not null)
        {
            w.Append(" if=").Append(condition.ToQapi());
        }

        foreach (var f in features)
        {
            w.Append(" feature=").Append(f.Name).Append(f.Condition is null ? "" : "(if=" + f.Condition.ToQapi() + ")");
        }

        w.Append('\n');
    }

    private static void Common(StringBuilder w, SchemaCondition? condition, EquatableArray<SchemaFeature> features, SchemaDoc? doc, bool docs)
    {
        if (condition is not null)
        {
            w.Append("  if ").Append(condition.ToQapi()).Append('\n');
        }

        foreach (var f in features)
        {
            w.Append("  feature ").Append(f.Name).Append(f.Condition is null ? "" : " if=" + f.Condition.ToQapi()).Append('\n');
        }

        if (!docs || doc is null)
        {
            return;
        }

        Text(w, "  doc body", doc.Body);
        foreach (var s in doc.Sections)
        {
            Text(w, "  doc section " + s.Tag, s.Text);
        }

        foreach (var f in doc.Features)
        {
            Text(w, "  doc feature " + f.Name, f.Text);
        }

        foreach (var example in doc.Examples)
        {
            w.Append("  example").Append(example.Caption is null ? "" : " " + Quote(example.Caption)).Append('\n');
            foreach (var m in example.Messages)
            {
                w.Append(m.Direction == ExampleDirection.ToServer ? "    -> " : "    <- ").Append(m.Json ?? "(not JSON) " + Quote(m.Text));
                if (!m.Repairs.IsEmpty)
                {
                    w.Append("  (repaired: ").Append(string.Join("; ", m.Repairs)).Append(')');
                }

                w.Append('\n');
            }
        }
    }

    /// <summary>A text on one line: its line breaks as <c>\n</c>, so a dump line is a whole item.</summary>
    private static void Text(StringBuilder w, string label, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        w.Append(label).Append(' ').Append(Quote(text)).Append('\n');
    }

    private static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ' || c is '\u0085' or '\u2028' or '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
