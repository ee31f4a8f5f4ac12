using Qmp.Runtime.Introspection;
using static Qmp.Runtime.Tests.Introspection.SchemaInfoReaderTests;

namespace Qmp.Runtime.Tests.Introspection;

public class AlignmentTests
{
    // A client's own description: real names, as a generated client carries it.
    private static readonly SchemaInfo s_client = Schema("""
        [{'name': 'query-block', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': '[BlockInfo]'},
         {'name': 'blockdev-add', 'meta-type': 'command', 'arg-type': 'BlockdevOptions', 'ret-type': 'q_empty'},
         {'name': 'BLOCK_IO_ERROR', 'meta-type': 'event', 'arg-type': 'q_obj_BLOCK_IO_ERROR-arg'},
         {'name': 'q_empty', 'meta-type': 'object', 'members': []},
         {'name': '[BlockInfo]', 'meta-type': 'array', 'element-type': 'BlockInfo'},
         {'name': 'BlockInfo', 'meta-type': 'object', 'members': [{'name': 'device', 'type': 'str'}, {'name': 'inserted', 'type': 'BlockDeviceInfo', 'default': null}, {'name': 'io-status', 'type': 'BlockDeviceIoStatus', 'default': null}]},
         {'name': 'BlockDeviceInfo', 'meta-type': 'object', 'members': [{'name': 'file', 'type': 'str'}, {'name': 'ro', 'type': 'bool'}]},
         {'name': 'BlockDeviceIoStatus', 'meta-type': 'enum', 'members': [{'name': 'ok'}, {'name': 'failed'}], 'values': ['ok', 'failed']},
         {'name': 'BlockdevOptions', 'meta-type': 'object', 'tag': 'driver', 'members': [{'name': 'driver', 'type': 'BlockdevDriver'}, {'name': 'node-name', 'type': 'str', 'default': null}],
          'variants': [{'case': 'file', 'type': 'BlockdevOptionsFile'}, {'case': 'qcow2', 'type': 'BlockdevOptionsQcow2'}]},
         {'name': 'BlockdevDriver', 'meta-type': 'enum', 'members': [{'name': 'file'}, {'name': 'qcow2'}], 'values': ['file', 'qcow2']},
         {'name': 'BlockdevOptionsFile', 'meta-type': 'object', 'members': [{'name': 'filename', 'type': 'str'}]},
         {'name': 'BlockdevOptionsQcow2', 'meta-type': 'object', 'members': [{'name': 'file', 'type': 'BlockdevRef'}]},
         {'name': 'BlockdevRef', 'meta-type': 'alternate', 'members': [{'type': 'BlockdevOptions'}, {'type': 'str'}]},
         {'name': 'q_obj_BLOCK_IO_ERROR-arg', 'meta-type': 'object', 'members': [{'name': 'device', 'type': 'str'}, {'name': 'io-status', 'type': 'BlockDeviceIoStatus'}]},
         {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},
         {'name': 'bool', 'meta-type': 'builtin', 'json-type': 'boolean'}]
        """);

    // The same schema as a live server masks it (numbered in another order, alternate members swapped).
    private static readonly SchemaInfo s_server = Schema("""
        [{'name': 'blockdev-add', 'meta-type': 'command', 'arg-type': '1', 'ret-type': '0'},
         {'name': 'query-block', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '[9]'},
         {'name': 'BLOCK_IO_ERROR', 'meta-type': 'event', 'arg-type': '8'},
         {'name': '0', 'meta-type': 'object', 'members': []},
         {'name': '1', 'meta-type': 'object', 'tag': 'driver', 'members': [{'name': 'driver', 'type': '2'}, {'name': 'node-name', 'type': 'str', 'default': null}],
          'variants': [{'case': 'file', 'type': '3'}, {'case': 'qcow2', 'type': '4'}]},
         {'name': '2', 'meta-type': 'enum', 'members': [{'name': 'file'}, {'name': 'qcow2'}], 'values': ['file', 'qcow2']},
         {'name': '3', 'meta-type': 'object', 'members': [{'name': 'filename', 'type': 'str'}]},
         {'name': '4', 'meta-type': 'object', 'members': [{'name': 'file', 'type': '5'}]},
         {'name': '5', 'meta-type': 'alternate', 'members': [{'type': 'str'}, {'type': '1'}]},
         {'name': '[9]', 'meta-type': 'array', 'element-type': '9'},
         {'name': '9', 'meta-type': 'object', 'members': [{'name': 'device', 'type': 'str'}, {'name': 'inserted', 'type': '6', 'default': null}, {'name': 'io-status', 'type': '7', 'default': null}]},
         {'name': '6', 'meta-type': 'object', 'members': [{'name': 'file', 'type': 'str'}, {'name': 'ro', 'type': 'bool'}]},
         {'name': '7', 'meta-type': 'enum', 'members': [{'name': 'ok'}, {'name': 'failed'}], 'values': ['ok', 'failed']},
         {'name': '8', 'meta-type': 'object', 'members': [{'name': 'device', 'type': 'str'}, {'name': 'io-status', 'type': '7'}]},
         {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},
         {'name': 'bool', 'meta-type': 'builtin', 'json-type': 'boolean'}]
        """);

    [Fact]
    public void Real_names_unmask_a_live_schema()
    {
        var a = SchemaInfoAlignment.Align(s_client, s_server);
        Assert.Empty(a.Conflicts);
        var expected = new Dictionary<string, string>
        {
            ["0"] = "q_empty",
            ["1"] = "BlockdevOptions",
            ["2"] = "BlockdevDriver",
            ["3"] = "BlockdevOptionsFile",
            ["4"] = "BlockdevOptionsQcow2",
            ["5"] = "BlockdevRef",
            ["9"] = "BlockInfo",
            ["6"] = "BlockDeviceInfo",
            ["7"] = "BlockDeviceIoStatus",
            ["8"] = "q_obj_BLOCK_IO_ERROR-arg",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), a.ServerToClient.OrderBy(p => p.Key));
        Assert.Equal(expected.Count, a.ClientToServer.Count);
        Assert.Equal("7", a.ServerNameOf("BlockDeviceIoStatus"));
        Assert.Equal("BlockInfo", a.ClientNameOf("9"));
        // Arrays are paired too (not mapped); builtins are neither.
        Assert.Contains(a.Pairs, p => p.ClientType == "[BlockInfo]" && p.ServerType == "[9]");
        Assert.DoesNotContain(a.Pairs, p => p.ClientType == "str");
        Assert.Empty(SchemaCompatibilityReport.Compare(s_client, s_server).Differences);
    }

    [Fact]
    public void Either_side_may_be_the_masked_one()
    {
        var a = SchemaInfoAlignment.Align(s_server, s_client);
        Assert.Equal("BlockInfo", a.ServerNameOf("9"));
        Assert.Empty(a.Conflicts);
        var self = SchemaInfoAlignment.Align(s_server, s_server);
        Assert.All(self.ServerToClient, p => Assert.Equal(p.Key, p.Value));
        Assert.Equal(10, self.ServerToClient.Count);
    }

    [Fact]
    public void Directions_and_first_paths_are_recorded()
    {
        var a = SchemaInfoAlignment.Align(s_client, s_server);
        var ioStatus = a.Pairs.Single(p => p.ClientType == "BlockDeviceIoStatus");
        Assert.Equal(SchemaDirection.Output, ioStatus.Direction);
        // Breadth first: the event's data is nearer than query-block's array of BlockInfo.
        Assert.Equal("BLOCK_IO_ERROR/arg-type/io-status", ioStatus.Path);
        var options = a.Pairs.Single(p => p.ClientType == "BlockdevOptions");
        Assert.Equal(SchemaDirection.Input, options.Direction);
        var file = a.Pairs.Single(p => p.ClientType == "BlockdevOptionsFile");
        Assert.Equal("blockdev-add/arg-type/+file", file.Path);
        Assert.True(s_client.Has(file.Path) && s_server.Has(file.Path));
    }

    [Fact]
    public void A_masked_type_met_as_two_client_types_is_a_conflict()
    {
        var client = Schema("""
            [{'name': 'a', 'meta-type': 'command', 'arg-type': 'A', 'ret-type': 'B'},
             {'name': 'A', 'meta-type': 'object', 'members': [{'name': 'x', 'type': 'str'}]},
             {'name': 'B', 'meta-type': 'object', 'members': [{'name': 'x', 'type': 'str'}]},
             {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'}]
            """);
        var server = Schema("""
            [{'name': 'a', 'meta-type': 'command', 'arg-type': '1', 'ret-type': '1'},
             {'name': '1', 'meta-type': 'object', 'members': [{'name': 'x', 'type': 'str'}]},
             {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'}]
            """);
        var a = SchemaInfoAlignment.Align(client, server);
        var conflict = Assert.Single(a.Conflicts);
        Assert.True(conflict.IsServerType);
        Assert.Equal(("1", "A", "B", "a/ret-type"), (conflict.Name, conflict.First, conflict.Second, conflict.Path));
        // The other way round, the client's type is the one with two partners.
        var b = SchemaInfoAlignment.Align(server, client);
        var reverse = Assert.Single(b.Conflicts);
        Assert.False(reverse.IsServerType);
        Assert.Equal(("1", "A", "B"), (reverse.Name, reverse.First, reverse.Second));
        var report = SchemaCompatibilityReport.Compare(client, server);
        var d = Assert.Single(report.Differences);
        Assert.Equal(SchemaDifferenceKind.Conflict, d.Kind);
        Assert.False(d.IsBreaking);
    }

    [Fact]
    public void Types_of_different_shapes_are_not_paired()
    {
        var client = Schema("""
            [{'name': 'a', 'meta-type': 'command', 'arg-type': 'A', 'ret-type': 'A'},
             {'name': 'A', 'meta-type': 'object', 'members': [{'name': 'x', 'type': 'E'}, {'name': 'y', 'type': '[E]'}]},
             {'name': 'E', 'meta-type': 'enum', 'members': [{'name': 'v'}]},
             {'name': '[E]', 'meta-type': 'array', 'element-type': 'E'}]
            """);
        var server = Schema("""
            [{'name': 'a', 'meta-type': 'command', 'arg-type': '1', 'ret-type': '1'},
             {'name': '1', 'meta-type': 'object', 'members': [{'name': 'x', 'type': '2'}, {'name': 'y', 'type': '2'}]},
             {'name': '2', 'meta-type': 'object', 'members': []}]
            """);
        var a = SchemaInfoAlignment.Align(client, server);
        Assert.Equal(["A"], a.ClientToServer.Keys);
        var report = SchemaCompatibilityReport.Compare(client, server);
        Assert.Equal(["a/arg-type/x", "a/arg-type/y"], report.OfKind(SchemaDifferenceKind.TypeChanged).Select(d => d.Path));
        Assert.Equal("enum E became object", report.OfKind(SchemaDifferenceKind.TypeChanged).First().Detail);
        Assert.Equal("[enum] [E] became object", report.OfKind(SchemaDifferenceKind.TypeChanged).Last().Detail);
    }
}
