using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// The QAPI reader never throws and never loops: random and mutated text (our corpus, cut, spliced
/// and sprinkled with the characters that matter to the dialect) reads into a model and diagnostics
/// located inside the text. A seeded generator keeps every run the same.
/// </summary>
public class QapiRobustnessTests
{
    private static readonly string[] s_corpus = Directory.GetFiles(Path.Combine(QemuSources.RepositoryRoot(), "tests", "Generator.Tests", "Qapi", "Cases"), "*.json")
        .OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    private const string Alphabet = "{}[]:,'\"#@\\\n\n   *-_=.>< abcXYZ019:\t\r\u00e9";

    private static void ReadsCleanly(string text)
    {
        var result = QapiReader.ReadDetailed("fuzz.json", p => p == "fuzz.json" ? text : p.EndsWith("loop.json", StringComparison.Ordinal) ? text : null);
        foreach (var d in result.Schema.Diagnostics)
        {
            Assert.DoesNotContain("internal error", d.Message, StringComparison.Ordinal);
            Assert.InRange(d.Location.Start, 0, text.Length);
            Assert.InRange(d.Location.Start + d.Location.Length, 0, text.Length);
            Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1, d.Format());
        }
    }

    [Fact]
    public void Mutated_corpus_text_never_throws()
    {
        var random = new Random(13);
        for (var i = 0; i < 3000; i++)
        {
            var text = s_corpus[random.Next(s_corpus.Length)];
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations && text.Length > 0; m++)
            {
                var at = random.Next(text.Length);
                switch (random.Next(5))
                {
                    case 0: text = text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(20))); break;
                    case 1: text = text.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString()); break;
                    case 2: text = text.Substring(0, at); break;
                    case 3:
                        var from = random.Next(text.Length);
                        text = text.Insert(at, text.Substring(from, Math.Min(text.Length - from, 1 + random.Next(60))));
                        break;
                    default: text = text.Insert(at, s_corpus[random.Next(s_corpus.Length)]); break;
                }
            }
            ReadsCleanly(text);
        }
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var random = new Random(1313);
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(200)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = Alphabet[random.Next(Alphabet.Length)];
            }

            ReadsCleanly(new string(chars));
        }
    }

    [Fact]
    public void A_resolver_that_throws_or_has_nothing_is_a_diagnostic()
    {
        var throwing = QapiReader.Read("top.json", p => p == "top.json" ? "{ 'include': 'x.json' }" : throw new IOException("disk on fire"));
        Assert.Equal("QMP0202", Assert.Single(throwing.Diagnostics).Id);
        var missing = QapiReader.Read("top.json", _ => null);
        Assert.Equal("QMP0202", Assert.Single(missing.Diagnostics).Id);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_recursed()
    {
        var text = "{ 'command': 'x', 'data': " + new string('[', 100_000) + new string(']', 100_000) + " }";
        var schema = QapiReader.Read("deep.json", _ => text);
        Assert.Contains(schema.Diagnostics, d => d.Severity == SchemaSeverity.Error && d.Message.Contains("nested deeper", StringComparison.Ordinal));
    }
}
