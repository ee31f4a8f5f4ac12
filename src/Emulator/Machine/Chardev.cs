using System.Text;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private int _nextPty = 1;

    public override ValueTask<IReadOnlyList<ChardevInfo>> QueryChardevAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<ChardevInfo>>(Vm.Chardevs.Values.Select(c => new ChardevInfo { Label = c.Id, Filename = c.Filename }).ToList());
        }
    }

    public override ValueTask<IReadOnlyList<ChardevBackendInfo>> QueryChardevBackendsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<ChardevBackendInfo>>(Catalog.s_chardevBackends.Select(n => new ChardevBackendInfo { Name = n }).ToList());

    public override ValueTask<ChardevAddResult> ChardevAddAsync(ChardevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Done(AddChardev(arguments, id => Generic($"Chardev '{id}' already exists"), failed => failed));

    /// <summary>
    /// Both personas' chardev-add: the id, a duplicate (<paramref name="duplicate"/>: each QEMU's words), then the
    /// backend opened (a failure passed through <paramref name="openFailed"/>: QEMU 7.2 prefixes the chardev's id),
    /// then the chardev recorded and charged to the client-state budget.
    /// </summary>
    internal ChardevAddResult AddChardev(ChardevAddArguments arguments, Func<string, QmpException> duplicate, Func<QmpException, QmpException> openFailed)
    {
        var data = arguments.Backend.Data;
        CheckId(arguments.Id);
        lock (Gate)
        {
            var type = arguments.Backend.Type ?? throw MissingParameter("type");
            if (Vm.Chardevs.ContainsKey(arguments.Id))
            {
                throw duplicate(arguments.Id);
            }

            if (!Catalog.s_chardevBackends.Contains(type))
            {
                throw InvalidParameter("type");
            }

            string filename;
            string? pty;
            RingBuffer? ring;
            try
            {
                (filename, pty, ring) = OpenChardevBackend(type, data?.Out, data?.AdditionalProperties);
            }
            catch (QmpException e)
            {
                throw openFailed(e);
            }

            // A ring buffer counts at its full size: it grows to it with what is written.
            var retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Id, filename) + (ring?.Size ?? 0));
            Vm.Chardevs[arguments.Id] = new Chardev { Id = arguments.Id, Backend = type, Filename = filename, Ring = ring, Retained = retained };
            return new ChardevAddResult { Pty = pty };
        }
    }

    /// <summary>A backend as QEMU opens it: what query-chardev calls it, a pty's path, a ring buffer's memory.</summary>
    private (string Filename, string? Pty, RingBuffer? Ring) OpenChardevBackend(string type, string? fileOut, System.Text.Json.Nodes.JsonObject? extra)
    {
        var filename = type;
        string? pty = null;
        RingBuffer? ring = null;
        switch (type)
        {
            case "file":
                var output = fileOut ?? throw MissingParameter("out");
                OpenChardevFile(output, ExtraMember(extra, "append") is { ValueKind: System.Text.Json.JsonValueKind.True }, ExtraString(extra, "in"));
                // QEMU names a backend by its type unless the backend sets a name (sockets, ptys): "file".
                break;
            case "pty":
                pty = $"/dev/pts/{_nextPty++}";
                filename = "pty:" + pty;
                break;
            case "ringbuf":
            case "memory":
                var size = ExtraMember(extra, "size") is { } s ? IntMember(s, "size") : 65536;
                if (size <= 0 || (size & (size - 1)) != 0)
                {
                    throw Generic("ringbuf size must be power of two");
                }

                // Counted at its full size: a power of two past the budget is refused by it, before any buffer exists.
                Vm.CheckRoom(size);

                ring = new RingBuffer((int)size);
                break;
            case "socket":
                var addr = ExtraMember(extra, "addr") ?? throw MissingParameter("addr");
                var path = RawString(addr, "data", "path");
                var host = RawString(addr, "data", "host");
                var port = RawString(addr, "data", "port");
                var server = ExtraMember(extra, "server") is { ValueKind: System.Text.Json.JsonValueKind.True };
                filename = path is not null ? $"disconnected:unix:{path}{(server ? ",server" : "")}" : $"disconnected:tcp:{host}:{port}{(server ? ",server" : "")}";
                break;
            case "serial":
            case "parallel":
            case "tty":
            case "parport":
                var device = ExtraString(extra, "device") ?? throw MissingParameter("device");
                if (MissingFile(device) is { } missing)
                {
                    throw missing;
                }

                filename = device;
                break;
        }

        return (filename, pty, ring);
    }

    /// <summary>
    /// QEMU's qmp_chardev_open_file inside the data dir: <paramref name="output"/> is made an empty file (QEMU's
    /// O_CREAT|O_TRUNC: a fresh file renamed over the name, never written through) or, with <paramref name="append"/>,
    /// a regular file already there is kept as it is; then <paramref name="input"/> must be a regular file to read. The
    /// emulator's guest writes nothing to a chardev, so nothing more is ever written and no descriptor is kept. A link,
    /// FIFO, device or name outside the data dir (or no data dir) fails in QEMU's words, as every file here does.
    /// </summary>
    private void OpenChardevFile(string output, bool append, string? input)
    {
        if (Vm.Files is not { } files)
        {
            throw OpenError(output, "Permission denied");
        }

        try
        {
            files.CreateOrKeep(output, truncate: !append);
        }
        catch (ConfinementException e)
        {
            throw OpenError(output, e.Reason);
        }

        if (input is not null)
        {
            try
            {
                files.OpenRead(input).Dispose();
            }
            catch (ConfinementException e)
            {
                throw OpenError(input, e.Reason);
            }
        }
    }

    public override ValueTask ChardevRemoveAsync(ChardevRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.Chardevs.TryGetValue(arguments.Id, out var chr))
            {
                throw Generic($"Chardev '{arguments.Id}' not found");
            }

            if (chr.Busy)
            {
                throw Generic($"Chardev '{arguments.Id}' is busy");
            }

            Vm.Chardevs.Remove(arguments.Id);
            Vm.Release(chr.Retained);
        }

        return Done();
    }

    private RingBuffer FindRing(string device)
    {
        if (!Vm.Chardevs.TryGetValue(device, out var chr))
        {
            throw Generic($"Device '{device}' not found");
        }

        return chr.Ring ?? throw Generic($"{device} is not a ringbuffer device");
    }

    public override ValueTask RingbufWriteAsync(RingbufWriteArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var ring = FindRing(arguments.Device);
            var bytes = Decode(arguments.Data, arguments.Format);
            ring.Write(bytes);
        }

        return Done();
    }

    private static byte[] Decode(string data, string? format)
    {
        switch (format ?? "utf8")
        {
            case "utf8":
                return Encoding.UTF8.GetBytes(data);
            case "base64":
                try
                {
                    return Convert.FromBase64String(data);
                }
                catch (FormatException)
                {
                    throw Generic("Invalid parameter 'data'");
                }

            default:
                throw InvalidParameter(format!);
        }
    }

    public override ValueTask<string> RingbufReadAsync(RingbufReadArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var ring = FindRing(arguments.Device);
            if (arguments.Size < 0)
            {
                throw Generic("size must be greater than zero");
            }

            var format = arguments.Format ?? "utf8";
            if (format is not ("utf8" or "base64"))
            {
                throw InvalidParameter(format);
            }

            var bytes = ring.Read(arguments.Size);
            return Done(format == "base64" ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes));
        }
    }
}
