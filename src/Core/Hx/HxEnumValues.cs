using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Hx;

/// <summary>
/// The values of a string member whose description lists them, in the three ways QEMU 2.1's prose
/// does: <c>Possible values: "off", "on", "unmap"</c>; <c>one of "report", "ignore"</c> (or with
/// single quotes, <c>(one of 'normal', 'none', 'all')</c>); and <c>one of the following values
/// (json-string) "debug" - QEMU is running on a debugger "inmigrate" - ...</c>, each value with its
/// own text. A description that lists no values gives none, and the member stays a string.
/// </summary>
internal static class HxEnumValues
{
    private static readonly Regex s_marker = new(@"\b(?:Possible values:|one of)\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly Regex s_following = new(@"\Gthe following values\s*(?:\([^)]*\))?\s*", RegexOptions.CultureInvariant);

    private static readonly Regex s_described = new(@"""([^""\s]+)""\s+-\s+(.*?)(?=\s*""[^""\s]+""\s+-\s|$)", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private static readonly Regex s_listItem = new(@"\G\s*(?:or\s+)?(['""])([^'""\s]+)\1\s*(?:\([^)]*\))?\s*,?", RegexOptions.CultureInvariant);

    public static List<SchemaEnumValue> Read(string? description, EquatableArray<DocMember> members)
    {
        var values = new List<SchemaEnumValue>();
        if (string.IsNullOrEmpty(description))
        {
            return values;
        }

        var marker = s_marker.Match(description);
        if (!marker.Success)
        {
            return values;
        }

        var at = marker.Index + marker.Length;
        var following = s_following.Match(description, at);
        if (following.Success)
        {
            foreach (Match m in s_described.Matches(description!.Substring(following.Index + following.Length)))
            {
                AddValue(values, m.Groups[1].Value, m.Groups[2].Value.Trim());
            }

            return values;
        }
        for (var item = s_listItem.Match(description, at); item.Success && item.Length > 0; item = s_listItem.Match(description, item.Index + item.Length))
        {
            AddValue(values, item.Groups[2].Value, null);
        }
        // A single value is no set to choose from (query-block's deprecated "type": "unknown" says
        // what 2.1 happens to send, not what a newer QEMU may).
        if (values.Count < 2)
        {
            values.Clear();
        }

        return values;
    }

    private static void AddValue(List<SchemaEnumValue> values, string name, string? doc)
    {
        if (values.Any(v => v.Name == name))
        {
            return;
        }

        values.Add(new SchemaEnumValue(name, string.IsNullOrEmpty(doc) ? null : doc, null, EquatableArray<SchemaFeature>.Empty, SchemaLocation.None));
    }

    /// <summary>
    /// The names QEMU's own QAPI schema gives these enums, told by a value only that enum has;
    /// an enum not listed here is named after where it sits.
    /// </summary>
    private static readonly (string Value, string Name)[] s_knownNames =
    {
        ("running", "RunState"),
        ("ipv4", "NetworkAddressFamily"),
        ("nospace", "BlockDeviceIoStatus"),
        ("enospc", "BlockdevOnError"),
        ("mirror", "BlockJobType"),
        ("unmap", "BlockdevDetectZeroesOptions"),
        ("base64", "DataFormat"),
        ("cancelled", "MigrationStatus"),
        ("vencrypt", "VncAuth"),
        ("spice", "SpiceAuth"),
        ("poweroff", "WatchdogExpirationAction"),
        ("normal", "RxState"),
        ("qcow2", "BlockdevDriver"),
        ("boolean", "CommandLineParameterType"),
    };

    public static string NameOf(string stem, List<SchemaEnumValue> values)
    {
        foreach (var (value, name) in s_knownNames)
        {
            if (values.Any(v => v.Name == value))
            {
                return name;
            }
        }
        return stem;
    }
}
