namespace Qmp.Testing;

/// <summary>
/// A test's own temporary folder, where it plants its schema files and dummy victims; deleted with
/// everything in it when the test class is disposed. Never a path outside it.
/// </summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> (folders made as needed); returns the full path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
