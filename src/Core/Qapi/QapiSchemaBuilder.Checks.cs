using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

// Pass 2, once every name is known: QEMU's QAPISchema.check() and connect_doc().
internal sealed partial class QapiSchemaBuilder
{
    private string DescribeType(SchemaTypeRef type)
    {
        if (type.IsArray)
        {
            return "an array of '" + type.Name + "'";
        }

        if (SchemaBuiltins.IsBuiltin(type.Name))
        {
            return "builtin type '" + type.Name + "'";
        }

        return _index.Type(type.Name) is { } t ? Kind(t) + " '" + type.Name + "'" : "'" + type.Name + "'";
    }

    private static string Kind(SchemaType type) => type switch
    {
        SchemaObjectType { IsUnion: true } => "union",
        SchemaObjectType => "struct",
        SchemaEnumType => "enum",
        _ => "alternate",
    };

    private SchemaObjectType? ObjectType(string? name) => _index.ObjectType(name);

    /// <summary>Every member of an object: its base chain's first, then its own (branch members excluded), stopping at a cycle.</summary>
    private List<(SchemaMember Member, string Owner)> AllMembers(SchemaObjectType type) =>
        _index.BaseChain(type).SelectMany(t => t.Members.Select(m => (m, t.Name))).ToList();

    private void CheckType(SchemaType type)
    {
        switch (type)
        {
            case SchemaObjectType o:
                CheckObject(o);
                break;
            case SchemaAlternateType a:
                CheckAlternate(a);
                break;
        }
    }

    private void CheckObject(SchemaObjectType o)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.Base is { } baseName && (SchemaBuiltins.IsBuiltin(baseName) || _index.Type(baseName) is not null))
        {
            var b = ObjectType(baseName);
            if (b is null || b.IsUnion)
            {
                Report(QapiDiagnostics.BadBase, o.Location, o.Name, "it must be a struct, not " + DescribeType(SchemaTypeRef.Of(baseName)));
                return;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal) { o.Name };
            for (var t = b; t is not null; t = ObjectType(t.Base))
            {
                if (!seen.Add(t.Name) || t.Base == o.Name)
                {
                    Report(QapiDiagnostics.BadBase, o.Location, o.Name, "'" + o.Name + "' contains itself through its bases");
                    return;
                }
            }
            foreach (var (member, owner) in AllMembers(b))
            {
                members[QapiNames.CName(member.Name)] = "member '" + member.Name + "' of base '" + owner + "'";
            }
        }
        foreach (var member in o.Members)
        {
            if (members.TryGetValue(QapiNames.CName(member.Name), out var other))
            {
                Report(QapiDiagnostics.MemberClash, member.Location, "member '" + member.Name + "' of '" + o.Name + "'", other);
            }
        }
        if (o.Variants is { } variants)
        {
            CheckUnion(o, variants, members);
        }
    }

    private void CheckUnion(SchemaObjectType union, SchemaVariants variants, Dictionary<string, string> baseMembers)
    {
        if (union.Base is null || ObjectType(union.Base) is not { IsUnion: false } b)
        {
            return;
        }

        var tagNode = _unionTags[union.Name];
        if (variants.Tag.Length == 0)
        {
            return;
        }

        var tag = AllMembers(b).Select(m => m.Member).FirstOrDefault(m => m.Name == variants.Tag);
        SchemaEnumType? tagEnum = null;
        if (tag is null)
        {
            Report(QapiDiagnostics.BadDiscriminator, tagNode.Location, variants.Tag, union.Name, "is not a member of its base '" + union.Base + "'");
        }
        else
        {
            tagEnum = !tag.Type.IsArray && _index.Type(tag.Type.Name) is { } t ? t as SchemaEnumType : null;
            if (tagEnum is null)
            {
                Report(QapiDiagnostics.BadDiscriminator, tagNode.Location, variants.Tag, union.Name, "must be a member of enum type, not of " + DescribeType(tag.Type));
            }

            if (tag.Optional)
            {
                Report(QapiDiagnostics.BadDiscriminator, tagNode.Location, variants.Tag, union.Name, "must not be an optional member");
            }

            if (tag.Condition is not null)
            {
                Report(QapiDiagnostics.BadDiscriminator, tagNode.Location, variants.Tag, union.Name, "must not be a conditional member");
            }
        }
        // schema.py: the enum's values without a branch get an empty one, so only an enum without
        // values and a union without branches leave it with none.
        if (tagEnum is not null && tagEnum.Values.Count == 0 && variants.Branches.Count == 0)
        {
            Report(QapiDiagnostics.UnionNoBranches, union.Location);
        }

        foreach (var branch in variants.Branches)
        {
            if (tagEnum is not null && !tagEnum.Values.Any(v => v.Name == branch.Case))
            {
                Report(QapiDiagnostics.BranchNotInEnum, branch.Location, branch.Case, union.Name, tagEnum.Name);
            }

            if (_index.Type(branch.Type.Name) is not { } type)
            {
                continue;
            }

            if (type is not SchemaObjectType branchType)
            {
                Report(QapiDiagnostics.BadBranchType, branch.Location, branch.Case, union.Name, DescribeType(branch.Type) + " (a branch must be an object type)");
                continue;
            }
            foreach (var (member, owner) in AllMembers(branchType))
            {
                if (baseMembers.TryGetValue(QapiNames.CName(member.Name), out var other))
                {
                    Report(QapiDiagnostics.MemberClash, branch.Location, "member '" + member.Name + "' of branch '" + branch.Case + "' ('" + owner + "')", other);
                }
            }
        }
    }

    /// <summary>
    /// QEMU's alternate check: a value is routed to a branch by its JSON type, so no two branches
    /// may read the same one. A string branch also claims numbers and booleans (the command line
    /// gives every value as a string), unless it is an enum whose values cannot look like them.
    /// </summary>
    private void CheckAlternate(SchemaAlternateType alternate)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var branch in alternate.Branches)
        {
            var kinds = new List<string>();
            if (branch.Type.IsArray)
            {
                kinds.Add("array");
            }
            else if (SchemaBuiltins.JsonTypeOf(branch.Type.Name) is { } json && branch.Type.Name != SchemaBuiltins.QType)
            {
                switch (json)
                {
                    case JsonType.String: kinds.Add("string"); kinds.Add("number"); kinds.Add("boolean"); break;
                    case JsonType.Int: case JsonType.Number: kinds.Add("number"); break;
                    case JsonType.Boolean: kinds.Add("boolean"); break;
                    case JsonType.Null: kinds.Add("null"); break;
                    default:
                        Report(QapiDiagnostics.BadBranchType, branch.Location, branch.Name, alternate.Name, DescribeType(branch.Type));
                        continue;
                }
            }
            else if (branch.Type.Name == SchemaBuiltins.QType || _index.Type(branch.Type.Name) is { } t && t is SchemaEnumType)
            {
                kinds.Add("string");
                if (_index.Type(branch.Type.Name) is { } e && e is SchemaEnumType enumType)
                {
                    if (enumType.Values.Any(v => v.Name is "on" or "off"))
                    {
                        kinds.Add("boolean");
                    }

                    if (enumType.Values.Any(v => v.Name.Length > 0 && "-+0123456789.".IndexOf(v.Name[0]) >= 0))
                    {
                        kinds.Add("number");
                    }
                }
            }
            else if (_index.Type(branch.Type.Name) is { } other)
            {
                if (other is not SchemaObjectType)
                {
                    Report(QapiDiagnostics.BadBranchType, branch.Location, branch.Name, alternate.Name, DescribeType(branch.Type));
                    continue;
                }
                kinds.Add("object");
            }
            else
            {
                continue;
            }
            foreach (var kind in kinds)
            {
                if (seen.TryGetValue(kind, out var earlier))
                {
                    Report(QapiDiagnostics.AmbiguousAlternate, branch.Location, branch.Name, alternate.Name, earlier, kind);
                    break;
                }
            }
            foreach (var kind in kinds)
            {
                if (!seen.ContainsKey(kind))
                {
                    seen[kind] = branch.Name;
                }
            }
        }
    }

    private void CheckCommand(SchemaCommand command)
    {
        CheckData("command", command.Name, command.Arguments, command.Flags.Boxed, command.Location);
        if (command.Returns is not { } returns || _pragmas.CommandReturnsExceptions.Contains(command.Name))
        {
            return;
        }

        if (SchemaBuiltins.IsBuiltin(returns.Name) || _index.Type(returns.Name) is { } type && type is not SchemaObjectType)
        {
            Report(QapiDiagnostics.BadReturns, command.Location, command.Name, DescribeType(returns) + " (only objects or arrays of objects, unless pragma 'command-returns-exceptions' names it)");
        }
    }

    private void CheckData(string meta, string name, SchemaTypeRef? data, bool boxed, SchemaLocation location)
    {
        if (data is null)
        {
            return;
        }

        var type = _index.Type(data.Name);
        if (type is null && !SchemaBuiltins.IsBuiltin(data.Name))
        {
            return;
        }

        if (type is not SchemaObjectType o)
        {
            Report(QapiDiagnostics.BadData, location, meta, name, DescribeType(data) + " (it must be an object type)");
        }
        else if (o.IsUnion && !boxed)
        {
            Report(QapiDiagnostics.BadData, location, meta, name, DescribeType(data) + " without 'boxed': true");
        }
    }

    // ---- docs ----

    /// <summary>Connects a definition's doc to its members and features (QEMU's connect_doc and QAPIDoc.check).</summary>
    private void CheckDoc(Definition d)
    {
        var doc = d.Doc;
        if (doc is null || doc.Symbol != d.Name)
        {
            return;
        }

        var exceptions = _pragmas.DocumentationExceptions;
        foreach (var (name, location) in d.DocumentedMembers)
        {
            if (doc.Arg(name) is { } arg)
            {
                arg.Connected = true;
            }
            else if (exceptions is not null && !exceptions.Contains(d.Name))
            {
                Report(QapiDiagnostics.DocMissing, location, "member", name);
            }
        }
        foreach (var (name, location) in d.Features)
        {
            if (doc.Feature(name) is { } feature)
            {
                feature.Connected = true;
            }
            else
            {
                Report(QapiDiagnostics.DocMissing, location, "feature", name);
            }
        }
        foreach (var arg in doc.Args.Where(a => !a.Connected))
        {
            Report(QapiDiagnostics.DocNamesAbsent, arg.Location, "member", arg.Name);
        }

        foreach (var feature in doc.Features.Where(a => !a.Connected))
        {
            Report(QapiDiagnostics.DocNamesAbsent, feature.Location, "feature", feature.Name);
        }

        if (d.Meta != "command" && doc.Sections.FirstOrDefault(s => s.Tag == SchemaDoc.Returns) is { } returns)
        {
            Report(QapiDiagnostics.ReturnsNotCommand, returns.Location, d.Meta, d.Name);
        }

        d.ModelDoc = new SchemaDoc(doc.Body, doc.Sections.ToEquatableArray(),
            doc.Features.Select(f => new SchemaFeatureDoc(f.Name, f.Text)).ToEquatableArray(),
            doc.Examples.ToEquatableArray(), doc.Location);
    }

    private static string? MemberDoc(Definition owner, string name) =>
        owner.Doc?.Arg(name) is { Text.Length: > 0 } arg && owner.Doc.Symbol == owner.Name ? arg.Text : null;

    /// <summary>The types with their docs and their members' docs in place, and the commands' and events' docs.</summary>
    private List<SchemaType> ApplyDocs(List<SchemaType> types)
    {
        for (var i = 0; i < _commands.Count; i++)
        {
            if (_defined.TryGetValue(_commands[i].Name, out var d) && d.ModelDoc is not null)
            {
                _commands[i] = _commands[i] with { Doc = d.ModelDoc };
            }
        }
        for (var i = 0; i < _events.Count; i++)
        {
            if (_defined.TryGetValue(_events[i].Name, out var d) && d.ModelDoc is not null)
            {
                _events[i] = _events[i] with { Doc = d.ModelDoc };
            }
        }
        var result = new List<SchemaType>(types.Count);
        foreach (var type in types)
        {
            if (!_docOwner.TryGetValue(type.Name, out var owner) || owner.Doc is null)
            {
                result.Add(type);
                continue;
            }
            var own = owner.Name == type.Name ? owner.ModelDoc : null;
            result.Add(type switch
            {
                SchemaObjectType o => o with
                {
                    Doc = own,
                    Members = o.Members.Select(m => m with { Doc = MemberDoc(owner, m.Name) }).ToEquatableArray(),
                },
                SchemaEnumType e => e with
                {
                    Doc = own,
                    Values = e.Values.Select(v => v with { Doc = MemberDoc(owner, v.Name) }).ToEquatableArray(),
                },
                SchemaAlternateType a => a with
                {
                    Doc = own,
                    Branches = a.Branches.Select(b => b with { Doc = MemberDoc(owner, b.Name) }).ToEquatableArray(),
                },
                _ => type,
            });
        }
        return result;
    }
}
