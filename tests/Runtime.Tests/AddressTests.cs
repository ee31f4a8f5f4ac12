namespace Qmp.Runtime.Tests;

public class AddressTests
{
    [Theory]
    [InlineData("unix:/tmp/qmp.sock,server,nowait", QmpTransportKind.Unix, "/tmp/qmp.sock", null, 0, true, false)]
    [InlineData("unix:/tmp/q.sock,server=on,wait=off", QmpTransportKind.Unix, "/tmp/q.sock", null, 0, true, false)]
    [InlineData("unix:/tmp/a,,b", QmpTransportKind.Unix, "/tmp/a,b", null, 0, false, true)]
    [InlineData("tcp:127.0.0.1:4444,server,nowait", QmpTransportKind.Tcp, null, "127.0.0.1", 4444, true, false)]
    [InlineData("tcp::4444", QmpTransportKind.Tcp, null, "", 4444, false, true)]
    [InlineData("tcp:[::1]:5555", QmpTransportKind.Tcp, null, "::1", 5555, false, true)]
    [InlineData("stdio", QmpTransportKind.Stdio, null, null, 0, false, true)]
    public void Parses_qemu_syntax(string text, QmpTransportKind kind, string? path, string? host, int port, bool server, bool wait)
    {
        var address = QmpAddress.Parse(text);
        Assert.Equal(new QmpAddress(kind, path, host, port, server, wait), address);
        Assert.Equal(address, QmpAddress.Parse(address.ToString()));
    }

    [Theory]
    [InlineData("unix:")]
    [InlineData("tcp:localhost")]
    [InlineData("tcp:localhost:99999")]
    [InlineData("file:/x")]
    [InlineData("unix:/x,server=maybe")]
    public void Rejects_malformed(string text) => Assert.Throws<FormatException>(() => QmpAddress.Parse(text));
}
