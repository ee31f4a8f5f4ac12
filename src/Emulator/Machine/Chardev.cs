using System.Text;
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
        Done<IReadOnlyList<ChardevBackendInfo>>(Catalog.ChardevBackends.Select(n => new ChardevBackendInfo { Name = n }).ToList());

    public override ValueTask<ChardevAddResult> ChardevAddAsync(ChardevAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var data = arguments.Backend.Data;
        CheckId(arguments.Id);
        lock (Gate)
        {
            var type = arguments.Backend.Type ?? throw MissingParameter("type");
            if (Vm.Chardevs.ContainsKey(arguments.Id))
            {
                throw Generic($"Chardev '{arguments.Id}' already exists");
            }

            if (!Catalog.ChardevBackends.Contains(type))
            {
                throw InvalidParameter("type");
            }

            var filename = type;
            string? pty = null;
            RingBuffer? ring = null;
            switch (type)
            {
                case "file":
                    filename = "file:" + (data?.Out ?? throw MissingParameter("out"));
                    break;
                case "pty":
                    pty = $"/dev/pts/{_nextPty++}";
                    filename = "pty:" + pty;
                    break;
                case "ringbuf":
                case "memory":
                    var size = ExtraMember(data?.AdditionalProperties, "size") is { } s ? IntMember(s, "size") : 65536;
                    if (size <= 0 || (size & (size - 1)) != 0 || size > int.MaxValue)
                    {
                        throw Generic("ringbuf size must be power of two");
                    }

                    ring = new RingBuffer((int)size);
                    filename = "memory";
                    break;
                case "socket":
                    var addr = ExtraMember(data?.AdditionalProperties, "addr") ?? throw MissingParameter("addr");
                    var path = RawString(addr, "data", "path");
                    var host = RawString(addr, "data", "host");
                    var port = RawString(addr, "data", "port");
                    var server = ExtraMember(data?.AdditionalProperties, "server") is { ValueKind: System.Text.Json.JsonValueKind.True };
                    filename = path is not null ? $"disconnected:unix:{path}{(server ? ",server" : "")}" : $"disconnected:tcp:{host}:{port}{(server ? ",server" : "")}";
                    break;
                case "serial":
                case "parallel":
                case "tty":
                case "parport":
                    var device = ExtraString(data?.AdditionalProperties, "device") ?? throw MissingParameter("device");
                    if (MissingFile(device) is { } missing)
                    {
                        throw missing;
                    }

                    filename = device;
                    break;
            }

            // A ring buffer counts at its full size: it grows to it with what is written.
            var retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Id, filename) + (ring?.Size ?? 0));
            Vm.Chardevs[arguments.Id] = new Chardev { Id = arguments.Id, Backend = type, Filename = filename, Ring = ring, Retained = retained };
            return Done(new ChardevAddResult { Pty = pty });
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
