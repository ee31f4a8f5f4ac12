using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Introspection;

/// <summary>
/// The schema model as <c>query-qmp-schema</c> would describe it, with real names: what QEMU's
/// scripts/qapi/introspect.py produces with <c>--unmask-non-abi-names</c>. Everything the model has
/// is listed, whatever the build, each command, event, type, member, branch and enum value with its
/// QAPI condition as <c>"if"</c> (which introspection, answering for one build, never has), so the
/// report tells what a build leaves out from what it lacks; every integer type is <c>int</c> and
/// an array of one <c>[int]</c>; <c>QType</c> is an enum; an absent <c>arguments</c>,
/// <c>returns</c> or event <c>data</c> is the empty object <c>q_empty</c>; an object's members are
/// flattened (its base's first); a union lists a <c>q_empty</c> variant for each tag value it
/// gives no branch. Commands and events come in schema order (by location when all are in one
/// file; otherwise commands first, then events), then every type they use, in the order first used
/// (an array before its element), as introspect.py lists them. A generated client carries <see cref="Describe"/>'s JSON and the
/// runtime compares it with the live schema by the same alignment.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class SchemaInfoBuilder
{
    /// <summary>QEMU's name for the empty object type.</summary>
    public const string EmptyObject = "q_empty";

    /// <summary>The schema's <c>SchemaInfo</c> JSON: the compact description a generated client carries.</summary>
    public static string Describe(QmpSchema schema) => Build(schema).ToJson();

    public static SchemaInfo Build(QmpSchema schema)
    {
        if (schema is null)
        {
            throw new ArgumentNullException(nameof(schema));
        }

        return new Builder(schema).Run();
    }

    private sealed class Builder
    {
        private readonly SchemaIndex _index;
        private readonly QmpSchema _schema;
        private readonly List<SchemaInfoEntry> _entries = new();
        private readonly List<string> _used = new();
        private readonly HashSet<string> _usedSet = new(StringComparer.Ordinal);

        public Builder(QmpSchema schema)
        {
            _schema = schema;
            _index = SchemaIndex.Of(schema);
        }

        public SchemaInfo Run()
        {
            // QEMU lists commands and events in schema order, interleaved. The model keeps them apart;
            // their locations restore the order when all come from one file, else commands come first.
            var entities = _schema.Commands.Select(c => (c.Location, Command: (SchemaCommand?)c, Event: (SchemaEvent?)null))
                .Concat(_schema.Events.Select(e => (e.Location, Command: (SchemaCommand?)null, Event: (SchemaEvent?)e))).ToList();
            if (entities.Select(x => x.Location.Path).Distinct(StringComparer.Ordinal).Count() == 1)
            {
                entities = entities.OrderBy(x => x.Location.Start).ToList();
            }

            foreach (var (_, c, e) in entities)
            {
                if (c is not null)
                {
                    var arg = c.Arguments is null ? Use(EmptyObject) : Use(c.Arguments);
                    var ret = c.Returns is null ? Use(EmptyObject) : Use(c.Returns);
                    _entries.Add(new SchemaInfoCommand(c.Name, arg, ret, c.Flags.AllowOob, Features(c.Features)) { Condition = If(c.Condition) });
                }
                else if (e is not null)
                {
                    _entries.Add(new SchemaInfoEvent(e.Name, e.Data is null ? Use(EmptyObject) : Use(e.Data), Features(e.Features)) { Condition = If(e.Condition) });
                }
            }
            // Emitting a type uses more types; the list grows as it is walked, as in introspect.py.
            for (var i = 0; i < _used.Count; i++)
            {
                Emit(_used[i]);
            }

            return new SchemaInfo(_entries);
        }

        private string Use(SchemaTypeRef type)
        {
            if (!type.IsArray)
            {
                return Use(type.Name);
            }
            // As introspect.py: the array is used before its element.
            var name = "[" + (SchemaBuiltins.JsonTypeOf(type.Name) == JsonType.Int ? SchemaBuiltins.Int : type.Name) + "]";
            Mark(name);
            Use(type.Name);
            return name;
        }

        private string Use(string name)
        {
            if (SchemaBuiltins.JsonTypeOf(name) == JsonType.Int)
            {
                name = SchemaBuiltins.Int;
            }

            Mark(name);
            return name;
        }

        private void Mark(string name)
        {
            if (_usedSet.Add(name))
            {
                _used.Add(name);
            }
        }

        private void Emit(string name)
        {
            if (name.Length > 2 && name[0] == '[' && name[name.Length - 1] == ']')
            {
                _entries.Add(new SchemaInfoArray(name, name.Substring(1, name.Length - 2)));
                return;
            }
            if (string.Equals(name, SchemaBuiltins.QType, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                _entries.Add(new SchemaInfoEnum(name, SchemaBuiltins.QTypeEnum.Values.Select(v => new SchemaInfoEnumMember(v.Name)).ToList()));
                return;
            }
            if (SchemaBuiltins.JsonTypeOf(name) is { } jsonType && _index.Type(name) is null)
            {
                _entries.Add(new SchemaInfoBuiltin(name, JsonTypeName(jsonType)));
                return;
            }
            if (string.Equals(name, EmptyObject, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                _entries.Add(new SchemaInfoObject(name, Array.Empty<SchemaInfoObjectMember>()));
                return;
            }
            if (_index.Type(name) is not { } type)
            {
                return; // a name the model lacks: SchemaInfo records it as a problem
            }

            switch (type)
            {
                case SchemaEnumType e:
                    _entries.Add(new SchemaInfoEnum(name, e.Values.Select(v => new SchemaInfoEnumMember(v.Name, Features(v.Features)) { Condition = If(v.Condition) }).ToList(),
                        Features(e.Features))
                    { Condition = If(e.Condition) });
                    break;
                case SchemaAlternateType a:
                    _entries.Add(new SchemaInfoAlternate(name, a.Branches.Select(b => Use(b.Type)).ToList(), Features(a.Features)) { Condition = If(a.Condition) });
                    break;
                case SchemaObjectType o:
                    EmitObject(o);
                    break;
            }
        }

        private void EmitObject(SchemaObjectType o)
        {
            var members = new List<SchemaInfoObjectMember>();
            foreach (var m in _index.AllMembers(o))
            {
                members.Add(new SchemaInfoObjectMember(m.Name, Use(m.Type), m.Optional, Features(m.Features)) { Condition = If(m.Condition) });
            }

            string? tag = null;
            List<SchemaInfoVariant>? variants = null;
            if (o.Variants is { } v)
            {
                tag = v.Tag;
                variants = new List<SchemaInfoVariant>();
                var tagEnum = _index.TagEnum(o);
                // A branch exists only when its tag value does: either's condition holds for it.
                SchemaCondition? ValueCondition(string value) =>
                    tagEnum?.Values.FirstOrDefault(x => string.Equals(x.Name, value, StringComparison.Ordinal))?.Condition;
                foreach (var b in v.Branches)
                {
                    variants.Add(new SchemaInfoVariant(b.Case, Use(b.Type)) { Condition = If(b.Condition ?? ValueCondition(b.Case)) });
                }
                // QAPI gives every tag value without a branch the empty branch.
                foreach (var value in _index.EmptyBranches(o))
                {
                    variants.Add(new SchemaInfoVariant(value, Use(EmptyObject)) { Condition = If(ValueCondition(value)) });
                }
            }
            _entries.Add(new SchemaInfoObject(o.Name, members, tag, variants, Features(o.Features)) { Condition = If(o.Condition) });
        }

        private static string? If(SchemaCondition? condition) => condition?.ToQapi();

        private static List<string>? Features(Helpers.EquatableArray<SchemaFeature> features) =>
            features.Count == 0 ? null : features.Select(f => f.Name).ToList();
    }

    /// <summary>The JSON type as introspection spells it.</summary>
    public static string JsonTypeName(JsonType type) => type switch
    {
        JsonType.String => "string",
        JsonType.Int => "int",
        JsonType.Number => "number",
        JsonType.Boolean => "boolean",
        JsonType.Null => "null",
        JsonType.Object => "object",
        JsonType.Array => "array",
        _ => "value",
    };
}
