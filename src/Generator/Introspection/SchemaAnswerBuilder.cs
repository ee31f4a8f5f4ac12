using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Introspection;

/// <summary>
/// What QEMU answers to <c>query-qmp-schema</c> for a schema in one build: QEMU's
/// scripts/qapi/introspect.py (without <c>--unmask-non-abi-names</c>) followed by the C compiler's
/// <c>#if</c>s, step for step:
/// <list type="bullet">
/// <item>Commands and events in QEMU's visiting order: module by module (the top file, then the
/// files in the order first included), each in definition order.</item>
/// <item>Then every type they use, in the order first used, the list growing as it is walked (an
/// array before its element); every integer type is <c>int</c>, an array of one <c>[int]</c>; an
/// absent <c>arguments</c>, <c>returns</c> or <c>data</c> the empty object <c>q_empty</c>.</item>
/// <item>Type names but builtins' and arrays' masked as numbers counted from 0 in the order first
/// used; arrays named <c>[</c>element<c>]</c>.</item>
/// <item>Numbers are given and types used whatever the build, as introspect.py runs before the
/// compiler: an entity, member, enum value, branch or feature whose condition does not hold in
/// <see cref="SchemaBuildConfig"/> is then left out, numbers keep their gaps, and a type used only
/// by what the build leaves out is still listed unless its own condition fails (an array has its
/// element's condition, an implicit type its command's or event's).</item>
/// <item>Objects list their members flattened, the base's first; a union's branches come as
/// written, then the empty branch (<c>q_empty</c>) of each tag value without one, with that value's
/// condition; optional members carry <c>"default": null</c>; enums carry <c>members</c> and
/// <c>values</c>; <c>allow-oob</c> only when true; <c>features</c> only when there are some.</item>
/// </list>
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class SchemaAnswerBuilder
{
    public static SchemaInfo Build(QmpSchema schema, SchemaBuildConfig build)
    {
        if (schema is null)
        {
            throw new ArgumentNullException(nameof(schema));
        }

        return new Builder(schema, build ?? SchemaBuildConfig.Default).Run();
    }

    /// <summary>
    /// The commands and events in QEMU's visiting order: by module (the order of
    /// <see cref="QmpSchema.Modules"/>, files first read first), then where each is defined. A schema
    /// without modules (one file, or .hx) goes by location when all come from one file, else commands first.
    /// </summary>
    public static IReadOnlyList<(SchemaCommand? Command, SchemaEvent? Event)> VisitingOrder(QmpSchema schema)
    {
        var modules = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var module in schema.Modules)
        {
            if (!modules.ContainsKey(module.Path))
            {
                modules[module.Path] = modules.Count;
            }
        }

        var entities = schema.Commands.Select(c => (c.Location, Command: (SchemaCommand?)c, Event: (SchemaEvent?)null))
            .Concat(schema.Events.Select(e => (e.Location, Command: (SchemaCommand?)null, Event: (SchemaEvent?)e))).ToList();
        if (modules.Count > 0)
        {
            int ModuleOf(string path) => modules.TryGetValue(path, out var index) ? index : modules.Count;
            entities = entities.OrderBy(x => ModuleOf(x.Location.Path)).ThenBy(x => x.Location.Start).ToList();
        }
        else if (entities.Select(x => x.Location.Path).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            entities = entities.OrderBy(x => x.Location.Start).ToList();
        }

        return entities.Select(x => (x.Command, x.Event)).ToList();
    }

    private sealed class Builder
    {
        private readonly SchemaIndex _index;
        private readonly QmpSchema _schema;
        private readonly SchemaBuildConfig _build;
        private readonly List<SchemaInfoEntry> _entries = new();
        private readonly List<string> _used = new();
        private readonly HashSet<string> _usedSet = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _masks = new(StringComparer.Ordinal);

        public Builder(QmpSchema schema, SchemaBuildConfig build)
        {
            _schema = schema;
            _build = build;
            _index = SchemaIndex.Of(schema);
        }

        public SchemaInfo Run()
        {
            foreach (var (c, e) in VisitingOrder(_schema))
            {
                // Built whatever the build, so that numbers are given as QEMU gives them; kept when it holds.
                if (c is not null)
                {
                    var arg = c.Arguments is null ? Use(SchemaInfoBuilder.EmptyObject) : Use(c.Arguments);
                    var ret = c.Returns is null ? Use(SchemaInfoBuilder.EmptyObject) : Use(c.Returns);
                    Add(new SchemaInfoCommand(c.Name, arg, ret, c.Flags.AllowOob, Features(c.Features)), c.Condition);
                }
                else if (e is not null)
                {
                    Add(new SchemaInfoEvent(e.Name, e.Data is null ? Use(SchemaInfoBuilder.EmptyObject) : Use(e.Data), Features(e.Features)), e.Condition);
                }
            }
            // Emitting a type uses more types; the list grows as it is walked, as in introspect.py's visit_end.
            for (var i = 0; i < _used.Count; i++)
            {
                Emit(_used[i]);
            }

            return new SchemaInfo(_entries);
        }

        private void Add(SchemaInfoEntry entry, SchemaCondition? condition)
        {
            if (_build.Holds(condition))
            {
                _entries.Add(entry);
            }
        }

        /// <summary>introspect.py's _name: a type's number, given at its first use.</summary>
        private string Mask(string name)
        {
            if (!_masks.TryGetValue(name, out var mask))
            {
                mask = _masks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _masks[name] = mask;
            }
            return mask;
        }

        /// <summary>introspect.py's _use_type: queues the type (an array before its element) and returns its name in the answer.</summary>
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
            return IsBuiltin(name) ? name : Mask(name);
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
                Add(new SchemaInfoArray("[" + elementName + "]", elementName), ConditionOf(element));
                return;
            }
            if (string.Equals(name, SchemaBuiltins.QType, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                Add(new SchemaInfoEnum(Mask(name), SchemaBuiltins.QTypeEnum.Values.Select(v => new SchemaInfoEnumMember(v.Name)).ToList()), null);
                return;
            }
            if (IsBuiltin(name))
            {
                Add(new SchemaInfoBuiltin(name, SchemaInfoBuilder.JsonTypeName(SchemaBuiltins.JsonTypeOf(name)!.Value)), null);
                return;
            }
            if (string.Equals(name, SchemaInfoBuilder.EmptyObject, StringComparison.Ordinal) && _index.Type(name) is null)
            {
                Add(new SchemaInfoObject(Mask(name), Array.Empty<SchemaInfoObjectMember>()), null);
                return;
            }
            if (_index.Type(name) is not { } type)
            {
                return; // a name the model lacks: its readers have reported it
            }

            switch (type)
            {
                case SchemaEnumType e:
                    Add(new SchemaInfoEnum(Mask(name),
                        e.Values.Where(v => _build.Holds(v.Condition)).Select(v => new SchemaInfoEnumMember(v.Name, Features(v.Features))).ToList(),
                        Features(e.Features)), e.Condition);
                    break;
                case SchemaAlternateType a:
                    var branches = a.Branches.Select(b => (Type: Use(b.Type), b.Condition)).ToList();
                    Add(new SchemaInfoAlternate(Mask(name), branches.Where(b => _build.Holds(b.Condition)).Select(b => b.Type).ToList(), Features(a.Features)), a.Condition);
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
                if (_build.Holds(m.Condition))
                {
                    members.Add(new SchemaInfoObjectMember(m.Name, type, m.Optional, Features(m.Features)));
                }
            }

            string? tag = null;
            List<SchemaInfoVariant>? variants = null;
            if (o.Variants is { } v)
            {
                tag = v.Tag;
                variants = new List<SchemaInfoVariant>();
                foreach (var b in v.Branches)
                {
                    var type = Use(b.Type);
                    if (_build.Holds(b.Condition))
                    {
                        variants.Add(new SchemaInfoVariant(b.Case, type));
                    }
                }
                // QAPI gives every tag value without a branch the empty branch, with the value's condition.
                var tagEnum = _index.TagEnum(o);
                foreach (var value in _index.EmptyBranches(o))
                {
                    var type = Use(SchemaInfoBuilder.EmptyObject);
                    var condition = tagEnum?.Values.FirstOrDefault(x => string.Equals(x.Name, value, StringComparison.Ordinal))?.Condition;
                    if (_build.Holds(condition))
                    {
                        variants.Add(new SchemaInfoVariant(value, type));
                    }
                }
            }
            Add(new SchemaInfoObject(Mask(o.Name), members, tag, variants, Features(o.Features)), o.Condition);
        }

        /// <summary>An array exists when its element does (QAPISchemaArrayType.ifcond).</summary>
        private SchemaCondition? ConditionOf(string name) => _index.Type(name)?.Condition;

        private List<string>? Features(Helpers.EquatableArray<SchemaFeature> features)
        {
            var kept = features.Where(f => _build.Holds(f.Condition)).Select(f => f.Name).ToList();
            return kept.Count == 0 ? null : kept;
        }
    }
}
