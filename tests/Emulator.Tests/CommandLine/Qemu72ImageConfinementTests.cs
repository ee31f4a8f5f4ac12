using System.Diagnostics;
using System.Text.Json.Nodes;
using Qmp.Emulator.CommandLine;

namespace Qmp.Emulator.Tests.CommandLine;

/// <summary>
/// The images a QEMU 7.2 command line names obey the emulator's confinement: with --data-dir or
/// --image-dir only files beneath them, never through a link; without either, as QEMU opens them but
/// only regular files, never blocking. Every victim is a dummy file in the test's own folder.
/// </summary>
public sealed class Qemu72ImageConfinementTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("qmp-argv72-").FullName;

    public Qemu72ImageConfinementTests()
    {
        Directory.CreateDirectory(Images);
        Directory.CreateDirectory(Outside);
        File.WriteAllBytes(Path.Combine(Images, "disk.qcow2"), QemuMachine.Qcow2Image(1L << 30, null));
        File.WriteAllBytes(Victim, QemuMachine.Qcow2Image(7L << 30, null));
    }

    private string Images => Path.Combine(_root, "images");

    private string Outside => Path.Combine(_root, "outside");

    private string Victim => Path.Combine(Outside, "victim.qcow2");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (LaunchConfiguration? Config, string Error) Parse(params string[] args)
    {
        var error = new StringWriter();
        return (Qemu72CommandLine.Parse(args, error), error.ToString().TrimEnd('\n'));
    }

    private static string[] Disk(string filename) =>
    [
        "-blockdev", $$"""{"driver":"file","filename":"{{filename}}","node-name":"s"}""",
        "-blockdev", """{"driver":"qcow2","file":"s","node-name":"f"}""",
    ];

    private static string Refusal(string filename, string reason) =>
        $$"""qmp-emulator: -blockdev {"driver":"file","filename":"{{filename}}","node-name":"s"}: Could not open '{{filename}}': {{reason}}""";

    [Fact]
    public void An_image_under_an_image_dir_is_read_by_absolute_or_relative_name()
    {
        foreach (var name in new[] { Path.Combine(Images, "disk.qcow2"), "disk.qcow2" })
        {
            var (config, error) = Parse(["--image-dir", Images, .. Disk(name)]);
            Assert.True(config is not null, error);
            Assert.Equal(1L << 30, config!.FindNode("f")!.VirtualSize);
        }
    }

    [Fact]
    public void Under_confinement_an_absolute_name_outside_is_refused_as_a_link_is()
    {
        var (config, error) = Parse(["--image-dir", Images, .. Disk(Victim)]);
        Assert.Null(config);
        Assert.Equal(Refusal(Victim, "Permission denied"), error);
    }

    [Fact]
    public void Under_confinement_a_symlink_to_a_victim_outside_is_refused()
    {
        var link = Path.Combine(Images, "link.qcow2");
        File.CreateSymbolicLink(link, Victim);
        foreach (var name in new[] { link, "link.qcow2" })
        {
            var (config, error) = Parse(["--image-dir", Images, .. Disk(name)]);
            Assert.Null(config);
            Assert.Equal(Refusal(name, "Permission denied"), error);
        }
    }

    [Fact]
    public void Under_confinement_a_dot_dot_walk_out_is_refused()
    {
        var name = Path.Combine(Images, "..", "outside", "victim.qcow2");
        var (config, error) = Parse(["--data-dir", Images, .. Disk(name)]);
        Assert.Null(config);
        Assert.Equal(Refusal(name, "Permission denied"), error);
    }

    [Fact]
    public void Without_confinement_a_launchers_absolute_path_is_read_as_QEMU_reads_it()
    {
        // The operator's own command line: libvirt passes its absolute image paths, links included.
        var link = Path.Combine(_root, "link.qcow2");
        File.CreateSymbolicLink(link, Victim);
        foreach (var name in new[] { Victim, link })
        {
            var (config, error) = Parse(Disk(name));
            Assert.True(config is not null, error);
            Assert.Equal(7L << 30, config!.FindNode("f")!.VirtualSize);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_FIFO_is_refused_without_blocking(bool confined)
    {
        var fifo = Path.Combine(Images, "fifo.qcow2");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            Assert.True(mkfifo.WaitForExit(Patience.Seconds * 1000));
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Nobody ever opens the FIFO's other end: a blocking open would hang here.
        var task = Task.Run(() => Parse([.. confined ? new[] { "--image-dir", Images } : [], .. Disk(fifo)]));
        Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(Patience.Seconds))));
        var (config, error) = await task;
        Assert.Null(config);
        Assert.Equal(confined ? Refusal(fifo, "Permission denied")
            : $$"""qmp-emulator: -blockdev {"driver":"file","filename":"{{fifo}}","node-name":"s"}: 'file' driver requires '{{fifo}}' to be a regular file""", error);
    }

    [Theory]
    [InlineData("/dev/zero", false)]
    [InlineData("/dev/zero", true)]
    [InlineData("/dev/tty", false)]
    public void A_dev_path_is_refused(string device, bool confined)
    {
        var (config, error) = Parse([.. confined ? new[] { "--image-dir", Images } : [], .. Disk(device)]);
        Assert.Null(config);
        if (confined)
        {
            Assert.Equal(Refusal(device, "Permission denied"), error);
        }
        else
        {
            // /dev/tty may not open at all without a terminal; either way nothing is read from it.
            Assert.Contains(error, new[]
            {
                $$"""qmp-emulator: -blockdev {"driver":"file","filename":"{{device}}","node-name":"s"}: 'file' driver requires '{{device}}' to be a regular file""",
                Refusal(device, "No such device or address"),
            });
        }
    }

    [Fact]
    public void A_directory_as_an_image_is_refused()
    {
        var (config, error) = Parse(["--image-dir", Images, .. Disk(Outside)]);
        Assert.Null(config);
        Assert.Equal(Refusal(Outside, "Permission denied"), error);
    }

    [Fact]
    public void A_qcow2_header_claiming_a_size_past_2_63_is_refused()
    {
        var image = QemuMachine.Qcow2Image(1L << 20, null);
        image.AsSpan(24, 8).Fill(0xff);
        File.WriteAllBytes(Path.Combine(Images, "huge.qcow2"), image);
        var (config, error) = Parse(["--image-dir", Images, .. Disk("huge.qcow2")]);
        Assert.Null(config);
        // QEMU 7.2's words for the same header (checked with qemu-system-x86_64 -blockdev on these bytes).
        Assert.EndsWith(": Could not refresh total sector count: File too large", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_file_under_a_qcow2_node_is_no_qcow2_image()
    {
        File.WriteAllBytes(Path.Combine(Images, "short.qcow2"), [0x51, 0x46, 0x49, 0xfb]);
        var (config, error) = Parse(["--image-dir", Images, .. Disk("short.qcow2")]);
        Assert.Null(config);
        Assert.EndsWith(": Image is not in qcow2 format", error, StringComparison.Ordinal);
    }
}

/// <summary>The command line's limits (docs/security.md, "Untrusted clients: confinement and limits"): each is refused in one line, nothing more is read.</summary>
public sealed class Qemu72CommandLineLimitTests
{
    private static string Refuse(params string[] args)
    {
        var error = new StringWriter();
        Assert.Null(Qemu72CommandLine.Parse(args, error));
        return error.ToString();
    }

    [Fact]
    public void An_option_longer_than_the_limit_is_refused()
    {
        var name = new string('a', CommandLineLimits.MaxOptionLength - 6);
        var error = new StringWriter();
        Assert.NotNull(Qemu72CommandLine.Parse(["-name", "guest=" + name], error));
        Assert.Equal($"qmp-emulator: -name: argument of {CommandLineLimits.MaxOptionLength + 1} characters (the emulator reads at most {CommandLineLimits.MaxOptionLength})\n",
            Refuse("-name", "guest=" + name + "b"));
    }

    [Fact]
    public void More_arguments_than_the_limit_are_refused()
    {
        var args = Enumerable.Repeat("-S", CommandLineLimits.MaxArguments + 1).ToArray();
        Assert.StartsWith("qmp-emulator: too many arguments", Refuse(args), StringComparison.Ordinal);
        Assert.NotNull(Qemu72CommandLine.Parse(args[1..], TextWriter.Null));
    }

    [Fact]
    public void More_devices_than_the_limit_are_refused()
    {
        var devices = Enumerable.Range(0, CommandLineLimits.MaxDevices).SelectMany(i => new[] { "-device", $"virtio-serial-pci,id=d{i}" }).ToArray();
        Assert.Equal(CommandLineLimits.MaxDevices, Qemu72CommandLine.Parse(devices, TextWriter.Null)!.Devices.Length);
        Assert.EndsWith(": more than 1024 of this option (the emulator's limit)\n", Refuse([.. devices, "-device", "virtio-serial-pci,id=last"]), StringComparison.Ordinal);
    }

    [Fact]
    public void More_block_nodes_than_the_limit_are_refused()
    {
        var nodes = Enumerable.Range(0, CommandLineLimits.MaxBlockNodes).SelectMany(i => new[] { "-blockdev", $"driver=null-co,node-name=n{i}" }).ToArray();
        Assert.Equal(CommandLineLimits.MaxBlockNodes, Qemu72CommandLine.Parse(nodes, TextWriter.Null)!.BlockNodes.Length);
        Assert.EndsWith(": more than 1024 block nodes (the emulator's limit)\n", Refuse([.. nodes, "-blockdev", "driver=null-co,node-name=last"]), StringComparison.Ordinal);
    }

    [Fact]
    public void JSON_nested_deeper_than_the_limit_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", CommandLineLimits.MaxJsonDepth + 1)) + "1" + new string('}', CommandLineLimits.MaxJsonDepth + 1);
        Assert.Equal($"qmp-emulator: -blockdev {deep}: JSON nested deeper than 32 levels (the emulator's limit)\n", Refuse("-blockdev", deep));
        var deepest = string.Concat(Enumerable.Repeat("{\"a\":", CommandLineLimits.MaxJsonDepth - 1)) + "1" + new string('}', CommandLineLimits.MaxJsonDepth - 1);
        Assert.NotNull(Qemu72CommandLine.Parse(["-blockdev", "{\"driver\":\"null-co\",\"node-name\":\"n\",\"x\":" + deepest + "}"], TextWriter.Null));
    }

    /// <summary>Every member libvirt's options use, given every JSON kind and a nested key=value form: refused or read, never thrown.</summary>
    [Fact]
    public void Members_of_every_JSON_kind_are_refused_or_read_never_thrown()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-argv72-").FullName;
        try
        {
            var image = Path.Combine(dir, "d.qcow2");
            File.WriteAllBytes(image, QemuMachine.Qcow2Image(1 << 20, null));
            var bases = new (string Option, string Json)[]
            {
                ("-blockdev", $$"""{"driver":"file","filename":"{{image}}","node-name":"s","auto-read-only":true,"discard":"unmap"}"""),
                ("-blockdev", """{"driver":"qcow2","file":"s","node-name":"f","read-only":false}"""),
                ("-blockdev", """{"driver":"raw","node-name":"r","file":{"driver":"null-co","size":4096}}"""),
                ("-device", """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"f","id":"disk","bootindex":1}"""),
                ("-device", """{"driver":"virtio-net-pci","netdev":"n","id":"net0"}"""),
                ("-object", """{"qom-type":"memory-backend-ram","id":"pc.ram","size":67108864}"""),
                ("-netdev", """{"type":"user","id":"n"}"""),
                ("-audiodev", """{"id":"a","driver":"none"}"""),
            };
            string[] kinds = ["1", "-1", "1.5", "true", "null", "[]", "[1]", "{}", """{"x":1}""", "\"\"", "\"x y\"", "\"/dev/null\""];
            var tried = 0;
            for (var b = 0; b < bases.Length; b++)
            {
                var members = JsonNode.Parse(bases[b].Json)!.AsObject().Select(m => m.Key).ToList();
                foreach (var member in members)
                {
                    foreach (var kind in kinds)
                    {
                        var changed = JsonNode.Parse(bases[b].Json)!.AsObject();
                        changed[member] = JsonNode.Parse(kind);
                        tried += Try(bases, b, changed.ToJsonString());
                    }

                    // The key=value form with the member nested (member.x=1), as QEMU's keyval allows.
                    var flat = string.Join(',', JsonNode.Parse(bases[b].Json)!.AsObject()
                        .Where(m => m.Value is JsonValue)
                        .Select(m => m.Key == member ? $"{m.Key}.x=1" : $"{m.Key}={m.Value!.ToString().Replace(",", ",,", StringComparison.Ordinal)}"));
                    tried += Try(bases, b, flat);
                }
            }

            Assert.True(tried > 300, $"{tried} lines tried");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        static int Try((string Option, string Json)[] bases, int changedIndex, string changed)
        {
            var args = bases.SelectMany((b, i) => new[] { b.Option, i == changedIndex ? changed : b.Json }).ToArray();
            var error = new StringWriter();
            var config = Qemu72CommandLine.Parse(args, error);
            Assert.True(config is not null || error.ToString().Count(c => c == '\n') == 1, $"{string.Join(' ', args)}: {error}");
            return 1;
        }
    }

    [Fact]
    public void Hostile_option_text_is_refused_never_thrown()
    {
        foreach (var text in new[] { "", ",", ",,", "=", "==,", "{", "}", "{\"driver\":[]}", "{\"driver\":\"qcow2\",\"node-name\":\"a\",\"file\":[1]}", "driver=file,filename=", "\0", "{\"driver\":\"file\",\"filename\":\"\\u0000\",\"node-name\":\"a\"}" })
        {
            foreach (var option in new[] { "-blockdev", "-device", "-object", "-netdev", "-audiodev", "-chardev", "-mon", "-qmp", "-m", "-smp", "-machine", "-name", "-global", "-display", "-accel", "-sandbox", "-boot", "-rtc", "-msg", "-overcommit" })
            {
                var error = new StringWriter();
                _ = Qemu72CommandLine.Parse([option, text], error);
                Assert.DoesNotContain('\n', error.ToString().TrimEnd('\n'));
            }
        }
    }
}
