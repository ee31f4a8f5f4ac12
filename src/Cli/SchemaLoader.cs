using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Cli;

/// <summary>What <see cref="SchemaLoader"/> read: the model with its diagnostics, and every file's text by the reader's path.</summary>
internal sealed record LoadedSchema(SchemaReadResult Read, IReadOnlyDictionary<string, string> Texts);

/// <summary>
/// The CLI's one way to read what a command is given as the schema (<c>check</c>, <c>model</c>,
/// <c>docs</c>, <c>compat</c>): the files' texts from disk, then the generator's own parse step
/// (<see cref="SchemaInput.Read"/>), so a file reads here as it builds, with the same diagnostics
/// whatever the command. <c>.hx</c> files are read together; a QAPI top file or a saved
/// <c>query-qmp-schema</c> answer is read alone, a QAPI top file's includes from beside it and from
/// the <c>--include-dir</c> folders only (<see cref="QapiFiles"/>). Every file is read within
/// <see cref="QapiFiles.MaxFileBytes"/>.
/// </summary>
internal static class SchemaLoader
{
    /// <summary>The model and its diagnostics; null, with the reason on stderr, when a file cannot be read or the files are not one input.</summary>
    public static SchemaReadResult? Load(FileInfo[] files, IReadOnlyList<DirectoryInfo>? includeDirs = null) =>
        LoadWithTexts(files, includeDirs)?.Read;

    /// <summary>
    /// As <see cref="Load"/>, with the texts read. Paths are relative to <paramref name="pathBase"/>
    /// (the current directory unless given), as compilers print them.
    /// </summary>
    public static LoadedSchema? LoadWithTexts(FileInfo[] files, IReadOnlyList<DirectoryInfo>? includeDirs = null, string? pathBase = null)
    {
        pathBase ??= Environment.CurrentDirectory;
        var inputs = new List<SchemaInputFile>();
        foreach (var file in files)
        {
            if (QapiFiles.ReadTop(file, Report) is not { } text)
            {
                return null;
            }

            inputs.Add(new SchemaInputFile(DisplayPath(file, pathBase), text));
        }
        if (inputs.Count > 1 && inputs.Any(i => SchemaInput.KindOf(i.Path, i.Text) != SchemaInputKind.Hx))
        {
            Console.Error.WriteLine("qmp-codegen: give .hx files (read together), or one QAPI top file, or one saved query-qmp-schema answer");
            return null;
        }
        if (inputs.Count != 1 || SchemaInput.KindOf(inputs[0].Path, inputs[0].Text) != SchemaInputKind.Qapi)
        {
            // Nothing else is read: no include reader.
            return new LoadedSchema(SchemaInput.Read(inputs, _ => null), inputs.ToDictionary(i => i.Path, i => i.Text, StringComparer.Ordinal));
        }
        // QAPI: includes are read beneath the top file's folder and the --include-dir folders only (the reader itself does no I/O).
        using var includes = QapiFiles.Open(files[0], inputs[0].Path, inputs[0].Text, pathBase, includeDirs ?? [], Report);
        if (includes is null)
        {
            return null;
        }

        var read = SchemaInput.Read(inputs, includes.ReadFile);
        return new LoadedSchema(read, new Dictionary<string, string>(includes.Texts, StringComparer.Ordinal));
    }

    /// <summary>Why a file was not read, on stderr.</summary>
    private static void Report(string reason) => Console.Error.WriteLine("qmp-codegen: " + reason);

    /// <summary>Paths as the user gave them, relative to the current directory, like compilers print them.</summary>
    public static string DisplayPath(FileInfo file) => DisplayPath(file, Environment.CurrentDirectory);

    private static string DisplayPath(FileInfo file, string pathBase) => Path.GetRelativePath(pathBase, file.FullName);
}
