// This file is compiled into two assemblies: the runtime (net10.0, namespace Qmp.Runtime.Introspection)
// and the generator's analyzer build (netstandard2.0, linked, the same namespace, internal there),
// so `qmp-codegen introspect` refuses exactly the answers the generator would refuse.
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Qmp.Runtime.Introspection;

/// <summary>
/// The names a <c>query-qmp-schema</c> answer may carry: QMP's character set, as the .hx reader
/// checks (QMP0025), and the shapes QEMU's introspection writes. A name comes from the server, and
/// the generator writes names into C#: one outside these rules is refused, never escaped into code.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class SchemaNames
{
    /// <summary>
    /// A name of a command, event, member, enum value, feature, tag or branch: one or more letters,
    /// digits, <c>-</c>, <c>_</c> and <c>.</c> (ASCII). This holds QEMU's real names
    /// (<c>query-status</c>, <c>BLOCK_JOB_COMPLETED</c>, <c>__com.redhat_drive-mirror</c>, enum
    /// values such as <c>1</c>), its implicit types (<c>q_obj_query-block-arg</c>, <c>q_empty</c>)
    /// and its masked names (<c>37</c>).
    /// </summary>
    public static bool IsName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        foreach (var c in name!)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A type's name: a <see cref="IsName">name</see>, or an array's, <c>[</c> a type's name <c>]</c> (<c>[int]</c>, <c>[37]</c>, <c>[[str]]</c>).</summary>
    public static bool IsTypeName(string? name)
    {
        if (name is null)
        {
            return false;
        }
        var depth = 0;
        while (depth < name.Length - depth && name[depth] == '[' && name[name.Length - 1 - depth] == ']')
        {
            depth++;
        }
        return IsName(name.Substring(depth, name.Length - 2 * depth));
    }

    /// <summary>
    /// Every name of <paramref name="info"/> that breaks the rules, each as <c>what 'name'</c> with the
    /// name <see cref="Printable">printable</see> (<c>event 'X\u2028'</c>,
    /// <c>member of object '12' 'a b'</c>), in schema order; empty when all are valid.
    /// </summary>
    public static IReadOnlyList<string> Invalid(SchemaInfo info)
    {
        var bad = new List<string>();
        foreach (var e in info.Entries)
        {
            var owner = e.MetaType + " '" + Printable(e.Name) + "'";
            if (!(e is SchemaInfoArray ? IsTypeName(e.Name) && e.Name[0] == '[' : IsName(e.Name)))
            {
                bad.Add(owner);
            }
            Names(bad, e.Features, "feature of " + owner, IsName);
            switch (e)
            {
                case SchemaInfoBuiltin b:
                    Check(bad, b.JsonType, "json-type of " + owner, IsName);
                    break;
                case SchemaInfoArray a:
                    Check(bad, a.ElementType, "element-type of " + owner, IsTypeName);
                    break;
                case SchemaInfoCommand c:
                    Check(bad, c.ArgType, "arg-type of " + owner, IsTypeName);
                    Check(bad, c.RetType, "ret-type of " + owner, IsTypeName);
                    break;
                case SchemaInfoEvent ev:
                    Check(bad, ev.ArgType, "arg-type of " + owner, IsTypeName);
                    break;
                case SchemaInfoEnum en:
                    foreach (var m in en.Members)
                    {
                        Check(bad, m.Name, "value of " + owner, IsName);
                        Names(bad, m.Features, "feature of a value of " + owner, IsName);
                    }
                    break;
                case SchemaInfoObject o:
                    foreach (var m in o.Members)
                    {
                        Check(bad, m.Name, "member of " + owner, IsName);
                        Check(bad, m.Type, "type of a member of " + owner, IsTypeName);
                        Names(bad, m.Features, "feature of a member of " + owner, IsName);
                    }
                    if (o.Tag is not null)
                    {
                        Check(bad, o.Tag, "tag of " + owner, IsName);
                    }
                    foreach (var v in o.Variants)
                    {
                        Check(bad, v.Case, "branch of " + owner, IsName);
                        Check(bad, v.Type, "type of a branch of " + owner, IsTypeName);
                    }
                    break;
                case SchemaInfoAlternate alt:
                    Names(bad, alt.MemberTypes, "type of a branch of " + owner, IsTypeName);
                    break;
                case SchemaInfoUnknown u:
                    Check(bad, u.MetaType, "meta-type of " + owner, IsName);
                    break;
            }
        }
        return bad;
    }

    private static void Check(List<string> bad, string name, string what, System.Func<string, bool> valid)
    {
        if (!valid(name))
        {
            bad.Add(what + " '" + Printable(name) + "'");
        }
    }

    private static void Names(List<string> bad, IReadOnlyList<string> names, string what, System.Func<string, bool> valid)
    {
        foreach (var name in names)
        {
            Check(bad, name, what, valid);
        }
    }

    /// <summary>
    /// <paramref name="text"/> safe to print on a terminal or in a build log: printable ASCII as it
    /// is, everything else (controls, line separators, any non-ASCII) as <c>\uXXXX</c>, and
    /// <c>\</c> as <c>\\</c>, so what is shown is what the name holds.
    /// </summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\\')
            {
                builder.Append("\\\\");
            }
            else if (c < ' ' || c > '~')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
