namespace Qmp.Emulator.Tests;

/// <summary>
/// Inside an argument's value (QAPI structs and lists, checked by QEMU 2.1's input visitor rather
/// than the monitor's args_type), a wrong JSON type fails in the visitor's words.
/// </summary>
public class NestedArgumentTests
{
    [Theory]
    [InlineData("chardev-add", """{"id": "x", "backend": {"type": 5, "data": {}}}""", "Invalid parameter type for 'type', expected: string")]
    [InlineData("chardev-add", """{"id": "x", "backend": "null"}""", "Invalid parameter type for 'backend', expected: QDict")]
    [InlineData("transaction", """{"actions": [{"type": "blockdev-snapshot-sync", "data": {"device": 7}}]}""", "Invalid parameter type for 'device', expected: string")]
    [InlineData("transaction", """{"actions": {"type": "blockdev-snapshot-sync"}}""", "Invalid parameter type for 'actions', expected: list")]
    public async Task A_wrong_type_inside_an_argument_is_named(string command, string arguments, string message)
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith(command, arguments, message);
        // Nothing was half done: the connection and the machine carry on.
        Assert.Equal("running", await vm.Status());
    }
}
