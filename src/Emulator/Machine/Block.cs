using System.Text.Json;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private static readonly string[] s_blockFormats = ["qcow2", "raw", "qcow", "qed", "vmdk", "vdi", "vpc", "vhdx", "cow", "cloop", "dmg", "bochs", "parallels", "host_device", "host_cdrom", "file", "nbd", "iscsi", "sheepdog", "rbd", "quorum", "blkdebug", "blkverify"];

    private static readonly byte[] s_qcow2Magic = [(byte)'Q', (byte)'F', (byte)'I', 0xfb];

    public override ValueTask<IReadOnlyList<BlockInfo>> QueryBlockAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<BlockInfo>>(Vm.Drives.Select(d => new BlockInfo
            {
                Device = d.Id,
                Type = "unknown",
                Removable = d.Removable,
                Locked = d.Locked,
                TrayOpen = d.Removable ? d.TrayOpen : null,
                IoStatus = d.IoStatusEnabled && d.IoStatus is { } ioStatus ? new BlockDeviceIoStatus(ioStatus) : (BlockDeviceIoStatus?)null,
                Inserted = d.Image is { } image ? Inserted(d, image) : null,
            }).ToList());
        }
    }

    // QEMU sends the *_max throttle members (and iops_size) only when set.
    private static long? IfSet(long value) => value == 0 ? null : value;

    private static BlockInsertedInfo Inserted(Drive d, BlockImage image)
    {
        var t = d.Throttle;
        return new BlockInsertedInfo
        {
            File = image.Filename,
            Ro = d.ReadOnly,
            Drv = image.Format,
            BackingFile = image.Backing?.Filename,
            BackingFileDepth = image.Depth,
            Encrypted = image.Encrypted,
            Bps = t.Bps,
            BpsRd = t.BpsRd,
            BpsWr = t.BpsWr,
            Iops = t.Iops,
            IopsRd = t.IopsRd,
            IopsWr = t.IopsWr,
            BpsMax = IfSet(t.BpsMax),
            BpsRdMax = IfSet(t.BpsRdMax),
            BpsWrMax = IfSet(t.BpsWrMax),
            IopsMax = IfSet(t.IopsMax),
            IopsRdMax = IfSet(t.IopsRdMax),
            IopsWrMax = IfSet(t.IopsWrMax),
            IopsSize = IfSet(t.IopsSize),
            DetectZeroes = d.DetectZeroes,
            Image = ImageInfo(image),
        };
    }

    private static BlockInsertedImageInfo ImageInfo(BlockImage image) => new()
    {
        Filename = image.Filename,
        Format = image.Format,
        VirtualSize = image.VirtualSize,
        ActualSize = image.ActualSize,
        DirtyFlag = image.Format == "qcow2" ? false : null,
        ClusterSize = image.Format == "qcow2" ? 65536 : null,
        Encrypted = image.Encrypted ? true : null,
        BackingFile = image.Backing?.Filename,
        FullBackingFilename = image.Backing?.Filename,
        BackingFilenameFormat = image.Backing?.Format,
        Snapshots = image.Snapshots.Count == 0 ? null : image.Snapshots.Select(s => new BlockInsertedImageSnapshotInfo
        {
            Id = s.Id,
            Name = s.Name,
            VmStateSize = s.VmStateSize,
            DateSec = s.DateSec,
            DateNsec = s.DateNsec,
            VmClockSec = s.VmClockSec,
            VmClockNsec = s.VmClockNsec,
        }).ToList(),
        BackingImage = image.Backing is { } b ? new BlockInsertedImageBackingImageInfo { Filename = b.Filename, Format = b.Format, VirtualSize = b.VirtualSize } : null,
    };

    public override ValueTask<IReadOnlyList<BlockstatInfo>> QueryBlockstatsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<BlockstatInfo>>(Vm.Drives.Select(d => new BlockstatInfo
            {
                Device = d.Id,
                Stats = new BlockstatStatsInfo
                {
                    RdBytes = d.RdBytes,
                    WrBytes = d.WrBytes,
                    RdOperations = d.RdOperations,
                    WrOperations = d.WrOperations,
                    FlushOperations = d.FlushOperations,
                    WrHighestOffset = d.WrHighestOffset,
                    WrTotalTimeNs = d.WrOperations * 40_000,
                    RdTotalTimeNs = d.RdOperations * 20_000,
                    FlushTotalTimeNs = d.FlushOperations * 800,
                },
                Parent = d.Image is null ? null : new BlockstatInfo
                {
                    Stats = new BlockstatStatsInfo
                    {
                        RdBytes = d.RdBytes,
                        WrBytes = d.WrBytes,
                        RdOperations = d.RdOperations,
                        WrOperations = d.WrOperations,
                        FlushOperations = d.FlushOperations,
                        WrHighestOffset = d.WrHighestOffset,
                        WrTotalTimeNs = d.WrOperations * 40_000,
                        RdTotalTimeNs = d.RdOperations * 20_000,
                        FlushTotalTimeNs = d.FlushOperations * 800,
                    },
                },
            }).ToList());
        }
    }

    public override ValueTask<IReadOnlyList<NamedBlockNodeInfo>> QueryNamedBlockNodesAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var nodes = new List<NamedBlockNodeInfo>();
            foreach (var d in Vm.Drives)
            {
                foreach (var image in d.Image?.Chain() ?? [])
                {
                    if (image.NodeName is null)
                    {
                        continue;
                    }

                    var t = d.Throttle;
                    var info = ImageInfo(image);
                    nodes.Add(new NamedBlockNodeInfo
                    {
                        Ro = d.ReadOnly,
                        Drv = image.Format,
                        Encrypted = image.Encrypted,
                        File = image.Filename,
                        NodeName = image.NodeName,
                        BackingFileDepth = image.Depth,
                        Bps = t.Bps,
                        BpsRd = t.BpsRd,
                        BpsWr = t.BpsWr,
                        Iops = t.Iops,
                        IopsRd = t.IopsRd,
                        IopsWr = t.IopsWr,
                        BpsMax = IfSet(t.BpsMax),
                        BpsRdMax = IfSet(t.BpsRdMax),
                        BpsWrMax = IfSet(t.BpsWrMax),
                        IopsMax = IfSet(t.IopsMax),
                        IopsRdMax = IfSet(t.IopsRdMax),
                        IopsWrMax = IfSet(t.IopsWrMax),
                        IopsSize = IfSet(t.IopsSize),
                        Image = new NamedBlockNodeImageInfo
                        {
                            Filename = info.Filename,
                            Format = info.Format,
                            VirtualSize = info.VirtualSize,
                            BackingFile = info.BackingFile,
                            FullBackingFilename = info.FullBackingFilename,
                            BackingFilenameFormat = info.BackingFilenameFormat,
                            Snapshots = image.Snapshots.Count == 0 ? null : image.Snapshots.Select(s => new NamedBlockNodeImageSnapshotInfo
                            {
                                Id = s.Id,
                                Name = s.Name,
                                VmStateSize = s.VmStateSize,
                                DateSec = s.DateSec,
                                DateNsec = s.DateNsec,
                                VmClockSec = s.VmClockSec,
                                VmClockNsec = s.VmClockNsec,
                            }).ToList(),
                            BackingImage = image.Backing is { } b ? new NamedBlockNodeImageBackingImageInfo { Filename = b.Filename, Format = b.Format, VirtualSize = b.VirtualSize } : null,
                        },
                    });
                }
            }

            return Done<IReadOnlyList<NamedBlockNodeInfo>>(nodes);
        }
    }

    public override ValueTask EjectAsync(EjectArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Eject(FindDrive(arguments.Device), arguments.Force ?? false);
        }

        return Done();
    }

    /// <summary>QEMU 2.1's eject_device: in use, not removable, locked (unless forced), then the medium goes and the tray opens.</summary>
    private void Eject(Drive drive, bool force)
    {
        if (Vm.Jobs.ContainsKey(drive.Id) || drive.Exported)
        {
            throw Generic($"Device '{drive.Id}' is in use");
        }

        if (!drive.Removable)
        {
            throw Generic($"Device '{drive.Id}' is not removable");
        }

        if (drive.Locked && !drive.TrayOpen)
        {
            if (!force)
            {
                throw Generic($"Device '{drive.Id}' is locked");
            }

            drive.Locked = false;
        }

        if (drive.Image is not null || !drive.TrayOpen)
        {
            drive.Image = null;
            if (!drive.TrayOpen)
            {
                drive.TrayOpen = true;
                var id = drive.Id;
                Vm.EmitNow(s => s.EmitDeviceTrayMoved(id, true));
            }
        }
    }

    public override ValueTask ChangeAsync(ChangeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        // The file is looked at before the lock: a slow or blocking file cannot hold up other clients.
        var probe = arguments.Device == "vnc" ? null : ProbeImage(arguments.Target);
        lock (Gate)
        {
            if (arguments.Device == "vnc")
            {
                if (arguments.Target == "password")
                {
                    if (arguments.Arg is null)
                    {
                        throw MissingParameter("password");
                    }

                    SetVncPassword(arguments.Arg);
                }

                // Any other target moves the VNC display; the emulated server keeps its address.
                return Done();
            }

            var drive = FindDrive(arguments.Device);
            var format = arguments.Arg ?? "";
            if (format.Length > 0 && !s_blockFormats.Contains(format))
            {
                throw Generic($"Invalid block format '{format}'");
            }

            Eject(drive, force: false);
            var file = OpenImage(arguments.Target, format.Length > 0 ? format : null, probe!);
            drive.Image = file;
            drive.ReadOnly = drive.Media == "cdrom";
            var id = drive.Id;
            drive.TrayOpen = false;
            Vm.EmitNow(s => s.EmitDeviceTrayMoved(id, false));
            if (file.Encrypted)
            {
                throw new QmpException(QmpErrorClass.DeviceEncrypted, $"'{id}' ({file.Filename}) is encrypted");
            }
        }

        return Done();
    }

    /// <summary>Refuses a backing chain longer than <see cref="EmulatorLimits.MaxBackingChainDepth"/> images (both personas' snapshots).</summary>
    internal static void CheckChainDepth(Drive drive, int backingFiles)
    {
        if (backingFiles + 1 > EmulatorLimits.MaxBackingChainDepth)
        {
            throw Generic($"Device '{drive.Id}' has a backing chain of {EmulatorLimits.MaxBackingChainDepth} images, the most it may have");
        }
    }

    /// <summary>The same limit for a node the 7.2 persona's blockdev-add puts over a backing chain.</summary>
    internal static void CheckChainDepth(string nodeName, int backingFiles)
    {
        if (backingFiles + 1 > EmulatorLimits.MaxBackingChainDepth)
        {
            throw Generic($"Node '{nodeName}' would have a backing chain of more than {EmulatorLimits.MaxBackingChainDepth} images, the most it may have");
        }
    }

    /// <summary>What a real file holds, looked at before the machine lock is taken (or why it cannot be opened).</summary>
    private sealed record ImageProbe(long Size, string Detected, string? Error);

    /// <summary>
    /// Looks at an image file through the data dir or an image dir (<see cref="Confinement.ImageDirectories"/>),
    /// outside the machine lock: only a regular file inside one, opened without blocking (a FIFO is refused,
    /// never waited on). A name outside, a link and no directory at all read as "Permission denied", so
    /// nothing tells what exists outside.
    /// </summary>
    private ImageProbe ProbeImage(string filename)
    {
        try
        {
            using var handle = Vm.Images.OpenRead(filename);
            var size = RandomAccess.GetLength(handle);
            Span<byte> magic = stackalloc byte[4];
            var detected = RandomAccess.Read(handle, magic, 0) == 4 && magic.SequenceEqual(s_qcow2Magic) ? "qcow2" : "raw";
            return new ImageProbe(size, detected, null);
        }
        catch (ConfinementException e)
        {
            return new ImageProbe(0, "raw", e.Reason);
        }
        catch (IOException e)
        {
            return new ImageProbe(0, "raw", WriteFailure(e));
        }
    }

    /// <summary>Opens an image as QEMU would: a known virtual image, an fd set, or the real file <paramref name="probe"/> looked at.</summary>
    private BlockImage OpenImage(string filename, string? format, ImageProbe probe)
    {
        if (Vm.VirtualFiles.TryGetValue(filename, out var known))
        {
            return new BlockImage { Filename = filename, Format = format ?? known.Format, VirtualSize = known.Size, ActualSize = Math.Min(known.Size, 200 * VirtualMachine.MiB), Encrypted = known.Encrypted, Password = known.Password };
        }

        if (filename.StartsWith("/dev/fdset/", StringComparison.Ordinal)
            && long.TryParse(filename.AsSpan(11), out var setId) && Vm.FdSets.TryGetValue(setId, out var set) && set.Fds.Count > 0)
        {
            return new BlockImage { Filename = filename, Format = format ?? "raw", VirtualSize = 1L << 30, ActualSize = 1L << 30 };
        }

        if (probe.Error is { } error)
        {
            throw OpenError(filename, error);
        }

        return new BlockImage { Filename = filename, Format = format ?? probe.Detected, VirtualSize = probe.Size, ActualSize = probe.Size };
    }

    /// <summary>
    /// Null when <paramref name="filename"/> names a virtual image or an entry inside the data dir;
    /// otherwise QEMU's open() error, the same one for every name outside.
    /// </summary>
    private QmpException? MissingFile(string filename)
    {
        if (Vm.VirtualFiles.ContainsKey(filename))
        {
            return null;
        }

        try
        {
            return Vm.Files?.Stat(filename) is not null ? null : OpenError(filename, Interop.Describe(Vm.Files is null ? Interop.EACCES : Interop.ENOENT));
        }
        catch (ConfinementException e)
        {
            return OpenError(filename, e.Reason);
        }
    }

    public override ValueTask BlockResizeAsync(BlockResizeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var (drive, image) = FindNode(arguments.Device, arguments.NodeName);
            if (arguments.Size < 0)
            {
                throw InvalidParameterValue("size", "a >0 size");
            }

            if (Vm.Jobs.ContainsKey(drive.Id))
            {
                throw Generic($"Device '{drive.Id}' is in use");
            }

            if (drive.ReadOnly)
            {
                throw Generic($"Device '{drive.Id}' is read only");
            }

            if (image.Format == "qcow2" && arguments.Size < image.VirtualSize)
            {
                throw Generic("this feature or command is not currently supported");
            }

            if (arguments.Size % 512 != 0 && image.Format == "qcow2")
            {
                throw Generic("An undefined error has occurred");
            }

            image.VirtualSize = arguments.Size;
        }

        return Done();
    }

    /// <summary>A device name or a node name, as QEMU 2.1's commands that take either.</summary>
    private (Drive Drive, BlockImage Image) FindNode(string? device, string? nodeName)
    {
        if (device is not null)
        {
            var drive = FindDrive(device);
            return (drive, drive.Image ?? throw Generic($"Device '{device}' has no medium"));
        }

        if (nodeName is not null && _transactionNodes is not null)
        {
            return _transactionNodes.TryGetValue(nodeName, out var node) ? node : throw DeviceNotFound(nodeName);
        }

        if (nodeName is not null)
        {
            foreach (var d in Vm.Drives)
            {
                foreach (var image in d.Image?.Chain() ?? [])
                {
                    if (image.NodeName == nodeName)
                    {
                        return (d, image);
                    }
                }
            }

            throw DeviceNotFound(nodeName);
        }

        throw Generic("Cannot find device= nor node_name=");
    }

    public override ValueTask BlockPasswdAsync(BlockPasswdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var (drive, image) = FindNode(arguments.Device, arguments.NodeName);
            if (!image.Encrypted)
            {
                throw Generic($"Device '{drive.Id}' is not encrypted");
            }

            if (image.Password is not null && image.Password != arguments.Password)
            {
                throw Generic("Password incorrect");
            }

            image.Unlocked = true;
        }

        return Done();
    }

    public override ValueTask BlockSetIoThrottleAsync(BlockSetIoThrottleArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = FindDrive(a.Device);
            var t = new Throttle(a.Bps, a.BpsRd, a.BpsWr, a.Iops, a.IopsRd, a.IopsWr, a.BpsMax ?? 0, a.BpsRdMax ?? 0, a.BpsWrMax ?? 0, a.IopsMax ?? 0, a.IopsRdMax ?? 0, a.IopsWrMax ?? 0, a.IopsSize ?? 0);
            if ((t.Bps != 0 && (t.BpsRd != 0 || t.BpsWr != 0)) || (t.Iops != 0 && (t.IopsRd != 0 || t.IopsWr != 0))
                || (t.BpsMax != 0 && (t.BpsRdMax != 0 || t.BpsWrMax != 0)) || (t.IopsMax != 0 && (t.IopsRdMax != 0 || t.IopsWrMax != 0)))
            {
                throw Generic("bps/iops/max total values and read/write values cannot be used at the same time");
            }

            if (new[] { t.Bps, t.BpsRd, t.BpsWr, t.Iops, t.IopsRd, t.IopsWr, t.BpsMax, t.BpsRdMax, t.BpsWrMax, t.IopsMax, t.IopsRdMax, t.IopsWrMax, t.IopsSize }.Any(v => v < 0))
            {
                throw Generic("bps/iops/maxs values must be 0 or greater");
            }

            if (drive.Image is null)
            {
                throw Generic($"Device '{a.Device}' has no medium");
            }

            drive.Throttle = t;
        }

        return Done();
    }

    public override ValueTask BlockdevSnapshotSyncAsync(BlockdevSnapshotSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            Vm.Atomically(() => SnapshotSync(a.Device, a.NodeName, a.SnapshotFile, a.SnapshotNodeName, a.Format, a.Mode));
        }

        return Done();
    }

    private void SnapshotSync(string? device, string? nodeName, string snapshotFile, string? snapshotNodeName, string? format, string? mode)
    {
        var (drive, image) = FindNode(device, nodeName);
        if (Vm.Jobs.ContainsKey(drive.Id))
        {
            throw Generic($"Device '{drive.Id}' is in use");
        }

        if (image != drive.Image)
        {
            throw Generic($"Node '{nodeName}' is not a top-level device");
        }

        format ??= "qcow2";
        if (!s_blockFormats.Contains(format))
        {
            throw Generic($"Invalid block format '{format}'");
        }

        CheckChainDepth(drive, image.Depth + 1);
        mode ??= "absolute-paths";
        if (mode is not ("existing" or "absolute-paths"))
        {
            throw InvalidParameter("mode");
        }

        CheckNodeName(snapshotNodeName);
        if (snapshotNodeName is not null && (_transactionNodes?.ContainsKey(snapshotNodeName) ?? Vm.Drives.Any(d => d.Image?.Chain().Any(i => i.NodeName == snapshotNodeName) == true)))
        {
            throw Generic("Duplicate node name");
        }

        if (mode == "existing" && MissingFile(snapshotFile) is { } missing)
        {
            throw missing;
        }

        Vm.CheckRoomForVirtualFile(snapshotFile);
        if (mode == "absolute-paths")
        {
            CreateImageFile(snapshotFile, format, image.VirtualSize, image);
        }

        drive.Image = new BlockImage
        {
            Filename = snapshotFile,
            Format = format,
            VirtualSize = image.VirtualSize,
            ActualSize = 196_608,
            NodeName = snapshotNodeName,
            Backing = image,
        };
        Vm.AddVirtualFile(new ImageDescription { Filename = snapshotFile, Format = format, Size = image.VirtualSize });
        if (snapshotNodeName is not null)
        {
            _transactionNodes?.TryAdd(snapshotNodeName, (drive, drive.Image));
        }
    }

    public override ValueTask BlockdevSnapshotInternalSyncAsync(BlockdevSnapshotInternalSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            Vm.Atomically(() => SnapshotInternal(a.Device, a.Name));
        }

        return Done();
    }

    private void SnapshotInternal(string device, string name)
    {
        var drive = FindDrive(device);
        var image = drive.Image ?? throw Generic($"Device '{device}' has no medium");
        if (Vm.Jobs.ContainsKey(drive.Id))
        {
            throw Generic($"Device '{drive.Id}' is in use");
        }

        if (drive.ReadOnly)
        {
            throw Generic($"Device '{device}' is read only");
        }

        if (!image.SupportsInternalSnapshots)
        {
            throw Generic($"Block format '{image.Format}' used by device '{device}' does not support internal snapshots");
        }

        if (name.Length == 0)
        {
            throw Generic("Name is empty");
        }

        if (image.Snapshots.ContainsName(name))
        {
            throw Generic($"Snapshot with name '{name}' already exists on device '{device}'");
        }

        var now = Vm.Time.GetUtcNow();
        var id = image.Snapshots.MaxId + 1;
        var clockNs = Vm.Milliseconds(0) * 1_000_000;

        // QEMU keeps 255 bytes of the name (its name[256]), after checking the whole name is new.
        var snapshot = new InternalSnapshot(Str(id), TruncateUtf8(name, MaxSnapshotNameBytes), 0, now.ToUnixTimeSeconds(), (now.Ticks % TimeSpan.TicksPerSecond) * 100, clockNs / 1_000_000_000, clockNs % 1_000_000_000);
        Vm.Retain(VirtualMachine.RetainedCost(snapshot));
        image.Snapshots = image.Snapshots.Add(snapshot);
    }

    /// <summary>QEMU's QEMUSnapshotInfo.name holds 255 bytes and a NUL.</summary>
    internal const int MaxSnapshotNameBytes = 255;

    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="bytes"/> UTF-8 bytes, never splitting a character (QEMU splits bytes).</summary>
    internal static string TruncateUtf8(string text, int bytes)
    {
        if (text.Length * 3 <= bytes || System.Text.Encoding.UTF8.GetByteCount(text) <= bytes)
        {
            return text;
        }

        var used = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > bytes)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return text[..end];
    }

    public override ValueTask<BlockdevSnapshotDeleteInternalSyncResult> BlockdevSnapshotDeleteInternalSyncAsync(BlockdevSnapshotDeleteInternalSyncArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var a = arguments;
        lock (Gate)
        {
            var drive = FindDrive(a.Device);
            var image = drive.Image ?? throw Generic($"Device '{a.Device}' has no medium");
            if (a.Id is null && a.Name is null)
            {
                throw MissingParameter("id or name");
            }

            if (Vm.Jobs.ContainsKey(drive.Id))
            {
                throw Generic($"Device '{drive.Id}' is in use");
            }

            if (!image.SupportsInternalSnapshots)
            {
                throw Generic($"Block format '{image.Format}' used by device '{a.Device}' does not support internal snapshots");
            }

            var snapshot = image.Snapshots.FirstOrDefault(s => (a.Id is null || s.Id == a.Id) && (a.Name is null || s.Name == a.Name))
                ?? throw Generic($"Snapshot with id '{a.Id ?? "(null)"}' and name '{a.Name ?? "(null)"}' does not exist on device '{a.Device}'");
            image.Snapshots = image.Snapshots.Remove(snapshot);
            Vm.Release(VirtualMachine.RetainedCost(snapshot));
            return Done(new BlockdevSnapshotDeleteInternalSyncResult
            {
                Id = snapshot.Id,
                Name = snapshot.Name,
                VmStateSize = snapshot.VmStateSize,
                DateSec = snapshot.DateSec,
                DateNsec = snapshot.DateNsec,
                VmClockSec = snapshot.VmClockSec,
                VmClockNsec = snapshot.VmClockNsec,
            });
        }
    }

    /// <summary>
    /// During a transaction, every node name of every chain, built once, so each action finds a node or
    /// checks a new name's uniqueness in O(1) instead of walking all chains (null outside one).
    /// </summary>
    private Dictionary<string, (Drive Drive, BlockImage Image)>? _transactionNodes;

    public override ValueTask TransactionAsync(TransactionArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        // QEMU sets no number; one request must not hold the machine lock for long (the limits table in docs/security.md).
        EmulatorLimits.CheckTransactionActions(arguments.Actions.Count);

        lock (Gate)
        {
            Vm.Atomically(() =>
            {
                _transactionNodes = new Dictionary<string, (Drive, BlockImage)>(StringComparer.Ordinal);
                foreach (var d in Vm.Drives)
                {
                    foreach (var image in d.Image?.Chain() ?? [])
                    {
                        if (image.NodeName is not null)
                        {
                            _transactionNodes.TryAdd(image.NodeName, (d, image));
                        }
                    }
                }

                try
                {
                    RunActions(arguments.Actions);
                }
                finally
                {
                    _transactionNodes = null;
                }
            });
        }

        return Done();
    }

    private void RunActions(IReadOnlyList<TransactionActionInfo> actions)
    {
        foreach (var typed in actions)
        {
            var d = typed.Data ?? new TransactionActionDataInfo();
            var data = d.AdditionalProperties;
            switch (typed.Type)
            {
                case "blockdev-snapshot-sync":
                    SnapshotSync(d.Device, d.NodeName, d.SnapshotFile ?? throw MissingParameter("snapshot-file"), d.SnapshotNodeName, d.Format, d.Mode);
                    break;
                case "blockdev-snapshot-internal-sync":
                    SnapshotInternal(d.Device ?? throw MissingParameter("device"), d.Name ?? throw MissingParameter("name"));
                    break;
                case "drive-backup":
                    StartBackup(
                        d.Device ?? throw MissingParameter("device"),
                        ExtraString(data, "target") ?? throw MissingParameter("target"),
                        ExtraString(data, "sync") ?? throw MissingParameter("sync"),
                        ExtraMember(data, "speed") is { } speed ? IntMember(speed, "speed") : 0,
                        d.Mode,
                        d.Format);
                    break;
                case "abort":
                    throw Generic("Transaction aborted using Abort action");
                default:
                    throw InvalidParameter("type");
            }
        }
    }

    public override ValueTask BlockdevAddAsync(BlockdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var options = arguments.Options;
        var filename = options.File?.Filename ?? ExtraString(options.AdditionalProperties, "filename");
        var backing = options.Backing?.File?.Filename;
        var probe = filename is null ? null : ProbeImage(filename);
        var backingProbe = backing is null ? null : ProbeImage(backing);
        if (options.Id is { } given)
        {
            CheckId(given);
        }

        lock (Gate)
        {
            var id = options.Id;
            var nodeName = ExtraString(options.AdditionalProperties, "node-name");
            var driver = options.Driver ?? throw MissingParameter("driver");
            if (id is null)
            {
                throw Generic("Block device needs an ID");
            }

            if (Vm.FindDrive(id) is not null)
            {
                throw Generic($"Duplicate ID '{id}' for drive");
            }

            if (!s_blockFormats.Contains(driver))
            {
                throw Generic($"Invalid driver: '{driver}'");
            }

            if (filename is null)
            {
                throw Generic("The 'file' block driver requires a file name");
            }

            CheckNodeName(nodeName);
            var image = OpenImage(filename, driver is "file" or "host_device" ? "raw" : driver, probe!);
            image.NodeName = nodeName;
            if (backing is not null)
            {
                image.Backing = OpenImage(backing, options.Backing!.Driver, backingProbe!);
            }

            var retained = Vm.Retain(VirtualMachine.RetainedCost(id, filename, backing, nodeName));
            var drive = new Drive { Id = id, Retained = retained, Media = "disk", Image = image, ReadOnly = ExtraMember(options.AdditionalProperties, "read-only") is { ValueKind: JsonValueKind.True } };
            if (ExtraString(options.AdditionalProperties, "detect-zeroes") is { } dz)
            {
                drive.DetectZeroes = dz;
            }

            Vm.AddDrive(drive);
        }

        return Done();
    }
}
