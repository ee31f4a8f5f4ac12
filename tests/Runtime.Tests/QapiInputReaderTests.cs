using System.Text.Json;
using Qmp.Runtime.Qapi;

namespace Qmp.Runtime.Tests;

/// <summary>
/// <see cref="QapiInputReader"/> beyond the QEMU cases: every integer width at its edges (QEMU's rules:
/// signed widths through int64, unsigned through uint64 with negative values wrapped), the values
/// it returns, the nesting limit, a reader reused, and misuse by the caller.
/// </summary>
public class QapiInputReaderTests
{
    [Theory]
    [InlineData("""{"i8":-128,"i16":32767,"i32":-2147483648,"i64":-9223372036854775808,"u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,"sz":0}""")]
    [InlineData("""{"u64":-1,"sz":-9223372036854775808,"u8":-0,"n":1e400,"b":false,"s":"","a":[{}],"z":null,"l":[1,-2]}""")]
    [InlineData("""{}""")]
    public void Values_in_range_are_accepted(string arguments)
    {
        using var document = JsonDocument.Parse(arguments);
        QapiShapes.Check("widths", document.RootElement);
    }

    [Theory]
    [InlineData("""{"i8":128}""", "Parameter 'i8' expects int8_t")]
    [InlineData("""{"i8":-129}""", "Parameter 'i8' expects int8_t")]
    [InlineData("""{"i16":-32769}""", "Parameter 'i16' expects int16_t")]
    [InlineData("""{"i32":2147483648}""", "Parameter 'i32' expects int32_t")]
    [InlineData("""{"i64":9223372036854775808}""", "Invalid parameter type for 'i64', expected: integer")]
    [InlineData("""{"i32":1.0}""", "Invalid parameter type for 'i32', expected: integer")]
    [InlineData("""{"u8":256}""", "Parameter 'u8' expects uint8_t")]
    [InlineData("""{"u8":-1}""", "Parameter 'u8' expects uint8_t")]
    [InlineData("""{"u16":65536}""", "Parameter 'u16' expects uint16_t")]
    [InlineData("""{"u32":4294967296}""", "Parameter 'u32' expects uint32_t")]
    [InlineData("""{"u64":18446744073709551616}""", "Parameter 'u64' expects uint64")]
    [InlineData("""{"u64":-9223372036854775809}""", "Parameter 'u64' expects uint64")]
    [InlineData("""{"sz":true}""", "Parameter 'sz' expects uint64")]
    [InlineData("""{"n":"1"}""", "Invalid parameter type for 'n', expected: number")]
    [InlineData("""{"z":0}""", "Invalid parameter type for 'z', expected: null")]
    [InlineData("""{"l":[1,128]}""", "Parameter 'null' expects int8_t")]
    [InlineData("""{"l":[1,"x"]}""", "Invalid parameter type for 'l[1]', expected: integer")]
    [InlineData("""{"l":[1],"zz":0,"yy":0}""", "Parameter 'yy' is unexpected")] // GLib's order, as QEMU (see the parity cases)
    public void Values_out_of_range_or_of_the_wrong_type_get_QEMUs_words(string arguments, string desc)
    {
        using var document = JsonDocument.Parse(arguments);
        Assert.Equal(desc, Assert.Throws<QmpException>(() => QapiShapes.Check("widths", document.RootElement)).Description);
    }

    [Fact]
    public void Reads_the_values_it_checks()
    {
        using var document = JsonDocument.Parse("""{"a":-1,"b":"x","c":[true,false],"d":{"e":2.5},"f":"qcow2","g":-1}""");
        var reader = new QapiInputReader(document.RootElement);
        reader.StartObject(null);
        Assert.Equal(-1, reader.ReadInt32("a"));
        Assert.Equal("x", reader.ReadString("b"));
        Assert.False(reader.IsPresent("nope"));
        reader.StartList("c");
        var flags = new List<bool>();
        while (reader.NextElement())
        {
            flags.Add(reader.ReadBool(null));
        }

        reader.EndList();
        Assert.Equal([true, false], flags);
        Assert.Equal(QapiJsonType.Object, reader.StartAlternate("d"));
        reader.StartObject("d");
        Assert.Equal(2.5, reader.ReadNumber("e"));
        reader.EndObject();
        Assert.Equal(1, reader.ReadEnum("f", ["raw", "qcow2"]));
        Assert.Equal(ulong.MaxValue, reader.ReadUInt64("g"));
        reader.EndObject();
    }

    [Fact]
    public void Member_names_written_with_escapes_are_the_same_names()
    {
        using var document = JsonDocument.Parse("""{"dri\u0076er":"qcow2","file":{"driver":"file","file\u006eame":"a"},"\u0062ogus":1}""");
        Assert.Equal("Parameter 'bogus' is unexpected",
            Assert.Throws<QmpException>(() => QapiShapes.Check("blockdev-add", document.RootElement)).Description);
    }

    [Theory]
    [InlineData("""{"f":"qc\u006fw2"}""", null)]
    [InlineData("""{"f":"qcow2"}""", null)]
    [InlineData("""{"f":"qc\u00f6w2"}""", "Parameter 'f' does not accept value 'qc\u00f6w2'")]
    [InlineData("""{"f":"qcöw2"}""", "Parameter 'f' does not accept value 'qcöw2'")]
    [InlineData("""{"f":"qcow"}""", "Parameter 'f' does not accept value 'qcow'")]
    public void Enum_values_are_compared_as_text_escaped_or_not(string arguments, string? desc)
    {
        using var document = JsonDocument.Parse(arguments);
        var reader = new QapiInputReader(document.RootElement);
        reader.StartObject(null);
        if (desc is null)
        {
            Assert.Equal(1, reader.ReadEnum("f", ["raw", "qcow2"]));
        }
        else
        {
            Assert.Equal(desc, Assert.Throws<QmpException>(() => reader.ReadEnum("f", ["raw", "qcow2"])).Description);
        }
    }

    [Fact]
    public void A_lookup_is_not_reused_across_objects_of_the_same_depth()
    {
        using var document = JsonDocument.Parse("""{"a":{"x":1},"b":{"y":2}}""");
        var reader = new QapiInputReader(document.RootElement);
        const string X = "x";
        reader.StartObject(null);
        reader.StartObject("a");
        Assert.True(reader.IsPresent(X));
        reader.ReadInt64(X);
        reader.EndObject();
        reader.StartObject("b");
        Assert.False(reader.IsPresent(X));
        Assert.Equal("Parameter 'b.x' is missing", Assert.Throws<QmpException>(() => reader.ReadInt64(X)).Description);
    }

    /// <summary>
    /// Found by the fuzzer: QEMU's parser (and the server's) refuse a member named twice, but a reader
    /// given one anyway (JsonDocument keeps both) reports the copy nobody read instead of failing to
    /// find it in QEMU's hash table, where the name is only once.
    /// </summary>
    [Fact]
    public void A_member_named_twice_is_unexpected_the_second_time()
    {
        using var document = JsonDocument.Parse("""{"node-name":"disk","size":1,"size":2}""");
        var error = Assert.Throws<QmpException>(() => QapiShapes.Check("block_resize", document.RootElement));
        Assert.Equal("Parameter 'size' is unexpected", error.Description);
    }

    [Fact]
    public void Two_hundred_thousand_unknown_members_get_one_error()
    {
        var text = new System.Text.StringBuilder("{\"device\":\"cd0\"");
        for (var i = 0; i < 200_000; i++)
        {
            text.Append(",\"m").Append(i).Append("\":").Append(i);
        }

        using var document = JsonDocument.Parse(text.Append('}').ToString());
        var error = Assert.Throws<QmpException>(() => QapiShapes.Check("eject", document.RootElement));
        Assert.Matches("^Parameter 'm[0-9]+' is unexpected$", error.Description);
    }

    /// <summary>
    /// A lookup looks at the members of one bucket of the object's table, not at the whole object: an
    /// object of n members costs its lookups in proportion to n at worst, so 16 times the members is at
    /// most 16 times the members looked at (counted, never timed). Escaped names are the case that was
    /// quadratic: each was compared by walking the object from its start, for every name looked up.
    /// </summary>
    [Fact]
    public void An_object_of_many_escaped_members_is_read_in_linear_time()
    {
        static long Examined(int members)
        {
            var text = new System.Text.StringBuilder("{\"dri\\u0076er\":\"file\",\"filename\":\"a\"");
            for (var i = 0; i < members; i++)
            {
                text.Append(",\"\\u006d").Append(i).Append("\":0");
            }

            using var document = JsonDocument.Parse(text.Append('}').ToString());
            var reader = new QapiInputReader(document.RootElement);
            var error = Assert.Throws<QmpException>(() => QapiShapes.Check(reader, "blockdev-add"));
            Assert.Matches("^Parameter 'm[0-9]+' is unexpected$", error.Description);
            return reader.MembersExamined;
        }

        var small = Examined(500);
        var large = Examined(8_000);
        Assert.True(large <= 16 * small, $"members looked at: {small} for 500 members, {large} for 8,000 (more than 16 times)");
    }

    [Fact]
    public void No_arguments_read_as_an_empty_object_as_QEMU_reads_them()
    {
        Assert.Equal("Parameter 'value' is missing", Assert.Throws<QmpException>(() => QapiShapes.Check("balloon", null)).Description);
        QapiShapes.Check("query-status", null);
        QapiShapes.Check("query-status", default(JsonElement));
    }

    [Fact]
    public void Arguments_that_are_not_an_object_are_named_anonymous_as_QEMU_names_them()
    {
        using var document = JsonDocument.Parse("[]");
        Assert.Equal("Invalid parameter type for '<anonymous>', expected: object",
            Assert.Throws<QmpException>(() => QapiShapes.Check("query-status", document.RootElement)).Description);
    }

    [Fact]
    public void A_reader_is_reused_for_the_next_request()
    {
        using var bad = JsonDocument.Parse("""{"driver":"qcow2","file":{"driver":"file","filename":7}}""");
        using var good = JsonDocument.Parse("""{"driver":"qcow2","node-name":"disk","file":{"driver":"file","filename":"a.qcow2"}}""");
        var reader = new QapiInputReader(bad.RootElement);
        Assert.Throws<QmpException>(() => QapiShapes.Check(reader, "blockdev-add"));
        reader.Reset(good.RootElement);
        QapiShapes.Check(reader, "blockdev-add");
        reader.Reset(bad.RootElement);
        Assert.Equal("Invalid parameter type for 'file.filename', expected: string",
            Assert.Throws<QmpException>(() => QapiShapes.Check(reader, "blockdev-add")).Description);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_and_the_limit_itself_is_read()
    {
        // blockdev-add's file is a BlockdevOptions again: a recursive type, as deep as the client nests it.
        static string Nested(int levels) =>
            string.Concat(Enumerable.Repeat("""{"driver":"raw","file":""", levels)) + "\"base\"" + new string('}', levels);

        using (var document = JsonDocument.Parse(Nested(QmpLimits.DefaultServerMaxDepth), new JsonDocumentOptions { MaxDepth = 2000 }))
        {
            QapiShapes.Check("blockdev-add", document.RootElement);
        }

        using (var document = JsonDocument.Parse(Nested(QmpLimits.DefaultServerMaxDepth + 1), new JsonDocumentOptions { MaxDepth = 2000 }))
        {
            var error = Assert.Throws<QmpException>(() => QapiShapes.Check("blockdev-add", document.RootElement));
            Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
            Assert.EndsWith("' nests deeper than 1024 levels", error.Description);
            Assert.StartsWith("Parameter 'file.file.file.", error.Description);
        }

        using (var document = JsonDocument.Parse(Nested(3)))
        {
            Assert.Equal("Parameter 'file.file' nests deeper than 2 levels",
                Assert.Throws<QmpException>(() => QapiShapes.Check("blockdev-add", document.RootElement, maxDepth: 2)).Description);
        }
    }

    [Fact]
    public void An_unknown_enum_value_is_quoted_up_to_a_NUL_as_QEMU_prints_a_C_string()
    {
        using var document = JsonDocument.Parse("""{"driver":"raw\u0000x"}""");
        Assert.Equal("Parameter 'driver' does not accept value 'raw'",
            Assert.Throws<QmpException>(() => QapiShapes.Check("blockdev-add", document.RootElement)).Description);
    }

    /// <summary>
    /// Found by the fuzzer: JsonDocument leaves a string's UTF-8 unchecked until it is read, and a lone
    /// surrogate escape cannot become a .NET string. The server refuses both before (as QEMU's parser
    /// does); the reader, given them anyway, answers a GenericError instead of throwing System.Text.Json's
    /// InvalidOperationException.
    /// </summary>
    [Theory]
    [InlineData("""{"x<FF>":1}""", "query-status", "Parameter 'x\ufffd' is unexpected")]
    [InlineData("""{"driver":"<C3>"}""", "blockdev-add", "Parameter 'driver' is not valid Unicode text")]
    [InlineData("""{"driver":"\ud800"}""", "blockdev-add", "Parameter 'driver' is not valid Unicode text")]
    [InlineData("""{"id":"<80>"}""", "eject", "Parameter 'id' is not valid Unicode text")]
    public void Text_that_is_not_Unicode_is_a_GenericError_not_a_crash(string arguments, string command, string desc)
    {
        // <XX> stands for the byte 0xXX, which is not UTF-8 there.
        var bytes = new List<byte>();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (arguments[i] == '<')
            {
                bytes.Add(Convert.ToByte(arguments.Substring(i + 1, 2), 16));
                i += 3;
            }
            else
            {
                bytes.Add((byte)arguments[i]);
            }
        }

        using var document = JsonDocument.Parse(bytes.ToArray());
        var error = Assert.Throws<QmpException>(() => QapiShapes.Check(command, document.RootElement));
        Assert.Equal(desc, error.Description);
    }

    [Fact]
    public void Misuse_by_the_caller_is_an_InvalidOperationException_not_a_QMP_error()
    {
        using var document = JsonDocument.Parse("""{"a":[1]}""");
        var reader = new QapiInputReader(document.RootElement);
        Assert.Throws<InvalidOperationException>(reader.EndObject);
        reader.StartObject(null);
        Assert.Throws<InvalidOperationException>(() => reader.ReadString(null));
        Assert.Throws<InvalidOperationException>(reader.EndList);
        reader.StartList("a");
        Assert.Throws<InvalidOperationException>(() => reader.ReadInt64(null));
        Assert.Throws<InvalidOperationException>(reader.EndObject);
    }
}
