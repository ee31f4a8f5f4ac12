using System.Collections.Generic;
using Qmp.Codegen.Generation;

namespace Qmp.Codegen.Emit;

/// <summary>
/// The files of one QAPI module, as QEMU's scripts/qapi writes <c>qapi-types-MODULE.h</c>,
/// <c>qapi-commands-MODULE.h</c> and <c>qapi-events-MODULE.h</c>: <c>Types</c> (its enums, structs,
/// unions, alternates), <c>Commands</c> (its commands' methods on the client and its interface) and
/// <c>Events</c> (its events' records), each only when the module has some; each names the module
/// in its header.
/// </summary>
public static class ModuleEmitter
{
    public static IEnumerable<(string Kind, string Text)> EmitFiles(ModuleOutputSpec spec)
    {
        if (!spec.Enums.IsEmpty || !spec.Records.IsEmpty || !spec.Unions.IsEmpty || !spec.Alternates.IsEmpty)
        {
            var writer = SourceHeader.Start(spec.Namespace, spec.Internal, spec.File + " (types)");
            var first = true;
            void Separate()
            {
                if (!first)
                {
                    writer.Line();
                }

                first = false;
            }
            foreach (var e in spec.Enums)
            {
                Separate();
                TypesEmitter.WriteEnum(writer, e);
            }
            foreach (var record in spec.Records)
            {
                Separate();
                TypesEmitter.WriteRecord(writer, record, spec.Stem);
            }
            foreach (var union in spec.Unions)
            {
                Separate();
                UnionEmitter.WriteUnion(writer, union, spec.Stem);
            }
            foreach (var alternate in spec.Alternates)
            {
                Separate();
                AlternateEmitter.Write(writer, alternate, spec.Stem);
            }
            yield return ("Types", writer.ToString());
        }
        if (!spec.Commands.IsEmpty)
        {
            yield return ("Commands", ClientEmitter.EmitCommands(spec, spec.File + " (commands)"));
        }

        if (!spec.EventRecords.IsEmpty)
        {
            var writer = SourceHeader.Start(spec.Namespace, spec.Internal, spec.File + " (events)");
            var first = true;
            foreach (var record in spec.EventRecords)
            {
                if (!first)
                {
                    writer.Line();
                }

                first = false;
                TypesEmitter.WriteRecord(writer, record, spec.Stem);
            }
            yield return ("Events", writer.ToString());
        }
    }
}
