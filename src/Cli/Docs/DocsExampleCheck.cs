using System.Text.Json;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Whether an example's request survives the typed client: every member it sends must be one the
/// arguments' records declare (through nested objects, arrays and union branches), or sit in an open
/// object, whose record keeps the rest in <c>AdditionalProperties</c>. An example is badged "checked"
/// only then; otherwise the members the typed records would drop are listed.
/// </summary>
internal static class DocsExampleCheck
{
    /// <summary>
    /// The members of <paramref name="requestJson"/>'s <c>arguments</c> a typed round trip would lose
    /// (<c>options.bogus</c>), empty when none or when the request cannot be read.
    /// <paramref name="open"/>: the arguments object is open (QEMU 2.1's option lists, QAPI's
    /// <c>'gen': false</c>).
    /// </summary>
    public static List<string> Dropped(string? requestJson, SchemaObjectType? arguments, bool open, SchemaIndex index)
    {
        var dropped = new List<string>();
        if (requestJson is null)
        {
            return dropped;
        }

        try
        {
            using var document = JsonDocument.Parse(requestJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("arguments", out var sent)
                || sent.ValueKind != JsonValueKind.Object)
            {
                return dropped;
            }

            if (arguments is null)
            {
                dropped.AddRange(sent.EnumerateObject().Select(p => p.Name));
                return dropped;
            }

            Walk(sent, arguments, open, "", index, dropped, 0);
        }
        catch (JsonException)
        {
            // Not JSON: the example is badged unreadable elsewhere.
        }

        return dropped;
    }

    private static void Walk(JsonElement value, SchemaObjectType type, bool open, string path, SchemaIndex index, List<string> dropped, int depth)
    {
        if (depth > 32)
        {
            return;
        }

        var members = index.AllMembers(type).ToList();
        // A union: the branch the discriminator's value selects adds its members.
        if (type.Variants is { } variants && value.TryGetProperty(variants.Tag, out var tag) && tag.ValueKind == JsonValueKind.String
            && variants.Branches.FirstOrDefault(b => b.Case == tag.GetString()) is { } branch
            && index.ObjectType(branch.Type) is { } branchType)
        {
            members.AddRange(index.AllMembers(branchType));
            open |= index.IsOpen(branchType);
        }

        foreach (var property in value.EnumerateObject())
        {
            var member = members.FirstOrDefault(m => m.Name == property.Name);
            var name = path.Length == 0 ? property.Name : path + "." + property.Name;
            if (member is null)
            {
                if (!open)
                {
                    dropped.Add(name);
                }

                continue;
            }

            WalkValue(property.Value, member.Type, name, index, dropped, depth + 1);
        }
    }

    private static void WalkValue(JsonElement value, SchemaTypeRef type, string path, SchemaIndex index, List<string> dropped, int depth)
    {
        if (type.IsArray)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    WalkValue(item, type.Element, path + "[]", index, dropped, depth + 1);
                }
            }

            return;
        }

        switch (index.Type(type.Name))
        {
            case SchemaObjectType o when value.ValueKind == JsonValueKind.Object:
                Walk(value, o, index.IsOpen(o), path, index, dropped, depth);
                break;
            case SchemaAlternateType a when value.ValueKind == JsonValueKind.Object
                && a.Branches.Select(b => index.ObjectType(b.Type)).FirstOrDefault(t => t is not null) is { } inline:
                // An alternate's object branch (BlockdevRef's inline definition).
                Walk(value, inline, index.IsOpen(inline), path, index, dropped, depth);
                break;
        }
    }
}
