using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Generation;

// The one file layout: each definition goes to the file of the module (the schema file) it is
// written in, as QEMU's scripts/qapi writes qapi-types-block-core.h for block-core.json; a QAPI
// schema's modules are its .json files, an .hx schema's its .hx files (qmp-commands.hx,
// qmp-events.hx), a saved answer is one module. What has no source file (QAPI's builtin QType)
// goes to a module of its own. One spec per module, so an edit to one module's definitions
// regenerates only that module's files.
public static partial class SpecBuilder
{
    /// <summary>The module of QAPI's builtin types (QEMU's <c>./builtin</c>).</summary>
    public const string BuiltinModule = "builtin";

    /// <summary>
    /// A <see cref="ModuleOutputSpec"/> per module with definitions, in the schema's order. Modules
    /// are named by their path relative to the top file's folder (the first module of the schema,
    /// else the first file an entity is written in).
    /// </summary>
    private static EquatableArray<ModuleOutputSpec> ModulesOf(QmpSchema schema, GenerationSpec spec, Builder builder)
    {
        var ns = spec.Namespace;
        // Where each generated C# type and each command comes from.
        var typeModule = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        // A definition without a source file (QType) goes to the builtin module.
        string Note(string path)
        {
            if (path.Length == 0)
            {
                return BuiltinModule;
            }
            if (!order.Contains(path))
            {
                order.Add(path);
            }
            return path;
        }
        foreach (var type in schema.Types)
        {
            var path = Note(type.Location.Path);
            if (builder.ClrNameOf(type.Name) is { } name && !typeModule.ContainsKey(name))
            {
                typeModule[name] = path;
            }
        }
        var commandModule = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var command in schema.Commands)
        {
            var path = Note(command.Location.Path);
            if (!commandModule.ContainsKey(command.Name))
            {
                commandModule[command.Name] = path;
            }
        }
        foreach (var e in schema.Events)
        {
            // An event's record is named for the event; it belongs where the event is written.
            var path = Note(e.Location.Path);
            if (builder.ClrNameOf("event:" + e.Name) is { } name)
            {
                typeModule[name] = path;
            }
        }

        var topPath = schema.Modules.IsEmpty ? order.FirstOrDefault() ?? string.Empty : schema.Modules[0].Path;
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
            var dot = file.LastIndexOf('.');
            var stem = dot > 0 ? file.Substring(0, dot) : file;
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
                spec.Unions.Where(u => ModuleOf(u.Name) == path).ToEquatableArray(),
                spec.Alternates.Where(a => ModuleOf(a.Name) == path).ToEquatableArray(),
                spec.Client ? spec.Commands.Where(c => commandModule.TryGetValue(c.Name, out var at) && at == path).ToEquatableArray() : EquatableArray<CommandGenerationSpec>.Empty,
                spec.EventRecords.Where(r => ModuleOf(r.Name) == path).ToEquatableArray())
            {
                Internal = spec.Internal,
            };
            if (!module.Enums.IsEmpty || !module.Records.IsEmpty || !module.Unions.IsEmpty || !module.Alternates.IsEmpty || !module.Commands.IsEmpty || !module.EventRecords.IsEmpty)
            {
                result.Add(module);
            }
        }
        return result.ToEquatableArray();
    }

    private sealed partial class Builder
    {
        /// <summary>The C# name of a schema type (or of an event's record, <c>event:NAME</c>); null when it has none.</summary>
        public string? ClrNameOf(string schemaName) => _clrNames.TryGetValue(schemaName, out var name) ? name : null;
    }
}
