using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

/// <summary>
/// Builds the <see cref="GenerationSpec"/> from the <see cref="QmpSchema"/>: C# names and C# types
/// for what the model says travels. It reads only the model (never schema text), so whichever
/// reader filled the model, the generated C# follows the same rules. A command's implicit
/// arguments type becomes <c>XxxArguments</c>, an event's data <c>XxxEvent</c>, every named type a
/// record of its (PascalCase) name.
/// </summary>
public static partial class SpecBuilder
{
    /// <summary>Member names a generated record keeps for itself; a JSON member with such a C# name gets a suffix.</summary>
    private static readonly string[] s_reservedMemberNames = { "Read", "Write", "AdditionalProperties", "WireName", "Timestamp", "EventName", "Clone", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType" };

    /// <summary>Member names a generated enum keeps for itself.</summary>
    private static readonly string[] s_reservedEnumMemberNames = { "Value", "Values", "IsKnown", "Read", "Write", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType" };

    /// <summary>
    /// Commands that read a file descriptor sent with them as SCM_RIGHTS ancillary data (QEMU's
    /// monitor takes it from the socket, not from the arguments, so the schema cannot say so):
    /// <c>getfd</c> names it, <c>add-fd</c> adds it to an fd set. The client gets overloads that take it.
    /// </summary>
    private static readonly string[] s_fileDescriptorCommands = { "getfd", "add-fd" };

    public static GenerationSpec Build(QmpSchema schema, string ns, bool client, bool server) => Build(schema, ns, client, server, new List<SchemaDiagnostic>());

    /// <summary>
    /// The one entry, whatever the reader: the records, enums, unions, alternates, commands and
    /// events of the schema, and their split into modules (<see cref="GenerationSpec.Modules"/>).
    /// <paramref name="diagnostics"/> receives where a QMP name could not be its C# name.
    /// </summary>
    public static GenerationSpec Build(QmpSchema schema, string ns, bool client, bool server, List<SchemaDiagnostic> diagnostics, bool @internal = false)
    {
        var stem = Naming.StemOf(ns);
        var builder = new Builder(schema, stem, ns, diagnostics);
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
        var spec = new GenerationSpec(ns, stem, client, server, records, commands.ToEquatableArray(),
            events.Select(e => e.Record).ToEquatableArray(), events.ToEquatableArray(), enums.ToEquatableArray())
        {
            Unions = unions,
            Alternates = alternates,
            Internal = @internal,
        };
        return spec with { Modules = ModulesOf(schema, spec, builder) };
    }

    private sealed partial class Builder
    {
        private readonly SchemaIndex _index;
        private readonly Dictionary<string, string> _clrNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _eventTypes = new(StringComparer.Ordinal);
        private readonly QmpSchema _schema;
        private readonly List<SchemaDiagnostic> _diagnostics;
        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

        /// <summary>
        /// The first doc of each member name and wire type in the schema. QEMU 2.1 documents some
        /// replies only by example (<c>query-named-block-nodes</c>), while the same members are
        /// documented where another command returns them (<c>query-block</c>): such a member borrows
        /// that doc rather than have none.
        /// </summary>
        private readonly Dictionary<string, string> _memberDocs = new(StringComparer.Ordinal);

        public Builder(QmpSchema schema, string stem, string ns, List<SchemaDiagnostic> diagnostics)
        {
            Namespace = ns;
            _schema = schema;
            _diagnostics = diagnostics;
            _index = SchemaIndex.Of(schema);
            foreach (var member in schema.Types.OfType<SchemaObjectType>().SelectMany(t => t.Members))
            {
                if (!string.IsNullOrWhiteSpace(member.Doc) && !_memberDocs.ContainsKey(DocKey(member)))
                {
                    _memberDocs[DocKey(member)] = member.Doc!;
                }
            }
            var used = new HashSet<string>(StringComparer.Ordinal)
            {
                stem + "Client", "I" + stem + "Client", stem + "CommandsBase", stem + "CommandHandlers", stem + "Events", stem + "Event", stem + "EventEmitter",
                "Untyped" + stem + "Event", stem + "Json", stem,
                // The model's predefined QType keeps its name whenever a schema uses it.
                QTypeName,
            };
            // Implicit types take their names from what they belong to, first, as they always did.
            var methods = new HashSet<string>(StringComparer.Ordinal);
            foreach (var command in schema.Commands)
            {
                var methodStem = Naming.Unique(Naming.Pascal(command.Name), methods);
                if (command.Arguments is { } arguments && IsImplicit(arguments.Name) && !_clrNames.ContainsKey(arguments.Name))
                {
                    _clrNames[arguments.Name] = Naming.Unique(methodStem + "Arguments", used);
                }
            }
            foreach (var type in schema.Types)
            {
                if (!_clrNames.ContainsKey(type.Name) && !IsImplicit(type.Name))
                {
                    _clrNames[type.Name] = Naming.Unique(Naming.Pascal(type.Name), used);
                }
            }
            foreach (var e in schema.Events)
            {
                var wanted = Naming.Pascal(e.Name.ToLowerInvariant()) + "Event";
                var name = Naming.Unique(wanted, used);
                if (name != wanted)
                {
                    _diagnostics.Add(GeneratorDiagnostics.SameIdentifier.Report(e.Location, 0, Printable(e.Name), wanted, name));
                }
                _eventTypes.Add(name);
                // An event may name a type used elsewhere too: only an implicit one becomes the event's record.
                if (e.Data is { } data && IsImplicit(data.Name))
                {
                    _clrNames[data.Name] = name;
                }

                _clrNames["event:" + e.Name] = name;
            }
        }

        private static string DocKey(SchemaMember member) => member.Name + "\0" + member.Type;

        /// <summary>
        /// A member's doc: its own, one borrowed from the same member elsewhere, or its name in words;
        /// then what its features and condition say.
        /// </summary>
        private string MemberDoc(SchemaMember member)
        {
            var doc = DocText.WithoutTrailingLeadIn(member.Doc)
                ?? (_memberDocs.TryGetValue(DocKey(member), out var borrowed) ? DocText.WithoutTrailingLeadIn(borrowed) : null)
                ?? DocText.Words(member.Name);
            var extra = FeatureSentences(member.Features, member.Condition);
            return extra.Length == 0 ? doc : doc + " " + extra;
        }

        private bool IsImplicit(string name) => _index.Type(name) is { } type && type is SchemaObjectType { IsImplicit: true };

        /// <summary>Every object type but events' data, in schema order.</summary>
        public IEnumerable<RecordSpec> Records()
        {
            foreach (var type in _schema.Types)
            {
                if (type is SchemaObjectType o && !o.IsUnion && _clrNames.TryGetValue(o.Name, out var name) && !_eventTypes.Contains(name))
                {
                    yield return Record(o, name, o.IsImplicit ? ArgumentsSummary(o.Name) : XmlOf(TypeSummary(o)) ?? ReturnedBy(o.Name), null);
                }
            }
        }

        /// <summary>Every enum type, in schema order.</summary>
        public IEnumerable<EnumSpec> Enums()
        {
            foreach (var type in _schema.Types)
            {
                if (type is not SchemaEnumType e)
                {
                    continue;
                }

                var name = _clrNames[e.Name];
                var used = new HashSet<string>(s_reservedEnumMemberNames, StringComparer.Ordinal) { name };
                var values = e.Values.Select(v => new EnumValueSpec(v.Name, Naming.Unique(Naming.Pascal(v.Name), used), v.Doc)).ToEquatableArray();
                yield return new EnumSpec(name, TypeSummary(e), values);
            }
        }

        /// <summary>
        /// An undocumented record by where it is used (XML): "What <c>query-block</c> returns.", or
        /// "The <c>inserted</c> member of BlockInfo: only present if ..." (with a see-reference).
        /// </summary>
        private string? ReturnedBy(string typeName)
        {
            var command = _schema.Commands.FirstOrDefault(c => c.Returns?.Name == typeName);
            if (command is not null)
            {
                return $"What <c>{CSharpText.Xml(command.Name)}</c> returns.";
            }

            foreach (var owner in _schema.Types.OfType<SchemaObjectType>())
            {
                var member = owner.Members.FirstOrDefault(m => m.Type.Name == typeName);
                if (member is null || !_clrNames.TryGetValue(owner.Name, out var ownerName))
                {
                    continue;
                }

                var text = DocText.WithoutTrailingLeadIn(member.Doc);
                var doc = text is null ? "." : ": " + CSharpText.Xml(text.TrimEnd('.')) + ".";
                return $"The <c>{CSharpText.Xml(member.Name)}</c> member of <see cref=\"{ownerName}\"/>{doc}";
            }
            return null;
        }

        /// <summary>Schema text as the XML of a record's summary (null stays null).</summary>
        private static string? XmlOf(string? text) => text is null ? null : CSharpText.Xml(text);

        private string? ArgumentsSummary(string typeName)
        {
            var command = _schema.Commands.FirstOrDefault(c => c.Arguments?.Name == typeName);
            return command is null ? null : $"The arguments of <c>{CSharpText.Xml(command.Name)}</c>.";
        }

        private RecordSpec Record(SchemaObjectType type, string name, string? summary, string? eventName)
        {
            var used = NewMemberSet(name);
            var properties = new List<PropertySpec>();
            foreach (var member in _index.AllMembers(type))
            {
                var property = Property(member.Name, TypeOf(member.Type), member.Optional, MemberDoc(member), used);
                var pascal = Naming.Pascal(member.Name);
                if (property.ClrName != pascal && Array.IndexOf(s_reservedMemberNames, pascal) >= 0 && _reported.Add(name + "." + member.Name))
                {
                    _diagnostics.Add(GeneratorDiagnostics.ReservedMemberName.Report(member.Location, Printable(member.Name), name, property.ClrName, pascal));
                }
                properties.Add(property);
            }
            return new RecordSpec(name, summary, properties.ToEquatableArray(), _index.IsOpen(type), eventName, eventName is null && IsBranchRecord(type));
        }

        /// <summary>
        /// A command: its method, its arguments record (flattened into parameters unless QAPI's
        /// <c>boxed</c> or a union makes it one object), the checks a server makes on its arguments,
        /// its docs and the attributes its features give.
        /// </summary>
        public CommandGenerationSpec Command(SchemaCommand command)
        {
            var methodName = MethodName(command);
            var result = command.Returns is null ? null : TypeOf(command.Returns);
            string? argumentsType = null;
            var properties = EquatableArray<PropertySpec>.Empty;
            var checks = new List<ArgumentCheck>();
            var acceptsAnyKey = false;
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
                    acceptsAnyKey = _index.IsOpen(o);
                    foreach (var member in _index.AllMembers(o))
                    {
                        checks.Add(new ArgumentCheck(member.Name, member.Optional, CheckedAs(member.Type)));
                    }
                }
            }
            // @name in the remarks and errors: a member of the arguments record, as <see cref>.
            var doc = DocOf(command.Doc, DocText.CommandFallback(command.Name, result), command.Features, command.Condition,
                XmlDocRenderer.MemberReferences(argumentsType, properties));
            return new CommandGenerationSpec(command.Name, methodName, argumentsType, properties, result,
                acceptsAnyKey, checks.ToEquatableArray(), doc, command.Condition?.ToString(),
                Array.IndexOf(s_fileDescriptorCommands, command.Name) >= 0, boxed, AttributesOf(command.Features, command.Name))
            {
                SchemaArguments = command.Arguments?.Name,
                SuccessResponse = command.Flags.SuccessResponse,
                AllowOob = command.Flags.AllowOob,
                Generated = command.Flags.Generated,
            };
        }

        private readonly HashSet<string> _usedMethods = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedEmits = new(StringComparer.Ordinal);

        private string MethodName(SchemaCommand command)
        {
            var wanted = Naming.Pascal(command.Name);
            var name = Naming.Unique(wanted, _usedMethods);
            if (name != wanted)
            {
                _diagnostics.Add(GeneratorDiagnostics.SameIdentifier.Report(command.Location, 1, Printable(command.Name), wanted + "Async", name + "Async"));
            }
            return name + "Async";
        }

        /// <summary>An event: its record (the summary carries the remarks, the record has none of its own) and its docs.</summary>
        public EventGenerationSpec Event(SchemaEvent e)
        {
            var name = _clrNames["event:" + e.Name];
            var data = e.Data is { } d && _index.Type(d.Name) is { } t && t is SchemaObjectType { IsUnion: false } o ? o : null;
            // A union as an event's data (boxed) has no flat record: its members are kept in Extra.
            var unionData = data is null && e.Data is not null;
            var record = data is null
                ? new RecordSpec(name, null, EquatableArray<PropertySpec>.Empty, unionData, e.Name)
                : Record(data, name, null, e.Name);
            // @name in the remarks: a member of the event's record, as <see cref>.
            var doc = DocOf(e.Doc, "The QMP event <c>" + CSharpText.Xml(e.Name) + "</c>.", e.Features, e.Condition,
                XmlDocRenderer.MemberReferences(name, record.Properties));
            record = record with { Summary = XmlDocRenderer.EventSummary(doc, XmlDocRenderer.MemberReferences(name, record.Properties)) };
            // Two events that are one identifier (FOO_BAR, FOO-BAR) get distinct Emit methods too (no CS0111).
            var emit = Naming.Unique("Emit" + Naming.Pascal(e.Name.ToLowerInvariant()), _usedEmits);
            return new EventGenerationSpec(e.Name, emit, record, doc);
        }

        /// <summary>
        /// The C# type of a wire type: each builtin as its CLR type of that width (<c>int</c> and
        /// <c>int64</c> <c>long</c>, <c>size</c> <c>ulong</c>, ...), enums, records and alternates as
        /// their generated types (referred to fully qualified, as a member is often named as its type:
        /// <c>OnCbwError? OnCbwError</c>), <c>any</c> and a bare <c>null</c> as the <c>JsonElement</c> they are.
        /// </summary>
        private TypeRef TypeOf(SchemaTypeRef type)
        {
            if (type.IsArray)
            {
                return TypeRef.ListOf(TypeOf(type.Element));
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

        /// <summary>The JSON type a server checks an argument for, as QEMU 2.1 names it in errors; null where it does not.</summary>
        private static string? CheckedAs(SchemaTypeRef type) =>
            type.IsArray ? null : SchemaBuiltins.JsonTypeOf(type.Name) switch
            {
                JsonType.String => "string",
                JsonType.Int => "int",
                JsonType.Number => "number",
                JsonType.Boolean => "bool",
                _ => null,
            };

        private static PropertySpec Property(string jsonName, TypeRef type, bool optional, string? doc, HashSet<string> used)
        {
            var pascal = Naming.Pascal(jsonName);
            var name = Naming.Unique(pascal, used);
            var parameter = Naming.Camel(jsonName);
            if (parameter == "cancellationToken")
            {
                parameter = "cancellationToken_";
            }

            if (name != pascal)
            {
                parameter = Naming.Camel(name);
            }

            return new PropertySpec(jsonName, name, parameter, type, optional, string.IsNullOrWhiteSpace(doc) ? null : doc);
        }

        private static string Printable(string name) => Hx.HxText.Printable(name);

        private static HashSet<string> NewMemberSet(string typeName) =>
            new(s_reservedMemberNames, StringComparer.Ordinal) { typeName };
    }

    /// <summary>
    /// The XML docs of a command or event: the first real sentence of its description as the summary
    /// (the rest, then its notes, as remarks); lead-ins that only introduce a member list ("Return a
    /// json-object with the following information:") are left out, and a description with nothing
    /// else gets <paramref name="fallback"/> (XML). Then, through the one renderer, the remarks as XML
    /// paragraphs with what the features and condition say and "Since" last, the errors apart.
    /// </summary>
    private static DocSpec DocOf(SchemaDoc? doc, string fallback, EquatableArray<SchemaFeature> features, SchemaCondition? condition, Func<string, string?>? references) =>
        XmlDocRenderer.Qapi(Sentences(doc, fallback), doc, FeatureSentences(features, condition), references);

    private static DocSpec Sentences(SchemaDoc? doc, string fallback)
    {
        if (doc is null)
        {
            return new DocSpec(fallback, null, null, null, null, SummaryIsXml: true);
        }
        var example = doc.Examples.FirstOrDefault(e => !e.Messages.IsEmpty);
        var notes = doc.Section("Notes");
        var (first, rest) = DocText.FirstSentence(DocText.Meaningful(doc.Body));
        var remarks = string.Join(" ", new[] { rest, notes }.Where(t => !string.IsNullOrWhiteSpace(t)));
        return new DocSpec(
            first ?? fallback,
            DocText.Meaningful(doc.Section(SchemaDoc.Returns)),
            example?.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.ToServer)?.Json,
            example?.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.FromServer)?.Json,
            remarks.Length == 0 ? null : remarks,
            SummaryIsXml: first is null);
    }
}
