using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Qmp.Emulator.Model;

internal sealed class Nic
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public required string Mac { get; set; }
    public string? Netdev { get; set; }
    public bool LinkUp { get; set; } = true;
    public bool Promiscuous { get; set; } = true;
}

internal sealed class Netdev
{
    /// <summary>The client state it charged (<see cref="VirtualMachine.Retain"/>); 0 when the machine description made it.</summary>
    public long Retained { get; init; }

    public required string Id { get; init; }
    public required string Type { get; init; }
    public bool LinkUp { get; set; } = true;

    /// <summary>The descriptors it took from its client (the 7.2 persona's <c>fd=</c>, <c>fds=</c>, <c>vhostfd=</c>), closed with it.</summary>
    public IReadOnlyList<SafeFileHandle> Fds { get; init; } = [];
}

/// <summary>A character device; ring buffers keep their bytes.</summary>
internal sealed class Chardev
{
    /// <summary>The client state it charged (<see cref="VirtualMachine.Retain"/>); 0 when the machine description made it.</summary>
    public long Retained { get; init; }

    public required string Id { get; init; }
    public required string Backend { get; init; }
    public string Filename { get; set; } = "";
    public RingBuffer? Ring { get; init; }
    public bool Busy { get; set; }
}

/// <summary>
/// QEMU's ringbuf chardev: a power-of-two buffer that overwrites its oldest bytes. The memory grows with
/// what is written (up to the size), so a client cannot make the emulator allocate a gigabyte per chardev-add.
/// </summary>
internal sealed class RingBuffer(int size)
{
    private byte[] _buffer = new byte[Math.Min(size, 4096)];
    private long _prod;
    private long _cons;

    public int Size => size;

    public int Count => (int)(_prod - _cons);

    public void Write(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            // Until it has its full size the buffer has never wrapped: positions are indices, and growing keeps them.
            if (_prod >= _buffer.Length && _buffer.Length < size)
            {
                Array.Resize(ref _buffer, (int)Math.Min(size, (long)_buffer.Length * 2));
            }

            _buffer[(int)(_prod++ & (_buffer.Length - 1))] = b;
            if (_prod - _cons > size)
            {
                _cons = _prod - size;
            }
        }
    }

    public byte[] Read(long max)
    {
        var n = (int)Math.Min(max, _prod - _cons);
        var result = new byte[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = _buffer[(int)(_cons++ & (_buffer.Length - 1))];
        }

        return result;
    }
}

/// <summary>A device added with <c>-device</c>/<c>device_add</c> (or built in).</summary>
internal sealed class Device
{
    /// <summary>The client state it charged (<see cref="VirtualMachine.Retain"/>); 0 when the machine description made it.</summary>
    public long Retained { get; init; }

    public required string Driver { get; init; }
    public string? Id { get; init; }
    public string? Bus { get; init; }
    public Dictionary<string, JsonElement> Properties { get; init; } = [];
    public int PciSlot { get; set; } = -1;
    public int PciFunction { get; set; }
    public bool Hotplugged { get; init; }
    public bool BuiltIn { get; init; }

    /// <summary>Made by <c>-device</c> or <c>device_add</c>: one of QEMU's peripherals, not a part the machine built.</summary>
    public bool Peripheral => !BuiltIn;

    /// <summary>N of <c>device[N]</c>, QEMU's name for a device without id: numbered in creation order per container.</summary>
    public int Index { get; init; }

    /// <summary>
    /// Where QOM shows it: <c>/machine/peripheral/ID</c>; without an id, <c>/machine/unattached/device[N]</c> for
    /// what the machine built and <c>/machine/peripheral-anon/device[N]</c> for what -device or device_add made.
    /// </summary>
    public string Path => Id is not null ? $"/machine/peripheral/{Id}"
        : Peripheral ? $"/machine/peripheral-anon/device[{Index}]" : $"/machine/unattached/device[{Index}]";
}

/// <summary>A user-creatable object (<c>object-add</c>).</summary>
internal sealed class QomObject
{
    /// <summary>The client state it charged (<see cref="VirtualMachine.Retain"/>); 0 when the machine description made it.</summary>
    public long Retained { get; init; }

    public required string Id { get; init; }
    public required string Type { get; init; }
    public Dictionary<string, JsonElement> Properties { get; init; } = [];
}

internal sealed class FdSet
{
    public required long Id { get; init; }
    public List<(long Fd, string? Opaque, SafeFileHandle Handle)> Fds { get; } = [];
}

internal sealed class MigrationState
{
    public string? Status { get; set; }
    public long StartTimestamp { get; set; }
    public long SetupTimeMs { get; set; }
    public long TotalTimeMs { get; set; }
    public long DowntimeMs { get; set; }
    public double Transferred { get; set; }
    public long Total { get; set; }
    public long Duplicate { get; set; }
    public long DirtySyncCount { get; set; }
    public bool Blk { get; set; }
    public double DiskTransferred { get; set; }
    public long DiskTotal { get; set; }
    public string Uri { get; set; } = "";
    public bool XbzrleUsed { get; set; }

    /// <summary>Why the last migration failed (query-migrate's <c>error-desc</c> on the 7.2 persona), or null.</summary>
    public string? Error { get; set; }
}

internal sealed class DisplayState
{
    public bool VncEnabled { get; set; } = true;
    public string? VncPassword { get; set; }
    public DateTimeOffset? VncExpiry { get; set; }
    public string VncAuth { get; set; } = "none";
    public List<(string Host, string Service)> VncClients { get; } = [];
    public bool SpiceEnabled { get; set; } = true;
    public string? SpicePassword { get; set; }
    public DateTimeOffset? SpiceExpiry { get; set; }
    public List<(string Host, string Port, long ConnectionId, long ChannelType, bool Tls)> SpiceChannels { get; } = [];
    public (string Hostname, long? Port, long? TlsPort, string? Subject)? SpiceMigrationTarget { get; set; }
    /// <summary>The last <see cref="MaxKeysKept"/> key combinations <c>send-key</c> pressed.</summary>
    public List<string> KeysSent { get; } = [];

    public const int MaxKeysKept = 16;

    /// <summary>How many <c>add_client</c> connections <c>query-vnc</c> and <c>query-spice</c> list (the latest); the descriptor itself is let go at once.</summary>
    public const int MaxClientsKept = 16;
}
