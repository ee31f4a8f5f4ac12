using Qmp.Runtime.Introspection;
using static Qmp.Runtime.Tests.Introspection.SchemaInfoReaderTests;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>libvirt's schema paths (qemu_qapi.c, virQEMUQAPISchemaPathGet), one syntax at a time.</summary>
public class SchemaPathTests
{
    // A masked schema shaped like QEMU's blockdev-add, query-block, device_add and query-version.
    private static readonly SchemaInfo s_s = Schema("""
        [{'name': 'blockdev-add', 'meta-type': 'command', 'arg-type': '1', 'ret-type': '0'},
         {'name': 'blockdev-reopen', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '0'},
         {'name': 'device_add', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '0', 'features': ['json-cli', 'json-cli-hotplug']},
         {'name': 'query-block', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '[5]'},
         {'name': 'query-version', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '7'},
         {'name': 'SHUTDOWN', 'meta-type': 'event', 'arg-type': '8', 'features': ['unstable']},
         {'name': '0', 'meta-type': 'object', 'members': []},
         {'name': '1', 'meta-type': 'object', 'tag': 'driver', 'features': ['obj-feature'],
          'members': [{'name': 'driver', 'type': '2'}, {'name': 'node-name', 'type': 'str', 'default': null}, {'name': ' 3d', 'type': 'int'}],
          'variants': [{'case': 'file', 'type': '3'}, {'case': 'qcow2', 'type': '4'}]},
         {'name': '2', 'meta-type': 'enum', 'members': [{'name': 'file'}, {'name': 'qcow2'}], 'values': ['file', 'qcow2']},
         {'name': '3', 'meta-type': 'object', 'members': [{'name': 'filename', 'type': 'str'}, {'name': 'aio', 'type': '6', 'default': null}]},
         {'name': '4', 'meta-type': 'object', 'members': [{'name': 'file', 'type': '9'}]},
         {'name': '[5]', 'meta-type': 'array', 'element-type': '5'},
         {'name': '5', 'meta-type': 'object', 'members': [{'name': 'device', 'type': 'str'}, {'name': 'inserted', 'type': '3', 'default': null}]},
         {'name': '6', 'meta-type': 'enum', 'members': [{'name': 'threads'}, {'name': 'io_uring', 'features': ['unstable']}], 'values': ['threads', 'io_uring']},
         {'name': '7', 'meta-type': 'object', 'members': [{'name': 'major', 'type': 'int', 'features': ['deprecated']}]},
         {'name': '8', 'meta-type': 'object', 'members': [{'name': 'guest', 'type': 'bool'}]},
         {'name': '9', 'meta-type': 'alternate', 'members': [{'type': '1'}, {'type': 'str'}]},
         {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},
         {'name': 'int', 'meta-type': 'builtin', 'json-type': 'int'},
         {'name': 'bool', 'meta-type': 'builtin', 'json-type': 'boolean'}]
        """);

    [Fact]
    public void Commands_and_events_by_name()
    {
        Assert.True(s_s.HasCommand("blockdev-reopen"));
        Assert.False(s_s.HasCommand("SHUTDOWN"));
        Assert.True(s_s.HasEvent("SHUTDOWN"));
        Assert.False(s_s.HasCommand("query-cpus"));
        Assert.True(s_s.Has("blockdev-reopen"));
        Assert.False(s_s.Has("query-cpus"));
    }

    [Theory]
    // member, through arg-type and ret-type
    [InlineData("blockdev-add/arg-type/node-name", true)]
    [InlineData("blockdev-add/arg-type/no-such-member", false)]
    [InlineData("query-version/ret-type/major", true)]
    [InlineData("SHUTDOWN/arg-type/guest", true)]
    [InlineData("SHUTDOWN/ret-type", false)]
    [InlineData("blockdev-add/returns", false)]
    // '*': the member must be optional
    [InlineData("blockdev-add/arg-type/*node-name", true)]
    [InlineData("blockdev-add/arg-type/*driver", false)]
    // '+': a union variant, then its members
    [InlineData("blockdev-add/arg-type/+file", true)]
    [InlineData("blockdev-add/arg-type/+file/filename", true)]
    [InlineData("blockdev-add/arg-type/+nbd", false)]
    [InlineData("blockdev-add/arg-type/+file/node-name", false)]
    // '^': an enum value, optionally with a feature of the value
    [InlineData("blockdev-add/arg-type/+file/aio/^io_uring", true)]
    [InlineData("blockdev-add/arg-type/+file/aio/^native", false)]
    [InlineData("blockdev-add/arg-type/+file/aio/^io_uring/$unstable", true)]
    [InlineData("blockdev-add/arg-type/+file/aio/^threads/$unstable", false)]
    [InlineData("blockdev-add/arg-type/+file/aio/io_uring", false)]
    // '$': a feature of the command, event or object reached
    [InlineData("device_add/$json-cli-hotplug", true)]
    [InlineData("device_add/$json-cli", true)]
    [InlineData("device_add/$no-such-feature", false)]
    [InlineData("SHUTDOWN/$unstable", true)]
    [InlineData("blockdev-add/arg-type/$obj-feature", true)]
    // a member's features are not reachable: '$' after a member applies to the member's type
    [InlineData("query-version/ret-type/major/$deprecated", false)]
    // '!': the JSON type of a builtin
    [InlineData("query-version/ret-type/major/!int", true)]
    [InlineData("query-version/ret-type/major/!number", false)]
    [InlineData("blockdev-add/arg-type/node-name/!string", true)]
    // modifiers of other meta-types answer false
    [InlineData("blockdev-add/arg-type/^file", false)]
    [InlineData("blockdev-add/arg-type/!object", false)]
    [InlineData("device_add/+x", false)]
    [InlineData("device_add/*arg-type", false)]
    [InlineData("device_add/^x", false)]
    [InlineData("blockdev-add/arg-type/driver/file", false)]
    // arrays are entered transparently
    [InlineData("query-block/ret-type/inserted/aio/^threads", true)]
    [InlineData("query-block/ret-type/*inserted", true)]
    [InlineData("query-block/ret-type/*device", false)]
    // alternates: each member is tried until one succeeds
    [InlineData("blockdev-add/arg-type/+qcow2/file/driver", true)]
    [InlineData("blockdev-add/arg-type/+qcow2/file/!string", true)]
    [InlineData("blockdev-add/arg-type/+qcow2/file/!int", false)]
    [InlineData("blockdev-add/arg-type/+qcow2/file/+file/filename", true)]
    // a name that does not start with a letter is prefixed with one space
    [InlineData("blockdev-add/arg-type/  3d", true)]
    [InlineData("blockdev-add/arg-type/ 3d", false)]
    // the first component may name any entry
    [InlineData("str/!string", true)]
    public void Libvirt_paths(string path, bool expected) => Assert.Equal(expected, s_s.Has(path));

    [Fact]
    public void A_type_query_gives_the_entry_it_reaches()
    {
        Assert.True(s_s.TryResolve("blockdev-add/arg-type/+file/aio", out var aio));
        Assert.Equal("6", Assert.IsType<SchemaInfoEnum>(aio).Name);
        Assert.True(s_s.TryResolve("query-block/ret-type", out var ret));
        Assert.Equal("[5]", ret!.Name);
        Assert.True(s_s.TryResolve("device_add/$json-cli", out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("device_add/$json-cli/x")]
    [InlineData("blockdev-add/arg-type/$obj-feature/x")]
    [InlineData("query-version/ret-type/major/!int/x")]
    [InlineData("blockdev-add/arg-type/+file/aio/^io_uring/x")]
    [InlineData("blockdev-add/arg-type/+file/aio/^io_uring/$unstable/x")]
    [InlineData("blockdev-add//node-name")]
    [InlineData("")]
    public void A_boolean_component_with_followers_or_an_empty_component_is_an_error(string path) =>
        Assert.Throws<ArgumentException>(() => s_s.Has(path));

    [Fact]
    public void A_schema_that_loops_answers_false()
    {
        var loop = Schema("""
            [{'name': 'c', 'meta-type': 'command', 'arg-type': '[a]', 'ret-type': '[a]'},
             {'name': '[a]', 'meta-type': 'array', 'element-type': '1'},
             {'name': '1', 'meta-type': 'alternate', 'members': [{'type': '[a]'}]}]
            """);
        Assert.False(loop.Has("c/arg-type/member"));
        Assert.True(loop.Has("c/arg-type"));
    }
}
