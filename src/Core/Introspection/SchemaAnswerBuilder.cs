using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
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

        return new SchemaInfoBuilder.Walk(schema, build ?? SchemaBuildConfig.Default).Run();
    }

    /// <summary>
    /// The commands and events in QEMU's visiting order: by module (the order of
    /// <see cref="QmpSchema.Modules"/>, files first read first), then where each is defined. A schema
    /// without modules (one file, or .hx), or with <paramref name="byModule"/> false (the description's
    /// schema order), goes by location when all come from one file, else commands first.
    /// </summary>
    public static IReadOnlyList<(SchemaCommand? Command, SchemaEvent? Event)> VisitingOrder(QmpSchema schema, bool byModule = true)
    {
        var modules = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var module in byModule ? schema.Modules : EquatableArray<SchemaModule>.Empty)
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
}
