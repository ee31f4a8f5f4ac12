using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

// A QAPI schema's output split by module, as QEMU's scripts/qapi writes qapi-types-block-core.h
// for block-core.json: each definition goes to the file of the module (the .json file) it is
// written in, QAPI's builtin QType to a module of its own. One spec per module, so an edit to one
// module's definitions regenerates only that module's files.
public static partial class SpecBuilder
{
    /// <summary>The module of QAPI's builtin types (QEMU's <c>./builtin</c>).</summary>
    public const string BuiltinModule = "builtin";

    /// <summary>
    /// The spec of a QAPI schema split by module: the namespace-wide part (the client's core, the
    /// event dispatch; <see cref="GenerationSpec.PerModule"/>) and a <see cref="ModuleOutputSpec"/>
    /// per module with definitions, in the schema's order. <paramref name="topPath"/> is the top
    /// file: modules are named by their path relative to its folder.
    /// </summary>
    public static (GenerationSpec Spec, EquatableArray<ModuleOutputSpec> Modules) BuildQapiModules(
        QmpSchema schema, string ns, bool client, List<SchemaDiagnostic> diagnostics, string topPath, bool @internal = false)
    {
        var (spec, types) = BuildQapi(schema, ns, client, diagnostics, out var builder);

        // Where each generated C# type and each command comes from.
        var typeModule = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Note(string path)
        {
            if (!order.Contains(path))
            {
                order.Add(path);
            }
        }
        foreach (var type in schema.Types)
        {
            if (builder.ClrNameOf(type.Name) is { } name && !typeModule.ContainsKey(name))
            {
                typeModule[name] = type.Location.Path;
            }

            Note(type.Location.Path);
        }
        var commandModule = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var command in schema.Commands)
        {
            if (!commandModule.ContainsKey(command.Name))
            {
                commandModule[command.Name] = command.Location.Path;
            }

            Note(command.Location.Path);
        }
        foreach (var e in schema.Events)
        {
            // An event's record is named for the event; it belongs where the event is written.
            if (builder.ClrNameOf("event:" + e.Name) is { } name)
            {
                typeModule[name] = e.Location.Path;
            }

            Note(e.Location.Path);
        }

        var top = Qapi.QapiParser.NormalizePath(topPath);
        var folder = top.Substring(0, top.LastIndexOf('/') + 1);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var modules = new List<(string Path, string Name, string File)>();
        foreach (var path in order)
        {
            var normalized = Qapi.QapiParser.NormalizePath(path);
            var file = folder.Length > 0 && normalized.StartsWith(folder, StringComparison.Ordinal)
                ? normalized.Substring(folder.Length)
                : normalized.Substring(normalized.LastIndexOf('/') + 1);
            var stem = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? file.Substring(0, file.Length - ".json".Length) : file;
            modules.Add((path, Naming.Unique(Naming.Pascal(stem), used), file));
        }
        modules.Add((BuiltinModule, Naming.Unique(Naming.Pascal(BuiltinModule), used), BuiltinModule));

        // Enums and records are named plainly, unions and alternates too; the spec's type references are qualified.
        string ModuleOf(string clrName) => typeModule.TryGetValue(clrName, out var path) ? path : BuiltinModule;
        var result = new List<ModuleOutputSpec>();
        foreach (var (path, name, file) in modules)
        {
            var module = new ModuleOutputSpec(ns, spec.Stem, name, file,
                spec.Enums.Where(e => ModuleOf(e.Name) == path).ToEquatableArray(),
                spec.Records.Where(r => ModuleOf(r.Name) == path).ToEquatableArray(),
                types.Unions.Where(u => ModuleOf(u.Name) == path).ToEquatableArray(),
                types.Alternates.Where(a => ModuleOf(a.Name) == path).ToEquatableArray(),
                client ? spec.Commands.Where(c => commandModule.TryGetValue(c.Name, out var at) && at == path).ToEquatableArray() : EquatableArray<CommandGenerationSpec>.Empty,
                spec.EventRecords.Where(r => ModuleOf(r.Name) == path).ToEquatableArray())
            {
                Internal = @internal,
            };
            if (!module.Enums.IsEmpty || !module.Records.IsEmpty || !module.Unions.IsEmpty || !module.Alternates.IsEmpty || !module.Commands.IsEmpty || !module.EventRecords.IsEmpty)
            {
                result.Add(module);
            }
        }
        var shared = spec with
        {
            Records = EquatableArray<RecordSpec>.Empty,
            Enums = EquatableArray<EnumSpec>.Empty,
            EventRecords = EquatableArray<RecordSpec>.Empty,
            Commands = EquatableArray<CommandGenerationSpec>.Empty,
            Internal = @internal,
            PerModule = true,
        };
        return (shared, result.ToEquatableArray());
    }

    private sealed partial class Builder
    {
        /// <summary>The C# name of a schema type (or of an event's record, <c>event:NAME</c>); null when it has none.</summary>
        public string? ClrNameOf(string schemaName) => _clrNames.TryGetValue(schemaName, out var name) ? name : null;
    }
}
