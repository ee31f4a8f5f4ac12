using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen;

// What a server generated from a QAPI schema or a saved answer answers itself to the introspection
// commands: worked out here, once per schema change, so the generated server carries constants.
public sealed partial class QmpGenerator
{
    /// <summary>
    /// A QAPI schema's server answers <c>query-qmp-schema</c> as QEMU would for the schema in the
    /// item's <c>QemuConfig</c> build (<see cref="SchemaAnswerBuilder"/>); a saved answer's server
    /// answers the saved entries as they are (with a Commands or Events filter, those the kept
    /// commands and events reach), and its <c>query-version</c> is the saved one.
    /// </summary>
    private static ServerIntrospectionSpec ServerIntrospectionOf(QmpSchema schema, SchemaReadResult read, SchemaFileInput main)
    {
        EquatableArray<string> answer;
        if (read.Introspection is { Info: { } info } file)
        {
            var filtered = SchemaFilter.Patterns(main.Commands).Count > 0 || SchemaFilter.Patterns(main.Events).Count > 0;
            var kept = filtered ? Reached(info, schema) : null;
            answer = file.SavedEntries.Where(e => kept is null || kept.Contains(e.Name)).Select(e => e.Json).ToEquatableArray();
        }
        else
        {
            answer = SchemaAnswerBuilder.Build(schema, SchemaBuildConfig.Parse(main.QemuConfig)).Entries.Select(e => e.ToJson()).ToEquatableArray();
        }

        return new ServerIntrospectionSpec(answer, QueryCommandsOrder(schema), read.Introspection?.Version);
    }

    /// <summary>
    /// The order QEMU 7.2's <c>query-commands</c> lists commands in: the reverse of their
    /// registration, which is the generated commands in the schema's order (qmp_init_marshal), then
    /// those with <c>gen: false</c> (registered by hand afterwards, as <c>device_add</c>).
    /// </summary>
    private static EquatableArray<string> QueryCommandsOrder(QmpSchema schema)
    {
        var commands = SchemaAnswerBuilder.VisitingOrder(schema).Where(x => x.Command is not null).Select(x => x.Command!).ToList();
        return commands.Where(c => c.Flags.Generated).Concat(commands.Where(c => !c.Flags.Generated))
            .Select(c => c.Name).Reverse().ToEquatableArray();
    }

    /// <summary>The names of the schema's (kept) commands and events and of the entries they reach in a saved answer.</summary>
    private static HashSet<string> Reached(SchemaInfo info, QmpSchema schema)
    {
        var roots = schema.Commands.Select(c => c.Name).Concat(schema.Events.Select(e => e.Name)).ToList();
        var reached = info.TypesReachedFrom(roots);
        reached.UnionWith(roots);
        return reached;
    }
}
