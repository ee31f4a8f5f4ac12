namespace Qmp.Testing;

/// <summary>Runs on Linux only (mkfifo, /dev/zero, symbolic links); elsewhere skipped with the reason. Linked into the test projects that need it.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (mkfifo, /dev/zero, symbolic links)";
        }
    }
}
