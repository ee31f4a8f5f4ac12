using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

public sealed class ChardevFdFileTests
{
    [Fact]
    public async Task Ring_buffer_keeps_the_newest_bytes_in_utf8_and_base64()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("chardev-add", """{"id": "foo", "backend": {"type": "ringbuf", "data": {"size": 8}}}""");
        await vm.FailsWith("chardev-add", """{"id": "foo", "backend": {"type": "null", "data": {}}}""", "Chardev 'foo' already exists");
        await vm.FailsWith("chardev-add", """{"id": "r2", "backend": {"type": "ringbuf", "data": {"size": 6}}}""", "ringbuf size must be power of two");
        await vm.Run("ringbuf-write", """{"device": "foo", "data": "abcdefghij"}""");
        Assert.Equal("cdefghij", (await vm.Run("ringbuf-read", """{"device": "foo", "size": 100}""")).GetString());
        Assert.Equal("", (await vm.Run("ringbuf-read", """{"device": "foo", "size": 100}""")).GetString());
        await vm.Run("ringbuf-write", """{"device": "foo", "data": "AAEC", "format": "base64"}""");
        Assert.Equal("AAE=", (await vm.Run("ringbuf-read", """{"device": "foo", "size": 2, "format": "base64"}""")).GetString());
        await vm.FailsWith("ringbuf-write", """{"device": "nope", "data": "x"}""", "Device 'nope' not found");
        await vm.FailsWith("ringbuf-write", """{"device": "serial0", "data": "x"}""", "serial0 is not a ringbuffer device");
        Assert.StartsWith("/dev/pts/", (await vm.Run("chardev-add", """{"id": "p", "backend": {"type": "pty", "data": {}}}""")).GetProperty("pty").GetString());
        Assert.Contains((await vm.Run("query-chardev")).EnumerateArray(), c => c.GetProperty("label").GetString() == "p");
        await vm.FailsWith("chardev-remove", """{"id": "serial0"}""", "Chardev 'serial0' is busy");
        await vm.Run("chardev-remove", """{"id": "foo"}""");
        await vm.FailsWith("chardev-remove", """{"id": "foo"}""", "Chardev 'foo' not found");
    }

    [Fact]
    public async Task Descriptors_passed_over_the_socket()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("getfd", """{"fdname": "fd1"}""", "No file descriptor supplied via SCM_RIGHTS");
        await vm.RunWithFd("getfd", """{"fdname": "fd1"}""");
        await vm.Run("closefd", """{"fdname": "fd1"}""");
        await vm.FailsWith("closefd", """{"fdname": "fd1"}""", "File descriptor named 'fd1' not found");
        var added = await vm.RunWithFd("add-fd", """{"fdset-id": 1, "opaque": "rdonly:/x"}""");
        var fd = added.GetProperty("fd").GetInt64();
        var sets = await vm.Run("query-fdsets");
        Assert.Equal("rdonly:/x", sets[0].GetProperty("fds")[0].GetProperty("opaque").GetString());
        await vm.FailsWith("remove-fd", """{"fdset-id": 1, "fd": 99999}""", "File descriptor named 'fdset-id:1, fd:99999' not found");
        await vm.Run("remove-fd", JsonSerializer.Serialize(new Dictionary<string, long> { ["fdset-id"] = 1, ["fd"] = fd }));
        Assert.Empty((await vm.Run("query-fdsets")).EnumerateArray());
        await vm.RunWithFd("getfd", """{"fdname": "dump"}""");
        await vm.Run("dump-guest-memory", """{"paging": false, "protocol": "fd:dump", "begin": 0, "end": 4096}""");
    }

    [Fact]
    public async Task Files_are_written_only_inside_the_data_dir()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.Run("screendump", """{"filename": "screen.ppm"}""");
        var ppm = await File.ReadAllBytesAsync(Path.Combine(vm.DataDir, "screen.ppm"));
        Assert.StartsWith("P6\n720 400\n255\n", Encoding.ASCII.GetString(ppm, 0, 15));
        Assert.Equal(15 + (720 * 400 * 3), ppm.Length);
        await vm.Run("memsave", """{"val": 4096, "size": 100, "filename": "mem"}""");
        var mem = await File.ReadAllBytesAsync(Path.Combine(vm.DataDir, "mem"));
        Assert.Equal(100, mem.Length);
        Assert.Equal(VirtualMachine.MemoryByte(4096 + 7), mem[7]);
        await vm.Run("pmemsave", """{"val": 0, "size": 64, "filename": "pmem"}""");
        await vm.FailsWith("memsave", """{"val": 4096, "size": 1073741824, "filename": "mem"}""", "Invalid addr 0x0000000000001000/size 1073741824 specified");
        await vm.Run("dump-guest-memory", """{"paging": false, "protocol": "file:core", "begin": 0, "end": 8192}""");
        var core = await File.ReadAllBytesAsync(Path.Combine(vm.DataDir, "core"));
        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], core[..4]);
        await vm.FailsWith("dump-guest-memory", """{"paging": false, "protocol": "ftp:core"}""", "Invalid parameter 'protocol'");
        await vm.Run("xen-save-devices-state", """{"filename": "state"}""");
        Assert.Equal("QEVM"u8.ToArray(), (await File.ReadAllBytesAsync(Path.Combine(vm.DataDir, "state")))[..4]);
        await vm.FailsWith("screendump", """{"filename": "../escape.ppm"}""", "Could not open '../escape.ppm': Permission denied");
        await vm.FailsWith("screendump", """{"filename": "/etc/passwd"}""", "Could not open '/etc/passwd': Permission denied");
        var outside = Directory.CreateTempSubdirectory("qmpemu-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(vm.DataDir, "link"), outside);
            await vm.FailsWith("screendump", """{"filename": "link/x.ppm"}""", "Could not open 'link/x.ppm': Permission denied");
            File.CreateSymbolicLink(Path.Combine(vm.DataDir, "filelink"), Path.Combine(outside, "target"));
            await vm.FailsWith("memsave", """{"val": 0, "size": 1, "filename": "filelink"}""", "Could not open 'filelink': Permission denied");
            Assert.Empty(Directory.GetFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(outside, true);
        }
    }

    [Fact]
    public async Task Without_a_data_dir_nothing_is_written()
    {
        await using var vm = await TestVm.StartAsync(dataDir: false);
        await vm.FailsWith("screendump", """{"filename": "/tmp/x.ppm"}""", "Could not open '/tmp/x.ppm': Permission denied");
    }

    [Fact]
    public async Task Display_passwords_clients_and_keys()
    {
        await using var vm = await TestVm.StartAsync();
        Assert.Equal("none", (await vm.Run("query-vnc")).GetProperty("auth").GetString());
        await vm.Run("set_password", """{"protocol": "vnc", "password": "secret"}""");
        Assert.Equal("vnc", (await vm.Run("query-vnc")).GetProperty("auth").GetString());
        await vm.FailsWith("set_password", """{"protocol": "rdp", "password": "x"}""", "Invalid parameter 'protocol'");
        await vm.Run("expire_password", """{"protocol": "vnc", "time": "+60"}""");
        await vm.FailsWith("expire_password", """{"protocol": "vnc", "time": "soon"}""", "Parameter 'time' expects now, never, +INT or INT");
        await vm.Run("change", """{"device": "vnc", "target": "password", "arg": "foobar1"}""");
        await vm.RunWithFd("getfd", """{"fdname": "c1"}""");
        await vm.Run("add_client", """{"protocol": "vnc", "fdname": "c1"}""");
        await vm.Next("VNC_CONNECTED");
        Assert.Single((await vm.Run("query-vnc")).GetProperty("clients").EnumerateArray());
        await vm.FailsWith("add_client", """{"protocol": "vnc", "fdname": "c1"}""", "File descriptor named 'c1' not found");
        await vm.Run("send-key", """{"keys": [{"type": "qcode", "data": "ctrl"}, {"type": "qcode", "data": "alt"}, {"type": "number", "data": 83}]}""");
        await vm.FailsWith("send-key", """{"keys": [{"type": "qcode", "data": "hyperspace"}]}""", "Invalid parameter 'hyperspace'");
        await vm.Run("client_migrate_info", """{"protocol": "spice", "hostname": "h", "port": 1234}""");
        await vm.FailsWith("client_migrate_info", """{"protocol": "vnc", "hostname": "h", "port": 1}""", "Invalid parameter 'protocol'");
        Assert.True((await vm.Run("query-spice")).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Nbd_server_listens_for_real()
    {
        await using var vm = await TestVm.StartAsync();
        await vm.FailsWith("nbd-server-add", """{"device": "ide0-hd0"}""", "NBD server not running");
        await vm.Run("nbd-server-start", """{"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}}}""");
        await vm.FailsWith("nbd-server-start", """{"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}}}""", "NBD server already running");
        var endPoint = (System.Net.IPEndPoint)vm.Emulator.Machine.NbdEndPoint!;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(endPoint);
            var buffer = new byte[18];
            await client.GetStream().ReadExactlyAsync(buffer);
            Assert.Equal("NBDMAGICIHAVEOPT", Encoding.ASCII.GetString(buffer, 0, 16));
        }

        await vm.Run("nbd-server-add", """{"device": "ide0-hd0", "writable": true}""");
        await vm.FailsWith("nbd-server-add", """{"device": "ide0-hd0"}""", "NBD server already exporting device 'ide0-hd0'");
        await vm.FailsWith("nbd-server-add", """{"device": "ide1-cd0"}""", "Device 'ide1-cd0' has no medium");
        await vm.Run("nbd-server-stop");
        Assert.Null(vm.Emulator.Machine.NbdEndPoint);
    }
}
