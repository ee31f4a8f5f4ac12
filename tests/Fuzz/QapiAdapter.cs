using Qmp.Codegen.Qapi;

namespace Qmp.Fuzz;

/// <summary>
/// The one place the fuzzer touches the QAPI front end (as <see cref="SchemaAdapter"/> for the .hx reader):
/// when the reader moves or its model changes, only this file changes.
/// </summary>
internal static class QapiAdapter
{
    /// <summary>
    /// Reads <paramref name="top"/> with includes served from <paramref name="files"/> only (in memory: no host
    /// file is ever read). Returns the diagnostic count; throws when the reader broke a promise: it threw, reached
    /// its internal-error safety net, or put a diagnostic outside the text of the file it names.
    /// </summary>
    public static int Read(string top, IReadOnlyDictionary<string, string> files, out int filesRead)
    {
        var result = QapiReader.ReadDetailed(top, path => files.TryGetValue(path, out var text) ? text : null);
        filesRead = result.Files.Count;
        foreach (var d in result.Schema.Diagnostics)
        {
            // The reader's safety net (QapiReader.ReadDetailed) turns an exception into this diagnostic; a message
            // merely quoting schema text that says "internal error" is not one.
            if (d.Message.StartsWith("internal error of the QAPI reader: ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(d.Format());
            }

            var at = d.Location;
            if (!files.TryGetValue(at.Path, out var text))
            {
                throw new InvalidOperationException($"diagnostic {d.Id} names '{at.Path}', a file that was not read: {d.Format()}");
            }

            if (at.Start < 0 || at.Length < 0 || at.Start + at.Length > text.Length || at.Line < 1 || at.Column < 1 || at.EndLine < at.Line)
            {
                throw new InvalidOperationException($"diagnostic {d.Id} spans {at.Start}+{at.Length} (line {at.Line}:{at.Column}-{at.EndLine}:{at.EndColumn}) outside 0..{text.Length} of {at.Path}: {d.Message}");
            }
        }

        return result.Schema.Diagnostics.Count;
    }
}
