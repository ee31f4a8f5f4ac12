using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Qmp.Codegen.Cli;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Tests.Hx;

/// <summary>
/// The seed is QEMU's file with every line break folded away. Put line breaks (and indentation)
/// back where QEMU had them and the parser must read the same model, with locations that point
/// at the same text.
/// </summary>
public class LineBreakTests
{
    private static readonly Regex s_breakBefore = new(
        @" (?=SQMP |EQMP|HXCOMM |\{ \.name|\.args_type|\.params|\.help|\.user_print|\.mhandler|\.flags|\}, |#if|#endif|Arguments:|Examples?:|Notes?:|- |-> |<- |Return a json)",
        RegexOptions.CultureInvariant);

    /// <summary>Re-breaks the folded seed into lines the way QEMU's original is laid out.</summary>
    public static string Rebreak(string folded)
    {
        var broken = s_breakBefore.Replace(folded, "\n");
        // Table fields are indented in QEMU's file; JSON examples are spread over lines.
        broken = broken.Replace("\n.", "\n        .", StringComparison.Ordinal).Replace(", \"", ",\n          \"", StringComparison.Ordinal);
        return broken.Replace("\n", "\r\n", StringComparison.Ordinal) + "\n";
    }

    [Fact]
    public void The_seed_with_line_breaks_gives_the_same_model()
    {
        var folded = TestFiles.Seed;
        var broken = Rebreak(folded);
        Assert.True(broken.Count(c => c == '\n') > 1500);

        var foldedModel = SchemaParser.Parse("schema/qmp-commands.hx", folded);
        var brokenModel = SchemaParser.Parse("schema/qmp-commands.hx", broken);

        Assert.Equal(WithoutLocations(foldedModel), WithoutLocations(brokenModel));
        Assert.Equal(foldedModel.Diagnostics.Count, brokenModel.Diagnostics.Count);
    }

    [Fact]
    public void Diagnostics_on_the_broken_file_point_at_the_same_text()
    {
        var folded = TestFiles.Seed;
        var broken = Rebreak(folded);
        var foldedModel = SchemaParser.Parse("a.hx", folded);
        var brokenModel = SchemaParser.Parse("a.hx", broken);
        var lines = broken.Split('\n');
        foreach (var (f, b) in foldedModel.Diagnostics.Zip(brokenModel.Diagnostics))
        {
            Assert.Equal(f.Id, b.Id);
            Assert.Equal(f.Message, b.Message);
            Assert.True(b.Location.Line > 1);
            // Line and column, counted independently from the text, find the same word.
            var line = lines[b.Location.Line - 1];
            Assert.Equal(WordAt(folded, f.Location.Column - 1), WordAt(line, b.Location.Column - 1));
        }
    }

    private static string WordAt(string text, int index)
    {
        var end = index;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return text[index..end];
    }

    /// <summary>The model as the CLI prints it, with every line and column removed.</summary>
    private static string WithoutLocations(SchemaModel model)
    {
        using var stream = new MemoryStream();
        var schema = HxSchemaBuilder.Build(model);
        ModelJsonWriter.Write(stream, new SchemaReadResult(SchemaInputKind.Hx, schema, model, Qmp.Codegen.Helpers.EquatableArray<string>.Empty));
        var node = JsonNode.Parse(stream.ToArray())!;
        foreach (var diagnostic in node["diagnostics"]!.AsArray())
        {
            diagnostic!.AsObject().Remove("line");
            diagnostic.AsObject().Remove("column");
        }
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

/// <summary>Diagnostics are located where Roslyn (and so the IDE) counts lines: CR LF, CR, LF, NEL, LS and PS each end a line.</summary>
public class RoslynLineCountingTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\u0085")]
    [InlineData("\u2028")]
    [InlineData("\u2029")]
    public void Locations_agree_with_roslyn(string lineBreak)
    {
        var text = "HXCOMM one" + lineBreak + "HXCOMM two" + lineBreak + "{ .name = \"x\", .args_type = \"a:z\", .mhandler.cmd_new = qmp_x, }" + lineBreak;
        var diagnostic = Assert.Single(SchemaParser.Parse("t.hx", text).Diagnostics, d => d.Id == "QMP0001");
        var roslyn = Microsoft.CodeAnalysis.Text.SourceText.From(text).Lines.GetLinePosition(diagnostic.Location.Start);
        Assert.Equal(roslyn.Line + 1, diagnostic.Location.Line);
        Assert.Equal(roslyn.Character + 1, diagnostic.Location.Column);
        Assert.Equal(3, diagnostic.Location.Line);
    }
}
