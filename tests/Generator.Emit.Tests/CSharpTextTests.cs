using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The one path schema text takes into generated C#: a string literal, or XML doc text.</summary>
public class CSharpTextTests
{
    public static TheoryData<string> Hostile => new()
    {
        "a\rb", "a\nb", "a\u0085b", "a\u2028b", "a\u2029b", "a\r\n", "quote\"d", "back\\slash", "\\u2028", "\"\\",
        "X\";//</c></summary>\u2028internal static class Pwn { }",
        "nul\0bell\atab\tdel\u007f", "bidi\u202eoverride\u2066", "zero\u200bwidth\ufeff", "lone\ud800surrogate", "pair\ud83d\ude00ok",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_literal_is_one_token_on_one_line_whose_value_is_the_text(string text)
    {
        var literal = CSharpText.Literal(text);
        Assert.DoesNotContain(literal, LineMap.IsLineBreak);
        var expression = SyntaxFactory.ParseExpression(literal);
        Assert.Empty(expression.GetDiagnostics());
        var token = Assert.IsType<LiteralExpressionSyntax>(expression).Token;
        Assert.Equal(text, token.ValueText);
        Assert.Equal(literal.Length, expression.FullSpan.Length);
    }

    [Fact]
    public void Every_char_round_trips_through_a_literal_and_only_printable_ones_are_written_as_they_are()
    {
        for (var c = 0; c <= 0xFFFF; c++)
        {
            var text = ((char)c).ToString();
            var literal = CSharpText.Literal(text);
            Assert.True(literal.Length == 3 || literal.StartsWith("\"\\", StringComparison.Ordinal), $"U+{c:X4}");
            if (c % 97 == 0 || c < 0x3000 && !char.IsLetterOrDigit((char)c))
            {
                Assert.Equal(text, ((LiteralExpressionSyntax)SyntaxFactory.ParseExpression(literal)).Token.ValueText);
            }
        }
        Assert.Equal("\"\\u000d\\u000a\\u0085\\u2028\\u2029\\\"\\\\\"", CSharpText.Literal("\r\n\u0085\u2028\u2029\"\\"));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Doc_text_stays_one_line_of_text_in_its_element(string text)
    {
        var xml = CSharpText.Xml(text);
        Assert.DoesNotContain(xml, LineMap.IsLineBreak);
        Assert.DoesNotContain('<', xml);
        Assert.DoesNotContain('>', xml);
        var source = "/// <summary>The value <c>" + xml + "</c>.</summary>\npublic class C { }\n";
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(documentationMode: DocumentationMode.Diagnose));
        // One type, no XML error: the text neither closed the element nor ended the comment line.
        Assert.Single(tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>());
        Assert.Empty(tree.GetDiagnostics());
        Assert.Equal(2, tree.GetText().Lines.Count(l => l.Span.Length > 0));
    }

    [Fact]
    public void Doc_text_escapes_markup_and_makes_breaks_spaces()
    {
        Assert.Equal("a&lt;/c&gt;&lt;/summary&gt; b &amp; c d e f", CSharpText.Xml("a</c></summary>\u2028b & c\u0085d\u2029e\nf"));
        Assert.Equal("line one", CSharpText.Xml("line\r\n one".Replace("\n", "", StringComparison.Ordinal)));
        Assert.Equal("plain text, kept as it is", CSharpText.Xml("plain text, kept as it is"));
        Assert.Equal("emoji \ud83d\ude00 kept", CSharpText.Xml("emoji \ud83d\ude00 kept"));
    }
}
