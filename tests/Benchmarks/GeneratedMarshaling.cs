using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Qmp.Benchmarks.Qemu;
using Qmp.Runtime;

namespace Qmp.Benchmarks;

/// <summary>
/// The generated readers and writers alone (no socket): <c>query-block</c>'s answer (four devices,
/// two with media: nested objects, enums, optional and required members, a list) read into the
/// typed records and written back, and <c>drive-mirror</c>'s arguments written. Compares the
/// generated marshaling code's speed and allocations before and after a change to its shape.
/// </summary>
[MemoryDiagnoser]
public class GeneratedMarshaling
{
    private static readonly byte[] s_queryBlock = Encoding.UTF8.GetBytes("""
        [{"io-status":"ok","device":"ide0-hd0","locked":false,"removable":false,"type":"unknown",
          "inserted":{"ro":false,"drv":"qcow2","encrypted":false,"file":"disks/test.qcow2","backing_file_depth":1,
            "bps":1000000,"bps_rd":0,"bps_wr":0,"iops":1000000,"iops_rd":0,"iops_wr":0,"bps_max":8000000,"iops_size":0,
            "detect_zeroes":"on","image":{"filename":"disks/test.qcow2","format":"qcow2","virtual-size":2048000,
              "backing_file":"base.qcow2","full-backing-filename":"disks/base.qcow2","backing-filename-format":"qcow2"}}},
         {"io-status":"ok","device":"ide1-cd0","locked":false,"removable":true,"tray_open":false,"type":"unknown"},
         {"device":"floppy0","locked":false,"removable":true,"type":"unknown"},
         {"device":"sd0","locked":false,"removable":true,"type":"unknown",
          "inserted":{"ro":true,"drv":"raw","encrypted":false,"file":"/srv/sd.img","backing_file_depth":0,
            "bps":0,"bps_rd":0,"bps_wr":0,"iops":0,"iops_rd":0,"iops_wr":0,"detect_zeroes":"off",
            "image":{"filename":"/srv/sd.img","format":"raw","virtual-size":67108864,"dirty-flag":false}}}]
        """);

    private static readonly DriveMirrorArguments s_mirror = new()
    {
        Device = "ide0-hd0",
        Target = "/srv/mirror.qcow2",
        Sync = "full",
        Format = "qcow2",
        Mode = "absolute-paths",
        Speed = 100_000_000,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter _writer = null!;
    private IReadOnlyList<BlockInfo> _blocks = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new Utf8JsonWriter(_buffer);
        _blocks = ReadQueryBlock();
    }

    [Benchmark(Description = "generated: read query-block's answer (4 devices)")]
    public IReadOnlyList<BlockInfo> ReadQueryBlock()
    {
        var reader = new Utf8JsonReader(s_queryBlock);
        reader.Read();
        return QmpJson.ReadList(ref reader, BlockInfo.Read);
    }

    [Benchmark(Description = "generated: write query-block's answer (4 devices)")]
    public int WriteQueryBlock()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        QmpJson.WriteList(_writer, _blocks, BlockInfo.Write);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "generated: write drive-mirror's arguments")]
    public int WriteDriveMirror()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        DriveMirrorArguments.Write(_writer, s_mirror);
        _writer.Flush();
        return _buffer.WrittenCount;
    }
}
