using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Introspection;

/// <summary>
/// A live schema (<see cref="SchemaInfo"/>) as the schema model: a client that knows exactly what
/// one server offers, though nothing of its docs.
/// <list type="bullet">
/// <item>Masked type names (all digits) are replaced by names from where the type is first used,
/// breadth first from the commands and events in schema order, in QAPI style: a command's
/// arguments <c>BlockdevAddArguments</c>, its return (an array's element) <c>QueryBlockResult</c>,
/// an event's data <c>BlockJobCompletedData</c>, then by path: a member's type
/// <c>QueryBlockResultInserted</c>, a union variant <c>BlockdevAddArgumentsFile</c>, an alternate
/// member by JSON type <c>...Object</c>; the empty object is <c>q_empty</c>; a name already taken
/// gets a number. A name that is not masked is kept. Types nothing uses are <c>Unreferenced</c>N.</item>
/// <item>With <c>source</c> (the QAPI schema the server was built from, or one near it), every type
/// the alignment pairs takes the source's name, and commands, events, types, members and enum
/// values take the source's docs.</item>
/// <item>Every integer is <c>int</c> (introspection keeps no widths); a union's members go to an
/// implicit base <c>q_obj_NAME-base</c>; an empty <c>arg-type</c>, <c>ret-type</c> or event data
/// is no arguments, <c>{}</c>, no data. Conditions are none: the schema is one build's.</item>
/// </list>
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class IntrospectedSchema
{
    public static QmpSchema Build(SchemaInfo info, string path, QmpSchema? source = null)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }

        return new Converter(info, path ?? string.Empty, source).Run();
    }

    /// <summary>QAPI-style CamelCase of a schema name: <c>query-block</c> <c>QueryBlock</c>, <c>BLOCK_JOB_COMPLETED</c> <c>BlockJobCompleted</c>.</summary>
    public static string Camel(string name) =>
        NameCase.Pascal(name ?? throw new ArgumentNullException(nameof(name)), shouting: true);

    private static bool IsMasked(string name) => name.Length > 0 && name.All(c => c is >= '0' and <= '9');

    private static bool IsEmptyObject(SchemaInfoEntry? e) => e is SchemaInfoObject { Members.Count: 0, Tag: null };

    private sealed class Converter
    {
        private readonly SchemaInfo _info;
        private readonly QmpSchema? _source;
        private readonly SchemaLocation _location;
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();
        private readonly SchemaIndex? _sourceIndex;
        private readonly List<SchemaDiagnostic> _diagnostics = new();
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _nextNumber = new(StringComparer.Ordinal);

        public Converter(SchemaInfo info, string path, QmpSchema? source)
        {
            _info = info;
            _source = source;
            _sourceIndex = source is null ? null : SchemaIndex.Of(source);
            _location = new SchemaLocation(path, 0, 0, 1, 1, 1, 1);
        }

        public QmpSchema Run()
        {
            // Names that are not masked, then the source's, are taken before any is made up.
            foreach (var e in _info.Entries)
            {
                if (IsNamedType(e) && !IsMasked(e.Name))
                {
                    Name(e.Name, e.Name);
                }
            }

            if (_source is not null)
            {
                AlignWithSource(_source);
            }

            NameByUse();

            var types = new List<SchemaType>();
            foreach (var t in _order)
            {
                Convert(_info.Find(t)!, types);
            }

            for (var i = 0; i < _info.Entries.Count; i++)
            {
                _index[_info.Entries[i].Name] = i;
            }

            var commands = _info.Commands.Select(Command).ToEquatableArray();
            var events = _info.Events.Select(Event).ToEquatableArray();
            foreach (var e in _info.Entries)
            {
                if (e is SchemaInfoUnknown)
                {
                    _diagnostics.Add(IntrospectionDiagnostics.Unsupported.Report(_location, 0, e.Name, e.MetaType));
                }
            }

            return new QmpSchema(commands, events, types.ToEquatableArray(), EquatableArray<SchemaProse>.Empty, _diagnostics.ToEquatableArray());
        }

        private static bool IsNamedType(SchemaInfoEntry e) => e is SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate;

        private void AlignWithSource(QmpSchema source)
        {
            var described = SchemaInfoBuilder.Build(source);
            var alignment = SchemaInfoAlignment.Align(described, _info);
            foreach (var conflict in alignment.Conflicts)
            {
                _diagnostics.Add(IntrospectionDiagnostics.AlignmentConflict.Report(_location, conflict.ToString()));
            }

            foreach (var pair in alignment.Pairs)
            {
                // Pairs come in the order met, so a type met twice keeps its first partner's name.
                if (IsNamedType(_info.Find(pair.ServerType)!) && !_names.ContainsKey(pair.ServerType) && !_taken.Contains(pair.ClientType))
                {
                    Name(pair.ServerType, pair.ClientType);
                }
            }
        }

        private void Name(string type, string name)
        {
            _names[type] = name;
            _taken.Add(name);
        }

        private string Unique(string wanted)
        {
            if (!_taken.Contains(wanted))
            {
                return wanted;
            }

            // Names are only ever taken, never given back: the search for a number goes on from where
            // the last one for this name ended, so n names that collide cost n lookups, not n squared
            // (a server's answer can make thousands collide).
            var i = _nextNumber.TryGetValue(wanted, out var next) ? next : 2;
            while (_taken.Contains(wanted + i))
            {
                i++;
            }

            _nextNumber[wanted] = i;
            return wanted + i;
        }

        private void NameByUse()
        {
            var queue = new Queue<(string Type, string Suggested)>();
            foreach (var e in _info.Entries)
            {
                if (e is SchemaInfoCommand c)
                {
                    queue.Enqueue((c.ArgType, Camel(c.Name) + "Arguments"));
                    queue.Enqueue((c.RetType, Camel(c.Name) + "Result"));
                }
                else if (e is SchemaInfoEvent ev)
                {
                    queue.Enqueue((ev.ArgType, Camel(ev.Name) + "Data"));
                }
            }
            var visited = new HashSet<string>(StringComparer.Ordinal);
            while (queue.Count > 0)
            {
                var (type, suggested) = queue.Dequeue();
                var entry = _info.Find(type);
                // An array's element is named where the array is used (bounded: a schema may loop).
                for (var depth = 0; entry is SchemaInfoArray a && depth < 8; depth++)
                {
                    type = a.ElementType;
                    entry = _info.Find(type);
                }
                if (entry is null || !IsNamedType(entry) || !visited.Add(type))
                {
                    continue;
                }

                if (!_names.ContainsKey(type))
                {
                    Name(type, Unique(IsEmptyObject(entry) ? SchemaInfoBuilder.EmptyObject : suggested));
                }

                _order.Add(type);
                var parent = _names[type];
                switch (entry)
                {
                    case SchemaInfoObject o:
                        foreach (var m in o.Members)
                        {
                            queue.Enqueue((m.Type, parent + Camel(m.Name)));
                        }

                        foreach (var v in o.Variants)
                        {
                            queue.Enqueue((v.Type, parent + Camel(v.Case)));
                        }

                        break;
                    case SchemaInfoAlternate alt:
                        foreach (var t in alt.MemberTypes)
                        {
                            queue.Enqueue((t, parent + Camel(_info.JsonTypeOf(t) ?? "member")));
                        }

                        break;
                }
            }
            foreach (var e in _info.Entries)
            {
                if (!IsNamedType(e) || !visited.Add(e.Name))
                {
                    continue;
                }

                if (!_names.ContainsKey(e.Name))
                {
                    Name(e.Name, Unique("Unreferenced" + e.Name));
                }

                _order.Add(e.Name);
            }
        }

        private SchemaTypeRef Ref(string type)
        {
            switch (_info.Find(type))
            {
                case SchemaInfoBuiltin b:
                    return SchemaTypeRef.Of(BuiltinName(b));
                case SchemaInfoArray a:
                    var element = _info.Find(a.ElementType);
                    if (element is SchemaInfoArray or null or SchemaInfoUnknown)
                    {
                        return Unsupported(type, "an array of " + (element?.MetaType ?? "a type the schema lacks"));
                    }

                    return SchemaTypeRef.ArrayOf(Ref(a.ElementType).Name);
                case SchemaInfoEntry e when _names.TryGetValue(e.Name, out var name):
                    return SchemaTypeRef.Of(name);
                case var other:
                    return Unsupported(type, other is null ? "a type the schema lacks" : "meta-type '" + other.MetaType + "'");
            }
        }

        private SchemaTypeRef Unsupported(string type, string what)
        {
            _diagnostics.Add(IntrospectionDiagnostics.Unsupported.Report(_location, 1, type, what));
            return SchemaTypeRef.Of(SchemaBuiltins.Any);
        }

        private static string BuiltinName(SchemaInfoBuiltin b)
        {
            if (SchemaBuiltins.IsBuiltin(b.Name))
            {
                return b.Name;
            }
            // A builtin this model does not name (a newer QEMU's): by its JSON type.
            return b.JsonType switch
            {
                "string" => SchemaBuiltins.Str,
                "int" => SchemaBuiltins.Int,
                "number" => SchemaBuiltins.Number,
                "boolean" => SchemaBuiltins.Bool,
                "null" => SchemaBuiltins.Null,
                _ => SchemaBuiltins.Any,
            };
        }

        private SchemaTypeRef? Optional(string type) => IsEmptyObject(_info.Find(type)) ? null : Ref(type);

        private static EquatableArray<SchemaFeature> Features(IReadOnlyList<string> features) =>
            features.Count == 0 ? EquatableArray<SchemaFeature>.Empty : features.Select(f => new SchemaFeature(f, null)).ToEquatableArray();

        private SchemaCommand Command(SchemaInfoCommand c)
        {
            var sourceCommand = _source?.Commands.FirstOrDefault(s => string.Equals(s.Name, c.Name, StringComparison.Ordinal));
            var flags = c.AllowOob ? new SchemaCommandFlags(AllowOob: true) : SchemaCommandFlags.Default;
            // Introspection does not say 'gen': false; the source does, else QEMU's own open commands.
            if (!(sourceCommand?.Flags.Generated ?? !IsOpenCommand(c)))
            {
                flags = flags with { Generated = false };
            }

            return new SchemaCommand(c.Name, Optional(c.ArgType), Optional(c.RetType), flags, null, Features(c.Features), sourceCommand?.Doc, At(c.Name));
        }

        /// <summary>
        /// QEMU's commands whose handler takes its arguments as they come (QAPI's <c>'gen': false</c>), which
        /// <c>query-qmp-schema</c> cannot say: <c>device_add</c> (a device's properties beside driver, bus and
        /// id), and <c>netdev_add</c> before QEMU 5.2 made it the union <c>Netdev</c> (a plain object then).
        /// </summary>
        private bool IsOpenCommand(SchemaInfoCommand c) =>
            c.Name == "device_add" || (c.Name == "netdev_add" && _info.Find(c.ArgType) is SchemaInfoObject { Tag: null });

        private SchemaEvent Event(SchemaInfoEvent e)
        {
            var doc = _source?.Events.FirstOrDefault(s => string.Equals(s.Name, e.Name, StringComparison.Ordinal))?.Doc;
            return new SchemaEvent(e.Name, Optional(e.ArgType), false, null, Features(e.Features), doc, At(e.Name));
        }

        // There is no text position: Start is the entry's index in the answer, which keeps the order
        // of commands and events among each other (SchemaInfoBuilder lists them in it).
        private SchemaLocation At(string entry) => _location with { Start = _index[entry] };

        private SchemaType? SourceType(string name) => _sourceIndex?.Type(name);

        private void Convert(SchemaInfoEntry entry, List<SchemaType> types)
        {
            var name = _names[entry.Name];
            var source = SourceType(name);
            switch (entry)
            {
                case SchemaInfoEnum e:
                    {
                        var sourceEnum = source as SchemaEnumType;
                        var values = e.Members.Select(m => new SchemaEnumValue(m.Name,
                            sourceEnum?.Values.FirstOrDefault(v => string.Equals(v.Name, m.Name, StringComparison.Ordinal))?.Doc,
                            null, Features(m.Features), _location)).ToEquatableArray();
                        types.Add(new SchemaEnumType(name, (source as SchemaEnumType)?.Prefix, values, null, Features(e.Features), source?.Doc, _location));
                        break;
                    }
                case SchemaInfoAlternate a:
                    {
                        var sourceAlt = source as SchemaAlternateType;
                        var branches = new List<SchemaAlternateBranch>();
                        foreach (var t in a.MemberTypes)
                        {
                            var jsonType = _info.JsonTypeOf(t) ?? "value";
                            // The source's branch of the same JSON type gives the name and doc.
                            var sourceBranch = sourceAlt?.Branches.FirstOrDefault(b => string.Equals(SourceJsonType(b.Type), jsonType, StringComparison.Ordinal));
                            branches.Add(new SchemaAlternateBranch(sourceBranch?.Name ?? jsonType, Ref(t), sourceBranch?.Doc, null, _location));
                        }
                        types.Add(new SchemaAlternateType(name, branches.ToEquatableArray(), null, Features(a.Features), source?.Doc, _location));
                        break;
                    }
                case SchemaInfoObject o:
                    {
                        var sourceMembers = source is SchemaObjectType so ? SourceMembers(so) : new Dictionary<string, SchemaMember>();
                        var members = o.Members.Select(m => new SchemaMember(m.Name, Ref(m.Type), m.IsOptional,
                            sourceMembers.TryGetValue(m.Name, out var sm) ? sm.Doc : null, null, Features(m.Features), _location)).ToEquatableArray();
                        var isImplicit = name.StartsWith("q_obj_", StringComparison.Ordinal);
                        if (o.Tag is null)
                        {
                            types.Add(new SchemaObjectType(name, null, members, null, isImplicit, false, null, Features(o.Features), source?.Doc, _location));
                            break;
                        }
                        // A union: its (flattened) members become an implicit base, as QAPI's inline base is.
                        var baseName = Unique("q_obj_" + name + "-base");
                        _taken.Add(baseName);
                        types.Add(new SchemaObjectType(baseName, null, members, null, true, false, null, EquatableArray<SchemaFeature>.Empty, null, _location));
                        var branches = o.Variants.Select(v => new SchemaVariant(v.Case, Ref(v.Type), null, _location)).ToEquatableArray();
                        types.Add(new SchemaObjectType(name, baseName, EquatableArray<SchemaMember>.Empty, new SchemaVariants(o.Tag, branches),
                            isImplicit, false, null, Features(o.Features), source?.Doc, _location));
                        break;
                    }
            }
        }

        private string? SourceJsonType(SchemaTypeRef type)
        {
            if (type.IsArray)
            {
                return "array";
            }

            if (SchemaBuiltins.JsonTypeOf(type.Name) is { } j)
            {
                return type.Name == SchemaBuiltins.QType ? "string" : SchemaInfoBuilder.JsonTypeName(j);
            }

            return SourceType(type.Name) switch
            {
                SchemaEnumType => "string",
                SchemaObjectType => "object",
                _ => null,
            };
        }

        private Dictionary<string, SchemaMember> SourceMembers(SchemaObjectType o)
        {
            var members = new Dictionary<string, SchemaMember>(StringComparer.Ordinal);
            foreach (var m in _sourceIndex!.AllMembers(o))
            {
                if (!members.ContainsKey(m.Name))
                {
                    members.Add(m.Name, m);
                }
            }
            return members;
        }
    }
}
