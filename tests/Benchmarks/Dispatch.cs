using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Qmp.Runtime;

namespace Qmp.Benchmarks;

/// <summary>
/// One request through a generated server's dispatch (parse, check, call, reply), in-process over a
/// unix socket with a raw client (write the request's bytes, read the reply's line), so what differs
/// is the server: servers generated from QEMU 7.2's recorded schema (src/Emulator/Catalogues), the
/// subset of query-status and blockdev-add (Commands="query-status;blockdev-add") and the whole
/// schema (the emulator's, as its 7.2 persona serves it), both in the modern dialect, against the 2.1
/// server generated from schema/*.hx (its query-status, and its blockdev-add whose one argument
/// `options` carries the same qcow2-over-file object).
/// </summary>
[MemoryDiagnoser]
public class Dispatch
{
    private static readonly byte[] s_queryStatus = Encoding.UTF8.GetBytes("""{"execute":"query-status"}""" + "\n");
    private static readonly byte[] s_modernBlockdevAdd = Encoding.UTF8.GetBytes(
        """{"execute":"blockdev-add","arguments":{"driver":"qcow2","node-name":"disk0","read-only":true,"discard":"unmap","file":{"driver":"file","node-name":"disk0-file","filename":"/images/disk0.qcow2"}}}""" + "\n");
    private static readonly byte[] s_legacyBlockdevAdd = Encoding.UTF8.GetBytes(
        """{"execute":"blockdev-add","arguments":{"options":{"driver":"qcow2","node-name":"disk0","read-only":true,"discard":"unmap","file":{"driver":"file","node-name":"disk0-file","filename":"/images/disk0.qcow2"}}}}""" + "\n");

    private readonly byte[] _buffer = new byte[4096];
    private readonly string _dir = Directory.CreateTempSubdirectory("qmp-bench-dispatch-").FullName;
    private QmpServer? _modernServer;
    private QmpServer? _fullServer;
    private QmpServer? _legacyServer;
    private Socket? _modern;
    private Socket? _full;
    private Socket? _legacy;

    [GlobalSetup]
    public async Task Setup()
    {
        var modernSocket = Path.Combine(_dir, "modern.sock");
        _modernServer = QmpServer.Listen($"unix:{modernSocket},server,nowait", new ModernMachine());
        _modern = await ConnectAsync(modernSocket);

        var fullSocket = Path.Combine(_dir, "full.sock");
        _fullServer = QmpServer.Listen($"unix:{fullSocket},server,nowait", new FullMachine());
        _full = await ConnectAsync(fullSocket);

        var legacySocket = Path.Combine(_dir, "legacy.sock");
        _legacyServer = QmpServer.Listen($"unix:{legacySocket},server,nowait", new LegacyMachine());
        _legacy = await ConnectAsync(legacySocket);

        // Each request once, checked: a benchmark of an error reply would measure the wrong thing.
        foreach (var (socket, request) in new[] { (_modern, s_queryStatus), (_modern, s_modernBlockdevAdd), (_full, s_queryStatus), (_full, s_modernBlockdevAdd), (_legacy, s_queryStatus), (_legacy, s_legacyBlockdevAdd) })
        {
            var reply = Encoding.UTF8.GetString(_buffer, 0, await RoundTripAsync(socket, request));
            if (!reply.StartsWith("{\"return\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"unexpected reply: {reply}");
            }
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _modern?.Dispose();
        _full?.Dispose();
        _legacy?.Dispose();
        if (_modernServer is not null)
        {
            await _modernServer.DisposeAsync();
        }
        if (_fullServer is not null)
        {
            await _fullServer.DisposeAsync();
        }
        if (_legacyServer is not null)
        {
            await _legacyServer.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "2.1 server: query-status")]
    public Task<int> LegacyQueryStatus() => RoundTripAsync(_legacy!, s_queryStatus);

    [Benchmark(Description = "QAPI server (modern): query-status")]
    public Task<int> ModernQueryStatus() => RoundTripAsync(_modern!, s_queryStatus);

    [Benchmark(Description = "QEMU 7.2 server (whole schema): query-status")]
    public Task<int> FullQueryStatus() => RoundTripAsync(_full!, s_queryStatus);

    [Benchmark(Description = "2.1 server: blockdev-add options (qcow2 over file)")]
    public Task<int> LegacyBlockdevAddQcow2() => RoundTripAsync(_legacy!, s_legacyBlockdevAdd);

    [Benchmark(Description = "QAPI server (modern): blockdev-add qcow2 over file")]
    public Task<int> ModernBlockdevAddQcow2() => RoundTripAsync(_modern!, s_modernBlockdevAdd);

    [Benchmark(Description = "QEMU 7.2 server (whole schema): blockdev-add qcow2 over file")]
    public Task<int> FullBlockdevAddQcow2() => RoundTripAsync(_full!, s_modernBlockdevAdd);

    private async Task<Socket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await ReadLineAsync(socket); // greeting
        await RoundTripAsync(socket, Encoding.UTF8.GetBytes("""{"execute":"qmp_capabilities"}""" + "\n"));
        return socket;
    }

    private async Task<int> RoundTripAsync(Socket socket, byte[] request)
    {
        await socket.SendAsync(request, SocketFlags.None);
        return await ReadLineAsync(socket);
    }

    /// <summary>Reads one reply line (the servers answer one request at a time, so a read never spans two).</summary>
    private async Task<int> ReadLineAsync(Socket socket)
    {
        var length = 0;
        while (length == 0 || _buffer[length - 1] != (byte)'\n')
        {
            var read = await socket.ReceiveAsync(_buffer.AsMemory(length), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }
            length += read;
        }
        return length;
    }

    private sealed class ModernMachine : Modern.ModernCommandsBase
    {
        public override ValueTask<Modern.QueryStatusResult> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Modern.QueryStatusResult { Running = true, Singlestep = false, Status = new Modern.QueryStatusResultStatus("running") });

        public override ValueTask BlockdevAddAsync(Modern.BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>On the server the emulator generates from the whole recorded 7.2 schema (its persona's base).</summary>
    private sealed class FullMachine : Qmp.Emulator.Qemu72.Qemu72CommandsBase
    {
        public override ValueTask<Qmp.Emulator.Qemu72.QueryStatusResult> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Qmp.Emulator.Qemu72.QueryStatusResult { Running = true, Singlestep = false, Status = new Qmp.Emulator.Qemu72.QueryStatusResultStatus("running") });

        public override ValueTask BlockdevAddAsync(Qmp.Emulator.Qemu72.BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class LegacyMachine : Qemu.QemuCommandsBase
    {
        public override ValueTask<Qemu.StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Qemu.StatusInfo { Running = true, Singlestep = false, Status = "running" });

        public override ValueTask BlockdevAddAsync(Qemu.BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
