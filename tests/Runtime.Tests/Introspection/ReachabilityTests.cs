using Qmp.Runtime.Introspection;

namespace Qmp.Runtime.Tests.Introspection;

/// <summary>
/// SchemaInfo.TypesReachedFrom: the one reachability the compatibility report (what lies under a
/// command) and a filtered saved answer's server (what it keeps) share.
/// </summary>
public class ReachabilityTests
{
    private static readonly SchemaInfo s_info = SchemaInfoReaderTests.Schema("""
        [{'name': 'query-x', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '1'},
         {'name': 'EV', 'meta-type': 'event', 'arg-type': '2'},
         {'name': 'other', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '5'},
         {'name': '0', 'members': [], 'meta-type': 'object'},
         {'name': '1', 'members': [{'name': 'a', 'type': '[3]'}, {'name': 'self', 'type': '1'}], 'meta-type': 'object', 'tag': 'a', 'variants': [{'case': 'x', 'type': '4'}]},
         {'name': '2', 'members': [{'name': 'v1'}], 'meta-type': 'enum', 'values': ['v1']},
         {'name': '3', 'members': [{'type': 'str'}, {'type': '2'}], 'meta-type': 'alternate'},
         {'name': '[3]', 'element-type': '3', 'meta-type': 'array'},
         {'name': '4', 'members': [{'name': 'n', 'type': 'int'}], 'meta-type': 'object'},
         {'name': '5', 'members': [], 'meta-type': 'object'},
         {'name': 'str', 'json-type': 'string', 'meta-type': 'builtin'},
         {'name': 'int', 'json-type': 'int', 'meta-type': 'builtin'}]
        """);

    [Fact]
    public void A_command_reaches_its_types_through_members_variants_arrays_and_alternates_and_a_cycle_ends()
    {
        Assert.Equal(["0", "1", "2", "3", "4", "[3]", "int", "str"], s_info.TypesReachedFrom(["query-x"]).Order(StringComparer.Ordinal));
        Assert.Equal(["2"], s_info.TypesReachedFrom(["EV"]));
        // Several roots reach the union of what each reaches; the roots themselves are not types reached.
        Assert.Equal(["0", "1", "2", "3", "4", "5", "[3]", "int", "str"], s_info.TypesReachedFrom(["query-x", "other", "EV"]).Order(StringComparer.Ordinal));
        Assert.Empty(s_info.TypesReachedFrom(["no-such-command"]));
    }
}
