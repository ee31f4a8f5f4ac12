using System.Text;
using Qmp.Runtime.Introspection;

namespace Qmp.Runtime.Tests.Introspection;

public class SchemaInfoReaderTests
{
    /// <summary>JSON written with single quotes, for readable cases.</summary>
    internal static SchemaInfo Schema(string singleQuoted) => SchemaInfoReader.Read(singleQuoted.Replace('\'', '"'));

    [Fact]
    public void Reads_every_meta_type_as_QEMU_7_2_sends_it()
    {
        var s = Schema("""
            [{'name': 'query-x', 'ret-type': '1', 'meta-type': 'command', 'arg-type': '0', 'allow-oob': true, 'features': ['unstable']},
             {'name': 'EV', 'meta-type': 'event', 'arg-type': '2', 'features': ['deprecated']},
             {'name': '0', 'members': [], 'meta-type': 'object'},
             {'name': '1', 'members': [{'name': 'a', 'type': 'int'}, {'name': 'b', 'default': null, 'type': '[str]', 'features': ['deprecated']}],
              'meta-type': 'object', 'tag': 'a', 'variants': [{'case': 'x', 'type': '0'}], 'features': ['f']},
             {'name': '2', 'members': [{'name': 'v1'}, {'name': 'v2', 'features': ['unstable']}], 'meta-type': 'enum', 'values': ['v1', 'v2']},
             {'name': '3', 'members': [{'type': 'str'}, {'type': '1'}], 'meta-type': 'alternate'},
             {'name': '[str]', 'element-type': 'str', 'meta-type': 'array'},
             {'name': 'str', 'json-type': 'string', 'meta-type': 'builtin'},
             {'name': 'int', 'json-type': 'int', 'meta-type': 'builtin'}]
            """);
        Assert.Empty(s.Problems);
        Assert.Equal(9, s.Entries.Count);
        var c = Assert.Single(s.Commands);
        Assert.Equal(("0", "1", true, true), (c.ArgType, c.RetType, c.AllowOob, c.IsUnstable));
        var e = Assert.Single(s.Events);
        Assert.True(e.IsDeprecated);
        Assert.Equal("2", e.ArgType);
        var o = Assert.IsType<SchemaInfoObject>(s.Find("1"));
        Assert.Equal("a", o.Tag);
        Assert.Equal(["a: int", "*b: [str]"], o.Members.Select(m => m.ToString()));
        Assert.Equal(["deprecated"], o.Members[1].Features);
        Assert.Equal("x: 0", Assert.Single(o.Variants).ToString());
        Assert.Equal(["f"], o.Features);
        var en = Assert.IsType<SchemaInfoEnum>(s.Find("2"));
        Assert.Equal(["v1", "v2"], en.Members.Select(m => m.Name));
        Assert.Equal(["unstable"], en.Members[1].Features);
        Assert.Equal(["str", "1"], Assert.IsType<SchemaInfoAlternate>(s.Find("3")).MemberTypes);
        Assert.Equal("str", Assert.IsType<SchemaInfoArray>(s.Find("[str]")).ElementType);
        Assert.Equal("string", Assert.IsType<SchemaInfoBuiltin>(s.Find("str")).JsonType);
        Assert.Equal(["string", "string", "object", "array", null], new[] { "str", "2", "1", "[str]", "3" }.Select(s.JsonTypeOf));
    }

    [Fact]
    public void Reads_the_reply_and_the_saved_file_with_its_version()
    {
        const string Entries = "[{\"name\":\"stop\",\"meta-type\":\"command\",\"arg-type\":\"0\",\"ret-type\":\"0\"},{\"name\":\"0\",\"meta-type\":\"object\",\"members\":[]}]";
        Assert.True(SchemaInfoReader.Read("{\"return\": " + Entries + ", \"id\": 3}").HasCommand("stop"));
        var saved = "{\"query-version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian 1:7.2\"}, \"query-qmp-schema\": " + Entries + "}";
        var schema = SchemaInfoReader.Read(Encoding.UTF8.GetBytes(saved), out var version);
        Assert.True(schema.HasCommand("stop"));
        Assert.Equal(new QmpVersion(7, 2, 22, "Debian 1:7.2"), version);
    }

    [Fact]
    public void Tolerates_what_a_newer_QEMU_may_add()
    {
        // QEMU 9.1 dropped "values"; a future meta-type and unknown keys must not fail the read.
        var s = Schema("""
            [{'name': 'c', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '1', 'future-key': {'x': [1, 2]}},
             {'name': '0', 'meta-type': 'object', 'members': [{'name': 'm', 'type': 'int', 'new': true}]},
             {'name': '1', 'meta-type': 'enum', 'members': [{'name': 'a'}]},
             {'name': '2', 'meta-type': 'enum', 'values': ['old', 'style']},
             {'name': '3', 'meta-type': 'tuple', 'members': [{'type': 'int'}]},
             {'name': 'int', 'meta-type': 'builtin', 'json-type': 'int'}]
            """);
        Assert.Empty(s.Problems);
        Assert.Equal(["a"], ((SchemaInfoEnum)s.Find("1")!).Members.Select(m => m.Name));
        Assert.Equal(["old", "style"], ((SchemaInfoEnum)s.Find("2")!).Members.Select(m => m.Name));
        var unknown = Assert.IsType<SchemaInfoUnknown>(s.Find("3"));
        Assert.Equal("tuple", unknown.MetaType);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"return\": {}}")]
    [InlineData("[{\"meta-type\": \"command\"}]")]
    [InlineData("[{\"name\": \"c\"}]")]
    [InlineData("[{\"name\": \"c\", \"meta-type\": \"command\", \"arg-type\": \"0\"}]")]
    [InlineData("[{\"name\": \"c\", \"meta-type\": \"command\", \"arg-type\": 0, \"ret-type\": \"0\"}]")]
    [InlineData("[{\"name\": \"o\", \"meta-type\": \"object\", \"members\": [{\"name\": \"m\"}]}]")]
    [InlineData("[{\"name\": \"o\", \"meta-type\": \"object\", \"members\": [], \"tag\": \"t\"}]")]
    [InlineData("[{\"name\": \"a\", \"meta-type\": \"alternate\"}]")]
    [InlineData("[] []")]
    [InlineData("[{\"name\": \"c\", \"meta-type\": \"command\"")]
    public void Malformed_schemas_are_a_FormatException(string json)
    {
        var e = Assert.Throws<FormatException>(() => SchemaInfoReader.Read(json));
        Assert.False(string.IsNullOrEmpty(e.Message));
    }

    [Fact]
    public void Duplicates_and_dangling_names_are_problems_not_exceptions()
    {
        var s = Schema("""
            [{'name': 'c', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '9'},
             {'name': '0', 'meta-type': 'object', 'members': []},
             {'name': '0', 'meta-type': 'enum', 'members': []}]
            """);
        Assert.Equal(2, s.Problems.Count);
        Assert.Contains(s.Problems, p => p.Contains("'0' appears more than once"));
        Assert.Contains(s.Problems, p => p.Contains("refers to type '9'"));
        Assert.IsType<SchemaInfoObject>(s.Find("0"));
        Assert.False(s.Has("c/ret-type"));
    }

    [Fact]
    public void ToJson_reads_back_to_the_same_schema()
    {
        var s = Schema("""
            [{'name': 'c', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '[1]', 'allow-oob': true, 'features': ['unstable']},
             {'name': '0', 'meta-type': 'object', 'members': [{'name': 'q\"uote\\', 'type': '1', 'default': null, 'features': ['x']}], 'tag': 'q\"uote\\', 'variants': [{'case': 'a', 'type': '0'}]},
             {'name': '1', 'meta-type': 'enum', 'members': [{'name': 'a', 'features': ['deprecated']}], 'values': ['a']},
             {'name': '[1]', 'meta-type': 'array', 'element-type': '1'},
             {'name': '2', 'meta-type': 'alternate', 'members': [{'type': '1'}, {'type': '0'}]},
             {'name': 'E', 'meta-type': 'event', 'arg-type': '0'}]
            """);
        var json = s.ToJson();
        var again = SchemaInfoReader.Read(json);
        Assert.Equal(json, again.ToJson());
        Assert.Empty(SchemaCompatibilityReport.Compare(s, again).Differences);
        Assert.Equal("q\"uote\\", ((SchemaInfoObject)again.Find("0")!).Tag);
    }
}

/// <summary>Bad input: every cut and every byte flip of a valid schema reads or fails with FormatException, and what reads can be probed, aligned and reported.</summary>
public class SchemaInfoRobustnessTests
{
    private const string Valid = """
        [{"name":"c","meta-type":"command","arg-type":"1","ret-type":"[2]","allow-oob":true,"features":["unstable"]},
         {"name":"E","meta-type":"event","arg-type":"1"},
         {"name":"1","meta-type":"object","members":[{"name":"a","type":"3","default":null}],"tag":"a","variants":[{"case":"x","type":"1"}]},
         {"name":"[2]","meta-type":"array","element-type":"2"},
         {"name":"2","meta-type":"alternate","members":[{"type":"str"},{"type":"1"}]},
         {"name":"3","meta-type":"enum","members":[{"name":"x","features":["deprecated"]}],"values":["x"]},
         {"name":"str","meta-type":"builtin","json-type":"string"}]
        """;

    private static readonly string[] s_paths = ["c/arg-type/a/^x", "c/ret-type/!string", "c/ret-type/+x/*a", "E/arg-type/+x/a/^x/$deprecated", "c/$unstable", "str/!string"];

    [Fact]
    public void Cuts_and_flips_never_fail_otherwise()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Valid);
        var reference = SchemaInfoReader.Read(bytes);
        var read = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            Try(bytes.AsSpan(0, i).ToArray());
            foreach (var b in new byte[] { (byte)'"', (byte)'}', (byte)']', (byte)'0', (byte)'x', 0xC3 })
            {
                var flipped = (byte[])bytes.Clone();
                flipped[i] = b;
                Try(flipped);
            }
        }

        Assert.True(read > 0);

        void Try(byte[] input)
        {
            SchemaInfo s;
            try
            {
                s = SchemaInfoReader.Read(input);
            }
            catch (FormatException)
            {
                return;
            }

            read++;
            foreach (var path in s_paths)
            {
                s.Has(path);
            }

            _ = SchemaCompatibilityReport.Compare(reference, s).ToString();
            _ = SchemaCompatibilityReport.Compare(s, reference).ToString();
        }
    }
}
