namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// Issue 24's first day, as a test: a project in a temp folder that only references the packed
/// packages (no QemuSchemaDir, no path into the repository), its QEMU 7.2 schema from the packed
/// qmp-codegen tool (<c>qmp-codegen qemu-schema 7.2</c>), built and run against a real QEMU 7.2:
/// blockdev-add of a qcow2 image, a typed device_add with <c>drive=</c>, the disk seen in query-block,
/// its drive read back with qom-get, device_del with its DEVICE_DELETED. Restores go to a NuGet cache of
/// the test's own. Skipped with the reason without QEMU, qemu-img or QEMU 7.2's sources.
/// </summary>
public sealed class StrangerProjectTests
{
    [StrangerFact]
    public async Task A_project_with_only_package_references_hotplugs_a_qcow2_disk_on_QEMU_7_2()
    {
        var (feed, _, version) = await PackedFeed.GetAsync();
        var work = Directory.CreateTempSubdirectory("qmp-stranger-");
        try
        {
            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.FullName, "nuget-packages") };
            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="qmp-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);

            // The schema, with the tool from the same feed.
            var tools = Path.Combine(work.FullName, "tools");
            await Run(environment, work.FullName, "dotnet", "tool", "install", "Qmp.Codegen.Cli", "--version", version, "--tool-path", tools, "--add-source", feed);
            var schema = (await Run(environment, work.FullName, Path.Combine(tools, "qmp-codegen"), "qemu-schema", "7.2")).Trim();
            Assert.True(File.Exists(Path.Combine(schema, "qapi", "qapi-schema.json")), schema);

            var templates = Path.Combine(Repository.Root, "tests", "Package.Smoke", "Stranger");
            var project = File.ReadAllText(Path.Combine(templates, "Stranger.csproj.template")).Replace("@SCHEMA@", schema, StringComparison.Ordinal);
            Assert.DoesNotContain(Repository.Root.TrimEnd('/'), project, StringComparison.Ordinal);
            Assert.DoesNotContain("QemuSchemaDir", project, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(app, "Stranger.csproj"), project);
            File.Copy(Path.Combine(templates, "Program.cs.template"), Path.Combine(app, "Program.cs"));
            await Run(environment, app, "dotnet", "build", "--nologo", "-v:q");
            // The packages came from the feed, into the test's own cache, at the version just packed.
            Assert.True(Directory.Exists(Path.Combine(environment["NUGET_PACKAGES"], "qmp.runtime", version)), "Qmp.Runtime " + version + " not restored into the test's NUGET_PACKAGES");

            var image = Path.Combine(work.FullName, "disk1.qcow2");
            await Run(environment, work.FullName, "qemu-img", "create", "-q", "-f", "qcow2", image, "16M");
            await using var qemu = await QemuProcess.StartAsync(Path.Combine(work.FullName, "qmp.sock"), ["-M", "pc", "-m", "128", "-S", "-nodefaults", "-device", "virtio-scsi-pci,id=scsi0"]);
            var output = await Run(environment, app, "dotnet", "run", "--no-build", "--", qemu.Address, image);
            Assert.Contains("connected: QEMU 7.2", output, StringComparison.Ordinal);
            Assert.Contains("query-block: sd1 on disk1 (qcow2)", output, StringComparison.Ordinal);
            Assert.Contains("qom-get sd1 drive: disk1", output, StringComparison.Ordinal);
            Assert.Contains("DEVICE_DELETED: sd1 /machine/peripheral/sd1", output, StringComparison.Ordinal);
            Assert.Contains("hotplug and unplug: OK", output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> Run(IReadOnlyDictionary<string, string> environment, string directory, string program, params string[] arguments)
    {
        // A hang guard, not a timing: a restore and build on a loaded 2-core machine, or apt fetching QEMU's sources.
        var (exit, output, errors) = await ChildProcess.RunAsync(program, arguments, TimeSpan.FromMinutes(20), directory, environment);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} exited with {exit}: {output}{errors}");
        return output;
    }
}

/// <summary>Runs when QEMU, qemu-img and QEMU 7.2's sources (Debian bookworm's, through apt) can be had; otherwise skipped with the reason.</summary>
public sealed class StrangerFactAttribute : FactAttribute
{
    public StrangerFactAttribute()
    {
        if (Executables.Qemu is null || Executables.Find("qemu-img") is null)
        {
            Skip = "qemu-system-x86_64 or qemu-img not installed (apt-get install qemu-system-x86 qemu-utils)";
            return;
        }
        var (dir, reason) = QemuSources.Get("bookworm");
        if (dir is null)
        {
            Skip = reason;
        }
    }
}
