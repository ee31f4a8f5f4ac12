using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Qmp.Runtime.Qapi;

namespace Qmp.Benchmarks;

/// <summary>
/// <see cref="QapiInputReader"/> on a <c>blockdev-add</c> of a qcow2 node over a file node (a union
/// whose <c>file</c> is the alternate <c>BlockdevRef</c> given as an object, so a union again), read
/// the way generated code reads it: every member of QEMU 7.2's <c>BlockdevOptions</c> base, the
/// <c>qcow2</c> and <c>file</c> branches in schema order, optional ones behind <c>IsPresent</c>, values
/// kept. The JSON is parsed once in setup (the server parses each request once, before any check).
/// </summary>
[MemoryDiagnoser]
public class QapiArguments
{
    private static readonly string[] s_drivers = ["blkdebug", "file", "qcow2", "raw"];
    private static readonly string[] s_discard = ["ignore", "unmap"];
    private static readonly string[] s_detectZeroes = ["off", "on", "unmap"];
    private static readonly string[] s_aio = ["threads", "native", "io_uring"];
    private static readonly string[] s_onOffAuto = ["auto", "on", "off"];

    private JsonDocument _document = null!;
    private QapiInputReader _reader = null!;

    [GlobalSetup]
    public void Setup()
    {
        _document = JsonDocument.Parse("""
            {"driver": "qcow2", "node-name": "disk0", "discard": "unmap", "cache": {"direct": true, "no-flush": false},
             "read-only": false, "detect-zeroes": "unmap",
             "file": {"driver": "file", "node-name": "disk0-file", "filename": "/var/lib/images/disk0.qcow2", "aio": "native", "locking": "off"},
             "lazy-refcounts": true, "pass-discard-request": true, "cache-size": 1048576, "l2-cache-size": 1048576, "cache-clean-interval": 600}
            """);
        _reader = new QapiInputReader(null);
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    [Benchmark(Description = "QAPI arguments: blockdev-add qcow2 over file, reader reused")]
    public int BlockdevAddReused()
    {
        _reader.Reset(_document.RootElement);
        return ReadBlockdevAdd(_reader);
    }

    [Benchmark(Description = "QAPI arguments: blockdev-add qcow2 over file, new reader")]
    public int BlockdevAddNew() => ReadBlockdevAdd(new QapiInputReader(_document.RootElement));

    private static int ReadBlockdevAdd(QapiInputReader reader)
    {
        reader.StartObject(null);
        var checksum = ReadBlockdevOptionsMembers(reader);
        reader.EndObject();
        return checksum;
    }

    /// <summary>What generated code does for BlockdevOptions' members: the base, then the branch of its driver.</summary>
    private static int ReadBlockdevOptionsMembers(QapiInputReader reader)
    {
        var driver = reader.ReadEnum("driver", s_drivers);
        var nodeName = reader.IsPresent("node-name") ? reader.ReadString("node-name") : null;
        var discard = reader.IsPresent("discard") ? reader.ReadEnum("discard", s_discard) : -1;
        bool direct = false, noFlush = false;
        if (reader.IsPresent("cache"))
        {
            reader.StartObject("cache");
            direct = reader.IsPresent("direct") && reader.ReadBool("direct");
            noFlush = reader.IsPresent("no-flush") && reader.ReadBool("no-flush");
            reader.EndObject();
        }

        var readOnly = reader.IsPresent("read-only") && reader.ReadBool("read-only");
        var autoReadOnly = reader.IsPresent("auto-read-only") && reader.ReadBool("auto-read-only");
        var forceShare = reader.IsPresent("force-share") && reader.ReadBool("force-share");
        var detectZeroes = reader.IsPresent("detect-zeroes") ? reader.ReadEnum("detect-zeroes", s_detectZeroes) : -1;
        var checksum = driver + (nodeName?.Length ?? 0) + discard + detectZeroes + (direct ? 1 : 0) + (noFlush ? 2 : 0) + (readOnly ? 4 : 0) + (autoReadOnly ? 8 : 0) + (forceShare ? 16 : 0);
        return s_drivers[driver] switch
        {
            "qcow2" => checksum + ReadQcow2(reader),
            "file" => checksum + ReadFile(reader),
            _ => checksum,
        };
    }

    private static int ReadQcow2(QapiInputReader reader)
    {
        var checksum = ReadBlockdevRef(reader, "file");
        if (reader.IsPresent("backing"))
        {
            checksum += reader.StartAlternate("backing") == QapiJsonType.Null ? 0 : ReadBlockdevRef(reader, "backing");
        }

        foreach (var flag in (ReadOnlySpan<string>)["lazy-refcounts", "pass-discard-request", "pass-discard-snapshot", "pass-discard-other"])
        {
            checksum += reader.IsPresent(flag) && reader.ReadBool(flag) ? 1 : 0;
        }

        foreach (var size in (ReadOnlySpan<string>)["cache-size", "l2-cache-size", "l2-cache-entry-size", "refcount-cache-size", "cache-clean-interval"])
        {
            checksum += reader.IsPresent(size) ? (int)reader.ReadInt64(size) : 0;
        }

        return checksum;
    }

    private static int ReadBlockdevRef(QapiInputReader reader, string name)
    {
        switch (reader.StartAlternate(name))
        {
            case QapiJsonType.Object:
                reader.StartObject(name);
                var checksum = ReadBlockdevOptionsMembers(reader);
                reader.EndObject();
                return checksum;
            case QapiJsonType.String:
                return reader.ReadString(name).Length;
            default:
                throw QapiInputReader.NoBranch(name, "BlockdevRef");
        }
    }

    private static int ReadFile(QapiInputReader reader)
    {
        var filename = reader.ReadString("filename");
        var prManager = reader.IsPresent("pr-manager") ? reader.ReadString("pr-manager") : null;
        var locking = reader.IsPresent("locking") ? reader.ReadEnum("locking", s_onOffAuto) : -1;
        var aio = reader.IsPresent("aio") ? reader.ReadEnum("aio", s_aio) : -1;
        var batch = reader.IsPresent("aio-max-batch") ? reader.ReadInt64("aio-max-batch") : 0;
        var dropCache = reader.IsPresent("drop-cache") && reader.ReadBool("drop-cache");
        var checkDropped = reader.IsPresent("x-check-cache-dropped") && reader.ReadBool("x-check-cache-dropped");
        return filename.Length + (prManager?.Length ?? 0) + locking + aio + (int)batch + (dropCache ? 1 : 0) + (checkDropped ? 2 : 0);
    }
}
