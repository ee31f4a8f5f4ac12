namespace Qmp.Emulator.CommandLine;

/// <summary>
/// What one QEMU 7.2 command line may hold (docs/security.md, "Untrusted clients: confinement and limits"). A
/// launcher's command line is the operator's, but a test harness may build it from data: these bound
/// the work and memory a parse takes. Each is far above what libvirt writes for a large domain.
/// </summary>
public static class CommandLineLimits
{
    /// <summary>Arguments in all (libvirt's largest domains write a few hundred).</summary>
    public const int MaxArguments = 16 * 1024;

    /// <summary>UTF-16 characters in one option's value (a <c>-blockdev</c> JSON with a long path is under 1 KiB).</summary>
    public const int MaxOptionLength = 64 * 1024;

    /// <summary>Nesting of a JSON option value (QEMU's own parser stops at 1024; BlockdevOptions nest a few levels).</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>Block nodes, inline children included.</summary>
    public const int MaxBlockNodes = 1024;

    /// <summary><c>-device</c> options.</summary>
    public const int MaxDevices = 1024;

    /// <summary><c>-object</c>, <c>-netdev</c>, <c>-audiodev</c>, <c>-chardev</c>, <c>-mon</c> and <c>-global</c> options, each kind counted apart.</summary>
    public const int MaxBackends = 1024;
}
