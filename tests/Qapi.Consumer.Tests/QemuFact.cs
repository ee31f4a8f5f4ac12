namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>Runs when QEMU 7.2's client was generated (its schema could be had) and qemu-system-x86_64 is installed.</summary>
public sealed class Qemu72FactAttribute : FactAttribute
{
    public Qemu72FactAttribute()
    {
#if QEMU72_CLIENT
        if (QemuBinary is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)";
        }
#else
        Skip = "QEMU 7.2's QAPI schema could not be had (eng/get-qemu-schema.sh bookworm failed at build time), so its client was not generated";
#endif
    }

    public static string? QemuBinary => Qmp.Testing.RealQemu.Binary;
}
