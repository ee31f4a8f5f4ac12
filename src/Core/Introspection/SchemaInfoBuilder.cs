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

        return new Walk(schema, null).Run();
    }

    /// <summary>
    /// The one walk of the model in introspect.py's order, for both outputs: with no
    /// build, the description (real names, conditions as <c>"if"</c>, schema
    /// order); with one, QEMU's answer for that build (<see cref="SchemaAnswerBuilder"/>: masked
    /// names, what the build leaves out dropped, module order). Types are used, so numbered, whatever
    /// the build: QEMU numbers them before the C compiler drops anything.
    /// </summary>
    internal sealed class Walk
    {
        private readonly SchemaIndex _index;
        private readonly QmpSchema _schema;
        private readonly SchemaBuildConfig? _build;
        private readonly List<SchemaInfoEntry> _entries = new();
        private readonly List<string> _used = new();
        private readonly HashSet<string> _usedSet = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _masks = new(StringComparer.Ordinal);

        public Walk(QmpSchema schema, SchemaBuildConfig? build)
        {
            _schema = schema;
            _build = build;
            _index = SchemaIndex.Of(schema);
        }

        public SchemaInfo Run()
        {
            // The description keeps schema order (by location in one file, else commands first); the
            // answer goes module by module, as QEMU visits them.
            foreach (var (c, e) in SchemaAnswerBuilder.VisitingOrder(_schema, byModule: _build is not null))
            {
                if (c is not null)
                {
                    var arg = c.Arguments is null ? Use(EmptyObject) : Use(c.Arguments);
                    var ret = c.Returns is null ? Use(EmptyObject) : Use(c.Returns);
                    Add(new SchemaInfoCommand(c.Name, arg, ret, c.Flags.AllowOob, Features(c.Features)) { Condition = If(c.Condition) }, c.Condition);
                }
                else if (e is not null)
                {
                    Add(new SchemaInfoEvent(e.Name, e.Data is null ? Use(EmptyObject) : Use(e.Data), Features(e.Features)) { Condition = If(e.Condition) }, e.Condition);
                }
            }
            // Emitting a type uses more types; the list grows as it is walked, as in introspect.py's visit_end.
            for (var i = 0; i < _used.Count; i++)
            {
                Emit(_used[i]);
            }

            return new SchemaInfo(_entries);
        }

        /// <summary>The answer keeps what the build has; the description keeps everything.</summary>
        private bool Holds(SchemaCondition? condition) => _build?.Holds(condition) ?? true;

        /// <summary>The condition as the description's <c>"if"</c>; the answer, for one build, has none.</summary>
        private string? If(SchemaCondition? condition) => _build is null ? condition?.ToQapi() : null;

        private void Add(SchemaInfoEntry entry, SchemaCondition? condition)
        {
            if (Holds(condition))
            {
                _entries.Add(entry);
            }
        }

        /// <summary>A type's name in the output: itself in the description; in the answer introspect.py's _name, a number given at its first use.</summary>
        private string Name(string name)
        {
            if (_build is null)
            {
                return name;
            }

            if (!_masks.TryGetValue(name, out var mask))
            {
                mask = _masks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _masks[name] = mask;
            }
            return mask;
        }

        /// <summary>introspect.py's _use_type: queues the type (an array before its element) and returns its name in the output.</summary>
        private string Use(SchemaTypeRef type)
        {
            if (!type.IsArray)
            {
                return Use(type.Name);
            }

            var element = SchemaBuiltins.JsonTypeOf(type.Name) == JsonType.Int ? SchemaBuiltins.Int : type.Name;
            Mark("[" + element + "]");
            return "[" + Use(element) + "]";
        }

        private string Use(string name)
        {
            if (SchemaBuiltins.JsonTypeOf(name) == JsonType.Int)
            {
                name = SchemaBuiltins.Int;
            }

            Mark(name);
            return IsBuiltin(name) ? name : Name(name);
        }

        /// <summary>A builtin keeps its name; <c>QType</c> is an enum, masked like the schema's.</summary>
        private bool IsBuiltin(string name) =>
            SchemaBuiltins.IsBuiltin(name) && !string.Equals(name, SchemaBuiltins.QType, StringComparison.Ordinal) && _index.Type(name) is null;

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
                var element = name.Substring(1, name.Length - 2);
                var elementName = Use(element);
                // An array exists when its element does (QAPISchemaArrayType.ifcond); the description leaves that to the element.
                Add(new SchemaInfoArray("[" + elementName + "]", elementName), _build is null ? null : _index.Type(element)?.Condition);
                return;
            }
            if (string.Equals(name, SchemaBuiltins.QType, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                Add(new SchemaInfoEnum(Name(name), SchemaBuiltins.QTypeEnum.Values.Select(v => new SchemaInfoEnumMember(v.Name)).ToList()), null);
                return;
            }
            if (IsBuiltin(name))
            {
                Add(new SchemaInfoBuiltin(name, JsonTypeName(SchemaBuiltins.JsonTypeOf(name)!.Value)), null);
                return;
            }
            if (string.Equals(name, EmptyObject, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                Add(new SchemaInfoObject(Name(name), Array.Empty<SchemaInfoObjectMember>()), null);
                return;
            }
            if (_index.Type(name) is not { } type)
            {
                return; // a name the model lacks: its readers have reported it, and SchemaInfo records it as a problem
            }

            switch (type)
            {
                case SchemaEnumType e:
                    Add(new SchemaInfoEnum(Name(name),
                        e.Values.Where(v => Holds(v.Condition)).Select(v => new SchemaInfoEnumMember(v.Name, Features(v.Features)) { Condition = If(v.Condition) }).ToList(),
                        Features(e.Features))
                    { Condition = If(e.Condition) }, e.Condition);
                    break;
                case SchemaAlternateType a:
                    var branches = a.Branches.Select(b => (Type: Use(b.Type), b.Condition)).ToList();
                    Add(new SchemaInfoAlternate(Name(name), branches.Where(b => Holds(b.Condition)).Select(b => b.Type).ToList(), Features(a.Features)) { Condition = If(a.Condition) }, a.Condition);
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
                var type = Use(m.Type);
                if (Holds(m.Condition))
                {
                    members.Add(new SchemaInfoObjectMember(m.Name, type, m.Optional, Features(m.Features)) { Condition = If(m.Condition) });
                }
            }

            string? tag = null;
            List<SchemaInfoVariant>? variants = null;
            if (o.Variants is { } v)
            {
                tag = v.Tag;
                variants = new List<SchemaInfoVariant>();
                var tagEnum = _index.TagEnum(o);
                SchemaCondition? ValueCondition(string value) =>
                    tagEnum?.Values.FirstOrDefault(x => string.Equals(x.Name, value, StringComparison.Ordinal))?.Condition;
                foreach (var b in v.Branches)
                {
                    var type = Use(b.Type);
                    // QEMU's answer has a written branch under its own condition; the description
                    // says a branch exists only when its tag value does too.
                    if (Holds(b.Condition))
                    {
                        variants.Add(new SchemaInfoVariant(b.Case, type) { Condition = If(b.Condition ?? ValueCondition(b.Case)) });
                    }
                }
                // QAPI gives every tag value without a branch the empty branch, with the value's condition.
                foreach (var value in _index.EmptyBranches(o))
                {
                    var type = Use(EmptyObject);
                    var condition = ValueCondition(value);
                    if (Holds(condition))
                    {
                        variants.Add(new SchemaInfoVariant(value, type) { Condition = If(condition) });
                    }
                }
            }
            Add(new SchemaInfoObject(Name(o.Name), members, tag, variants, Features(o.Features)) { Condition = If(o.Condition) }, o.Condition);
        }

        private List<string>? Features(Helpers.EquatableArray<SchemaFeature> features)
        {
            var kept = features.Where(f => Holds(f.Condition)).Select(f => f.Name).ToList();
            return kept.Count == 0 ? null : kept;
        }
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
