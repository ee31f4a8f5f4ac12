using Qmp.Codegen.Helpers;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Robustness.Tests;

/// <summary>
/// The schema parser on mutations Generator.Tests does not make (it truncates, deletes and inserts ASCII): splices of
/// two schema files, duplicated blocks, removed SQMP/EQMP markers, unicode, NUL and lone surrogates. Fixed seeds, so a
/// failure reproduces. Every parse returns a model, finishes (60 s is a hang guard, not a benchmark), and every
/// diagnostic has a location inside the text whose line and column agree with its offset.
/// </summary>
public sealed class ParserMutationTests
{
    private static readonly string[] s_files = ["qmp-commands.hx", "qmp-commands-extra.hx", "qmp-events.hx"];

    private static string Schema(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schema", file));

    private static SchemaModel ParseChecked(params SchemaSource[] sources)
    {
        // A hang guard, not a timing: a parse takes milliseconds (tests/Benchmarks measures it), and a
        // loaded CI machine must not turn a slow parse into a failure.
        var parse = Task.Run(() => SchemaParser.Parse(sources));
        Assert.True(parse.Wait(TimeSpan.FromSeconds(60)), "a parse did not finish within 60 s (a hang)");
        var model = parse.Result;
        Assert.NotNull(model);
        var lines = sources.ToDictionary(s => s.Path, s => new LineMap(s.Text));
        foreach (var d in model.Diagnostics)
        {
            AssertValid(d, sources, lines);
        }

        return model;
    }

    private static void AssertValid(SchemaDiagnostic d, SchemaSource[] sources, Dictionary<string, LineMap> lineMaps)
    {
        var source = sources.FirstOrDefault(s => s.Path == d.Location.Path);
        Assert.True(source is not null, $"{d.Id} '{d.Message}' names no source: '{d.Location.Path}'");
        var at = d.Location;
        var length = source.Text.Length;
        Assert.True(at.Start >= 0 && at.Length >= 0 && at.Start + at.Length <= length, $"{d.Id} span {at.Start}+{at.Length} outside 0..{length}");
        var lines = lineMaps[source.Path];
        Assert.Equal(lines.GetPosition(at.Start), (at.Line, at.Column));
        Assert.Equal(lines.GetPosition(at.Start + at.Length), (at.EndLine, at.EndColumn));
        Assert.True(at.Line >= 1 && at.Column >= 1, $"{d.Id} at {at.Line}:{at.Column}");
        Assert.False(string.IsNullOrWhiteSpace(d.Message));
    }

    [Fact]
    public void Random_splices_of_two_schema_files()
    {
        var texts = s_files.Select(Schema).ToArray();
        var random = new Random(2014);
        for (var round = 0; round < 80; round++)
        {
            string a = texts[random.Next(texts.Length)], b = texts[random.Next(texts.Length)];
            int cutA = random.Next(a.Length + 1), cutB = random.Next(b.Length + 1);
            var spliced = a[..cutA] + b[cutB..];
            ParseChecked(new SchemaSource("splice.hx", spliced));

            // And as two sources cut at the same points: each diagnostic must name the file it is in.
            ParseChecked(new SchemaSource("a.hx", a[..cutA]), new SchemaSource("b.hx", b[cutB..]));
        }
    }

    [Fact]
    public void Duplicated_blocks_are_reported_as_duplicates_at_the_second_copy()
    {
        var seed = Schema("qmp-commands.hx");
        var random = new Random(21);
        var entries = System.Text.RegularExpressions.Regex.Matches(seed, @"\{\s*\.name\s*=\s*""([^""]+)""[^}]*\},");
        Assert.True(entries.Count > 100);
        for (var round = 0; round < 40; round++)
        {
            var entry = entries[random.Next(entries.Count)];
            var insertAt = random.Next(2) == 0 ? seed.Length : entry.Index + entry.Length;
            var text = seed.Insert(insertAt, " " + entry.Value + " ");
            var model = ParseChecked(new SchemaSource("dup.hx", text));
            var duplicate = Assert.Single(model.Diagnostics, d => d.Id == "QMP0002" && d.Message.Contains('"' + entry.Groups[1].Value + '"', StringComparison.Ordinal) || d.Id == "QMP0002" && d.Message.Contains(entry.Groups[1].Value, StringComparison.Ordinal));
            Assert.True(duplicate.Location.Start >= insertAt, $"duplicate reported at {duplicate.Location.Start}, the copy is at {insertAt}");
        }

        // Whole regions duplicated (doc blocks, entries and HXCOMM alike).
        for (var round = 0; round < 30; round++)
        {
            int start = random.Next(seed.Length), length = random.Next(1, 8000);
            length = Math.Min(length, seed.Length - start);
            ParseChecked(new SchemaSource("dupregion.hx", seed.Insert(random.Next(seed.Length), seed.Substring(start, length))));
        }
    }

    [Fact]
    public void Removed_or_doubled_SQMP_and_EQMP_markers()
    {
        foreach (var file in s_files)
        {
            var text = Schema(file);
            var markers = System.Text.RegularExpressions.Regex.Matches(text, @"\b[SE]QMP\b").Select(m => m.Index).ToArray();
            Assert.NotEmpty(markers);
            var random = new Random(file.Length);
            for (var round = 0; round < 25; round++)
            {
                var chosen = markers.Where(_ => random.Next(6) == 0).OrderByDescending(i => i).ToArray();
                string removed = text, doubled = text;
                foreach (var at in chosen)
                {
                    removed = removed.Remove(at, 4);
                    doubled = string.Concat(doubled.AsSpan(0, at), doubled.AsSpan(at, 4), " ", doubled.AsSpan(at));
                }

                ParseChecked(new SchemaSource(file, removed));
                ParseChecked(new SchemaSource(file, doubled));
            }

            // Every marker of one kind gone, and all of them gone.
            ParseChecked(new SchemaSource(file, text.Replace("EQMP", "", StringComparison.Ordinal)));
            ParseChecked(new SchemaSource(file, text.Replace("SQMP", "", StringComparison.Ordinal)));
            var noMarkers = ParseChecked(new SchemaSource(file, text.Replace("SQMP", "", StringComparison.Ordinal).Replace("EQMP", "", StringComparison.Ordinal)));
            Assert.Empty(noMarkers.Prose);
        }
    }

    [Fact]
    public void Unicode_NUL_and_lone_surrogates_anywhere()
    {
        var seed = Schema("qmp-commands.hx");
        string[] pieces = ["\0", "\0\0\0\0", "é", "ü\u0301", "\u2028", "\u2029", "\u0085", "\uFEFF", "\uFFFD", "😀", "\ud800", "\udc00", "\u200b", "\r", "\r\n", "\n\r", "«»", "„\"", "\t\v\f", "\u00a0"];
        var random = new Random(1729);
        for (var round = 0; round < 60; round++)
        {
            var text = new System.Text.StringBuilder(seed);
            for (var edit = 0; edit < 30; edit++)
            {
                var piece = pieces[random.Next(pieces.Length)];
                var at = random.Next(text.Length + 1);
                if (random.Next(3) == 0 && at < text.Length)
                {
                    text.Remove(at, 1);
                }

                text.Insert(at, piece);
            }

            ParseChecked(new SchemaSource("unicode.hx", text.ToString()));
        }

        // Replacing every quote, brace or comma kind with a look-alike, one kind at a time.
        foreach (var (from, to) in new[] { ("\"", "\u201c"), ("{", "\uff5b"), (",", "\u201a"), ("=", "\0"), ("-", "\u2010"), (":", "\uff1a") })
        {
            ParseChecked(new SchemaSource("lookalike.hx", seed.Replace(from, to, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Pathological_shapes_parse_to_a_model()
    {
        // Shapes that make naive scanners quadratic or recursive: each parse returns a model with valid
        // diagnostics (ParseChecked's 60 s is a hang guard). Their speed is tests/Benchmarks' Parser, not asserted here.
        string[] texts =
        [
            string.Concat(Enumerable.Repeat("{ ", 50_000)),
            string.Concat(Enumerable.Repeat("SQMP ", 20_000)),
            string.Concat(Enumerable.Repeat("SQMP x\n-\n", 20_000)),
            string.Concat(Enumerable.Repeat("HXCOMM ", 20_000)),
            "{ .name = \"" + new string('n', 200_000),
            "{ .name = \"x\", .args_type = \"" + string.Concat(Enumerable.Repeat("a:s,", 50_000)) + "\", .mhandler.cmd_new = f, },",
            "{ .name = \"x\", .args_type = " + string.Concat(Enumerable.Repeat("\"a\" ", 50_000)) + ", .mhandler.cmd_new = f, },",
            "SQMP\nx\n-\n\nExample:\n\n-> " + new string('{', 50_000) + "\n<- " + new string('[', 50_000) + "\nEQMP",
            "SQMP\nx\n-\n\nArguments:\n\n" + string.Concat(Enumerable.Repeat("- \"a\": b (json-int, optional)\n", 20_000)) + "EQMP",
            new string('\0', 100_000),
            new string('\r', 100_000),
        ];
        foreach (var text in texts)
        {
            ParseChecked(new SchemaSource("shape.hx", text));
        }
    }
}
