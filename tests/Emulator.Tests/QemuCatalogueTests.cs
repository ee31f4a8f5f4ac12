using System.Diagnostics;
using System.Text.Json;
using Qmp.Emulator.Catalogues;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The recorded catalogues of QEMU 7.2 (src/Emulator/Catalogues/qemu-7.2, eng/record-qemu-catalogues.sh):
/// the loader serves every recorded request, the data hangs together, no QEMU prose is committed, and
/// the recorder run on the same QEMU gives the committed files byte for byte.
/// </summary>
public sealed class QemuCatalogueTests
{
    private static readonly string s_folder = Repository.PathOf("src", "Emulator", "Catalogues", "qemu-7.2");

    private static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void The_loader_serves_every_recorded_command_and_request()
    {
        var catalogue = QemuCatalogue.Qemu72;
        Assert.Contains("7.2", QemuCatalogue.Versions);
        Assert.StartsWith("7.2.", catalogue.QemuVersion);

        // Every file of the folder is a command the manifest names, embedded and loaded (but the schema, read apart).
        var files = Directory.GetFiles(s_folder, "*.json").Select(Path.GetFileNameWithoutExtension).Where(name => name is not ("manifest" or "qemu.qmp-schema")).Order(StringComparer.Ordinal);
        Assert.Equal(files, catalogue.Commands);
        string[] probed =
        [
            "query-version", "query-target", "query-kvm", "qom-list-types", "device-list-properties", "qom-list-properties",
            "query-machines", "query-cpu-definitions", "query-tpm-models", "query-tpm-types", "query-command-line-options",
            "query-migrate-capabilities", "query-sev-capabilities", "query-sgx-capabilities", "query-cpu-model-expansion",
        ];
        Assert.Empty(probed.Except(catalogue.Commands));

        foreach (var command in catalogue.Commands)
        {
            var exchanges = catalogue.Exchanges(command);
            Assert.NotEmpty(exchanges);
            foreach (var exchange in exchanges)
            {
                // Exactly one of return and error, and the loader finds each request again by its arguments.
                Assert.True(exchange.Return.HasValue ^ exchange.Error.HasValue, command);
                Assert.True(catalogue.TryGetReply(command, exchange.Arguments, out var found), command);
                Assert.Equal(exchange.Return?.GetRawText(), found.Return?.GetRawText());
                Assert.Equal(exchange.Error?.GetRawText(), found.Error?.GetRawText());
                if (exchange.Error is { } error)
                {
                    Assert.False(string.IsNullOrEmpty(error.GetProperty("class").GetString()));
                    Assert.False(string.IsNullOrEmpty(error.GetProperty("desc").GetString()));
                }
            }
        }

        // No arguments, {} and null are the same request; member order does not matter.
        Assert.True(catalogue.TryGetReply("query-machines", null, out var machines));
        Assert.True(catalogue.TryGetReply("query-machines", Args("{}"), out var same));
        Assert.Equal(machines.Return!.Value.GetRawText(), same.Return!.Value.GetRawText());
        Assert.Single(machines.Return.Value.EnumerateArray(), m => m.TryGetProperty("is-default", out var d) && d.GetBoolean());
        Assert.True(catalogue.TryGetReply("qom-list-types", Args("""{"abstract": true, "implements": "device"}"""), out var a));
        Assert.True(catalogue.TryGetReply("qom-list-types", Args("""{"implements": "device", "abstract": true}"""), out var b));
        Assert.Equal(a.Return!.Value.GetRawText(), b.Return!.Value.GetRawText());
        Assert.False(catalogue.TryGetReply("device-list-properties", Args("""{"typename": "no-such-device"}"""), out _));
        Assert.False(catalogue.TryGetReply("query-status", null, out _));
        Assert.Empty(catalogue.Exchanges("query-status"));

        // What libvirt 9.0's probe reads, as QEMU 7.2 on TCG answers it.
        Assert.True(catalogue.TryGetReply("query-kvm", null, out var kvm));
        Assert.False(kvm.Return!.Value.GetProperty("enabled").GetBoolean());
        Assert.True(catalogue.TryGetReply("query-sev-capabilities", null, out var sev));
        Assert.Equal("GenericError", sev.Error!.Value.GetProperty("class").GetString());
        Assert.True(catalogue.TryGetReply("device-list-properties", Args("""{"typename": "virtio-scsi-ccw"}"""), out var ccw));
        Assert.Equal("DeviceNotFound", ccw.Error!.Value.GetProperty("class").GetString());
        Assert.True(catalogue.TryGetReply("query-cpu-model-expansion", Args("""{"type": "static", "model": {"props": {"migratable": false}, "name": "max"}}"""), out var max));
        Assert.Equal("base", max.Return!.Value.GetProperty("model").GetProperty("name").GetString());
    }

    [Fact]
    public void Every_advertised_type_has_its_properties_recorded()
    {
        var catalogue = QemuCatalogue.Qemu72;
        Assert.True(catalogue.TryGetReply("qom-list-types", Args("""{"abstract": true}"""), out var all));
        var parents = all.Return!.Value.EnumerateArray().ToDictionary(
            t => t.GetProperty("name").GetString()!, t => t.TryGetProperty("parent", out var p) ? p.GetString() : null);
        bool Descends(string? name, string ancestor)
        {
            for (; name is not null; name = parents.GetValueOrDefault(name))
            {
                if (name == ancestor)
                {
                    return true;
                }
            }
            return false;
        }

        // The requests that make this QEMU abort (modules not installed) are listed, not recorded.
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_folder, "manifest.json"))).RootElement;
        var aborted = manifest.GetProperty("aborted").EnumerateArray()
            .Select(r => r.GetProperty("arguments").GetProperty("typename").GetString()!).ToHashSet();

        // Every concrete device (of the CPU models: max, host, base, qemu64) and every concrete memory backend.
        Assert.True(catalogue.TryGetReply("qom-list-types", Args("""{"implements": "device"}"""), out var devices));
        string[] cpuModels = ["max-x86_64-cpu", "host-x86_64-cpu", "base-x86_64-cpu", "qemu64-x86_64-cpu"];
        var names = devices.Return!.Value.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.True(names.Count > 300, $"{names.Count} device types");
        foreach (var name in names.Where(n => !aborted.Contains(n) && (!Descends(n, "x86_64-cpu") || cpuModels.Contains(n))))
        {
            Assert.True(Descends(name, "device"), name);
            Assert.True(catalogue.TryGetReply("device-list-properties", Args($$"""{"typename": "{{name}}"}"""), out var properties), name);
            Assert.All(properties.Return!.Value.EnumerateArray(), p =>
            {
                Assert.False(string.IsNullOrEmpty(p.GetProperty("name").GetString()));
                Assert.False(string.IsNullOrEmpty(p.GetProperty("type").GetString()));
            });
        }
        foreach (var name in parents.Keys.Where(n => Descends(n, "memory-backend") && !all.Return.Value.EnumerateArray().Any(t => t.GetProperty("name").GetString() == n && t.TryGetProperty("abstract", out var x) && x.GetBoolean())))
        {
            Assert.True(catalogue.TryGetReply("qom-list-properties", Args($$"""{"typename": "{{name}}"}"""), out var properties), name);
            Assert.NotNull(properties.Return);
        }

        // The types libvirt asks about; every CPU model's type is a known type, the default machine's CPU too.
        foreach (var name in new[] { "memory-backend-file", "memory-backend-memfd", "max-x86_64-cpu", "none-machine" })
        {
            Assert.True(catalogue.TryGetReply("qom-list-properties", Args($$"""{"typename": "{{name}}"}"""), out var properties), name);
            Assert.NotEmpty(properties.Return!.Value.EnumerateArray());
        }
        Assert.True(catalogue.TryGetReply("query-cpu-definitions", null, out var models));
        Assert.All(models.Return!.Value.EnumerateArray(), m => Assert.Contains(m.GetProperty("typename").GetString()!, parents.Keys));
        Assert.True(catalogue.TryGetReply("query-machines", null, out var machines));
        Assert.All(machines.Return!.Value.EnumerateArray(), m => Assert.Contains(m.GetProperty("name").GetString() + "-machine", parents.Keys));
    }

    [Fact]
    public void No_committed_file_carries_qemus_prose()
    {
        var files = Directory.GetFiles(s_folder, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var found = new List<string>();
            Walk(JsonDocument.Parse(text).RootElement, Path.GetFileName(file), found);
            Assert.Empty(found);
        }

        // description and help members anywhere; "desc" only as an error's one-line message.
        static void Walk(JsonElement value, string path, List<string> found)
        {
            if (value.ValueKind == JsonValueKind.Object)
            {
                var isError = path.EndsWith(".error", StringComparison.Ordinal);
                foreach (var member in value.EnumerateObject())
                {
                    if (member.Name is "description" or "help" || (member.Name == "desc" && !isError))
                    {
                        found.Add($"{path}.{member.Name}");
                    }
                    Walk(member.Value, $"{path}.{member.Name}", found);
                }
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", found);
                }
            }
        }
    }

    [RecordableQemuFact]
    public async Task The_recorder_gives_the_committed_files_byte_for_byte()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-catalogues-");
        try
        {
            var start = new ProcessStartInfo(Repository.PathOf("eng", "record-qemu-catalogues.sh"))
            {
                ArgumentList = { dir.FullName },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Patience.Seconds * 2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await stderr);

            var committed = Directory.GetFiles(s_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(committed, Directory.GetFiles(dir.FullName).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach (var name in committed)
            {
                var expected = File.ReadAllText(Path.Combine(s_folder, name!));
                var actual = File.ReadAllText(Path.Combine(dir.FullName, name!));
                if (name == "manifest.json")
                {
                    // A fresh folder records today's date; everything else is the same.
                    expected = RecordedDate().Replace(expected, "");
                    actual = RecordedDate().Replace(actual, "");
                }
                Assert.True(expected == actual, $"{name} differs from the committed file: re-record with eng/record-qemu-catalogues.sh");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static System.Text.RegularExpressions.Regex RecordedDate() => new("\"recorded\": \"[0-9-]+\",?\n");
}

/// <summary>
/// Runs when python3 and qemu-system-x86_64 are installed and QEMU's version and package are those the
/// committed manifest records; otherwise skipped with the reason (another QEMU records other files).
/// </summary>
public sealed class RecordableQemuFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skip = new(FindSkipReason);

    public RecordableQemuFactAttribute()
    {
        if (s_skip.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? FindSkipReason()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var qemu = path.Select(dir => Path.Combine(dir, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
        if (qemu is null)
        {
            return "qemu-system-x86_64 not installed";
        }
        if (!path.Any(dir => File.Exists(Path.Combine(dir, "python3"))))
        {
            return "python3 not installed";
        }
        var manifest = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("src", "Emulator", "Catalogues", "qemu-7.2", "manifest.json"))).RootElement;
        var recorded = $"QEMU emulator version {manifest.GetProperty("qemu").GetString()} ({manifest.GetProperty("package").GetString()})";
        using var process = Process.Start(new ProcessStartInfo(qemu, "--version") { RedirectStandardOutput = true })!;
        var installed = process.StandardOutput.ReadLine() ?? "";
        process.WaitForExit();
        if (installed != recorded)
        {
            return $"installed QEMU is '{installed}', the catalogues were recorded from '{recorded}'";
        }

        // Debian's qemu-system-gui (recommended by qemu-system-x86) adds modules, and with them devices
        // (virtio-gpu-gl-device, whose siblings the manifest records as aborted), that the catalogues were
        // recorded without.
        var modules = Environment.GetEnvironmentVariable("QEMU_MODULE_DIR") is { Length: > 0 } dir ? dir : "/usr/lib/x86_64-linux-gnu/qemu";
        return File.Exists(Path.Combine(modules, "hw-display-virtio-gpu-gl.so"))
            ? "qemu-system-gui's modules are installed (hw-display-virtio-gpu-gl adds devices); the catalogues were recorded with qemu-system-x86's alone"
            : null;
    }
}
