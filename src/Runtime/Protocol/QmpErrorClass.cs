namespace Qmp.Runtime;

/// <summary>The QMP error classes QEMU uses (the <c>class</c> member of an error reply).</summary>
public enum QmpErrorClass
{
    /// <summary>A class this library does not know; see <see cref="QmpException.ErrorClassName"/>.</summary>
    Unknown = 0,

    /// <summary>Most errors: a bad argument, a failed operation; the <c>desc</c> says which.</summary>
    GenericError,

    /// <summary>The server has no such command (or it is not allowed before <c>qmp_capabilities</c>).</summary>
    CommandNotFound,

    /// <summary>An encrypted image needs its key (<c>block_passwd</c>) before use.</summary>
    DeviceEncrypted,

    /// <summary>The device exists but is not active (e.g. a balloon without a driver in the guest).</summary>
    DeviceNotActive,

    /// <summary>No device (drive, net client, block job's device) of the given name.</summary>
    DeviceNotFound,

    /// <summary>KVM lacks a capability the command needs.</summary>
    KVMMissingCap,
}

/// <summary>Conversions between <see cref="QmpErrorClass"/> and its wire name.</summary>
public static class QmpErrorClasses
{
    /// <summary>Parses a wire class name; unknown names give <see cref="QmpErrorClass.Unknown"/>.</summary>
    public static QmpErrorClass Parse(string? name) => name switch
    {
        "GenericError" => QmpErrorClass.GenericError,
        "CommandNotFound" => QmpErrorClass.CommandNotFound,
        "DeviceEncrypted" => QmpErrorClass.DeviceEncrypted,
        "DeviceNotActive" => QmpErrorClass.DeviceNotActive,
        "DeviceNotFound" => QmpErrorClass.DeviceNotFound,
        "KVMMissingCap" => QmpErrorClass.KVMMissingCap,
        _ => QmpErrorClass.Unknown,
    };

    /// <summary>The wire name of a known class (Unknown maps to GenericError, the catch-all).</summary>
    public static string ToWireName(this QmpErrorClass errorClass) => errorClass switch
    {
        QmpErrorClass.CommandNotFound => "CommandNotFound",
        QmpErrorClass.DeviceEncrypted => "DeviceEncrypted",
        QmpErrorClass.DeviceNotActive => "DeviceNotActive",
        QmpErrorClass.DeviceNotFound => "DeviceNotFound",
        QmpErrorClass.KVMMissingCap => "KVMMissingCap",
        _ => "GenericError",
    };
}
