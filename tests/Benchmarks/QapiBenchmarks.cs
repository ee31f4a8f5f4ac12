using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Qmp.Codegen.Qapi;

namespace Qmp.Benchmarks;

/// <summary>
/// The QAPI front end on QEMU 7.2's schema (38 files, 1.0 MB; from eng/get-qemu-schema.sh bookworm):
/// parsing, doc comments, checks and the model, warm, from texts already in memory (as the
/// generator gets them). The goal for the generator's whole run is 300 ms and 200 MB.
/// </summary>
[MemoryDiagnoser]
public class QapiFrontEnd
{
    private Dictionary<string, string> _files = null!;
    private string _top = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = QemuTree("bookworm");
        _top = Path.Combine(dir, "qapi", "qapi-schema.json");
        _files = Directory.GetFiles(Path.Combine(dir, "qapi"), "*.json").ToDictionary(p => p, File.ReadAllText);
    }

    [Benchmark(Description = "QAPI: read QEMU 7.2's schema into the model")]
    public QapiReadResult ReadQemu72() => QapiReader.ReadDetailed(_top, p => _files.TryGetValue(p, out var text) ? text : null);

    private static string QemuTree(string suite)
    {
        // BenchmarkDotNet runs this from a generated project below bin/: walk up to the repository.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "eng", "get-qemu-schema.sh")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException("eng/get-qemu-schema.sh not found above " + AppContext.BaseDirectory);
        var script = Path.Combine(root.FullName, "eng", "get-qemu-schema.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(suite);
        using var process = Process.Start(start)!;
        var dir = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(dir, "qapi", "qapi-schema.json")))
            throw new InvalidOperationException($"QEMU's schema for {suite} cannot be had (eng/get-qemu-schema.sh {suite} failed); this benchmark needs it");
        return dir;
    }
}
