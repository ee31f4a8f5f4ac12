using System.Text;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Cli;

/// <summary>
/// Reads what a command is given as "the schema" into a SchemaInfo description: <c>.hx</c> files (read
/// together), a QAPI top file (<c>qapi-schema.json</c> with its includes), or a saved live schema
/// (<c>qmp-codegen introspect</c>'s file, or a generated client's description).
/// </summary>
internal static class SchemaInputs
{
    /// <summary>The description, or null with the reasons on stderr (unreadable file, schema errors).</summary>
    public static SchemaInfo? Describe(FileInfo[] files, IReadOnlyList<DirectoryInfo>? includeDirs = null)
    {
        if (files.All(f => string.Equals(f.Extension, ".hx", StringComparison.OrdinalIgnoreCase)))
        {
            // The model exactly as the generator builds it (types inferred with the examples as read).
            var read = Commands.Read(files, out _);
            return read is null ? null : FromModel(read.Schema);
        }

        if (files.Length != 1)
        {
            Console.Error.WriteLine("qmp-codegen: give .hx files (read together), or one QAPI top file, or one saved schema");
            return null;
        }

        var file = files[0];
        if (QapiFiles.ReadTop(file) is not { } text)
        {
            return null;
        }

        if (IsSavedSchema(text))
        {
            try
            {
                return SchemaInfoReader.Read(Encoding.UTF8.GetBytes(text));
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"qmp-codegen: {file} is not a schema: {TerminalText.Escape(e.Message)}");
                return null;
            }
        }

        // QAPI: includes are relative to the top file, read from disk here, confined (the reader itself does no I/O).
        if (QapiFiles.Read(file, text, includeDirs ?? []) is not { } qapi)
        {
            return null;
        }

        return FromModel(qapi.Read.Schema, file.DirectoryName!);
    }

    /// <summary>A saved live schema is JSON (an array of entries, a reply, or introspect's file); QAPI files start with comments or single quotes. The generator's rule.</summary>
    private static bool IsSavedSchema(string text) => Qmp.Codegen.Introspection.IntrospectionFile.LooksLikeIntrospection(text);

    private static SchemaInfo? FromModel(QmpSchema schema, string? root = null)
    {
        var errors = schema.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error).ToList();
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error.Format(root is null ? null : Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(root, error.Location.Path))));
        }
        // The generator compiles its own copy of the SchemaInfo types; its JSON is the runtime's input.
        return errors.Count > 0 ? null : SchemaInfoReader.Read(Encoding.UTF8.GetBytes(Qmp.Codegen.Introspection.SchemaInfoBuilder.Describe(schema)));
    }
}
