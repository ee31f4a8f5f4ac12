using Qmp.Codegen.Hx;

namespace Qmp.Fuzz;

/// <summary>
/// The one place the fuzzer touches the schema reader: when the parser moves or its model changes, only
/// this file changes, and the fuzzer goes on feeding the same inputs.
/// </summary>
internal static class SchemaAdapter
{
    /// <summary>Parses one .hx text; returns how many diagnostics it reported (the parser must never throw).</summary>
    public static int Parse(string path, string text)
    {
        var model = SchemaParser.Parse(path, text);
        foreach (var d in model.Diagnostics)
        {
            var at = d.Location;
            if (at.Start < 0 || at.Length < 0 || at.Start + at.Length > text.Length)
            {
                throw new InvalidOperationException($"diagnostic {d.Id} spans {at.Start}+{at.Length} outside 0..{text.Length}");
            }
        }

        return model.Diagnostics.Count;
    }

    /// <summary>Every command with its arguments as (name, JSON type), and every request the docs' examples send.</summary>
    public static (List<(string Command, List<(string Name, string? JsonType)> Arguments)> Commands, List<string> ExampleRequests) Read(IEnumerable<(string Path, string Text)> files)
    {
        var model = SchemaParser.Parse(files.Select(f => new SchemaSource(f.Path, f.Text)));
        var commands = model.Commands.Select(c => (c.Name, c.Arguments.Select(a => (a.Name, a.JsonType)).ToList())).ToList();
        var examples = model.Commands
            .SelectMany(c => c.Doc?.Examples.AsEnumerable() ?? [])
            .Select(e => e.Request)
            .OfType<string>()
            .ToList();
        return (commands, examples);
    }
}
