using Qmp.Codegen.Generation;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// A schema type as the generated C# names it, for its section of the page: its declaration, a line
/// that uses it, and a union's branch records by case (<c>qcow2</c>: <c>BlockdevOptions.Qcow2</c>).
/// Found in the generation spec the page's client snippets come from.
/// </summary>
internal static class CSharpTypes
{
    internal sealed record Shape(string Declaration, string Usage, IReadOnlyDictionary<string, string> Branches);

    private static readonly IReadOnlyDictionary<string, string> s_noBranches = new Dictionary<string, string>();

    public static Shape? Of(SchemaType type, GenerationSpec spec)
    {
        var name = Naming.Pascal(type.Name);
        switch (type)
        {
            case SchemaObjectType { IsUnion: true }:
                if (spec.Unions.FirstOrDefault(u => u.Name == name) is not { } union)
                {
                    return null;
                }

                var branches = union.Branches.ToDictionary(b => b.Case, b => union.Name + "." + b.Name, StringComparer.Ordinal);
                var first = union.Branches.IsEmpty ? null : union.Branches[0];
                return new Shape("abstract record " + union.Name + " (a sealed record per branch, " + union.Name + "." + union.UnknownName + " for a value this client does not know)",
                    first is null ? "" : union.Name + " value = new " + union.Name + "." + first.Name + " { ... };", branches);
            case SchemaObjectType:
                return spec.Records.Any(r => r.Name == name) ? new Shape("sealed record " + name, "var value = new " + name + " { ... };", s_noBranches) : null;
            case SchemaEnumType:
                if (spec.Enums.FirstOrDefault(e => e.Name == name) is not { } e)
                {
                    return null;
                }

                return new Shape("readonly record struct " + name + "(string Value)", e.Values.IsEmpty ? "" : name + " value = " + name + "." + e.Values[0].ClrName + ";", s_noBranches);
            case SchemaAlternateType:
                return spec.Alternates.FirstOrDefault(a => a.Name == name) is { } alternate
                    ? new Shape("sealed record " + name + " (one of: " + string.Join(", ", alternate.Branches.Select(b => b.ClrName)) + ")", "", s_noBranches)
                    : null;
            default:
                return null;
        }
    }
}
