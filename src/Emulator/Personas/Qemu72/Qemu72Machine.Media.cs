using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// A drive's tray and medium (eject, blockdev-open-tray/-close-tray, blockdev-remove-medium/-insert-medium,
/// blockdev-change-medium) and the jobs the persona does not run (block-commit, block-stream, drive-mirror). Each finds
/// its backend or node as QEMU 7.2 does and refuses with QEMU's words (checked side by side in
/// Qemu72CommandWalkTests); on a drive or node that exists, what the persona does not model it says so.
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Removable(arguments.Device, arguments.Id, "ejecting a medium");

    public override ValueTask BlockdevOpenTrayAsync(BlockdevOpenTrayArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Removable(arguments.Device, arguments.Id, "opening a tray");

    public override ValueTask BlockdevCloseTrayAsync(BlockdevCloseTrayArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Removable(arguments.Device, arguments.Id, "closing a tray");

    public override ValueTask BlockdevChangeMediumAsync(BlockdevChangeMediumArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Removable(arguments.Device, arguments.Id, "changing a medium");

    public override ValueTask BlockdevRemoveMediumAsync(BlockdevRemoveMediumArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Removable(null, arguments.Id, "removing a medium");

    public override ValueTask BlockdevInsertMediumAsync(BlockdevInsertMediumArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU 7.2 words this one without the device's name.
            if (!FindBackend(null, arguments.Id).Removable)
            {
                throw QmpException.Generic("Device is not removable");
            }

            throw NotModelled("inserting a medium");
        }
    }

    /// <summary>The drive by its name or its device's id (qmp_get_blk), which must have removable media.</summary>
    private ValueTask Removable(string? device, string? id, string what)
    {
        lock (Gate)
        {
            if (!FindBackend(device, id).Removable)
            {
                throw QmpException.Generic($"Device '{device ?? id}' is not removable");
            }

            throw NotModelled(what);
        }
    }

    public override ValueTask BlockCommitAsync(BlockCommitArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // libvirt probes with a device that does not exist and relies on DeviceNotFound (QEMU says so in blockdev.c).
            if (Vm.Drives.FirstOrDefault(d => d.Id == arguments.Device)?.Image is null && FindNode(arguments.Device) is null)
            {
                throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{arguments.Device}' not found");
            }

            throw NotModelled("block-commit");
        }
    }

    public override ValueTask BlockStreamAsync(BlockStreamArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _ = FindDeviceOrNode(arguments.Device, arguments.Device);
            throw NotModelled("block-stream");
        }
    }

    public override ValueTask DriveMirrorAsync(DriveMirrorArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _ = FindDeviceOrNode(arguments.Device, arguments.Device);
            throw NotModelled("drive-mirror (blockdev-mirror is served)");
        }
    }
}
