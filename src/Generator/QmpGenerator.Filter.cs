using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen;

// The Commands and Events metadata of a QmpSchema item: the generated code keeps only the commands
// (and events) named and the types they reach. The filter works on the schema model, so .hx and
// QAPI schemas filter alike; it is part of the group's input, so changing it reruns the parse.
public sealed partial class QmpGenerator
{
    public const string CommandsMetadata = "build_metadata.AdditionalFiles.QmpCommands";
    public const string EventsMetadata = "build_metadata.AdditionalFiles.QmpEvents";

    /// <summary>
    /// The schema with only what the group's files name: the patterns of all its files together
    /// (files that share a Namespace are one client). A pattern that matches nothing is a warning
    /// at the start of the file that gave it.
    /// </summary>
    private static QmpSchema Filter(QmpSchema schema, IReadOnlyList<SchemaFileInput> files, List<SchemaDiagnostic> problems)
    {
        var commands = files.SelectMany(f => SchemaFilter.Patterns(f.Commands)).Distinct(StringComparer.Ordinal).ToList();
        var events = files.SelectMany(f => SchemaFilter.Patterns(f.Events)).Distinct(StringComparer.Ordinal).ToList();
        var result = SchemaFilter.Apply(schema, commands, events);
        foreach (var pattern in result.UnmatchedCommands)
        {
            var location = StartOf(files.First(f => SchemaFilter.Patterns(f.Commands).Contains(pattern)).Path);
            problems.Add(SchemaFilter.Nearest(pattern, schema.Commands.Select(c => c.Name)) is { } name
                ? GeneratorDiagnostics.FilterMatchesNothing.Report(location, 2, pattern, name)
                : GeneratorDiagnostics.FilterMatchesNothing.Report(location, 0, pattern));
        }

        foreach (var pattern in result.UnmatchedEvents)
        {
            var location = StartOf(files.First(f => SchemaFilter.Patterns(f.Events).Contains(pattern)).Path);
            problems.Add(SchemaFilter.Nearest(pattern, schema.Events.Select(e => e.Name)) is { } name
                ? GeneratorDiagnostics.FilterMatchesNothing.Report(location, 3, pattern, name)
                : GeneratorDiagnostics.FilterMatchesNothing.Report(location, 1, pattern));
        }

        return result.Schema;
    }

    private static SchemaLocation StartOf(string path) => new(path, 0, 0, 1, 1, 1, 1);
}
