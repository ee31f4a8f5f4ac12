using System.CommandLine;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Cli;

/// <summary>
/// <c>qemu-schema</c>: QEMU's QAPI schema (<c>qapi/</c> and <c>VERSION</c>, about 1 MB) for a QEMU
/// version, cached per version under the user's cache folder, printed as the folder that holds
/// <c>qapi/qapi-schema.json</c>. The sources are Debian's source package of the suite that ships the
/// version (apt with a private state, as eng/get-qemu-schema.sh does, so the machine's apt state is
/// untouched) or a QEMU source tarball the user already has (<c>--from</c>, e.g. QEMU's release
/// tarball). Only the schema is taken out of the 120 MB archive; the rest is never written.
/// </summary>
internal static partial class QemuSchemaCommand
{
    /// <summary>The Debian suites whose QEMU we know, by QEMU major.minor.</summary>
    private static readonly Dictionary<string, string> s_suites = new(StringComparer.Ordinal)
    {
        ["7.2"] = "bookworm",
        ["10.0"] = "trixie",
    };

    /// <summary>How long apt may take to read a suite's index and download the source package.</summary>
    private static readonly TimeSpan s_aptTimeout = TimeSpan.FromMinutes(10);

    // A QEMU version (7.2, 7.2.0, 10.0.2) and a Debian suite name: what may become part of a path.
    [GeneratedRegex(@"^[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex SuitePattern();

    public static Command Create()
    {
        var what = new Argument<string>("version")
        {
            Description = "A QEMU version (7.2, 10.0) or the Debian suite that ships it (bookworm, trixie); with --from, the version the archive must hold (or omit it).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<FileInfo>("--from") { Description = "A QEMU source tarball you have (qemu-X.Y.Z.tar.xz from QEMU's releases, or Debian's qemu_*.orig.tar.*) instead of apt." };
        var cache = new Option<DirectoryInfo>("--cache") { Description = "The cache folder (default: $QMP_CODEGEN_CACHE, else $XDG_CACHE_HOME/qmp-codegen, else ~/.cache/qmp-codegen)." };
        var command = new Command(
            "qemu-schema",
            "Get QEMU's QAPI schema for a version (its qapi/ folder only, cached per version) and print the folder that holds qapi/qapi-schema.json. "
            + "Not needed for a typed client: `qmp-codegen introspect` of your own QEMU is exactly compatible; the QAPI sources add docs and type names.")
        {
            what, from, cache,
        };
        command.SetAction((parse, ct) =>
        {
            try
            {
                var root = CacheRoot(parse.GetValue(cache)?.FullName);
                var folder = parse.GetValue(from) is { } archive
                    ? FromArchive(archive.FullName, parse.GetValue(what), root)
                    : FromDebian(parse.GetValue(what), root, ct);
                Console.WriteLine(folder);
                return Task.FromResult(0);
            }
            catch (QemuSchemaException e)
            {
                Console.Error.WriteLine("qmp-codegen: " + e.Message);
                return Task.FromResult(1);
            }
        });
        return command;
    }

    /// <summary>The cache root, created; a given folder is taken as the user names it.</summary>
    internal static string CacheRoot(string? given)
    {
        var root = given
            ?? NonEmpty(Environment.GetEnvironmentVariable("QMP_CODEGEN_CACHE"))
            ?? Path.Combine(NonEmpty(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"))
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "qmp-codegen");
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        return root;

        static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A folder named <c>qapi-VERSION</c> in the cache: the version checked first, so no text from the command line or an archive can name a path elsewhere.</summary>
    internal static string VersionFolder(string root, string version)
    {
        if (!VersionPattern().IsMatch(version))
        {
            throw new QemuSchemaException($"'{TerminalText.Escape(version)}' is not a QEMU version (digits and dots, as 7.2.0)");
        }

        var folder = Path.GetFullPath(Path.Combine(root, "qapi-" + version));
        if (!folder.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new QemuSchemaException($"'{TerminalText.Escape(version)}' would leave the cache folder");
        }

        return folder;
    }

    private static string FromDebian(string? what, string root, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(what))
        {
            throw new QemuSchemaException("name a QEMU version (7.2, 10.0) or a Debian suite (bookworm, trixie), or pass --from ARCHIVE");
        }

        string suite;
        if (s_suites.TryGetValue(what, out var known))
        {
            suite = known;
        }
        else if (VersionPattern().IsMatch(what))
        {
            throw new QemuSchemaException($"no Debian suite qmp-codegen knows ships QEMU {what} ({string.Join(", ", s_suites.Select(s => s.Key + ": " + s.Value))}); "
                + $"pass QEMU's source tarball of {what} with --from, or run `qmp-codegen introspect` against that QEMU");
        }
        else if (SuitePattern().IsMatch(what))
        {
            suite = what;
        }
        else
        {
            throw new QemuSchemaException($"'{TerminalText.Escape(what)}' is neither a QEMU version nor a Debian suite name");
        }

        // A suite seen before: its folder, without asking apt.
        var marker = Path.Combine(root, "qapi-suites", suite);
        if (File.Exists(marker))
        {
            var version = File.ReadAllText(marker).Trim();
            if (VersionPattern().IsMatch(version) && File.Exists(Path.Combine(VersionFolder(root, version), "qapi", "qapi-schema.json")))
            {
                return VersionFolder(root, version);
            }
        }

        var archive = DownloadDebianSource(suite, root, ct);
        var folder = FromArchive(archive, s_suites.ContainsValue(suite) ? s_suites.First(s => s.Value == suite).Key : null, root);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        OutputFile.Write(marker, Path.GetFileName(folder)["qapi-".Length..] + "\n");
        return folder;
    }

    /// <summary>
    /// QEMU's source package of <paramref name="suite"/> through apt with a private state under the
    /// cache (its own sources list, lists and archives; the deb-src entry is made from the machine's
    /// Debian mirror), as eng/get-qemu-schema.sh does; returns the orig tarball.
    /// </summary>
    private static string DownloadDebianSource(string suite, string root, CancellationToken ct)
    {
        var mirror = DebianMirror() ?? throw new QemuSchemaException("no Debian archive found in the machine's apt sources: pass QEMU's source tarball with --from");
        var state = Path.Combine(root, "apt", suite);
        var download = Path.Combine(state, "download");
        foreach (var dir in new[] { "sources.list.d", "lists/partial", "cache/archives/partial", "download" })
        {
            Directory.CreateDirectory(Path.Combine(state, dir));
        }
        var keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        OutputFile.Write(Path.Combine(state, "sources.list.d", "qemu-src.sources"),
            $"Types: deb-src\nURIs: {mirror}\nSuites: {suite}\nComponents: main\n" + (File.Exists(keyring) ? $"Signed-By: {keyring}\n" : ""));
        string[] options =
        [
            "-o", "Dir::Etc::SourceList=/dev/null",
            "-o", "Dir::Etc::SourceParts=" + Path.Combine(state, "sources.list.d"),
            "-o", "Dir::State::Lists=" + Path.Combine(state, "lists"),
            "-o", "Dir::Cache=" + Path.Combine(state, "cache"),
            "-o", "APT::Sandbox::User=root",
            "-o", "Debug::NoLocking=1",
        ];
        Console.Error.WriteLine($"qemu-schema: reading the source index of '{suite}'");
        Apt([.. options, "-qq", "update"], state, $"apt-get update for suite '{suite}' failed (is '{suite}' a Debian suite this machine's archive serves, and is it reachable?)", ct);
        Console.Error.WriteLine($"qemu-schema: downloading QEMU's source package for '{suite}' (apt skips files it already has)");
        Apt([.. options, "-qq", "source", "--download-only", "qemu"], download, $"the source package of qemu in '{suite}' could not be downloaded", ct);
        return Directory.EnumerateFiles(download, "qemu_*.orig.tar.*").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new QemuSchemaException($"no qemu_*.orig.tar.* among the downloaded files of '{suite}'");
    }

    private static void Apt(string[] arguments, string directory, string failure, CancellationToken ct)
    {
        var start = new ProcessStartInfo("apt-get") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new QemuSchemaException("apt-get is not available: pass QEMU's source tarball with --from");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(s_aptTimeout);
            try
            {
                process.WaitForExitAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new QemuSchemaException(failure + $" (no answer within {s_aptTimeout.TotalMinutes} minutes)");
            }
            if (process.ExitCode != 0)
            {
                throw new QemuSchemaException(failure + ": " + (stderr.Result + stdout.Result).Trim());
            }
        }
    }

    /// <summary>The machine's main Debian mirror from its apt sources (deb822 and one-line files), not security or updates.</summary>
    private static string? DebianMirror()
    {
        var uris = new List<string>();
        foreach (var file in Directory.Exists("/etc/apt/sources.list.d") ? Directory.EnumerateFiles("/etc/apt/sources.list.d", "*.sources") : [])
        {
            uris.AddRange(File.ReadLines(file).Where(l => l.StartsWith("URIs:", StringComparison.Ordinal)).SelectMany(l => l["URIs:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }
        var lists = new List<string> { "/etc/apt/sources.list" };
        if (Directory.Exists("/etc/apt/sources.list.d"))
        {
            lists.AddRange(Directory.EnumerateFiles("/etc/apt/sources.list.d", "*.list"));
        }
        foreach (var file in lists.Where(File.Exists))
        {
            uris.AddRange(File.ReadLines(file).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length > 1 && f[0] == "deb").Select(f => f.Skip(1).FirstOrDefault(u => u.Contains("://", StringComparison.Ordinal))).OfType<string>());
        }
        return uris.FirstOrDefault(u => u.Contains("debian", StringComparison.Ordinal) && !u.Contains("security", StringComparison.Ordinal) && !u.Contains("updates", StringComparison.Ordinal));
    }

    /// <summary>
    /// Takes <c>qapi/</c> and <c>VERSION</c> out of a QEMU source tarball (.tar, .tar.gz, .tar.xz,
    /// .tar.bz2) into the cache's folder for its version; returns that folder. An archive member with
    /// an absolute path or a <c>..</c> segment anywhere, or a link among the files taken, refuses the
    /// whole archive: a QEMU tarball has none, and nothing is written outside a fresh folder in the cache.
    /// </summary>
    internal static string FromArchive(string archive, string? expectedVersion, string root)
    {
        if (!File.Exists(archive))
        {
            throw new QemuSchemaException($"{archive}: no such file");
        }
        if (expectedVersion is not null && !VersionPattern().IsMatch(expectedVersion))
        {
            throw new QemuSchemaException($"'{TerminalText.Escape(expectedVersion)}' is not a QEMU version (digits and dots, as 7.2.0)");
        }

        // A fresh folder beside the versions' (one file system, so the finished folder moves in at once).
        var staging = Directory.CreateDirectory(Path.Combine(root, ".extract-" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true)));
        try
        {
            Console.Error.WriteLine($"qemu-schema: taking qapi/ out of {Path.GetFileName(archive)}");
            string? version = null;
            var files = 0;
            using (var decompressed = Decompress(archive))
            using (var reader = new TarReader(decompressed))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    var name = entry.Name;
                    var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                    if (name.StartsWith('/') || segments.Any(s => s == ".."))
                    {
                        throw new QemuSchemaException($"{Path.GetFileName(archive)}: member '{TerminalText.Escape(name)}' leaves the archive's folder; the archive is refused");
                    }
                    // <top>/qapi/... and <top>/VERSION: the top folder is the tarball's (qemu-7.2.0/).
                    var wanted = segments.Length >= 3 && segments[1] == "qapi" || segments.Length == 2 && segments[1] == "VERSION";
                    if (!wanted)
                    {
                        continue;
                    }
                    if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    {
                        throw new QemuSchemaException($"{Path.GetFileName(archive)}: member '{TerminalText.Escape(name)}' is a link; the archive is refused");
                    }
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    {
                        continue;
                    }
                    if (entry.Length > MaxFileBytes || (files += 1) > MaxFiles)
                    {
                        throw new QemuSchemaException($"{Path.GetFileName(archive)}: qapi/ holds more than {MaxFiles} files or a file over {MaxFileBytes / 1024 / 1024} MB; the archive is refused");
                    }
                    var target = Path.GetFullPath(Path.Combine([staging.FullName, .. segments[1..]]));
                    if (!target.StartsWith(staging.FullName + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        throw new QemuSchemaException($"{Path.GetFileName(archive)}: member '{TerminalText.Escape(name)}' leaves the archive's folder; the archive is refused");
                    }
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                    {
                        entry.DataStream?.CopyTo(output);
                    }
                    if (segments[1] == "VERSION")
                    {
                        version = File.ReadAllText(target).Trim();
                    }
                }
            }

            if (!File.Exists(Path.Combine(staging.FullName, "qapi", "qapi-schema.json")))
            {
                throw new QemuSchemaException($"{Path.GetFileName(archive)} holds no <top>/qapi/qapi-schema.json: is it QEMU's source tarball?");
            }
            if (version is null)
            {
                throw new QemuSchemaException($"{Path.GetFileName(archive)} holds no <top>/VERSION");
            }
            var folder = VersionFolder(root, version);
            if (expectedVersion is not null && version != expectedVersion && !version.StartsWith(expectedVersion + ".", StringComparison.Ordinal))
            {
                throw new QemuSchemaException($"{Path.GetFileName(archive)} holds QEMU {TerminalText.Escape(version)}, not {expectedVersion}");
            }
            if (!File.Exists(Path.Combine(folder, "qapi", "qapi-schema.json")))
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
                Directory.Move(staging.FullName, folder);
            }
            Console.Error.WriteLine($"qemu-schema: QEMU {version}: {files} files");
            return folder;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new QemuSchemaException($"{Path.GetFileName(archive)} is not a readable tar archive: {e.Message}");
        }
        finally
        {
            if (staging.Exists)
            {
                staging.Delete(recursive: true);
            }
        }
    }

    /// <summary>What qapi/ may hold: QEMU 10.0's has 50-odd files, the largest under 400 kB.</summary>
    private const int MaxFiles = 1000;

    private const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>The tarball's bytes as a tar stream: gzip in process, xz and bzip2 through their programs.</summary>
    private static Stream Decompress(string archive)
    {
        if (archive.EndsWith(".gz", StringComparison.Ordinal) || archive.EndsWith(".tgz", StringComparison.Ordinal))
        {
            return new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        }
        var program = archive.EndsWith(".xz", StringComparison.Ordinal) ? "xz" : archive.EndsWith(".bz2", StringComparison.Ordinal) ? "bzip2" : null;
        if (program is null)
        {
            return File.OpenRead(archive);
        }
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = false };
        start.ArgumentList.Add("-dc");
        start.ArgumentList.Add(archive);
        try
        {
            return Process.Start(start)!.StandardOutput.BaseStream;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new QemuSchemaException($"{program} is not installed, and {Path.GetFileName(archive)} needs it");
        }
    }
}

/// <summary>Why QEMU's schema could not be had; the message is printed as it is.</summary>
internal sealed class QemuSchemaException(string message) : Exception(message);
