using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// A removable drive's tray and medium as QEMU 7.2's block/qapi-sysemu.c moves them: <c>eject</c>,
/// <c>blockdev-open-tray</c>/<c>-close-tray</c>, <c>blockdev-remove-medium</c>/<c>-insert-medium</c> (libvirt 9.0's way
/// to change a CD-ROM's medium) and <c>blockdev-change-medium</c>. A CD-ROM (<c>ide-cd</c>, <c>scsi-cd</c>) has a tray; the
/// tray moving sends DEVICE_TRAY_MOVED before the reply, with the drive's name (<c>""</c> for a -blockdev medium) and the
/// device's id. A tray the guest locked opens only by force; the emulator runs no guest code, so only a test locks it
/// (<see cref="VirtualMachine.GuestLockTray"/>) and a request to open it is never answered by the guest. A medium taken
/// out stays a node of its own while the monitor owns it (blockdev-add's or the command line's), as QEMU's.
/// Errors are QEMU 7.2's words, checked side by side in tests/Emulator.Tests/Qemu72MediaTests.cs.
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var drive = FindBackend(arguments.Device, arguments.Id);
            var name = arguments.Id ?? arguments.Device!;
            if (OpenTray(drive, name, arguments.Force ?? false) is { Kind: not TrayErrorKind.NoTray } refused)
            {
                throw refused.Error;
            }

            RemoveMedium(drive, name);
        }

        return Done();
    }

    public override ValueTask BlockdevOpenTrayAsync(BlockdevOpenTrayArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // A tray-less device and a locked tray (the guest was asked to open it) are no error here.
            var drive = FindBackend(arguments.Device, arguments.Id);
            if (OpenTray(drive, arguments.Id ?? arguments.Device!, arguments.Force ?? false) is { Kind: TrayErrorKind.NotRemovable } refused)
            {
                throw refused.Error;
            }
        }

        return Done();
    }

    public override ValueTask BlockdevCloseTrayAsync(BlockdevCloseTrayArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var drive = FindBackend(arguments.Device, arguments.Id);
            CloseTray(drive, arguments.Device ?? arguments.Id!);
        }

        return Done();
    }

    public override ValueTask BlockdevRemoveMediumAsync(BlockdevRemoveMediumArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            RemoveMedium(FindBackend(null, arguments.Id), arguments.Id);
        }

        return Done();
    }

    public override ValueTask BlockdevInsertMediumAsync(BlockdevInsertMediumArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var drive = FindBackend(null, arguments.Id);

            // bdrv_find_node: by node name only.
            var node = FindNode(arguments.NodeName) ?? throw QmpException.Generic($"Node '{arguments.NodeName}' not found");
            if (HasBackend(node))
            {
                throw QmpException.Generic($"Node '{arguments.NodeName}' is already in use");
            }

            InsertMedium(drive, node);
        }

        return Done();
    }

    /// <summary>
    /// blockdev-change-medium: the new image is opened first (a missing file fails before the tray moves), then the tray
    /// opens, the old medium goes, the new one goes in and the tray closes: two DEVICE_TRAY_MOVED for a closed tray.
    /// </summary>
    public override ValueTask BlockdevChangeMediumAsync(BlockdevChangeMediumArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = FindBackend(a.Device, a.Id);
            var name = a.Id ?? a.Device!;
            var medium = OpenMedium(a.Filename, a.Format);
            medium.ReadOnly = a.ReadOnlyMode?.Value switch
            {
                "read-only" => true,
                "read-write" => false,
                _ => drive.ReadOnly,
            };
            medium.File!.ReadOnly = medium.ReadOnly;
            if (OpenTray(drive, name, a.Force ?? false) is { Kind: not TrayErrorKind.NoTray } refused)
            {
                throw refused.Error;
            }

            RemoveMedium(drive, name);
            InsertMedium(drive, medium);
            CloseTray(drive, a.Device ?? a.Id!);
        }

        return Done();
    }

    public override ValueTask DriveMirrorAsync(DriveMirrorArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _ = FindDeviceOrNode(arguments.Device, arguments.Device);
            throw NotModelled("drive-mirror (blockdev-mirror is served)");
        }
    }

    private enum TrayErrorKind
    {
        NotRemovable,
        NoTray,
        Locked,
    }

    /// <summary>Why do_open_tray did not open a tray: its callers ignore some of these.</summary>
    private readonly record struct TrayError(TrayErrorKind Kind, QmpException Error);

    /// <summary>do_open_tray: opens the tray (DEVICE_TRAY_MOVED) unless the guest locked it and the client did not force it.</summary>
    private TrayError? OpenTray(Drive drive, string name, bool force)
    {
        if (!drive.Removable)
        {
            return new(TrayErrorKind.NotRemovable, QmpException.Generic($"Device '{name}' is not removable"));
        }

        if (!HasTray(drive))
        {
            return new(TrayErrorKind.NoTray, QmpException.Generic($"Device '{name}' does not have a tray"));
        }

        if (drive.TrayOpen)
        {
            return null;
        }

        if (drive.Locked && force)
        {
            // The eject request by force unlocks the tray (ide_cd_eject_request_cb).
            drive.Locked = false;
        }
        else if (drive.Locked)
        {
            return new(TrayErrorKind.Locked, QmpException.Generic($"Device '{name}' is locked and force was not specified, wait for tray to open and try again"));
        }

        MoveTray(drive, open: true);
        return null;
    }

    /// <summary>qmp_blockdev_close_tray: closes an open tray (DEVICE_TRAY_MOVED); a device without a tray ignores it.</summary>
    private void CloseTray(Drive drive, string name)
    {
        if (!drive.Removable)
        {
            throw QmpException.Generic($"Device '{name}' is not removable");
        }

        if (HasTray(drive) && drive.TrayOpen)
        {
            MoveTray(drive, open: false);
        }
    }

    /// <summary>blockdev_remove_medium: out of an open tray; a medium a job uses stays.</summary>
    private void RemoveMedium(Drive drive, string name)
    {
        if (!drive.Removable)
        {
            throw QmpException.Generic($"Device '{name}' is not removable");
        }

        if (HasTray(drive) && !drive.TrayOpen)
        {
            throw QmpException.Generic($"Tray of device '{name}' is not open");
        }

        if (drive.Image is not { } medium)
        {
            return;
        }

        CheckNotBlocked(medium);

        // The node keeps the read-only state it was opened with.
        medium.ReadOnly = drive.ReadOnly;
        ChangeGraph(() => drive.Image = null);
        if (!GraphNodes().Contains(medium))
        {
            // blockdev-change-medium's own nodes go with the medium.
            _createdAt.Remove(medium);
            _createdAt.Remove(medium.File ?? medium);
        }
        if (!HasTray(drive))
        {
            MoveTray(drive, open: true);
        }
    }

    /// <summary>qmp_blockdev_insert_anon_medium: into an open tray, empty.</summary>
    private void InsertMedium(Drive drive, BlockImage medium)
    {
        if (!drive.Removable)
        {
            throw QmpException.Generic("Device is not removable");
        }

        if (HasTray(drive) && !drive.TrayOpen)
        {
            throw QmpException.Generic("Tray of the device is not open");
        }

        if (drive.Image is not null)
        {
            throw QmpException.Generic("There already is a medium in the device");
        }

        drive.Image = medium;
        drive.ReadOnly = medium.ReadOnly;
        if (!HasTray(drive))
        {
            MoveTray(drive, open: false);
        }
    }

    /// <summary>A CD-ROM has a tray; a floppy or an SD card has a slot (its medium goes in and out without one).</summary>
    private static bool HasTray(Drive drive) => drive.Media == "cdrom";

    /// <summary>bdrv_has_blk: a drive's medium or a job's node.</summary>
    private bool HasBackend(BlockImage node) =>
        Vm.Drives.Any(d => d.Image == node) || Vm.Blockdev.Jobs.Any(j => Active(j) && (j.Source == node || j.Target == node));

    /// <summary>blk_dev_change_media_cb: the tray moves and DEVICE_TRAY_MOVED says so, before the reply.</summary>
    private void MoveTray(Drive drive, bool open)
    {
        if (drive.TrayOpen == open)
        {
            return;
        }

        drive.TrayOpen = open;
        var device = DriveName(drive);
        var id = QdevOf(drive) ?? "";
        Vm.EmitNow(s => s.EmitDeviceTrayMoved(device, id, open));
    }

    /// <summary>
    /// The image blockdev-change-medium opens (bdrv_open), by <see cref="Confinement.QmpImageFiles"/>' rules: a format node
    /// (qcow2 by its header or raw) on a file node, both unnamed as QEMU's.
    /// </summary>
    private BlockImage OpenMedium(string filename, string? format)
    {
        var target = OpenBackupTarget(filename, format);
        var length = Guard(filename, () => Files.Length(filename));
        target.ActualSize = length;
        target.File = new BlockImage { Filename = filename, Format = "file", VirtualSize = SectorLength(length), ActualSize = length };
        Created(target.File);
        Created(target);
        return target;
    }
}
