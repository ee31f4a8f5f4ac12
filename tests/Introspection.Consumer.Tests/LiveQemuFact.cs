using System.Reflection;

namespace Qmp.Codegen.Introspection.Consumer.Tests;

/// <summary>Runs when the client was generated from the installed QEMU's saved schema and QEMU is still there; otherwise skipped with the reason.</summary>
public sealed class LiveQemuFactAttribute : FactAttribute
{
    public LiveQemuFactAttribute()
    {
#if QEMU_LIVE_CLIENT
        if (RealQemu.Binary is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)";
        }
#else
        var reason = typeof(LiveQemuFactAttribute).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "QemuIntrospectionSkipReason")?.Value;
        Skip = "no client was generated from the installed QEMU's schema, which could not be saved at build time: "
            + (string.IsNullOrWhiteSpace(reason) ? "eng/get-qemu-introspection.sh failed" : reason);
#endif
    }
}

/// <summary>Runs when the second client (the saved schema with QEMU 7.2's QAPI source) was generated and QEMU is there; otherwise skipped with the reason.</summary>
public sealed class NamedQemuFactAttribute : FactAttribute
{
    public NamedQemuFactAttribute()
    {
#if QEMU_LIVE_NAMED_CLIENT
        if (RealQemu.Binary is null)
        {
            Skip = "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)";
        }
#else
        var reason = typeof(NamedQemuFactAttribute).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "QemuQapiSourceSkipReason")?.Value;
        Skip = "no client was generated from the installed QEMU's schema with QEMU 7.2's QAPI source: "
            + (string.IsNullOrWhiteSpace(reason) ? "eng/get-qemu-schema.sh bookworm failed" : reason);
#endif
    }
}
