using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

// The QAPI side of the spec builder: exact integer widths, base flattening, unions, alternates,
// boxed commands, features as attributes and doc sentences. The .hx front end never gets here
// (its model has no bases, unions, alternates or sized integers), so its output is unchanged.
public static partial class SpecBuilder
{
    /// <summary>The diagnostic id of <c>[Experimental]</c> on what QAPI marks <c>unstable</c>.</summary>
    public const string UnstableDiagnosticId = "QMP0900";

    /// <summary>The name of the enum generated for QAPI's builtin <c>QType</c>.</summary>
    private const string QTypeName = "QType";

    /// <summary>Builds the spec of a QAPI schema: the records, enums, commands and events, and the unions and alternates beside them. QAPI schemas generate no server yet.</summary>
    public static (GenerationSpec Spec, QapiTypesSpec Types) BuildQapi(QmpSchema schema, string ns, bool client, List<SchemaDiagnostic> diagnostics) =>
        BuildQapi(schema, ns, client, diagnostics, out _);

    private static (GenerationSpec Spec, QapiTypesSpec Types) BuildQapi(QmpSchema schema, string ns, bool client, List<SchemaDiagnostic> diagnostics, out Builder builder)
    {
        var stem = Naming.StemOf(ns);
        builder = new Builder(schema, stem, diagnostics, qapi: true) { Namespace = ns };
        var commands = schema.Commands.Select(builder.Command).ToList();
        var events = schema.Events.Select(builder.Event).ToList();
        var records = builder.Records().ToEquatableArray();
        var unions = builder.Unions().ToEquatableArray();
        var alternates = builder.Alternates().ToEquatableArray();
        var enums = builder.Enums().ToList();
        // After every type is built: only then is it known whether one uses QType.
        if (builder.UsesQType)
        {
            enums.Add(new EnumSpec(QTypeName, "The JSON type of a value, as QEMU names it (QAPI's builtin QType).",
                SchemaBuiltins.QTypeEnum.Values.Select(v => new EnumValueSpec(v.Name, Naming.Pascal(v.Name), null)).ToEquatableArray()));
        }
        var spec = new GenerationSpec(ns, stem, client, false, records, commands.ToEquatableArray(),
            events.Select(e => e.Record).ToEquatableArray(), events.ToEquatableArray(), enums.ToEquatableArray());
        return (spec, new QapiTypesSpec(ns, stem, unions, alternates));
    }

    private sealed partial class Builder
    {
        private readonly bool _qapi;

        public bool UsesQType { get; private set; }

        /// <summary>
        /// The namespace: QAPI's member types are referred to fully qualified, as a member is often
        /// named as its type (<c>OnCbwError? OnCbwError</c>) and a union's branch record as a type a
        /// branch uses (<c>TransactionAction.DriveBackup</c> beside <c>DriveBackup</c>).
        /// </summary>
        public string Namespace { get; set; } = string.Empty;

        private string Qualified(string name) => "global::" + Namespace + "." + name;

        private TypeRef QapiTypeOf(SchemaTypeRef type)
        {
            if (type.IsArray)
            {
                return TypeRef.ListOf(QapiTypeOf(type.Element));
            }

            switch (type.Name)
            {
                case SchemaBuiltins.Str: return TypeRef.String;
                case SchemaBuiltins.Number: return TypeRef.Number;
                case SchemaBuiltins.Bool: return TypeRef.Bool;
                case SchemaBuiltins.Int:
                case SchemaBuiltins.Int64: return TypeRef.Int;
                case SchemaBuiltins.Int8: return new TypeRef(ValueKind.Int, Width: "sbyte");
                case SchemaBuiltins.UInt8: return new TypeRef(ValueKind.Int, Width: "byte");
                case SchemaBuiltins.Int16: return new TypeRef(ValueKind.Int, Width: "short");
                case SchemaBuiltins.UInt16: return new TypeRef(ValueKind.Int, Width: "ushort");
                case SchemaBuiltins.Int32: return new TypeRef(ValueKind.Int, Width: "int");
                case SchemaBuiltins.UInt32: return new TypeRef(ValueKind.Int, Width: "uint");
                case SchemaBuiltins.UInt64:
                case SchemaBuiltins.Size: return new TypeRef(ValueKind.Int, Width: "ulong");
                case SchemaBuiltins.QType:
                    UsesQType = true;
                    return TypeRef.EnumOf(Qualified(QTypeName));
                case SchemaBuiltins.Any:
                case SchemaBuiltins.Null:
                    // 'null' outside an alternate is only ever JSON null: kept as the JsonElement it is.
                    return TypeRef.Json;
            }
            if (_index.Type(type.Name) is { } named && _clrNames.TryGetValue(named.Name, out var name))
            {
                return named switch
                {
                    SchemaEnumType => TypeRef.EnumOf(Qualified(name)),
                    SchemaObjectType => TypeRef.Record(Qualified(name)),
                    SchemaAlternateType a => new TypeRef(ValueKind.Object, Qualified(name), IsAlternate: true,
                        AcceptsNull: a.Branches.Any(b => !b.Type.IsArray && b.Type.Name == SchemaBuiltins.Null)),
                    _ => TypeRef.Json,
                };
            }
            return TypeRef.Json;
        }

        private CommandGenerationSpec QapiCommand(SchemaCommand command)
        {
            var methodName = MethodName(command);
            string? argumentsType = null;
            var properties = EquatableArray<PropertySpec>.Empty;
            var checks = new List<ArgumentCheck>();
            var boxed = false;
            if (command.Arguments is { } arguments && _index.Type(arguments.Name) is { } type && _clrNames.TryGetValue(type.Name, out var clr))
            {
                argumentsType = clr;
                if (command.Flags.Boxed || type is not SchemaObjectType { IsUnion: false })
                {
                    boxed = true;
                }
                else if (type is SchemaObjectType o)
                {
                    properties = Record(o, argumentsType, null, null).Properties;
                    foreach (var member in _index.AllMembers(o))
                    {
                        checks.Add(new ArgumentCheck(member.Name, member.Optional, null));
                    }
                }
            }
            var result = command.Returns is null ? null : TypeOf(command.Returns);
            var doc = QapiDocOf(command.Doc, "Executes the QMP command <c>" + CSharpText.Xml(command.Name) + "</c>.", command.Features, command.Condition);
            return new CommandGenerationSpec(command.Name, methodName, argumentsType, properties, result, false,
                checks.ToEquatableArray(), doc, command.Condition?.ToString(), false, boxed, AttributesOf(command.Features, command.Name));
        }

        private EventGenerationSpec QapiEvent(SchemaEvent e)
        {
            var name = _clrNames["event:" + e.Name];
            var doc = QapiDocOf(e.Doc, "The QMP event <c>" + CSharpText.Xml(e.Name) + "</c>.", e.Features, e.Condition);
            var data = e.Data is { } d && _index.Type(d.Name) is { } t && t is SchemaObjectType { IsUnion: false } o ? o : null;
            // A union as an event's data (boxed) has no flat record: its members are kept in Extra.
            var unionData = data is null && e.Data is not null;
            var summary = XmlDocRenderer.EventSummary(doc);
            var record = data is null
                ? new RecordSpec(name, summary, EquatableArray<PropertySpec>.Empty, unionData, e.Name)
                : Record(data, name, summary, e.Name);
            var emit = Naming.Unique("Emit" + Naming.Pascal(e.Name.ToLowerInvariant()), _usedEmits);
            return new EventGenerationSpec(e.Name, emit, record, doc);
        }

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
                    var property = Property(member.Name, TypeOf(member.Type), member.Optional, QapiMemberDoc(member), used);
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
                // Every branch's name first: a branch's member must not hide another branch's record.
                // A branch record named as a member of some branch gets "Branch" added, so members keep their names (Qcow2.File, BlockdevOptions.FileBranch).
                var memberNames = new HashSet<string>(variants.Branches
                    .SelectMany(v => _index.Type(v.Type.Name) is { } vt && vt is SchemaObjectType vo ? _index.AllMembers(vo) : Enumerable.Empty<SchemaMember>())
                    .Select(m => Naming.Pascal(m.Name)), StringComparer.Ordinal);
                var branchNames = cases.Select(c => Naming.Pascal(c)).Select(n => Naming.Unique(memberNames.Contains(n) ? n + "Branch" : n, used)).ToList();
                for (var i = 0; i < cases.Count; i++)
                {
                    var @case = cases[i];
                    var branchName = branchNames[i];
                    var variant = variants.Branches.FirstOrDefault(b => b.Case == @case);
                    var branchUsed = new HashSet<string>(used, StringComparer.Ordinal) { branchName };
                    foreach (var p in baseProperties)
                    {
                        branchUsed.Add(p.ClrName);
                    }

                    var properties = new List<PropertySpec>();
                    if (variant is not null && _index.Type(variant.Type.Name) is { } bt && bt is SchemaObjectType branchType)
                    {
                        foreach (var member in _index.AllMembers(branchType))
                        {
                            properties.Add(Property(member.Name, TypeOf(member.Type), member.Optional, QapiMemberDoc(member), branchUsed));
                        }
                    }
                    var summary = "The branch of " + name + " for " + tag.JsonName + " \"" + @case + "\"."
                        + (variant?.Condition is { } c ? " " + XmlDocRenderer.ConditionSentence(c) : string.Empty);
                    branches.Add(new UnionBranchSpec(@case, branchName, summary, properties.ToEquatableArray()));
                }
                yield return new UnionSpec(name, TypeSummary(union), tag, baseProperties.ToEquatableArray(), branches.ToEquatableArray(), unknown, unknownMembers);
            }
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

        /// <summary>A type's summary: its doc body and what its features and condition say.</summary>
        private static string? TypeSummary(SchemaType type)
        {
            var extra = FeatureSentences(type.Features, type.Condition);
            var body = type.Doc?.Body;
            if (string.IsNullOrWhiteSpace(body))
            {
                return extra.Length == 0 ? null : extra;
            }

            return extra.Length == 0 ? body : body + " " + extra;
        }

        private static string? QapiMemberDoc(SchemaMember member)
        {
            var extra = FeatureSentences(member.Features, member.Condition);
            if (extra.Length == 0)
            {
                return member.Doc;
            }

            return string.IsNullOrWhiteSpace(member.Doc) ? extra : member.Doc + " " + extra;
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

    /// <summary>A QAPI doc as XML docs: the body, returns, the errors, and in the remarks the rest, notes, features, condition and since.</summary>
    private static DocSpec QapiDocOf(SchemaDoc? doc, string fallback, EquatableArray<SchemaFeature> features, SchemaCondition? condition) =>
        XmlDocRenderer.Qapi(DocOf(doc, fallback), doc, FeatureSentences(features, condition));
}
