using System.Buffers;
using System.Text;
using Qmp.Runtime.Protocol;

namespace Qmp.Runtime.Tests;

/// <summary>QEMU's output layout for values a dispatcher hands over as raw UTF-8.</summary>
public class QemuLayoutTests
{
    private static string Layout(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        QmpWire.WriteQemuStyle(Encoding.UTF8.GetBytes(json), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,null]}")]
    [InlineData("{ \"a\" : 1 ,\n \"b\" :\t[ true , null ] }")]
    [InlineData("{\r\n  \"a\": 1,\r\n  \"b\": [\r\n    true,\r\n    null\r\n  ]\r\n}")]
    public void Whitespace_in_a_raw_value_is_dropped_and_every_member_kept(string json)
    {
        Assert.Equal(Layout("{\"a\":1,\"b\":[true,null]}"), Layout(json));
        Assert.Contains("\"a\": 1", Layout(json), StringComparison.Ordinal);
        Assert.Contains("\"b\": [true, null]", Layout(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_inside_strings_is_kept()
    {
        Assert.Equal("[\"a b\\n\", {}, []]", Layout("[ \"a b\\n\" , { } , [ ] ]"));
    }
}
