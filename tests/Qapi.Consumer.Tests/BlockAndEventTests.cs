#if QEMU72_CLIENT
using Qapi.Consumer.Qemu72;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>
/// The generated 7.2 client's unions, alternates and events against a real QEMU 7.2: a qcow2 node
/// added with <c>blockdev-add</c> (a union on <c>driver</c>, its file an alternate given inline),
/// seen in <c>query-named-block-nodes</c>, removed; <c>stop</c>, <c>cont</c> and <c>eject</c> with
/// their typed STOP, RESUME and DEVICE_TRAY_MOVED.
/// </summary>
public sealed class BlockAndEventTests
{
    [Qemu72Fact]
    public async Task Blockdev_add_of_a_qcow2_node_is_queried_and_deleted()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        // A second image: the machine's own disk is locked by its drive.
        var image = Path.Combine(Path.GetDirectoryName(qemu.Socket)!, "extra.qcow2");
        using (var img = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("qemu-img") { ArgumentList = { "create", "-q", "-f", "qcow2", image, "16M" } })!)
        {
            await img.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, img.ExitCode);
        }
        await client.BlockdevAddAsync(new BlockdevOptions.Qcow2
        {
            NodeName = "typed-qcow2",
            ReadOnly = true,
            Data = new() { File = new BlockdevOptions.File { NodeName = "typed-file", Data = new() { Filename = image } } },
        }, timeout.Token);
        var nodes = await client.QueryNamedBlockNodesAsync(cancellationToken: timeout.Token);
        var node = Assert.Single(nodes, n => n.NodeName == "typed-qcow2");
        Assert.Equal("qcow2", node.Drv);
        Assert.True(node.Ro);
        await client.BlockdevDelAsync("typed-qcow2", timeout.Token);
        nodes = await client.QueryNamedBlockNodesAsync(cancellationToken: timeout.Token);
        Assert.DoesNotContain(nodes, n => n.NodeName == "typed-qcow2");
#else
        await Task.CompletedTask;
#endif
    }

    [Qemu72Fact]
    public async Task Stop_cont_and_eject_give_typed_events()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        using var subscription = client.Client.SubscribeEvents(["STOP", "RESUME", "DEVICE_TRAY_MOVED"]);
        await client.StopAsync(timeout.Token);
        await client.ContAsync(timeout.Token);
        await client.EjectAsync(id: null, device: "cd0", force: null, cancellationToken: timeout.Token);
        var seen = new List<Qemu72Event>();
        await foreach (var e in subscription.WithCancellation(timeout.Token))
        {
            seen.Add(Qemu72Events.Parse(e));
            if (seen.Count == 3)
            {
                break;
            }
        }
        Assert.IsType<StopEvent>(seen[0]);
        Assert.IsType<ResumeEvent>(seen[1]);
        var tray = Assert.IsType<DeviceTrayMovedEvent>(seen[2]);
        Assert.True(tray.TrayOpen);
        Assert.Equal("cd0", tray.Device);
#else
        await Task.CompletedTask;
#endif
    }
}
