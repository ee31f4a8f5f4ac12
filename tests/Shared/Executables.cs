namespace Qmp.Testing;

/// <summary>Programs on PATH (qemu-system-x86_64, tmux, qemu-img), found the way a shell finds them. Linked into every test project by tests/Directory.Build.props.</summary>
internal static class Executables
{
    /// <summary>The first <paramref name="name"/> in a PATH folder, or null when none has it.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    /// <summary>QEMU's x86 system emulator, or null when it is not installed.</summary>
    public static string? Qemu { get; } = Find("qemu-system-x86_64");
}
