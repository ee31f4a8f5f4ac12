using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Hx;

/// <summary>
/// The .hx front end's last stage: turns what <see cref="SchemaParser"/> read (table entries and doc
/// blocks) into the <see cref="QmpSchema"/> every output reads. QEMU 2.1 wrote no types down, so
/// they are inferred here, once: from the doc blocks' member lists (what is optional, what nests,
/// the values of an enum) together with the examples (what is an array, members the docs forgot).
/// Names are QAPI style (<c>BlockInfo</c>, <c>VncClientInfo</c>); where the docs describe the same
/// object under the same name twice (the VNC events' client), it is one type with the members of
/// both. The rules for what is optional: a member the prose marks "(optional)", one an example
/// leaves out, one only the examples show, and the rows of <see cref="HxCorrections"/>.
/// </summary>
public static class HxSchemaBuilder
{
    public static QmpSchema Build(SchemaModel model) => Build(model, null);

    /// <summary>Builds the model; <paramref name="examples"/>: the example values as read, so their text is not parsed again.</summary>
    public static QmpSchema Build(SchemaModel model, HxExampleValues? examples)
    {
        var builder = new Builder(examples);
        var commands = model.Commands.Select(builder.Command).ToList();
        var events = model.Events.Select(builder.Event).ToList();
        var prose = model.Prose.Select(p => new SchemaProse(p.Title, 1, p.Text, p.Location)).ToEquatableArray();
        return new QmpSchema(commands.ToEquatableArray(), events.ToEquatableArray(), builder.Types(), prose, model.Diagnostics);
    }

    /// <summary>The C-preprocessor condition of a table entry (<c>defined(CONFIG_SPICE)</c>) as a schema condition.</summary>
    public static SchemaCondition? ConditionOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var match = Regex.Match(text!.Trim(), @"^(!)?\s*(?:defined\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))$");
        if (!match.Success)
        {
            return SchemaCondition.Symbol(text.Trim());
        }

        var symbol = SchemaCondition.Symbol(match.Groups[2].Success ? match.Groups[2].Value : match.Groups[3].Value);
        return match.Groups[1].Success ? SchemaCondition.NotOf(symbol) : symbol;
    }

    /// <summary>A doc block as the model's documentation: its description, a Returns and a Notes section, its examples as messages.</summary>
    public static SchemaDoc? DocOf(DocBlock? doc)
    {
        if (doc is null)
        {
            return null;
        }

        var sections = new List<SchemaDocSection>();
        if (doc.Returns is { } returns && !string.IsNullOrWhiteSpace(returns.Description))
        {
            sections.Add(new SchemaDocSection(SchemaDoc.Returns, returns.Description, doc.Location));
        }

        if (!string.IsNullOrWhiteSpace(doc.Notes))
        {
            sections.Add(new SchemaDocSection("Notes", doc.Notes, doc.Location));
        }

        var examples = new List<SchemaExample>();
        foreach (var example in doc.Examples)
        {
            var messages = new List<SchemaExampleMessage>();
            if (example.Request is not null)
            {
                messages.Add(new SchemaExampleMessage(ExampleDirection.ToServer, example.Request, example.Request, example.Repairs, example.Location));
            }

            if (example.Reply is not null)
            {
                messages.Add(new SchemaExampleMessage(ExampleDirection.FromServer, example.Reply, example.Reply, example.Repairs, example.Location));
            }

            examples.Add(new SchemaExample(example.Caption, messages.ToEquatableArray(), example.Location));
        }
        return new SchemaDoc(doc.Description, sections.ToEquatableArray(), EquatableArray<SchemaFeatureDoc>.Empty, examples.ToEquatableArray(), doc.Location);
    }

    private sealed class Builder
    {
        // Named types in the order they are first declared; a merge replaces a type in place.
        private readonly List<string> _order = new();
        private readonly Dictionary<string, SchemaType> _types = new(StringComparer.Ordinal);
        private readonly HashSet<string> _displaced = new(StringComparer.Ordinal);
        private readonly HxExampleValues? _examples;

        /// <summary>
        /// Where the command or event being read is written: the types inferred for it are written
        /// there too, so they belong to its module (its .hx file).
        /// </summary>
        private SchemaLocation _at = SchemaLocation.None;

        public Builder(HxExampleValues? examples) => _examples = examples;

        public EquatableArray<SchemaType> Types() => _order.Select(n => _types[n]).ToEquatableArray();

        public SchemaCommand Command(CommandSpec command)
        {
            _at = command.Location;
            var doc = command.Doc;
            var stem = NameCase.Pascal(command.Name);
            var requests = Samples(_examples, doc, command.Name, request: true);

            // Arguments: args_type says what travels; the docs type the O and q arguments.
            var members = new List<SchemaMember>();
            var acceptsAnyMember = false;
            foreach (var argument in command.Arguments)
            {
                if (argument.Kind == ArgumentKind.OptionList)
                {
                    acceptsAnyMember = true;
                    // An O argument that the examples send, or the docs describe, under its own name
                    // (send-key's "keys", migrate-set-capabilities' "capabilities") travels as one
                    // value of that name: typed, and optional, since QEMU 2.1 never checks O for presence.
                    var named = FindDoc(doc?.Arguments, argument.Name) ?? FindDoc(doc?.Arguments, Singular(argument.Name));
                    var values = requests.Select(r => r["arguments"]?[argument.Name]).Where(v => v is not null).ToList();
                    if (named is not null || values.Count > 0)
                    {
                        var namedType = TypeOf(named?.Type, named?.Members ?? EquatableArray<DocMember>.Empty, values!, stem + NameCase.Pascal(argument.Name), input: true, path: null);
                        members.Add(Member(argument.Name, namedType, true, named?.Description, argument.Location));
                    }
                    continue;
                }
                var optional = argument.Optional || argument.Kind == ArgumentKind.Flag;
                var member = FindDoc(doc?.Arguments, argument.Name);
                SchemaTypeRef type;
                if (argument.Kind == ArgumentKind.Any)
                {
                    var samples = requests.Select(r => r["arguments"]?[argument.Name]).Where(v => v is not null).ToList();
                    type = member is null ? Builtin(SchemaBuiltins.Any) : TypeOf(member.Type, member.Members, samples!, stem + NameCase.Pascal(argument.Name), input: true, path: null);
                }
                else
                {
                    type = Builtin(argument.WireType!);
                }
                members.Add(Member(argument.Name, type, optional, member?.Description, argument.Location));
            }
            if (acceptsAnyMember && doc is not null)
            {
                // The members of an O argument travel flattened: they are the documented
                // arguments that args_type does not name (device_add's driver, bus, id).
                foreach (var member in doc.Arguments)
                {
                    // A doc name that misspells an args_type name (send-key documents "key" for "keys") is not an option.
                    if (command.Arguments.Any(a => Same(a.Name, member.Name) || Same(Singular(a.Name), member.Name)) || members.Any(p => p.Name == member.Name))
                    {
                        continue;
                    }

                    var samples = requests.Select(r => r["arguments"]?[member.Name]).Where(v => v is not null).ToList();
                    var type = TypeOf(member.Type, member.Members, samples!, stem + NameCase.Pascal(member.Name), input: true, path: null);
                    members.Add(Member(member.Name, type, member.Optional, member.Description, member.Location));
                }
            }

            SchemaTypeRef? arguments = null;
            if (members.Count > 0 || acceptsAnyMember)
            {
                var name = SchemaObjectType.ImplicitName(command.Name);
                Add(new SchemaObjectType(name, null, members.ToEquatableArray(), null, true, acceptsAnyMember, null,
                    EquatableArray<SchemaFeature>.Empty, null, command.Location));
                arguments = SchemaTypeRef.Of(name);
            }
            var returns = Result(command, stem);
            return new SchemaCommand(command.Name, arguments, returns, SchemaCommandFlags.Default, ConditionOf(command.Condition),
                EquatableArray<SchemaFeature>.Empty, DocOf(doc), command.Location);
        }

        public SchemaEvent Event(EventSpec e)
        {
            _at = e.Location;
            // An event's nested objects are named by its area: VNC_CONNECTED's "server" is VncServerInfo,
            // the same type as VNC_INITIALIZED's; its "info" or "data" by the whole event (AcpiDeviceOstInfo).
            var area = NameCase.Pascal(e.Name.Split('_')[0].ToLowerInvariant());
            var whole = NameCase.Pascal(e.Name.ToLowerInvariant());
            var samples = Samples(_examples, e.Doc, e.Name, request: false, member: "data");
            var members = new List<SchemaMember>();
            foreach (var argument in e.Data)
            {
                var member = FindDoc(e.Doc?.Arguments, argument.Name);
                var values = samples.Select(s => s[argument.Name]).Where(v => v is not null).ToList();
                var stem = argument.Name is "info" or "data" ? whole + NameCase.Pascal(argument.Name) : area + NameCase.Pascal(argument.Name);
                var type = argument.Kind == ArgumentKind.Any
                    ? TypeOf(member?.Type, member?.Members ?? EquatableArray<DocMember>.Empty, values!, stem, input: false, path: e.Name + "/" + argument.Name)
                    : Builtin(argument.WireType!);
                members.Add(Member(argument.Name, type, argument.Optional, member?.Description, argument.Location));
            }
            SchemaTypeRef? data = null;
            if (members.Count > 0)
            {
                var name = SchemaObjectType.ImplicitName(e.Name);
                Add(new SchemaObjectType(name, null, members.ToEquatableArray(), null, true, false, null,
                    EquatableArray<SchemaFeature>.Empty, null, e.Location));
                data = SchemaTypeRef.Of(name);
            }
            return new SchemaEvent(e.Name, data, false, ConditionOf(e.Condition), EquatableArray<SchemaFeature>.Empty, DocOf(e.Doc), e.Location);
        }

        private SchemaTypeRef? Result(CommandSpec command, string commandStem)
        {
            var doc = command.Doc;
            if (doc is null)
            {
                return Builtin(SchemaBuiltins.Any);
            }

            var samples = Samples(_examples, doc, command.Name, request: false, member: "return");
            var members = doc.Returns?.Members ?? EquatableArray<DocMember>.Empty;
            var isQuery = command.Name.StartsWith("query-", StringComparison.Ordinal);
            var resultStem = isQuery ? NameCase.Pascal(command.Name.Substring(6)) : commandStem;
            var suffix = isQuery ? "Info" : "Result";
            // "Return a json-value: ..." (qom-get): any JSON value, whatever the examples happen to show.
            if (members.IsEmpty && doc.Returns is { } described && s_anyValue.IsMatch(described.Description))
            {
                return Builtin(SchemaBuiltins.Any);
            }
            // Items before "Arguments:" in a doc that never says it returns anything, and whose replies
            // are all {} (or not shown), are no reply members (migrate-set-capabilities lists its
            // capabilities there): the command returns {}.
            if (!members.IsEmpty && samples.All(s => s.Kind == LenientJsonKind.Object && s.Members.Count == 0) && !s_returnWording.IsMatch(doc.Returns!.Description))
            {
                return null;
            }

            if (members.IsEmpty)
            {
                var meaningful = samples.Where(s => !(s.Kind == LenientJsonKind.Object && s.Members.Count == 0)).ToList();
                if (meaningful.Count == 0)
                {
                    return doc.Returns is null || samples.Count > 0 ? null : Builtin(SchemaBuiltins.Any);
                }

                return Infer(meaningful, resultStem, suffix, input: false, path: command.Name);
            }
            // The replies are scalars although the docs list a member (query-migrate-cache-size returns a bare int).
            if (samples.Count > 0 && samples.All(s => s.Kind is not (LenientJsonKind.Object or LenientJsonKind.Array)))
            {
                return Infer(samples, resultStem, suffix, input: false, path: command.Name);
            }
            // Where the member list and an example disagree on where a member sits, the member list wins.
            _displaced.Clear();
            Displaced(members, samples.SelectMany(s => s.Kind == LenientJsonKind.Array ? s.Items : new List<LenientJsonValue> { s }).Where(s => s.Kind == LenientJsonKind.Object).ToList(), _displaced);
            try
            {
                var isList = samples.Any(s => s.Kind == LenientJsonKind.Array)
                    || (samples.Count == 0 && doc.Returns!.Description.IndexOf("json-array", StringComparison.OrdinalIgnoreCase) >= 0);
                if (isList)
                {
                    var items = samples.Where(s => s.Kind == LenientJsonKind.Array).SelectMany(s => s.Items).Where(i => i.Kind == LenientJsonKind.Object).ToList();
                    return SchemaTypeRef.ArrayOf(Object(Singular(resultStem), suffix, doc.Returns!.Description, members, items, input: false, path: command.Name));
                }
                var objects = samples.Where(s => s.Kind == LenientJsonKind.Object).ToList();
                return SchemaTypeRef.Of(Object(resultStem, suffix, doc.Returns!.Description, members, objects, input: false, path: command.Name));
            }
            finally
            {
                _displaced.Clear();
            }
        }

        /// <summary>
        /// Declares an object type from documented members and example objects; returns its name.
        /// <paramref name="input"/>: the type is (part of) an argument, so every member is optional,
        /// and a type the docs do not fully describe (no documented members, or <paramref name="open"/>:
        /// the <c>data</c> of a union, whose members vary with its <c>type</c>) accepts any member.
        /// <paramref name="path"/>: where a reply member sits (for <see cref="HxCorrections"/>), null in arguments.
        /// </summary>
        private string Object(string stem, string suffix, string? summary, IReadOnlyList<DocMember> members, List<LenientJsonValue> samples, bool input, string? path, bool open = false)
        {
            samples = Respell(members, samples);
            var result = new List<SchemaMember>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // A QAPI simple union on the wire: {"type": ..., "data": {...}} (chardev backends, socket
            // addresses, key values, transaction actions); what "data" holds depends on "type".
            var isUnion = input && HasMember(members, samples, "type") && HasMember(members, samples, "data");
            foreach (var member in members)
            {
                if (!seen.Add(member.Name))
                {
                    continue;
                }

                var values = samples.Select(s => s[member.Name]).Where(v => v is not null).ToList();
                var absent = samples.Count > 0 && values.Count < samples.Count;
                var memberPath = path is null ? null : path + "/" + member.Name;
                var corrected = memberPath is not null && HxCorrections.IsSometimesAbsent(memberPath);
                // "Contains recursively the statistics of ..." (query-blockstats' parent): the enclosing type again.
                var type = member.Members.IsEmpty && s_recursive.IsMatch(member.Description)
                    ? SchemaTypeRef.Of(NameOf(stem, suffix))
                    : isUnion && member.Name == "data"
                    ? UnionData(member.Members, values!, Nested(stem, member.Name))
                    : TypeOf(member.Type, member.Members, values!, Nested(stem, member.Name), input, memberPath, member.Description);
                result.Add(Member(member.Name, type, input || member.Optional || absent || corrected, member.Description, member.Location));
            }
            // Members the examples show but the docs do not name (query-cpus' "pc"): typed from the examples, optional.
            // Not those the docs place elsewhere (query-migrate's example shows "total-time" inside "ram").
            foreach (var sample in samples)
            {
                foreach (var pair in sample.Members)
                {
                    if (_displaced.Contains(pair.Key) || !seen.Add(pair.Key))
                    {
                        continue;
                    }

                    var values = samples.Select(s => s[pair.Key]).Where(v => v is not null).ToList();
                    var type = isUnion && pair.Key == "data"
                        ? UnionData(EquatableArray<DocMember>.Empty, values!, Nested(stem, pair.Key))
                        : Infer(values!, Nested(stem, pair.Key), "Info", input, path is null ? null : path + "/" + pair.Key);
                    result.Add(Member(pair.Key, type, true, null, SchemaLocation.None));
                }
            }
            var acceptsAny = input && (open || members.Count == 0);
            return Declare(NameOf(stem, suffix), summary, result, acceptsAny);
        }

        /// <summary>
        /// Example objects with a member spelt as the member list does not (query-blockstats' examples
        /// show <c>rd_total_times_ns</c> for the listed <c>rd_total_time_ns</c>): the member list wins,
        /// so the example's member counts under the listed name.
        /// </summary>
        private static List<LenientJsonValue> Respell(IReadOnlyList<DocMember> members, List<LenientJsonValue> samples)
        {
            if (members.Count == 0 || samples.Count == 0)
            {
                return samples;
            }

            var listed = new HashSet<string>(members.Select(m => m.Name), StringComparer.Ordinal);
            List<LenientJsonValue>? result = null;
            for (var i = 0; i < samples.Count; i++)
            {
                var sample = samples[i];
                Dictionary<string, string>? renames = null;
                foreach (var pair in sample.Members)
                {
                    if (listed.Contains(pair.Key))
                    {
                        continue;
                    }

                    var match = members.FirstOrDefault(m => sample[m.Name] is null && IsMisspelling(pair.Key, m.Name));
                    if (match is not null)
                    {
                        (renames ??= new Dictionary<string, string>(StringComparer.Ordinal))[pair.Key] = match.Name;
                    }
                }
                if (renames is null)
                {
                    continue;
                }

                result ??= new List<LenientJsonValue>(samples);
                result[i] = sample.WithRenamedMembers(renames);
            }
            return result ?? samples;
        }

        /// <summary>One letter added or dropped: <c>rd_total_times_ns</c> for <c>rd_total_time_ns</c>.</summary>
        private static bool IsMisspelling(string a, string b)
        {
            if (Math.Abs(a.Length - b.Length) != 1)
            {
                return false;
            }

            var (longer, shorter) = a.Length > b.Length ? (a, b) : (b, a);
            var i = 0;
            while (i < shorter.Length && longer[i] == shorter[i])
            {
                i++;
            }

            return string.CompareOrdinal(longer, i + 1, shorter, i, shorter.Length - i) == 0 && shorter.Length >= 6;
        }

        /// <summary>The <c>data</c> of a union in an argument: an open object when it is one, else any JSON value (send-key's number or qcode).</summary>
        private SchemaTypeRef UnionData(EquatableArray<DocMember> members, List<LenientJsonValue> samples, string stem)
        {
            if (members.Count > 0 || (samples.Count > 0 && samples.All(s => s.Kind == LenientJsonKind.Object)))
            {
                return SchemaTypeRef.Of(Object(stem, "Info", null, members, samples, input: true, path: null, open: true));
            }

            return Builtin(SchemaBuiltins.Any);
        }

        private static bool HasMember(IReadOnlyList<DocMember> members, List<LenientJsonValue> samples, string name) =>
            members.Any(m => m.Name == name) || samples.Any(s => s[name] is not null);

        /// <summary>Names the member list places where no example shows them: an example that shows them elsewhere is wrong about where.</summary>
        private static void Displaced(IReadOnlyList<DocMember> members, List<LenientJsonValue> samples, HashSet<string> into)
        {
            foreach (var member in members)
            {
                var values = samples.Select(s => s[member.Name]).Where(v => v is not null).ToList();
                if (samples.Count > 0 && values.Count == 0)
                {
                    into.Add(member.Name);
                }

                if (member.Members.Count > 0)
                {
                    Displaced(member.Members, values.SelectMany(v => v!.Kind == LenientJsonKind.Array ? v.Items : new List<LenientJsonValue> { v }).Where(v => v.Kind == LenientJsonKind.Object).ToList(), into);
                }
            }
        }

        private SchemaTypeRef TypeOf(string? docType, EquatableArray<DocMember> members, List<LenientJsonValue> samples, string stem, bool input, string? path, string? description = null)
        {
            var type = (docType ?? string.Empty).Trim().ToLowerInvariant().Replace('_', '-');
            switch (type)
            {
                case "json-int":
                    return Builtin(SchemaBuiltins.Int);
                case "json-number":
                    return Builtin(SchemaBuiltins.Number);
                case "json-bool":
                    return Builtin(SchemaBuiltins.Bool);
                case "json-string":
                case "josn-string":
                case "json-str":
                    return StringOrEnum(stem, description, members);
                case "json-value":
                    return Builtin(SchemaBuiltins.Any);
                case "json-object":
                case "json-dict":
                    {
                        var objects = samples.Where(s => s.Kind == LenientJsonKind.Object).ToList();
                        if (members.Count > 0 || objects.Any(o => o.Members.Count > 0))
                        {
                            return SchemaTypeRef.Of(Object(stem, "Info", null, members, objects, input, path));
                        }

                        return Builtin(SchemaBuiltins.Any);
                    }
                case "json-array":
                    {
                        var items = samples.Where(s => s.Kind == LenientJsonKind.Array).SelectMany(s => s.Items).ToList();
                        if (members.Count > 0)
                        {
                            return SchemaTypeRef.ArrayOf(Object(Singular(stem), "Info", null, members, items.Where(i => i.Kind == LenientJsonKind.Object).ToList(), input, path));
                        }

                        return items.Count > 0 ? ArrayOf(Infer(items, Singular(stem), "Info", input, path)) : SchemaTypeRef.ArrayOf(SchemaBuiltins.Any);
                    }
                case "":
                    if (samples.Count > 0)
                    {
                        var inferred = Infer(samples, stem, "Info", input, path);
                        return inferred.Name == SchemaBuiltins.Str && !inferred.IsArray ? StringOrEnum(stem, description, members) : inferred;
                    }
                    return StringOrEnum(stem, description, members, orAny: true);
                default:
                    // A QAPI type name (NewImageMode, BlockdevOnError, ...): in QEMU 2.1 these are enums, strings on the wire.
                    return Builtin(SchemaBuiltins.Str);
            }
        }

        /// <summary>An array of <paramref name="element"/>; QAPI has no arrays of arrays, so those are arrays of any value.</summary>
        private static SchemaTypeRef ArrayOf(SchemaTypeRef element) =>
            element.IsArray ? SchemaTypeRef.ArrayOf(SchemaBuiltins.Any) : SchemaTypeRef.ArrayOf(element.Name);

        /// <summary>A string member: an enum where its description lists the values ("one of", "Possible values:").</summary>
        private SchemaTypeRef StringOrEnum(string stem, string? description, EquatableArray<DocMember> members, bool orAny = false)
        {
            var values = HxEnumValues.Read(description, members);
            if (values.Count == 0)
            {
                return Builtin(orAny ? SchemaBuiltins.Any : SchemaBuiltins.Str);
            }

            var name = HxEnumValues.NameOf(stem, values);
            if (_types.TryGetValue(name, out var existing))
            {
                if (existing is SchemaEnumType known)
                {
                    var merged = known.Values.Concat(values.Where(v => !known.Values.Any(k => k.Name == v.Name))).ToEquatableArray();
                    _types[name] = known with { Values = merged };
                    return SchemaTypeRef.Of(name);
                }
                name = Unique(name);
            }
            Add(new SchemaEnumType(name, null, values.ToEquatableArray(), null, EquatableArray<SchemaFeature>.Empty, null, _at));
            return SchemaTypeRef.Of(name);
        }

        /// <summary>Infers a type from example values alone.</summary>
        private SchemaTypeRef Infer(List<LenientJsonValue> samples, string stem, string suffix, bool input, string? path)
        {
            if (samples.Count == 0)
            {
                return Builtin(SchemaBuiltins.Any);
            }

            var kinds = samples.Select(s => s.Kind is LenientJsonKind.True or LenientJsonKind.False ? LenientJsonKind.True : s.Kind).Distinct().ToList();
            if (kinds.Count != 1)
            {
                return Builtin(SchemaBuiltins.Any);
            }

            switch (kinds[0])
            {
                case LenientJsonKind.String:
                    return Builtin(SchemaBuiltins.Str);
                case LenientJsonKind.True:
                    return Builtin(SchemaBuiltins.Bool);
                case LenientJsonKind.Number:
                    return Builtin(samples.All(s => IsInteger(s.Text)) ? SchemaBuiltins.Int : SchemaBuiltins.Number);
                case LenientJsonKind.Object:
                    return SchemaTypeRef.Of(Object(stem, suffix, null, Array.Empty<DocMember>(), samples, input, path));
                case LenientJsonKind.Array:
                    {
                        var items = samples.SelectMany(s => s.Items).ToList();
                        return items.Count > 0 ? ArrayOf(Infer(items, Singular(stem), suffix, input, path)) : SchemaTypeRef.ArrayOf(SchemaBuiltins.Any);
                    }
                default:
                    return Builtin(SchemaBuiltins.Any);
            }
        }

        /// <summary>
        /// Declares an object type. A type of the same name and compatible members (the same type
        /// wherever both have a member) is the same type described twice: one type with the members of
        /// both, optional where either leaves one out. Otherwise the new one gets a number.
        /// </summary>
        private string Declare(string name, string? summary, List<SchemaMember> members, bool acceptsAny)
        {
            if (_types.TryGetValue(name, out var existing))
            {
                if (existing is SchemaObjectType known && known.AcceptsAnyMember == acceptsAny
                    && members.All(m => known.Members.FirstOrDefault(k => k.Name == m.Name) is not { } k || k.Type == m.Type))
                {
                    var merged = new List<SchemaMember>();
                    foreach (var k in known.Members)
                    {
                        var other = members.FirstOrDefault(m => m.Name == k.Name);
                        merged.Add(other is null || (other.Optional && !k.Optional) ? k with { Optional = true } : k with { Doc = k.Doc ?? other.Doc });
                    }
                    foreach (var m in members.Where(m => !known.Members.Any(k => k.Name == m.Name)))
                    {
                        merged.Add(m with { Optional = true });
                    }

                    _types[name] = known with { Members = merged.ToEquatableArray() };
                    return name;
                }
                name = Unique(name);
            }
            var doc = summary is null ? null : new SchemaDoc(summary, EquatableArray<SchemaDocSection>.Empty, EquatableArray<SchemaFeatureDoc>.Empty, EquatableArray<SchemaExample>.Empty, SchemaLocation.None);
            Add(new SchemaObjectType(name, null, members.ToEquatableArray(), null, false, acceptsAny, null, EquatableArray<SchemaFeature>.Empty, doc, _at));
            return name;
        }

        private string Unique(string name)
        {
            var candidate = name;
            for (var i = 2; _types.ContainsKey(candidate); i++)
            {
                candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        private void Add(SchemaType type)
        {
            if (_types.ContainsKey(type.Name))
            {
                type = type switch
                {
                    SchemaObjectType o => o with { Name = Unique(o.Name) },
                    _ => type,
                };
            }

            _order.Add(type.Name);
            _types[type.Name] = type;
        }

        private static SchemaMember Member(string name, SchemaTypeRef type, bool optional, string? doc, SchemaLocation location) =>
            new(name, type, optional, string.IsNullOrWhiteSpace(doc) ? null : doc, null, EquatableArray<SchemaFeature>.Empty, location);
    }

    /// <summary><c>Stem</c> + <c>Info</c>, without saying Info twice (<c>PciDeviceClassInfo</c>, not <c>...InfoInfo</c>).</summary>
    private static string NameOf(string stem, string suffix) =>
        stem.EndsWith(suffix, StringComparison.Ordinal) ? stem : stem + suffix;

    private static SchemaTypeRef Builtin(string name) => SchemaTypeRef.Of(name);

    /// <summary>
    /// The stem of a nested object's type: the enclosing stem and the member's name, except where the
    /// member's name already starts with the area (<c>PciDevice</c> + <c>pci_bridge</c> is
    /// <c>PciBridge</c>, not <c>PciDevicePciBridge</c>).
    /// </summary>
    private static string Nested(string stem, string member)
    {
        var pascal = NameCase.Pascal(member);
        var area = 1;
        while (area < stem.Length && !char.IsUpper(stem[area]))
        {
            area++;
        }

        return pascal.Length > area && pascal.StartsWith(stem.Substring(0, area), StringComparison.Ordinal) && char.IsUpper(pascal[area]) ? pascal : stem + pascal;
    }

    private static readonly Regex s_recursive = new(@"\brecursively\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>A text that says the reply is any JSON value.</summary>
    private static readonly Regex s_anyValue = new(@"\bjson-value\b|\bany JSON value\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>A text that says what a command returns (as opposed to a description that happens to precede member items).</summary>
    private static readonly Regex s_returnWording = new(@"\b(return|returns|returned|json-object|json-array|json-value)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static bool Same(string a, string b) => string.Equals(a.Replace('_', '-'), b.Replace('_', '-'), StringComparison.Ordinal);

    private static DocMember? FindDoc(EquatableArray<DocMember>? members, string name)
    {
        if (members is null)
        {
            return null;
        }

        foreach (var member in members.Value)
        {
            if (member.Name == name)
            {
                return member;
            }
        }
        foreach (var member in members.Value)
        {
            if (Same(member.Name, name))
            {
                return member;
            }
        }
        return null;
    }

    /// <summary>The singular of a plural stem: <c>Devices</c> -> <c>Device</c>, <c>Fdsets</c> -> <c>Fdset</c>; not <c>Status</c>, <c>Address</c>.</summary>
    internal static string Singular(string stem)
    {
        if (stem.EndsWith("ies", StringComparison.Ordinal) && stem.Length > 4)
        {
            return stem.Substring(0, stem.Length - 3) + "y";
        }

        if (stem.EndsWith("s", StringComparison.Ordinal) && !stem.EndsWith("ss", StringComparison.Ordinal)
            && !stem.EndsWith("atus", StringComparison.Ordinal) && !stem.EndsWith("Bus", StringComparison.Ordinal) && !stem.EndsWith("is", StringComparison.Ordinal) && stem.Length > 3)
        {
            return stem.Substring(0, stem.Length - 1);
        }

        return stem;
    }

    private static readonly char[] s_floatMarks = { '.', 'e', 'E' };

    private static bool IsInteger(string text) => text.IndexOfAny(s_floatMarks) < 0 && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// The example values of a doc block: each request (when <paramref name="request"/>), or the
    /// <paramref name="member"/> of each reply, skipping examples that execute another command.
    /// </summary>
    private static List<LenientJsonValue> Samples(HxExampleValues? parsed, DocBlock? doc, string name, bool request, string member = "return")
    {
        var values = new List<LenientJsonValue>();
        if (doc is null)
        {
            return values;
        }

        foreach (var example in doc.Examples)
        {
            (LenientJsonValue? Request, LenientJsonValue? Reply) read = default;
            var known = parsed is not null && parsed.TryGet(example, out read);
            var requestValue = known ? read.Request : Parse(example.Request);
            var executes = requestValue?["execute"]?.Text;
            if (executes is not null && executes != name)
            {
                continue;
            }

            if (request)
            {
                if (requestValue is not null)
                {
                    values.Add(requestValue);
                }

                continue;
            }
            var reply = known ? read.Reply : Parse(example.Reply);
            if (reply is null)
            {
                continue;
            }

            var eventName = reply["event"]?.Text;
            if (eventName is not null && eventName != name)
            {
                continue;
            }

            var value = reply[member];
            if (value is not null)
            {
                values.Add(value);
            }
        }
        return values;
    }

    private static LenientJsonValue? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : LenientJsonReader.Read(json!, 0, json!.Length).Value;
}
