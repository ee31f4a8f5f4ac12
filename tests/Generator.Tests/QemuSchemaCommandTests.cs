using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Qmp.Codegen.Tests;

/// <summary>
/// <c>qmp-codegen qemu-schema</c>: QEMU's QAPI schema out of a source tarball (only qapi/ and VERSION,
/// cached per version), the versions and archives it refuses, and the real thing through apt for 7.2.
/// Dummy archives and planted victims live in each test's own temp folder.
/// </summary>
public sealed class QemuSchemaCommandTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("qmp-qemu-schema-");

    public void Dispose() => _temp.Delete(recursive: true);

    private string Cache => Path.Combine(_temp.FullName, "cache");

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) => QmpCodegenCli.Run(args);

    /// <summary>A gzipped tarball of (name, text) members; a text of null makes a symbolic link to <c>link</c>.</summary>
    private string Archive(string name, params (string Member, string? Text, string? Link)[] members)
    {
        var path = Path.Combine(_temp.FullName, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (member, text, link) in members)
        {
            if (link is not null)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, member) { LinkName = link });
                continue;
            }
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, member) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text!)) });
        }
        return path;
    }

    private string QemuTarball(string version, params (string, string?, string?)[] extra) => Archive($"qemu-{version}.tar.gz",
        [
            ($"qemu-{version}/VERSION", version + "\n", null),
            ($"qemu-{version}/qapi/qapi-schema.json", "{ 'include': 'common.json' }\n", null),
            ($"qemu-{version}/qapi/common.json", "{ 'enum': 'OnOffAuto', 'data': [ 'auto', 'on', 'off' ] }\n", null),
            ($"qemu-{version}/hw/core/qdev.c", "/* not wanted */\n", null),
            ($"qemu-{version}/scripts/qapi/parser.py", "# not wanted\n", null),
            .. extra,
        ]);

    [Fact]
    public void Only_qapi_and_VERSION_come_out_of_the_tarball_cached_per_version()
    {
        var archive = QemuTarball("9.1.0");
        var (exit, stdout, stderr) = Run("qemu-schema", "--from", archive, "--cache", Cache);
        Assert.True(exit == 0, stderr);
        var folder = Path.Combine(Cache, "qapi-9.1.0");
        Assert.Equal(folder, stdout.Trim());
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(["VERSION", "qapi/common.json", "qapi/qapi-schema.json"], files);
        Assert.Equal(["qapi-9.1.0"], Directory.EnumerateFileSystemEntries(Cache).Select(Path.GetFileName));

        // Again, naming the version the archive must hold: the same folder.
        (exit, stdout, stderr) = Run("qemu-schema", "9.1", "--from", archive, "--cache", Cache);
        Assert.True(exit == 0, stderr);
        Assert.Equal(folder, stdout.Trim());
        (exit, _, stderr) = Run("qemu-schema", "9.2", "--from", archive, "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains("holds QEMU 9.1.0, not 9.2", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc")]
    [InlineData("7.2/../../x")]
    [InlineData("bookworm/../..")]
    public void A_version_that_is_not_one_names_no_path(string version)
    {
        var (exit, _, stderr) = Run("qemu-schema", version, "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains("is neither a QEMU version nor a Debian suite name", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = Run("qemu-schema", version, "--from", QemuTarball("9.1.0"), "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains("is not a QEMU version", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Cache));
    }

    [Fact]
    public void A_VERSION_file_that_names_a_path_is_refused()
    {
        var archive = Archive("evil.tar.gz",
            ("qemu-x/VERSION", "../../victim\n", null),
            ("qemu-x/qapi/qapi-schema.json", "{}\n", null));
        var (exit, _, stderr) = Run("qemu-schema", "--from", archive, "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains("'../../victim' is not a QEMU version", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Cache));
    }

    public static TheoryData<string> HostileMembers => new() { "dotdot", "absolute", "symlink" };

    [Theory]
    [MemberData(nameof(HostileMembers))]
    public void An_archive_with_a_member_outside_its_folder_or_a_link_is_refused(string kind)
    {
        // The victim sits in this test's own folder, where a member that escaped would land.
        var victim = Path.Combine(_temp.FullName, "victim");
        File.WriteAllText(victim, "untouched");
        (string, string?, string?) member = kind switch
        {
            "dotdot" => ("qemu-9.1.0/qapi/../../../victim", "overwritten", null),
            "absolute" => (victim, "overwritten", null),
            _ => ("qemu-9.1.0/qapi/link.json", null, victim),
        };
        var archive = QemuTarball("9.1.0", member);
        var (exit, _, stderr) = Run("qemu-schema", "--from", archive, "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains(kind == "symlink" ? "is a link; the archive is refused" : "leaves the archive's folder; the archive is refused", stderr, StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(victim));
        // Nothing half-extracted stays behind, no version folder either.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Cache));
    }

    [Fact]
    public void What_is_not_a_tarball_is_said_so()
    {
        var path = Path.Combine(_temp.FullName, "qemu-9.1.0.tar.gz");
        File.WriteAllText(path, "not gzip");
        var (exit, _, stderr) = Run("qemu-schema", "--from", path, "--cache", Cache);
        Assert.Equal(1, exit);
        Assert.Contains("is not a readable tar archive", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// QEMU 7.2's schema through apt (Debian bookworm's source package), the same qapi/ as
    /// eng/get-qemu-schema.sh's tree. Skipped with the reason when the sources cannot be had (offline,
    /// no apt). The user's cache folder is used, as a user's run would, so a second run reads no archive.
    /// </summary>
    [QemuSchemaFact("bookworm")]
    public void Qemu_7_2_schema_in_one_step()
    {
        var (exit, stdout, stderr) = QmpCodegenCli.Run(TimeSpan.FromMinutes(15), new Dictionary<string, string>(), "qemu-schema", "7.2");
        Assert.True(exit == 0, stderr);
        var folder = stdout.Trim();
        Assert.Equal("7.2.0", File.ReadAllText(Path.Combine(folder, "VERSION")).Trim());
        var tree = QemuSources.Get("bookworm").Dir!;
        var expected = Directory.EnumerateFiles(Path.Combine(tree, "qapi")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.EnumerateFiles(Path.Combine(folder, "qapi")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllText(Path.Combine(tree, "qapi", "block-core.json")), File.ReadAllText(Path.Combine(folder, "qapi", "block-core.json")));
        Assert.False(Directory.Exists(Path.Combine(folder, "hw")));
        (exit, _, stderr) = QmpCodegenCli.Run("check", Path.Combine(folder, "qapi", "qapi-schema.json"));
        Assert.True(exit == 0, stderr);
    }
}
