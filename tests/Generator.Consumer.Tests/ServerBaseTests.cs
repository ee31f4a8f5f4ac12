using Consumer.Small;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// The generated server base: every command is a virtual member; a server serves a command by
/// overriding its member, and one it does not override answers CommandNotFound (QEMU's wording for
/// a command it lacks) and is not among the served commands (query-commands, HasCommand).
/// </summary>
public sealed class ServerBaseTests
{
    /// <summary>Serves one command by overriding one member.</summary>
    private class StatusOnly : SmallCommandsBase
    {
        public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StatusInfo { Running = false, Status = "paused" });
    }

    /// <summary>Overrides through a class in between: both overrides count.</summary>
    private sealed class StatusAndEject : StatusOnly
    {
        public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class Nothing : SmallCommandsBase
    {
    }

    [Fact]
    public void Only_overridden_members_are_served()
    {
        var server = new StatusOnly();
        Assert.Equal(["query-status"], server.ServedCommandNames);
        Assert.True(server.HasCommand("query-status"));
        Assert.False(server.HasCommand("eject"));
        Assert.Equal(["eject", "query-status"], new StatusAndEject().ServedCommandNames);
        Assert.Empty(new Nothing().ServedCommandNames);
        Assert.Equal(["eject", "device_add", "query-status", "query-block"], SmallCommandsBase.CommandNames);

        // Found once per type: a second instance agrees, and another type is not confused with it.
        Assert.Equal(["query-status"], new StatusOnly().ServedCommandNames);
    }

    [Fact]
    public async Task A_member_not_overridden_answers_as_qemu_does_for_a_command_it_lacks()
    {
        await using var server = QmpServer.Create(new StatusOnly());
        var (a, b) = EndToEndTests.DuplexPair();
        _ = server.RunSessionAsync(a);
        await using var client = new SmallClient(await QmpClient.ConnectAsync(b));

        Assert.Equal("paused", (await client.QueryStatusAsync()).Status);
        var error = await Assert.ThrowsAsync<QmpException>(() => client.EjectAsync("ide1-cd0"));
        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
        Assert.Equal("The command eject has not been found", error.Description);

        // The dispatcher alone (a server that does not ask HasCommand first) answers the same.
        var direct = await Assert.ThrowsAsync<QmpException>(async () => await new StatusOnly().DispatchAsync("query-block", default, null!, default));
        Assert.Equal("The command query-block has not been found", direct.Description);
    }
}
