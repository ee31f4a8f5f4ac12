namespace Qmp.Codegen.Cli;

/// <summary>
/// The CLI's one way to read what a command is given as the schema: the files' texts from disk, then
/// the generator's own parse step (<see cref="SchemaInput.Read"/>), so a file reads here as it
/// builds. <c>.hx</c> files are read together; a QAPI top file or a saved <c>query-qmp-schema</c>
/// answer is read alone, a QAPI top file's includes from beside it.
/// </summary>
internal static class SchemaLoader
{
    /// <summary>The model and its diagnostics; null, with the reason on stderr, when a file cannot be read or the files are not one input.</summary>
    public static SchemaReadResult? Load(FileInfo[] files)
    {
        var inputs = new List<SchemaInputFile>();
        foreach (var file in files)
        {
            try
            {
                inputs.Add(new SchemaInputFile(DisplayPath(file), File.ReadAllText(file.FullName)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"qmp-codegen: cannot read {file}: {e.Message}");
                return null;
            }
        }
        if (inputs.Count > 1 && inputs.Any(i => SchemaInput.KindOf(i.Path, i.Text) != SchemaInputKind.Hx))
        {
            Console.Error.WriteLine("qmp-codegen: give .hx files (read together), or one QAPI top file, or one saved query-qmp-schema answer");
            return null;
        }
        // Include paths come back joined to the top file's path as given, so relative to the current directory.
        return SchemaInput.Read(inputs, ReadInclude);
    }

    private static string? ReadInclude(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            return File.Exists(full) ? File.ReadAllText(full) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // The reader reports it as an include it cannot read (QMP0202).
            return null;
        }
    }

    /// <summary>Paths as the user gave them, relative to the current directory, like compilers print them.</summary>
    public static string DisplayPath(FileInfo file) => Path.GetRelativePath(Environment.CurrentDirectory, file.FullName);
}
