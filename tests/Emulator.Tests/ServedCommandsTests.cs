using System.Text.Json;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The generated server base serves only the commands whose member a server overrides; the
/// emulator overrides every one. A command it forgot would answer CommandNotFound and be missing
/// from query-commands, which these tests catch.
/// </summary>
public sealed class ServedCommandsTests
{
    [Fact]
    public async Task Query_commands_lists_every_command_of_the_schema()
    {
        await using var vm = await TestVm.StartAsync();
        var listed = (await vm.Run("query-commands")).EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        Assert.Equal(QemuCommandsBase.CommandNames.Append("qmp_capabilities").Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_command_of_the_schema_dispatches_to_the_emulator()
    {
        await using var vm = await TestVm.StartAsync();

        // A member nobody declares: the argument check answers before any handler runs (so quit,
        // system_reset and friends do nothing), but only for a command the server serves.
        var probe = JsonDocument.Parse("""{"x-served-probe": true}""").RootElement;
        var notFound = new List<string>();
        foreach (var command in QemuCommandsBase.CommandNames)
        {
            try
            {
                await vm.Client.ExecuteAsync(command, probe);
            }
            catch (QmpException error) when (error.ErrorClass == QmpErrorClass.CommandNotFound)
            {
                notFound.Add(command);
            }
            catch (QmpException)
            {
            }
        }

        Assert.Empty(notFound);
        Assert.Equal("running", (await vm.Run("query-status")).GetProperty("status").GetString());
        await vm.FailsWith("no-such-command", null, "The command no-such-command has not been found", QmpErrorClass.CommandNotFound);
    }
}
