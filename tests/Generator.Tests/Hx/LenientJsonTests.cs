using System.Text.Json;
using Qmp.Codegen.Hx;

namespace Qmp.Codegen.Tests.Hx;

public class LenientJsonTests
{
    private static LenientJsonResult Read(string text) => LenientJsonReader.Read(text, 0, text.Length);

    [Theory]
    [InlineData("""{ "return": {} }""")]
    [InlineData("""{"a":[1,-2.5e3,true,false,null,"x\"y\\z\u00e9\r\n"],"b":{"c":[]}}""")]
    [InlineData("""[ ]""")]
    [InlineData("\"just a string\"")]
    public void Valid_json_reads_without_repairs_and_round_trips_through_System_Text_Json(string json)
    {
        var result = Read(json);
        Assert.Empty(result.Repairs);
        Assert.NotNull(result.Value);
        using var original = JsonDocument.Parse(json);
        using var compact = JsonDocument.Parse(result.Value!.ToJson());
        Assert.True(JsonElement.DeepEquals(original.RootElement, compact.RootElement));
    }

    [Theory]
    [InlineData("""{ "a":1 "b":2 }""", """{"a":1,"b":2}""", "missing ','", 8)]
    [InlineData("""[ 1 2 ]""", """[1,2]""", "missing ','", 4)]
    [InlineData("""{ "a":1, }""", """{"a":1}""", "trailing ','", 7)]
    [InlineData("""[ 1, ]""", """[1]""", "trailing ','", 3)]
    [InlineData("""{ "f:"qcow2", "g":1 }""", """{"f":"qcow2","g":1}""", "misplaced quote", 2)]
    [InlineData("""{ "c": [ {"a":1}, [ ... more channels follow ... ] ] }""", """{"c":[{"a":1}]}""", "placeholder", 18)]
    [InlineData("""{ "r": { "f": [1] } EQMP""", """{"r":{"f":[1]}}""", "missing '}'", 20)]
    public void Each_repair_is_made_and_reported_where_it_happened(string text, string expected, string message, int offset)
    {
        var result = Read(text);
        Assert.Equal(expected, result.Value!.ToJson());
        var repair = Assert.Single(result.Repairs);
        Assert.Contains(message, repair.Message, StringComparison.Ordinal);
        Assert.Equal(offset, repair.Offset);
    }

    [Theory]
    [InlineData("""{ "a": @ }""")]
    [InlineData("""{ "a" 1 }""")]
    [InlineData("""{ "unterminated""")]
    [InlineData("""... nothing but prose""")]
    [InlineData("")]
    public void Unreadable_text_gives_an_error_not_an_exception(string text)
    {
        var result = Read(text);
        Assert.Null(result.Value);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_recursed_into()
    {
        var text = new string('[', 10_000) + new string(']', 10_000);
        var result = Read(text);
        Assert.Null(result.Value);
        Assert.Contains("nesting", result.Error!.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_stops_at_the_limit()
    {
        const string Text = """{ "a": 1 } EQMP { "b": 2 }""";
        var result = LenientJsonReader.Read(Text, 0, Text.IndexOf("EQMP", StringComparison.Ordinal));
        Assert.Equal("""{"a":1}""", result.Value!.ToJson());
        Assert.True(result.End <= Text.IndexOf("EQMP", StringComparison.Ordinal));
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var random = new Random(1234);
        const string Alphabet = "{}[],:\"\\ .-0123456789aeflnrstu\n";
        for (var i = 0; i < 5_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }

            var result = Read(new string(chars));
            if (result.Value is not null)
            {
                using (JsonDocument.Parse(result.Value.ToJson())) { }
            }
        }
    }
}
