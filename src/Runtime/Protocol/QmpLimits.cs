namespace Qmp.Runtime;

/// <summary>Input limits. A message over a limit gets a QMP error (server) or is logged and dropped (client); the connection continues.</summary>
public static class QmpLimits
{
    /// <summary>Client side: replies of tens of megabytes must work (QEMU's own token limit is 64 MiB).</summary>
    public const int DefaultClientMaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Server side: QEMU's token limit, 64 MiB of tokens per request.</summary>
    public const int DefaultServerMaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Server side: QEMU's nesting limit, 1024 open objects and arrays.</summary>
    public const int DefaultServerMaxDepth = 1024;

    /// <summary>Nesting depth (open objects/arrays); QEMU allows 1024, real messages use fewer than 10.</summary>
    public const int DefaultMaxDepth = 128;
}
