namespace Qmp.Runtime;

/// <summary>The QMP error classes QEMU uses (the <c>class</c> member of an error reply).</summary>
public enum QmpErrorClass
{
    /// <summary>A class this library does not know; see <see cref="QmpException.ErrorClassName"/>.</summary>
    Unknown = 0,
    GenericError,
    CommandNotFound,
    DeviceEncrypted,
    DeviceNotActive,
    DeviceNotFound,
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
