using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Tests;

public class FdPassingTests
{
    [Fact]
    public async Task Pipe_descriptor_travels_over_a_real_unix_socket()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var fx = new ServerFixture();
        await using var client = await fx.ConnectClientAsync();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.None);
        await pipe.WriteAsync(Encoding.UTF8.GetBytes("through the pipe\n"));
        await pipe.FlushAsync();
        var result = await client.ExecuteWithFileDescriptorsAsync("getfd", TestExtensions.Json("{\"fdname\":\"fd1\"}"), [pipe.ClientSafePipeHandle]).Within();
        Assert.Equal("through the pipe", result.GetString());

        // Without a descriptor the dispatcher finds none.
        var ex = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAsync("getfd", TestExtensions.Json("{\"fdname\":\"fd2\"}")).Within());
        Assert.Equal("No file descriptor supplied via SCM_RIGHTS", ex.Description);
    }

    [Fact]
    public async Task Unread_descriptors_are_closed_with_the_session()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var fx = new ServerFixture();
        var client = await fx.ConnectClientAsync();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
        await client.ExecuteWithFileDescriptorsAsync("echo", null, [pipe.ClientSafePipeHandle]).Within();
        Assert.Equal(1, Assert.Single(fx.Server.Sessions).ReceivedFileDescriptorCount);
        pipe.DisposeLocalCopyOfClientHandle();
        await client.DisposeAsync();

        // With the session's copy closed too, the pipe has no writer left: reading sees end of file.
        var read = pipe.ReadAsync(new byte[1]).AsTask();
        Assert.Equal(0, await read.Within());
    }

    [Fact]
    public async Task Fd_passing_needs_a_unix_socket()
    {
        await using var server = QmpServer.Listen("tcp:127.0.0.1:0,server,nowait", new TestDispatcher());
        var port = ((System.Net.IPEndPoint)server.LocalEndPoints[0]).Port;
        await using var client = await QmpClient.ConnectAsync($"tcp:127.0.0.1:{port}");
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        await Assert.ThrowsAsync<NotSupportedException>(() => client.ExecuteWithFileDescriptorsAsync("getfd", (JsonElement?)null, new SafeHandle[] { pipe.ClientSafePipeHandle }));
    }
}
