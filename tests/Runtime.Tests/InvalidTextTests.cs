using System.Text;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Tests;

/// <summary>Messages whose strings cannot be text are refused as lexical errors before anything reads them.</summary>
public class InvalidTextTests
{
    [Theory]
    [InlineData("""{"execute":"query-status"}""")]
    [InlineData("""{"execute":"x","arguments":{"s":"caf\u00e9 \ud83d\ude00"}}""")]
    [InlineData("""{"execute":"x","arguments":{"s":"\\ud800"}}""")] // an escaped backslash, then text
    [InlineData("""{"execute":"x","arguments":{"s":"\\\\\ud83d\ude00"}}""")]
    [InlineData("""{"execute":"x","arguments":{"s":"\u12"}}""")] // not an escape of a surrogate
    public void Text_is_accepted(string json) => Assert.False(QmpWire.HasInvalidText(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"execute":"\ud800"}""")]
    [InlineData("""{"execute":"\udc00x"}""")]
    [InlineData("""{"execute":"\ud83dx"}""")]
    [InlineData("""{"\ud800":1}""")]
    [InlineData("""{"execute":"x","arguments":{"s":"\\\ud800"}}""")] // escaped backslash, then a lone surrogate
    public void Lone_surrogate_escapes_are_refused(string json) => Assert.True(QmpWire.HasInvalidText(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData(new byte[] { (byte)'"', 0xff, (byte)'"' })]
    [InlineData(new byte[] { (byte)'"', 0xc0, 0xaf, (byte)'"' })]
    [InlineData(new byte[] { (byte)'"', 0xe2, 0x82, (byte)'"' })]
    public void Invalid_utf8_is_refused(byte[] bytes) => Assert.True(QmpWire.HasInvalidText(bytes));
}
