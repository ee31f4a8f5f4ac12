using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

// Unions, alternates, QType and what features say: the parts of the spec builder a schema with
// such definitions reaches (an .hx schema has none, and builds through the same rules).
public static partial class SpecBuilder
{
    /// <summary>The diagnostic id of <c>[Experimental]</c> on what QAPI marks <c>unstable</c>.</summary>
    public const string UnstableDiagnosticId = "QMP0900";

    /// <summary>The name of the enum generated for QAPI's builtin <c>QType</c>.</summary>
    private const string QTypeName = "QType";

    private sealed partial class Builder
    {
        public bool UsesQType { get; private set; }

        /// <summary>
        /// The namespace: member types are referred to fully qualified, as a member is often
        /// named as its type (<c>OnCbwError? OnCbwError</c>) and a union's branch record as a type a
        /// branch uses (<c>TransactionAction.DriveBackup</c> beside <c>DriveBackup</c>).
        /// </summary>
        public string Namespace { get; }

        private string Qualified(string name) => "global::" + Namespace + "." + name;

        /// <summary>Every union, in schema order.</summary>
        public IEnumerable<UnionSpec> Unions()
        {
            foreach (var type in _schema.Types)
            {
                if (type is not SchemaObjectType { IsUnion: true } union || !_clrNames.TryGetValue(union.Name, out var name) || _eventTypes.Contains(name))
                {
                    continue;
                }

                var variants = union.Variants!;
                var used = NewMemberSet(name);
                used.Add("WriteBranch");
                used.Add("ReadBranch");
                var unknown = Naming.Unique("Unknown", used);
                PropertySpec? tag = null;
                var baseProperties = new List<PropertySpec>();
                var baseMembers = _index.AllMembers(union).ToList();
                foreach (var member in baseMembers)
                {
                    var property = Property(member.Name, TypeOf(member.Type), member.Optional, MemberDoc(member), used);
                    if (member.Name == variants.Tag)
                    {
                        tag = property;
                    }
                    else
                    {
                        baseProperties.Add(property);
                    }
                }
                if (tag is null || tag.Type.Kind != ValueKind.Enum)
                {
                    continue; // the reader reports a discriminator that is not an enum member of the base
                }

                var cases = _index.Type(baseMembers.First(m => m.Name == variants.Tag).Type.Name) is { } tagType && tagType is SchemaEnumType tagEnum
                    ? tagEnum.Values.Select(v => v.Name).ToList()
                    : variants.Branches.Select(b => b.Case).ToList();
                var unknownMembers = Naming.Unique("BranchMembers", new HashSet<string>(used, StringComparer.Ordinal) { unknown });
                var branches = new List<UnionBranchSpec>();
                // One rule for every branch: its record is named as its case (BlockdevOptions.File,
                // BlockdevOptions.Qcow2), clear of the union's own members. A member of a branch that copies
                // its members may share another branch's name: it is declared `new` (it hides the inherited
                // nested record, see UnionEmitter), and keeps its name; one named as its own branch gets a number.
                var memberUsed = new HashSet<string>(used, StringComparer.Ordinal);
                var branchNames = cases.Select(c => Naming.Unique(Naming.Pascal(c), used)).ToList();
                for (var i = 0; i < cases.Count; i++)
                {
                    var @case = cases[i];
                    var branchName = branchNames[i];
                    var variant = variants.Branches.FirstOrDefault(b => b.Case == @case);
                    var branchUsed = new HashSet<string>(memberUsed, StringComparer.Ordinal) { branchName };
                    foreach (var p in baseProperties)
                    {
                        branchUsed.Add(p.ClrName);
                    }

                    var properties = new List<PropertySpec>();
                    PropertySpec? data = null;
                    if (variant is not null && _index.Type(variant.Type.Name) is SchemaObjectType carried && IsBranchRecord(carried))
                    {
                        // The branch carries its type's generated record rather than a copy of its members.
                        data = Property("data", TypeOf(variant.Type), false, null, branchUsed);
                    }
                    else if (variant is not null && _index.Type(variant.Type.Name) is { } bt && bt is SchemaObjectType branchType)
                    {
                        foreach (var member in _index.AllMembers(branchType))
                        {
                            properties.Add(Property(member.Name, TypeOf(member.Type), member.Optional, MemberDoc(member), branchUsed));
                        }
                    }
                    var summary = "The branch of " + name + " for " + tag.JsonName + " \"" + @case + "\"."
                        + (variant?.Condition is { } c ? " " + XmlDocRenderer.ConditionSentence(c) : string.Empty);
                    branches.Add(new UnionBranchSpec(@case, branchName, summary, properties.ToEquatableArray(), data));
                }
                yield return new UnionSpec(name, TypeSummary(union), tag, baseProperties.ToEquatableArray(), branches.ToEquatableArray(), unknown, unknownMembers);
            }
        }

        private HashSet<string>? _branchRecords;

        /// <summary>
        /// True for a type a union's branch carries as one property: a generated record (not a union,
        /// nor an event's data, nor open to any member: its reader would take the base's members too)
        /// with members, used as a branch by a union that is generated.
        /// </summary>
        private bool IsBranchRecord(SchemaObjectType type)
        {
            if (_branchRecords is null)
            {
                _branchRecords = new HashSet<string>(StringComparer.Ordinal);
                foreach (var t in _schema.Types)
                {
                    if (t is SchemaObjectType { IsUnion: true } u && _clrNames.TryGetValue(u.Name, out var un) && !_eventTypes.Contains(un))
                    {
                        foreach (var b in u.Variants!.Branches)
                        {
                            _branchRecords.Add(b.Type.Name);
                        }
                    }
                }
            }
            return _branchRecords.Contains(type.Name) && !type.IsUnion && !type.AcceptsAnyMember && !type.IsImplicit
                && _clrNames.TryGetValue(type.Name, out var name) && !_eventTypes.Contains(name) && _index.AllMembers(type).Any();
        }

        /// <summary>Every alternate, in schema order.</summary>
        public IEnumerable<AlternateSpec> Alternates()
        {
            foreach (var type in _schema.Types)
            {
                if (type is not SchemaAlternateType alternate || !_clrNames.TryGetValue(alternate.Name, out var name))
                {
                    continue;
                }

                var used = new HashSet<string>(StringComparer.Ordinal) { name, "Read", "Write", "IsNull", "Null", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType", "Clone" };
                var branches = alternate.Branches.Select(b =>
                {
                    var isNull = !b.Type.IsArray && b.Type.Name == SchemaBuiltins.Null;
                    return new AlternateBranchSpec(b.Name, isNull ? "IsNull" : Naming.Unique(Naming.Pascal(b.Name), used), isNull ? null : TypeOf(b.Type),
                        string.IsNullOrWhiteSpace(b.Doc) ? null : b.Doc);
                }).ToEquatableArray();
                yield return new AlternateSpec(name, TypeSummary(alternate), branches);
            }
        }

        /// <summary>A type's summary: its doc body (without a lone lead-in) and what its features and condition say.</summary>
        private static string? TypeSummary(SchemaType type)
        {
            var extra = FeatureSentences(type.Features, type.Condition);
            var body = DocText.Meaningful(type.Doc?.Body);
            if (string.IsNullOrWhiteSpace(body))
            {
                return extra.Length == 0 ? null : extra;
            }
            return extra.Length == 0 ? body : body + " " + extra;
        }
    }

    /// <summary>What <c>deprecated</c>, <c>unstable</c> and <c>if</c> mean, as sentences for the docs.</summary>
    private static string FeatureSentences(EquatableArray<SchemaFeature> features, SchemaCondition? condition)
    {
        var parts = new List<string>();
        if (SchemaFeature.Has(features, SchemaFeature.Deprecated))
        {
            parts.Add("Deprecated.");
        }

        if (SchemaFeature.Has(features, SchemaFeature.Unstable))
        {
            parts.Add("Unstable (experimental in QEMU).");
        }

        if (condition is not null)
        {
            parts.Add(XmlDocRenderer.ConditionSentence(condition));
        }

        return string.Join(" ", parts);
    }

    /// <summary>The attributes of a command's methods: <c>deprecated</c> is <c>[Obsolete]</c>, <c>unstable</c> <c>[Experimental]</c>.</summary>
    private static EquatableArray<string> AttributesOf(EquatableArray<SchemaFeature> features, string name)
    {
        var attributes = new List<string>();
        if (SchemaFeature.Has(features, SchemaFeature.Deprecated))
        {
            attributes.Add("[global::System.Obsolete(" + CSharpText.Literal("QMP command '" + name + "' is deprecated in the schema.") + ")]");
        }

        if (SchemaFeature.Has(features, SchemaFeature.Unstable))
        {
            attributes.Add("[global::System.Diagnostics.CodeAnalysis.Experimental(\"" + UnstableDiagnosticId + "\")]");
        }

        return attributes.ToEquatableArray();
    }
}
