using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Generation;

/// <summary>
/// Builds the <see cref="GenerationSpec"/> from a parsed <see cref="SchemaModel"/>: C# names,
/// argument records, and result records inferred from the doc block's member lists together with
/// its example replies (the docs say what is optional, the examples say what is an array, and
/// carry members the docs forgot).
/// </summary>
public static class SpecBuilder
{
    /// <summary>Member names a generated record keeps for itself; a JSON member with such a C# name gets a suffix.</summary>
    private static readonly string[] ReservedMemberNames = { "Read", "Write", "Extra", "WireName", "Timestamp", "EventName", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType" };

    public static GenerationSpec Build(SchemaModel model, string ns, bool client, bool server)
    {
        var stem = Naming.StemOf(ns);
        var builder = new Builder(stem);
        var commands = new List<CommandGenerationSpec>();
        foreach (var command in model.Commands)
            commands.Add(builder.Command(command));
        var records = builder.TakeRecords();
        var events = new List<EventGenerationSpec>();
        foreach (var e in model.Events)
            events.Add(builder.Event(e));
        var eventRecords = builder.TakeRecords();
        return new GenerationSpec(ns, stem, client, server, records.ToEquatableArray(), commands.ToEquatableArray(), eventRecords.ToEquatableArray(), events.ToEquatableArray());
    }

    private sealed class Builder
    {
        private readonly HashSet<string> _typeNames;
        private readonly HashSet<string> _methodNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _displaced = new(StringComparer.Ordinal);
        private List<RecordSpec> _records = new();

        public Builder(string stem)
        {
            _typeNames = new HashSet<string>(StringComparer.Ordinal)
            {
                stem + "Client", stem + "CommandsBase", stem + "Events", stem + "Event", stem + "EventEmitter",
                "Untyped" + stem + "Event", stem + "Json", stem,
            };
        }

        public List<RecordSpec> TakeRecords()
        {
            var records = _records;
            _records = new List<RecordSpec>();
            return records;
        }

        public CommandGenerationSpec Command(CommandSpec command)
        {
            var methodStem = Naming.Unique(Naming.Pascal(command.Name), _methodNames);
            var doc = command.Doc;
            var requests = Samples(doc, command.Name, request: true);

            // Arguments: args_type says what travels; the docs type the O and q arguments.
            var properties = new List<PropertySpec>();
            var used = NewMemberSet(methodStem + "Arguments");
            var checks = new List<ArgumentCheck>();
            var acceptsAnyKey = false;
            foreach (var argument in command.Arguments)
            {
                if (argument.Kind == ArgumentKind.OptionList)
                {
                    acceptsAnyKey = true;
                    // An O argument that the examples send, or the docs describe, under its own name
                    // (send-key's "keys", migrate-set-capabilities' "capabilities") travels as one
                    // value of that name: typed, and optional, since QEMU 2.1 never checks O for presence.
                    var named = FindDoc(doc?.Arguments, argument.Name) ?? FindDoc(doc?.Arguments, Singular(argument.Name));
                    var values = requests.Select(r => r["arguments"]?[argument.Name]).Where(v => v is not null).ToList();
                    if (named is not null || values.Count > 0)
                    {
                        var namedType = TypeOf(named?.Type, named?.Members ?? EquatableArray<DocMember>.Empty, values!, methodStem + Naming.Pascal(argument.Name), input: true);
                        properties.Add(Property(argument.Name, namedType, true, named?.Description, used));
                    }
                    continue;
                }
                var optional = argument.Optional || argument.Kind == ArgumentKind.Flag;
                checks.Add(new ArgumentCheck(argument.Name, optional, argument.JsonType));
                var member = FindDoc(doc?.Arguments, argument.Name);
                TypeRef type;
                if (argument.Kind == ArgumentKind.Any)
                {
                    var samples = requests.Select(r => r["arguments"]?[argument.Name]).Where(v => v is not null).ToList();
                    type = member is null ? TypeRef.Json : TypeOf(member.Type, member.Members, samples!, methodStem + Naming.Pascal(argument.Name), input: true);
                }
                else
                {
                    type = ScalarOf(argument.Kind);
                }
                properties.Add(Property(argument.Name, type, optional, member?.Description, used));
            }
            if (acceptsAnyKey && doc is not null)
            {
                // The members of an O argument travel flattened: they are the documented
                // arguments that args_type does not name (device_add's driver, bus, id).
                foreach (var member in doc.Arguments)
                {
                    // A doc name that misspells an args_type name (send-key documents "key" for "keys") is not an option.
                    if (command.Arguments.Any(a => Same(a.Name, member.Name) || Same(Singular(a.Name), member.Name)) || properties.Any(p => p.JsonName == member.Name))
                        continue;
                    var samples = requests.Select(r => r["arguments"]?[member.Name]).Where(v => v is not null).ToList();
                    var type = TypeOf(member.Type, member.Members, samples!, methodStem + Naming.Pascal(member.Name), input: true);
                    properties.Add(Property(member.Name, type, member.Optional, member.Description, used));
                }
            }

            string? argumentsType = null;
            if (properties.Count > 0 || acceptsAnyKey)
            {
                argumentsType = Naming.Unique(methodStem + "Arguments", _typeNames);
                _records.Add(new RecordSpec(argumentsType, $"The arguments of <c>{command.Name}</c>.", properties.ToEquatableArray(), acceptsAnyKey, null));
            }

            var result = Result(command, methodStem);
            var docSpec = DocOf(doc, command.Name, "Executes the QMP command <c>" + command.Name + "</c>.");
            return new CommandGenerationSpec(command.Name, methodStem + "Async", argumentsType, properties.ToEquatableArray(), result,
                acceptsAnyKey, checks.ToEquatableArray(), docSpec, command.Condition);
        }

        public EventGenerationSpec Event(EventSpec e)
        {
            var stem = Naming.Pascal(e.Name.ToLowerInvariant());
            var name = Naming.Unique(stem + "Event", _typeNames);
            var samples = Samples(e.Doc, e.Name, request: false, member: "data");
            var used = NewMemberSet(name);
            var properties = new List<PropertySpec>();
            foreach (var argument in e.Data)
            {
                var member = FindDoc(e.Doc?.Arguments, argument.Name);
                var values = samples.Select(s => s[argument.Name]).Where(v => v is not null).ToList();
                var type = argument.Kind == ArgumentKind.Any
                    ? TypeOf(member?.Type, member?.Members ?? EquatableArray<DocMember>.Empty, values!, stem + Naming.Pascal(argument.Name), input: false)
                    : ScalarOf(argument.Kind);
                properties.Add(Property(argument.Name, type, argument.Optional, member?.Description, used));
            }
            var doc = DocOf(e.Doc, e.Name, "The QMP event <c>" + e.Name + "</c>.");
            var record = new RecordSpec(name, doc.Summary, properties.ToEquatableArray(), false, e.Name);
            _records.Add(record);
            return new EventGenerationSpec(e.Name, "Emit" + stem, record, doc);
        }

        private TypeRef? Result(CommandSpec command, string methodStem)
        {
            var doc = command.Doc;
            if (doc is null)
                return TypeRef.Json;
            var samples = Samples(doc, command.Name, request: false, member: "return");
            var members = doc.Returns?.Members ?? EquatableArray<DocMember>.Empty;
            var isQuery = command.Name.StartsWith("query-", StringComparison.Ordinal);
            var resultStem = isQuery ? Naming.Pascal(command.Name.Substring(6)) : methodStem;
            var suffix = isQuery ? "Info" : "Result";
            // "Return a json-value: ..." (qom-get): any JSON value, whatever the examples happen to show.
            if (members.IsEmpty && doc.Returns is { } described && AnyValue.IsMatch(described.Description))
                return TypeRef.Json;
            // Items before "Arguments:" in a doc that never says it returns anything, and whose replies
            // are all {} (or not shown), are no reply members (migrate-set-capabilities lists its
            // capabilities there): the command returns {}.
            if (!members.IsEmpty && samples.All(s => s.Kind == LenientJsonKind.Object && s.Members.Count == 0) && !ReturnWording.IsMatch(doc.Returns!.Description))
                return null;
            if (members.IsEmpty)
            {
                var meaningful = samples.Where(s => !(s.Kind == LenientJsonKind.Object && s.Members.Count == 0)).ToList();
                if (meaningful.Count == 0)
                    return doc.Returns is null || samples.Count > 0 ? null : TypeRef.Json;
                return Infer(meaningful, resultStem, suffix, singular: true);
            }
            // The replies are scalars although the docs list a member (query-migrate-cache-size returns a bare int).
            if (samples.Count > 0 && samples.All(s => s.Kind is not (LenientJsonKind.Object or LenientJsonKind.Array)))
                return Infer(samples, resultStem, suffix, singular: false);
            // Where the member list and an example disagree on where a member sits, the member list wins.
            _displaced.Clear();
            Displaced(members, samples.SelectMany(s => s.Kind == LenientJsonKind.Array ? s.Items : new List<LenientJsonValue> { s }).Where(s => s.Kind == LenientJsonKind.Object).ToList(), _displaced);
            try
            {
                return TypedResult(doc, samples, members, resultStem, suffix);
            }
            finally
            {
                _displaced.Clear();
            }
        }

        private TypeRef TypedResult(DocBlock doc, List<LenientJsonValue> samples, EquatableArray<DocMember> members, string resultStem, string suffix)
        {
            var isList = samples.Any(s => s.Kind == LenientJsonKind.Array)
                || (samples.Count == 0 && doc.Returns!.Description.IndexOf("json-array", StringComparison.OrdinalIgnoreCase) >= 0);
            if (isList)
            {
                var items = samples.Where(s => s.Kind == LenientJsonKind.Array).SelectMany(s => s.Items).Where(i => i.Kind == LenientJsonKind.Object).ToList();
                return TypeRef.ListOf(TypeRef.Record(Record(Singular(resultStem), suffix, doc.Returns!.Description, members, items, input: false)));
            }
            var objects = samples.Where(s => s.Kind == LenientJsonKind.Object).ToList();
            return TypeRef.Record(Record(resultStem, suffix, doc.Returns!.Description, members, objects, input: false));
        }

        /// <summary>
        /// Declares a record from documented members and example objects; returns its name.
        /// <paramref name="input"/>: the record types an argument (a <c>q</c> or <c>O</c> value), so every
        /// member is optional, and a record the docs do not fully describe (no documented members, or
        /// <paramref name="open"/>: the <c>data</c> of a union, whose members vary with its <c>type</c>)
        /// keeps the members it does not know in <c>Extra</c>, so nothing is lost in a round trip.
        /// </summary>
        private string Record(string stem, string suffix, string? summary, IReadOnlyList<DocMember> members, List<LenientJsonValue> samples, bool input, bool open = false)
        {
            var name = Naming.Unique(stem + suffix, _typeNames);
            var used = NewMemberSet(name);
            var properties = new List<PropertySpec>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // A QAPI simple union on the wire: {"type": ..., "data": {...}} (chardev backends, socket
            // addresses, key values, transaction actions); what "data" holds depends on "type".
            var isUnion = input && HasMember(members, samples, "type") && HasMember(members, samples, "data");
            foreach (var member in members)
            {
                if (!seen.Add(member.Name))
                    continue;
                var values = samples.Select(s => s[member.Name]).Where(v => v is not null).ToList();
                var absent = samples.Count > 0 && values.Count < samples.Count;
                var type = isUnion && member.Name == "data"
                    ? UnionData(member.Type, member.Members, values!, stem + Naming.Pascal(member.Name))
                    : TypeOf(member.Type, member.Members, values!, stem + Naming.Pascal(member.Name), input);
                properties.Add(Property(member.Name, type, input || member.Optional || absent, member.Description, used));
            }
            // Members the examples show but the docs do not name (query-cpus' "pc"): typed from the examples, optional.
            // Not those the docs place elsewhere (query-migrate's example shows "total-time" inside "ram").
            foreach (var sample in samples)
            {
                foreach (var pair in sample.Members)
                {
                    if (_displaced.Contains(pair.Key) || !seen.Add(pair.Key))
                        continue;
                    var values = samples.Select(s => s[pair.Key]).Where(v => v is not null).ToList();
                    var type = isUnion && pair.Key == "data"
                        ? UnionData(null, EquatableArray<DocMember>.Empty, values!, stem + Naming.Pascal(pair.Key))
                        : Infer(values!, stem + Naming.Pascal(pair.Key), "Info", singular: false, input);
                    properties.Add(Property(pair.Key, type, true, null, used));
                }
            }
            var hasExtra = input && (open || members.Count == 0);
            _records.Add(new RecordSpec(name, summary, properties.ToEquatableArray(), hasExtra, null));
            return name;
        }

        /// <summary>The <c>data</c> of a union in an argument: an open record when it is an object, else any JSON value (send-key's number or qcode).</summary>
        private TypeRef UnionData(string? docType, EquatableArray<DocMember> members, List<LenientJsonValue> samples, string stem)
        {
            if (members.Count > 0 || (samples.Count > 0 && samples.All(s => s.Kind == LenientJsonKind.Object)))
                return TypeRef.Record(Record(stem, "Info", null, members, samples, input: true, open: true));
            return TypeRef.Json;
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
                    into.Add(member.Name);
                if (member.Members.Count > 0)
                    Displaced(member.Members, values.SelectMany(v => v!.Kind == LenientJsonKind.Array ? v.Items : new List<LenientJsonValue> { v }).Where(v => v.Kind == LenientJsonKind.Object).ToList(), into);
            }
        }

        private TypeRef TypeOf(string? docType, EquatableArray<DocMember> members, List<LenientJsonValue> samples, string stem, bool input)
        {
            var type = (docType ?? string.Empty).Trim().ToLowerInvariant().Replace('_', '-');
            switch (type)
            {
                case "json-int":
                    return TypeRef.Int;
                case "json-number":
                    return TypeRef.Number;
                case "json-bool":
                    return TypeRef.Bool;
                case "json-string":
                case "josn-string":
                case "json-str":
                    return TypeRef.String;
                case "json-value":
                    return TypeRef.Json;
                case "json-object":
                case "json-dict":
                {
                    var objects = samples.Where(s => s.Kind == LenientJsonKind.Object).ToList();
                    if (members.Count > 0 || objects.Any(o => o.Members.Count > 0))
                        return TypeRef.Record(Record(stem, "Info", null, members, objects, input));
                    return TypeRef.Json;
                }
                case "json-array":
                {
                    var items = samples.Where(s => s.Kind == LenientJsonKind.Array).SelectMany(s => s.Items).ToList();
                    if (members.Count > 0)
                        return TypeRef.ListOf(TypeRef.Record(Record(Singular(stem), "Info", null, members, items.Where(i => i.Kind == LenientJsonKind.Object).ToList(), input)));
                    return TypeRef.ListOf(items.Count > 0 ? Infer(items, Singular(stem), "Info", singular: false, input) : TypeRef.Json);
                }
                case "":
                    return samples.Count > 0 ? Infer(samples, stem, "Info", singular: false, input) : TypeRef.Json;
                default:
                    // A QAPI type name (NewImageMode, BlockdevOnError, ...): in QEMU 2.1 these are enums, strings on the wire.
                    return TypeRef.String;
            }
        }

        /// <summary>Infers a type from example values alone.</summary>
        private TypeRef Infer(List<LenientJsonValue> samples, string stem, string suffix, bool singular, bool input = false)
        {
            if (samples.Count == 0)
                return TypeRef.Json;
            var kinds = samples.Select(s => s.Kind is LenientJsonKind.True or LenientJsonKind.False ? LenientJsonKind.True : s.Kind).Distinct().ToList();
            if (kinds.Count != 1)
                return TypeRef.Json;
            switch (kinds[0])
            {
                case LenientJsonKind.String:
                    return TypeRef.String;
                case LenientJsonKind.True:
                    return TypeRef.Bool;
                case LenientJsonKind.Number:
                    return samples.All(s => IsInteger(s.Text)) ? TypeRef.Int : TypeRef.Number;
                case LenientJsonKind.Object:
                    return TypeRef.Record(Record(stem, suffix, null, Array.Empty<DocMember>(), samples, input));
                case LenientJsonKind.Array:
                {
                    var items = samples.SelectMany(s => s.Items).ToList();
                    return TypeRef.ListOf(items.Count > 0 ? Infer(items, Singular(stem), suffix, false, input) : TypeRef.Json);
                }
                default:
                    return TypeRef.Json;
            }
        }

        private static PropertySpec Property(string jsonName, TypeRef type, bool optional, string? doc, HashSet<string> used)
        {
            var pascal = Naming.Pascal(jsonName);
            var name = Naming.Unique(pascal, used);
            var parameter = Naming.Camel(jsonName);
            if (parameter == "cancellationToken")
                parameter = "cancellationToken_";
            if (name != pascal)
                parameter = Naming.Camel(name);
            return new PropertySpec(jsonName, name, parameter, type, optional, string.IsNullOrWhiteSpace(doc) ? null : doc);
        }

        private static HashSet<string> NewMemberSet(string typeName)
        {
            var used = new HashSet<string>(ReservedMemberNames, StringComparer.Ordinal) { typeName };
            return used;
        }
    }

    /// <summary>A return text that says the reply is any JSON value.</summary>
    private static readonly System.Text.RegularExpressions.Regex AnyValue = new(@"\bjson-value\b|\bany JSON value\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A text that says what a command returns (as opposed to a description that happens to precede member items).</summary>
    private static readonly System.Text.RegularExpressions.Regex ReturnWording = new(@"\b(return|returns|returned|json-object|json-array|json-value)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static TypeRef ScalarOf(ArgumentKind kind) => kind switch
    {
        ArgumentKind.String or ArgumentKind.FileName or ArgumentKind.BlockDevice => TypeRef.String,
        ArgumentKind.Int or ArgumentKind.Long or ArgumentKind.Megabytes or ArgumentKind.Octets => TypeRef.Int,
        ArgumentKind.Double => TypeRef.Number,
        ArgumentKind.Bool or ArgumentKind.Flag => TypeRef.Bool,
        _ => TypeRef.Json,
    };

    private static bool Same(string a, string b) => string.Equals(a.Replace('_', '-'), b.Replace('_', '-'), StringComparison.Ordinal);

    private static DocMember? FindDoc(EquatableArray<DocMember>? members, string name)
    {
        if (members is null)
            return null;
        foreach (var member in members.Value)
        {
            if (member.Name == name)
                return member;
        }
        foreach (var member in members.Value)
        {
            if (Same(member.Name, name))
                return member;
        }
        return null;
    }

    private static string Singular(string stem)
    {
        if (stem.EndsWith("ies", StringComparison.Ordinal) && stem.Length > 4)
            return stem.Substring(0, stem.Length - 3) + "y";
        if (stem.EndsWith("s", StringComparison.Ordinal) && !stem.EndsWith("ss", StringComparison.Ordinal) && stem.Length > 3)
            return stem.Substring(0, stem.Length - 1);
        return stem;
    }

    private static readonly char[] FloatMarks = { '.', 'e', 'E' };

    private static bool IsInteger(string text) => text.IndexOfAny(FloatMarks) < 0 && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// The example values of a doc block: each request (when <paramref name="request"/>), or the
    /// <paramref name="member"/> of each reply, skipping examples that execute another command.
    /// </summary>
    private static List<LenientJsonValue> Samples(DocBlock? doc, string name, bool request, string member = "return")
    {
        var values = new List<LenientJsonValue>();
        if (doc is null)
            return values;
        foreach (var example in doc.Examples)
        {
            var requestValue = Parse(example.Request);
            var executes = requestValue?["execute"]?.Text;
            if (executes is not null && executes != name)
                continue;
            if (request)
            {
                if (requestValue is not null)
                    values.Add(requestValue);
                continue;
            }
            var reply = Parse(example.Reply);
            if (reply is null)
                continue;
            var eventName = reply["event"]?.Text;
            if (eventName is not null && eventName != name)
                continue;
            var value = reply[member];
            if (value is not null)
                values.Add(value);
        }
        return values;
    }

    private static LenientJsonValue? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : LenientJsonReader.Read(json!, 0, json!.Length).Value;

    private static DocSpec DocOf(DocBlock? doc, string name, string fallback)
    {
        if (doc is null)
            return new DocSpec(fallback, null, null, null, null);
        var example = doc.Examples.FirstOrDefault(e => e.Request is not null || e.Reply is not null);
        return new DocSpec(
            string.IsNullOrWhiteSpace(doc.Description) ? fallback : doc.Description,
            doc.Returns?.Description,
            example?.Request,
            example?.Reply,
            string.IsNullOrWhiteSpace(doc.Notes) ? null : doc.Notes);
    }
}
