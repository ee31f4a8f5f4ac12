using System.Text.Json;

namespace QmpShell.Tests;

public sealed class SyntaxTests
{
    private static readonly CommandCatalog s_catalog = CommandCatalog.Load();

    private static string Args(string line) =>
        ShellSyntax.Parse(line, s_catalog)?.Arguments?.ToJsonString(JsonText.Compact) ?? "null";

    [Fact]
    public void Tokenize_KeepsQuotedTextAndJsonTogether()
    {
        var tokens = ShellSyntax.Tokenize("  qom-set  path=\"/a b\" value={\"x\": [1, 2], \"y\": \"} ]\"}  z='q r' ");
        Assert.Equal(["qom-set", "path=\"/a b\"", "value={\"x\": [1, 2], \"y\": \"} ]\"}", "z='q r'"], tokens);
    }

    [Fact]
    public void CommandAlone_HasNoArguments()
    {
        var parsed = ShellSyntax.Parse("query-status", s_catalog);
        Assert.NotNull(parsed);
        Assert.Equal("query-status", parsed.Name);
        Assert.Null(parsed.Arguments);
        Assert.Null(ShellSyntax.Parse("   ", s_catalog));
    }

    [Fact]
    public void Eject_FlagBecomesBool_BlockDeviceStaysString()
    {
        Assert.Equal("""{"device":"ide1-cd0","force":true}""", Args("eject device=ide1-cd0 force=true"));
        // 'device' is a B (block device) argument: a name that looks like a number stays text.
        Assert.Equal("""{"device":"123","force":false}""", Args("eject device=123 force=false"));
    }

    [Fact]
    public void SchemaTypes_DecideCoercion()
    {
        // bps is 'l' (an integer), device is 'B'.
        Assert.Equal("""{"device":"true","bps":100,"bps_rd":-1}""", Args("block_set_io_throttle device=true bps=100 bps_rd=-1"));
        // An integer argument that is not a number is sent as text, for the server to refuse.
        Assert.Equal("""{"bps":"lots"}""", Args("block_set_io_throttle bps=lots"));
        // 'value' of qom-set is 'q': any JSON value, guessed.
        Assert.Equal("""{"path":"/machine","property":"p","value":5}""", Args("qom-set path=/machine property=p value=5"));
        Assert.Equal("""{"value":{"a":[1,true]}}""", Args("qom-set value={\"a\": [1, true]}"));
    }

    [Fact]
    public void OptionListMembers_UseTheirDocumentedTypes()
    {
        Assert.Equal("""{"driver":"e1000","id":"net1","bus":"pci.0"}""", Args("device_add driver=e1000 id=net1 bus=pci.0"));
    }

    [Fact]
    public void UnknownCommand_ValuesAreGuessed()
    {
        Assert.Equal("""{"a":true,"b":42,"c":1.5,"d":"text","e":[1,"x"],"f":"quoted text","g":null}""",
            Args("x-custom a=true b=42 c=1.5 d=text e=[1,\"x\"] f=\"quoted text\" g=null"));
    }

    [Fact]
    public void QuotedValues_AreStrings_WithEscapes()
    {
        Assert.Equal("""{"a":"true","b":"1 2","c":"say \"hi\""}""", Args("x a=\"true\" b='1 2' c=\"say \\\"hi\\\"\""));
    }

    [Theory]
    [InlineData("eject ide1-cd0", "expected name=value, got 'ide1-cd0'")]
    [InlineData("eject =x", "expected name=value, got '=x'")]
    [InlineData("eject device=a device=b", "argument 'device' given twice")]
    [InlineData("qom-set value={\"a\":", "unbalanced { or [")]
    [InlineData("eject device=\"abc", "unterminated \" quote")]
    public void BadLines_SayWhy(string line, string message)
    {
        var e = Assert.Throws<ShellSyntaxException>(() => ShellSyntax.Parse(line, s_catalog));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void InvalidJsonLiteral_IsReported()
    {
        var e = Assert.Throws<ShellSyntaxException>(() => ShellSyntax.Parse("qom-set value={a}", s_catalog));
        Assert.StartsWith("argument 'value': invalid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_serialize_for_the_client()
    {
        var parsed = ShellSyntax.Parse("eject device=ide1-cd0 force=true", s_catalog)!;
        var element = JsonSerializer.SerializeToElement(parsed.Arguments);
        Assert.True(element.GetProperty("force").GetBoolean());
    }
}
