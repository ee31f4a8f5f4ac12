namespace Qmp.Testing;

/// <summary>Runs only when <c>qemu-system-x86_64</c> is on PATH; otherwise reported as skipped with the reason. Linked into the test projects that start QEMU.</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        if (QemuBinary is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)";
        }
    }

    public static string? QemuBinary => Executables.Qemu;
}
