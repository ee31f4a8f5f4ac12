using Qmp.Codegen.Emit;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Fuzz;

/// <summary>
/// The one place the fuzzer touches the saved-answer front end (as <see cref="QapiAdapter"/> for QAPI):
/// when the reader or the model moves, only this file changes.
/// </summary>
internal static class IntrospectionAdapter
{
    private const string Path = "fuzz.json";

    /// <summary>
    /// Reads <paramref name="text"/> as a saved <c>query-qmp-schema</c> answer, builds the schema model,
    /// the C# spec and the per-module C# from it, and describes the model back as <c>query-qmp-schema</c>
    /// (as the generator does for a client). Returns the diagnostic count and the entries read; throws when
    /// a promise is broken: an exception anywhere, a diagnostic outside the text, a name outside QMP's
    /// character set in the model (the reader lets none through), or generated C# holding a line break
    /// other than LF.
    /// </summary>
    public static int Read(string text, out int entries)
    {
        var file = IntrospectionFile.Read(text, Path);
        entries = file.Info?.Entries.Count ?? 0;
        // The reader leaves out what `introspect` would refuse: the two apply one rule.
        if (file.Info is not null && SchemaNames.Invalid(file.Info) is { Count: > 0 } invalid)
        {
            throw new InvalidOperationException("the reader kept " + invalid[0]);
        }

        var schema = file.ToSchema();
        foreach (var d in schema.Diagnostics)
        {
            var at = d.Location;
            if (at.Path != Path || at.Start < 0 || at.Length < 0 || at.Start + at.Length > text.Length || at.Line < 1 || at.Column < 1 || at.EndLine < at.Line)
            {
                throw new InvalidOperationException($"diagnostic {d.Id} spans {at.Start}+{at.Length} (line {at.Line}:{at.Column}) outside 0..{text.Length} of {at.Path}: {d.Message}");
            }
        }

        CheckNames(schema);
        var naming = new List<SchemaDiagnostic>();
        var modules = SpecBuilder.Build(schema, "Fuzz.Live", true, false, naming).Modules;
        foreach (var module in modules)
        {
            foreach (var (kind, source) in ModuleEmitter.EmitFiles(module))
            {
                if (source.IndexOfAny(['\r', '\u0085', '\u2028', '\u2029']) is var at and >= 0)
                {
                    throw new InvalidOperationException($"generated {kind} holds U+{(int)source[at]:X4} at {at}");
                }
            }
        }

        SchemaInfoBuilder.Describe(schema);
        return schema.Diagnostics.Count + naming.Count;
    }

    /// <summary>Every name the model took from the answer (types are the model's own: names by use, q_obj_NAME-base).</summary>
    private static void CheckNames(QmpSchema schema)
    {
        static void Name(string name, string what)
        {
            if (!SchemaNames.IsName(name))
            {
                throw new InvalidOperationException($"{what} '{SchemaNames.Printable(name)}' reached the model");
            }
        }

        foreach (var c in schema.Commands)
        {
            Name(c.Name, "command");
        }

        foreach (var e in schema.Events)
        {
            Name(e.Name, "event");
        }

        foreach (var t in schema.Types)
        {
            Name(t.Name, "type");
            switch (t)
            {
                case SchemaEnumType en:
                    foreach (var v in en.Values)
                    {
                        Name(v.Name, "enum value");
                    }

                    break;
                case SchemaObjectType o:
                    foreach (var m in o.Members)
                    {
                        Name(m.Name, "member");
                    }

                    if (o.Variants is { } variants)
                    {
                        Name(variants.Tag, "tag");
                        foreach (var b in variants.Branches)
                        {
                            Name(b.Case, "branch");
                        }
                    }

                    break;
            }

            foreach (var f in t.Features)
            {
                Name(f.Name, "feature");
            }
        }
    }
}
