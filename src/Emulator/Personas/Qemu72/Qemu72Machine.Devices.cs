using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;
using static Qmp.Emulator.QemuMachine;
using Qemu21 = Qmp.Emulator.Qemu;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// Devices, objects, character devices, network backends, file descriptors and the display: the shared machine's
/// state (the 2.1 services where the behaviour is the same), with 7.2's words where they differ. The persona parses
/// no -vnc or -spice option: it has no VNC or SPICE server, and answers as QEMU 7.2 started without one.
/// </summary>
internal sealed partial class Qemu72Machine
{
    /// <summary>
    /// 7.2's own check of the driver (its recorded QOM types), then the shared machine's hotplug; a device without an
    /// id is QEMU's anonymous peripheral (/machine/peripheral-anon/device[N]).
    /// </summary>
    public override ValueTask DeviceAddAsync(DeviceAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var types = Types();
        if (!types.TryGetValue(arguments.Driver, out var type) || type.Abstract == true || !Descends(types, type.Name, "device"))
        {
            throw QmpException.Generic($"'{arguments.Driver}' is not a valid device model name");
        }

        _services.AddDevice(arguments.Driver, arguments.Bus, arguments.Id, arguments.AdditionalProperties.ToDictionary(p => p.Key, p => QmpJson.ToElement(p.Value), StringComparer.Ordinal));
        return Done();
    }

    /// <summary>A device's name as QEMU 7.2 takes it (find_device_state, qmp_get_blk): a QOM path, absolute or from /machine/peripheral.</summary>
    private static string DevicePath(string id) => id.StartsWith('/') ? id : id.Length == 0 ? "/machine/peripheral" : "/machine/peripheral/" + id;

    /// <summary>
    /// QEMU 7.2's find_device_state: the id is a QOM path, absolute or from /machine/peripheral (so a plain id, and
    /// <c>/machine/peripheral-anon/device[N]</c> for a device without one). A container or an object is not a
    /// device; a path below a device (its bus, its backend) is not modelled and not found.
    /// </summary>
    public override ValueTask DeviceDelAsync(DeviceDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var id = arguments.Id;
        var path = DevicePath(id);
        lock (Gate)
        {
            if (Vm.Devices.FirstOrDefault(d => d.Path == path) is { } device)
            {
                // Its drive goes with it, through the graph: the command line's nodes under it stay the monitor's.
                ChangeGraph(() => _services.DeleteDevice(device));
                return Done();
            }

            if (path is "/" or "/machine" or "/machine/peripheral" or "/machine/peripheral-anon" or "/machine/unattached" or "/objects"
                || (path.StartsWith("/objects/", StringComparison.Ordinal) && Vm.Objects.ContainsKey(path["/objects/".Length..])))
            {
                throw QmpException.Generic($"{id} is not a hotpluggable device");
            }

            throw DeviceNotFound(id);
        }
    }

    /// <summary>
    /// A user-creatable object under /objects, its properties kept as given. Its id is QEMU 7.2's identifier
    /// (user_creatable_add_type) and at most <see cref="EmulatorLimits.MaxIdBytes"/> bytes, as every id a client names.
    /// </summary>
    public override ValueTask ObjectAddAsync(ObjectAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var members = AsJson(arguments, ObjectAddArguments.Write);
        QemuMachine.CheckId(arguments.Id, wellFormed: true);
        lock (Gate)
        {
            if (Vm.Objects.ContainsKey(arguments.Id))
            {
                throw QmpException.Generic($"attempt to add duplicate property '{arguments.Id}' to object (type 'container')");
            }

            var props = members.EnumerateObject().Where(m => m.Name is not ("qom-type" or "id")).ToDictionary(m => m.Name, m => m.Value.Clone(), StringComparer.Ordinal);
            var qomType = arguments.QomType.Value;
            var retained = Vm.Retain(VirtualMachine.RetainedCost(arguments.Id, qomType) + VirtualMachine.RetainedCost(props));
            Vm.Objects[arguments.Id] = new QomObject { Id = arguments.Id, Type = qomType, Properties = props, Retained = retained };
        }

        return Done();
    }

    public override ValueTask ObjectDelAsync(ObjectDelArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.Objects.TryGetValue(arguments.Id, out var removed))
            {
                throw QmpException.Generic($"object '{arguments.Id}' not found");
            }

            if (Vm.Devices.Any(d => d.Properties.Values.Any(v => v.ValueKind == JsonValueKind.String && v.GetString() == arguments.Id)))
            {
                throw QmpException.Generic($"object '{arguments.Id}' is in use, can not be deleted");
            }

            Vm.Objects.Remove(arguments.Id);
            Vm.Release(removed.Retained);
            Vm.RemoveQomValues("/objects/" + arguments.Id);
        }

        return Done();
    }

    public override ValueTask QomSetAsync(QomSetArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.QomSetAsync(new Qemu21.QomSetArguments { Path = arguments.Path, Property = arguments.Property, Value = arguments.Value }, session, cancellationToken);

    /// <summary>The pc machine's PCI bus as QEMU 7.2 lists it, from the shared machine (its answer's shape is 2.1's and 7.2's alike).</summary>
    public override async ValueTask<IReadOnlyList<QueryPciResult>> QueryPciAsync(QmpSession session, CancellationToken cancellationToken)
    {
        var buses = await _services.QueryPciAsync(session, cancellationToken).ConfigureAwait(false);
        return [.. buses.Select(b => Parse(WithIrqPins(JsonNode.Parse(AsJson(b, Qemu21.PciInfo.Write).GetRawText())!).ToJsonString(), QueryPciResult.Read))];

        // 7.2 names each function's interrupt pin (irq_pin, 1 for INTA; 0 without an interrupt), 2.1 did not.
        static JsonNode WithIrqPins(JsonNode bus)
        {
            foreach (var device in bus["devices"]?.AsArray() ?? [])
            {
                if (device is JsonObject function)
                {
                    function["irq_pin"] ??= function.ContainsKey("irq") ? 1 : 0;
                    if (function["pci_bridge"]?["devices"] is not null)
                    {
                        WithIrqPins(function["pci_bridge"]!);
                    }
                }
            }

            return bus;
        }
    }

    /// <summary>The pc machine's PS/2 mouse (i8042 is built in, -nodefaults or not).</summary>
    public override ValueTask<IReadOnlyList<QueryMiceResult>> QueryMiceAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryMiceResult>>([new QueryMiceResult { Name = "QEMU PS/2 Mouse", Index = 2, Current = true, Absolute = false }]);

    /// <summary>Keys go to the PS/2 keyboard; the shared machine checks them as QEMU does.</summary>
    public override ValueTask SendKeyAsync(SendKeyArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.SendKeyAsync(Read(AsJson(arguments, SendKeyArguments.Write), Qemu21.SendKeyArguments.Read), session, cancellationToken);

    public override ValueTask InputSendEventAsync(InputSendEventArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    public override ValueTask<IReadOnlyList<QueryTpmResult>> QueryTpmAsync(QmpSession session, CancellationToken cancellationToken) => Done<IReadOnlyList<QueryTpmResult>>([]);

    public override ValueTask<IReadOnlyList<QueryPrManagersResult>> QueryPrManagersAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<QueryPrManagersResult>>([.. Vm.Objects.Values.Where(o => o.Type == "pr-manager-helper").Select(o => new QueryPrManagersResult { Id = o.Id, Connected = false })]);
        }
    }

    // The display: no VNC or SPICE server, no graphics console with -nodefaults.
    public override ValueTask SetPasswordAsync(SetPasswordArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Could not set password");

    public override ValueTask ExpirePasswordAsync(ExpirePasswordArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Could not set password expire time");

    public override ValueTask ChangeVncPasswordAsync(ChangeVncPasswordArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Could not set password");

    public override ValueTask<QueryVncResult> QueryVncAsync(QmpSession session, CancellationToken cancellationToken) => Done(new QueryVncResult { Enabled = false });

    public override ValueTask<IReadOnlyList<QueryVncServersResult>> QueryVncServersAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryVncServersResult>>([]);

    public override ValueTask<QuerySpiceResult> QuerySpiceAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QuerySpiceResult { Enabled = false, Migrated = false, MouseMode = new QuerySpiceResultMouseMode("client") });

    public override ValueTask<QueryDisplayOptionsResult> QueryDisplayOptionsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(Parse("""{"type": "none"}""", QueryDisplayOptionsResult.Read));

    /// <summary>QEMU 7.2 reloads a VNC server's TLS credentials only when asked to (<c>tls-certs</c>); without it there is nothing to do.</summary>
    public override ValueTask DisplayReloadAsync(DisplayReloadArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (arguments is DisplayReloadArguments.Vnc { Data.TlsCerts: true })
        {
            throw QmpException.Generic("Can not find vnc display");
        }

        return Done();
    }

    public override ValueTask DisplayUpdateAsync(DisplayUpdateArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic("Can not find vnc display");

    public override ValueTask ScreendumpAsync(ScreendumpArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // The shared machine's built-in VGA is the pc machine's default device: -nodefaults leaves it out.
            if (!Vm.Devices.Any(d => IsDisplay(d.Driver) && !(d.BuiltIn && Vm.Launch?.NoDefaults == true)))
            {
                throw QmpException.Generic("There is no console to take a screendump from");
            }
        }

        return _services.ScreendumpAsync(new Qemu21.ScreendumpArguments { Filename = arguments.Filename }, session, cancellationToken);

        static bool IsDisplay(string driver) => driver is "VGA" or "cirrus-vga" or "qxl-vga" or "virtio-vga" or "virtio-gpu-pci" or "bochs-display" or "vmware-svga" or "ramfb";
    }

    public override ValueTask ClientMigrateInfoAsync(ClientMigrateInfoArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw QmpException.Generic(arguments.Protocol == "spice" ? "No spice device has been activated" : "Parameter 'protocol' expects 'spice'");

    /// <summary>QEMU 7.2 takes the descriptor first, then looks at the protocol (a display, or a chardev by name).</summary>
    public override ValueTask AddClientAsync(AddClientArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (!_services.HasNamedFd(session, arguments.Fdname))
        {
            throw QmpException.Generic($"File descriptor named '{arguments.Fdname}' has not been found");
        }

        if (arguments.Protocol is "vnc" or "spice")
        {
            return _services.AddClientAsync(new Qemu21.AddClientArguments { Protocol = arguments.Protocol, Fdname = arguments.Fdname, Skipauth = arguments.Skipauth, Tls = arguments.Tls }, session, cancellationToken);
        }

        using var fd = _services.TryTakeNamedFd(session, arguments.Fdname);
        lock (Gate)
        {
            if (Vm.Chardevs.ContainsKey(arguments.Protocol))
            {
                throw NotModelled("a client on a character device");
            }
        }

        throw QmpException.Generic($"protocol '{arguments.Protocol}' is invalid");
    }

    // File descriptors passed over the monitor socket: the shared machine's.
    public override ValueTask GetfdAsync(GetfdArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.GetfdAsync(new Qemu21.GetfdArguments { Fdname = arguments.Fdname }, session, cancellationToken);

    public override ValueTask ClosefdAsync(ClosefdArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.ClosefdAsync(new Qemu21.ClosefdArguments { Fdname = arguments.Fdname }, session, cancellationToken);

    public override async ValueTask<AddFdResult> AddFdAsync(AddFdArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var added = await _services.AddFdAsync(new Qemu21.AddFdArguments { FdsetId = arguments.FdsetId, Opaque = arguments.Opaque }, session, cancellationToken).ConfigureAwait(false);
        return new AddFdResult { FdsetId = added.FdsetId, Fd = added.Fd };
    }

    public override ValueTask RemoveFdAsync(RemoveFdArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.RemoveFdAsync(new Qemu21.RemoveFdArguments { FdsetId = arguments.FdsetId, Fd = arguments.Fd }, session, cancellationToken);

    public override async ValueTask<IReadOnlyList<QueryFdsetsResult>> QueryFdsetsAsync(QmpSession session, CancellationToken cancellationToken)
    {
        var sets = await _services.QueryFdsetsAsync(session, cancellationToken).ConfigureAwait(false);
        return [.. sets.Select(s => Read(AsJson(s, Qemu21.FdsetInfo.Write), QueryFdsetsResult.Read))];
    }

    // Character devices.
    public override ValueTask<IReadOnlyList<QueryChardevBackendsResult>> QueryChardevBackendsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryChardevBackendsResult>>([.. s_chardevBackends.Select(n => new QueryChardevBackendsResult { Name = n })]);

    /// <summary>QEMU 7.2's chardev types on x86_64 (Debian's build), in its order.</summary>
    private static readonly string[] s_chardevBackends =
        ["testdev", "pty", "wctablet", "serial", "file", "memory", "udp", "parallel", "vc", "socket", "msmouse", "null", "qemu-vdagent", "pipe", "mux", "ringbuf", "stdio"];

    /// <summary>The shared machine's chardev-add (the backends both QEMUs share carry the same members), in QEMU 7.2's words.</summary>
    public override ValueTask<ChardevAddResult> ChardevAddAsync(ChardevAddArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        Done(AddChardev(arguments.Id, AsJson(arguments, ChardevAddArguments.Write)));

    /// <summary>
    /// QEMU 7.2's qmp_chardev_change: a chardev no device or monitor uses is removed, then added anew as chardev-add
    /// adds one (so a new backend that fails leaves none, as in QEMU); one in use cannot change here.
    /// </summary>
    public override ValueTask<ChardevAddResult> ChardevChangeAsync(ChardevChangeArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (!Vm.Chardevs.TryGetValue(arguments.Id, out var old))
            {
                throw QmpException.Generic($"Chardev '{arguments.Id}' does not exist");
            }

            if (old.Busy)
            {
                throw QmpException.Generic("Chardev user does not support chardev hotswap");
            }

            Vm.Chardevs.Remove(arguments.Id);
            Vm.Release(old.Retained);
            return Done(AddChardev(arguments.Id, AsJson(arguments, ChardevChangeArguments.Write)));
        }
    }

    /// <summary>QEMU 7.2's qmp_chardev_add: its words for a duplicate, and the chardev's id before a backend's failure.</summary>
    private ChardevAddResult AddChardev(string id, JsonElement request)
    {
        var added = _services.AddChardev(
            Read(request, Qemu21.ChardevAddArguments.Read),
            duplicate => QmpException.Generic($"Chardev with id '{duplicate}' already exists"),
            failed => QmpException.Generic($"Failed to add chardev '{id}': {(failed.Description == "ringbuf size must be power of two" ? "size of ringbuf chardev must be power of two" : failed.Description)}"));
        return new ChardevAddResult { Pty = added.Pty };
    }

    public override ValueTask ChardevRemoveAsync(ChardevRemoveArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.ChardevRemoveAsync(new Qemu21.ChardevRemoveArguments { Id = arguments.Id }, session, cancellationToken);

    public override ValueTask ChardevSendBreakAsync(ChardevSendBreakArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Vm.Chardevs.ContainsKey(arguments.Id) ? Done() : throw QmpException.Generic($"Chardev '{arguments.Id}' not found");
        }
    }

    public override ValueTask RingbufWriteAsync(RingbufWriteArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        RingbufWords(arguments.Device, () => _services.RingbufWriteAsync(new Qemu21.RingbufWriteArguments { Device = arguments.Device, Data = arguments.Data, Format = arguments.Format?.Value }, session, cancellationToken));

    public override ValueTask<string> RingbufReadAsync(RingbufReadArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        RingbufWords(arguments.Device, () => _services.RingbufReadAsync(new Qemu21.RingbufReadArguments { Device = arguments.Device, Size = arguments.Size, Format = arguments.Format?.Value }, session, cancellationToken));

    /// <summary>The shared machine's ring buffers answer synchronously; a chardev that is none is "not a ringbuf device" in 7.2 (2.1: "ringbuffer").</summary>
    private static T RingbufWords<T>(string device, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (QmpException e) when (e.Description == $"{device} is not a ringbuffer device")
        {
            throw QmpException.Generic($"{device} is not a ringbuf device");
        }
    }

    // Network backends and NICs.

    /// <summary>
    /// QEMU 7.2's qmp_netdev_add: the id, the backend compiled in, a duplicate, then the backend's own checks and the
    /// descriptors it names (<c>fd=</c>, <c>fds=</c>, <c>vhostfd=</c>, <c>vhostfds=</c>), taken from the connection's
    /// <c>getfd</c> descriptors as QEMU takes them and kept until netdev_del. Nothing is opened, bound, connected or
    /// run: no tap device, no socket, no <c>script=</c> or <c>helper=</c> (docs/security.md).
    /// </summary>
    public override ValueTask NetdevAddAsync(NetdevAddArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var members = AsJson(arguments, NetdevAddArguments.Write);
        var type = arguments.Type.Value;
        var id = arguments.Id;
        QemuMachine.CheckId(id, wellFormed: true);
        if (type is "none" or "nic" or "netmap" or "vmnet-host" or "vmnet-shared" or "vmnet-bridged")
        {
            throw QmpException.Generic($"network backend '{type}' is not compiled into this binary");
        }

        lock (Gate)
        {
            _services.AddNetdev(id, type, $"Duplicate ID '{id}'", () => type switch
            {
                "tap" => TapFds(session, id, members),
                "socket" => SocketFds(session, id, members),
                "vhost-vdpa" => VhostVdpaFds(session, id, members),
                _ => [],
            });
        }

        return Done();
    }

    /// <summary>
    /// QEMU 7.2's net_init_tap: which members go with <c>fd=</c> or <c>fds=</c>, then each queue's descriptor and its
    /// vhost descriptor (net_init_tap_one: taken when vhost is on, refused when it is off), in QEMU's order.
    /// </summary>
    private List<SafeFileHandle> TapFds(QmpSession session, string id, JsonElement tap)
    {
        bool Has(string name) => tap.TryGetProperty(name, out _);
        string? Text(string name) => tap.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        bool VhostOn(bool named) => tap.TryGetProperty("vhost", out var v) ? v.ValueKind == JsonValueKind.True : named || (tap.TryGetProperty("vhostforce", out var f) && f.ValueKind == JsonValueKind.True);
        var steps = new List<(string Name, string? Refusal)>();
        void Queue(string fd, string? vhostfd)
        {
            steps.Add((fd, null));
            if (vhostfd is not null)
            {
                steps.Add((vhostfd, VhostOn(true) ? null : "vhostfd(s)= is not valid without vhost"));
            }
        }

        if (Text("fd") is { } fd)
        {
            if (Has("ifname") || Has("script") || Has("downscript") || Has("vnet_hdr") || Has("helper") || Has("queues") || Has("fds") || Has("vhostfds"))
            {
                throw QmpException.Generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=");
            }

            Queue(fd, Text("vhostfd"));
        }
        else if (Text("fds") is { } fds)
        {
            if (Has("ifname") || Has("script") || Has("downscript") || Has("vnet_hdr") || Has("helper") || Has("queues") || Has("vhostfd"))
            {
                throw QmpException.Generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=");
            }

            var queues = SplitFds(fds);
            var vhostQueues = Text("vhostfds") is { } vhostfds ? SplitFds(vhostfds) : null;
            if (vhostQueues is not null && vhostQueues.Count != queues.Count)
            {
                throw QmpException.Generic("The number of fds passed does not match the number of vhostfds passed");
            }

            for (var i = 0; i < queues.Count; i++)
            {
                Queue(queues[i], vhostQueues?[i]);
            }
        }

        return TakeFds(session, id, steps);

        // get_fds: names separated by ':', at most MAX_TAP_QUEUES (1024).
        static List<string> SplitFds(string text)
        {
            var parts = text.Split(':');
            return [.. (parts.Length > 1 && parts[^1].Length == 0 ? parts[..^1] : parts).Take(1024)];
        }
    }

    /// <summary>
    /// QEMU 7.2's net_init_vhost_vdpa: a host vDPA device by path (<c>vhostdev=</c>, which the emulator never opens:
    /// refused as every device is) or by descriptor (<c>vhostfd=</c>, taken from getfd as QEMU takes it); no vDPA
    /// device is modelled, so one that was passed is closed and said so.
    /// </summary>
    private List<SafeFileHandle> VhostVdpaFds(QmpSession session, string id, JsonElement vdpa)
    {
        string? Text(string name) => vdpa.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var (dev, fd) = (Text("vhostdev"), Text("vhostfd"));
        if ((dev is null) == (fd is null))
        {
            throw QmpException.Generic(dev is null ? "vhost-vdpa: neither vhostdev= nor vhostfd= was specified" : "vhost-vdpa: vhostdev= and vhostfd= are mutually exclusive");
        }

        if (dev is not null)
        {
            throw QmpException.Generic($"Could not open '{dev}': Permission denied");
        }

        try
        {
            _services.ReleaseBusyFd(_services.TakeFdParameter(session, id, fd!));
        }
        catch (QmpException e)
        {
            throw QmpException.Generic("vhost-vdpa: unable to parse vhostfd: " + e.Description);
        }

        throw NotModelled("vhost-vdpa devices");
    }

    private static readonly string[] s_socketPeers = ["fd", "listen", "connect", "mcast", "udp"];

    /// <summary>QEMU 7.2's net_init_socket: exactly one way to reach the peer, then <c>fd=</c>'s descriptor.</summary>
    private List<SafeFileHandle> SocketFds(QmpSession session, string id, JsonElement socket)
    {
        bool Has(string name) => socket.TryGetProperty(name, out _);
        if (s_socketPeers.Count(Has) != 1)
        {
            throw QmpException.Generic("exactly one of listen=, connect=, mcast= or udp= is required");
        }

        if (Has("localaddr") && !Has("mcast") && !Has("udp"))
        {
            throw QmpException.Generic("localaddr= is only valid with mcast= or udp=");
        }

        return socket.TryGetProperty("fd", out var fd) && fd.ValueKind == JsonValueKind.String ? TakeFds(session, id, [(fd.GetString()!, null)]) : [];
    }

    /// <summary>Takes each named descriptor in order (or stops at a refusal); when one fails, those taken before it are closed (QEMU has taken them too).</summary>
    private List<SafeFileHandle> TakeFds(QmpSession session, string id, IEnumerable<(string Name, string? Refusal)> steps)
    {
        var taken = new List<SafeFileHandle>();
        try
        {
            foreach (var (name, refusal) in steps)
            {
                taken.Add(refusal is null ? _services.TakeFdParameter(session, id, name) : throw QmpException.Generic(refusal));
            }
        }
        catch
        {
            foreach (var fd in taken)
            {
                _services.ReleaseBusyFd(fd);
            }

            throw;
        }

        return taken;
    }

    public override ValueTask NetdevDelAsync(NetdevDelArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.NetdevDelAsync(new Qemu21.NetdevDelArguments { Id = arguments.Id }, session, cancellationToken);

    public override ValueTask SetLinkAsync(SetLinkArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        _services.SetLinkAsync(new Qemu21.SetLinkArguments { Name = arguments.Name, Up = arguments.Up }, session, cancellationToken);

    public override async ValueTask<IReadOnlyList<QueryRxFilterResult>> QueryRxFilterAsync(QueryRxFilterArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var filters = await _services.QueryRxFilterAsync(new Qemu21.QueryRxFilterArguments { Name = arguments.Name }, session, cancellationToken).ConfigureAwait(false);
        return [.. filters.Select(f => Read(AsJson(f, Qemu21.RxFilterInfo.Write), QueryRxFilterResult.Read))];
    }

    public override ValueTask AnnounceSelfAsync(AnnounceSelfArguments arguments, QmpSession session, CancellationToken cancellationToken) => Done();

    // No rocker switch is modelled.
    public override ValueTask<QueryRockerResult> QueryRockerAsync(QueryRockerArguments arguments, QmpSession session, CancellationToken cancellationToken) => throw NoRocker(arguments.Name);

    public override ValueTask<IReadOnlyList<QueryRockerPortsResult>> QueryRockerPortsAsync(QueryRockerPortsArguments arguments, QmpSession session, CancellationToken cancellationToken) => throw NoRocker(arguments.Name);

    public override ValueTask<IReadOnlyList<QueryRockerOfDpaFlowsResult>> QueryRockerOfDpaFlowsAsync(QueryRockerOfDpaFlowsArguments arguments, QmpSession session, CancellationToken cancellationToken) => throw NoRocker(arguments.Name);

    public override ValueTask<IReadOnlyList<QueryRockerOfDpaGroupsResult>> QueryRockerOfDpaGroupsAsync(QueryRockerOfDpaGroupsArguments arguments, QmpSession session, CancellationToken cancellationToken) => throw NoRocker(arguments.Name);

    private static QmpException NoRocker(string name) => QmpException.Generic($"rocker {name} not found");

    // virtio introspection: the virtio devices of the machine, their queues not modelled.
    public override ValueTask<IReadOnlyList<XQueryVirtioResult>> XQueryVirtioAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done<IReadOnlyList<XQueryVirtioResult>>([.. Vm.Devices.Where(d => d.Id is not null && d.Driver.StartsWith("virtio-", StringComparison.Ordinal))
                .Select(d => new XQueryVirtioResult { Path = $"/machine/peripheral/{d.Id}/virtio-backend", Name = d.Driver.Replace("-pci", "", StringComparison.Ordinal) })]);
        }
    }

    public override ValueTask<XQueryVirtioStatusResult> XQueryVirtioStatusAsync(XQueryVirtioStatusArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw NotVirtio(arguments.Path, "VirtIODevice");

    public override ValueTask<XQueryVirtioQueueStatusResult> XQueryVirtioQueueStatusAsync(XQueryVirtioQueueStatusArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw NotVirtio(arguments.Path, "VirtIODevice");

    public override ValueTask<XQueryVirtioVhostQueueStatusResult> XQueryVirtioVhostQueueStatusAsync(XQueryVirtioVhostQueueStatusArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw NotVirtio(arguments.Path, "VirtIODevice");

    public override ValueTask<XQueryVirtioQueueElementResult> XQueryVirtioQueueElementAsync(XQueryVirtioQueueElementArguments arguments, QmpSession session, CancellationToken cancellationToken) =>
        throw NotVirtio(arguments.Path, "VirtIO device");

    /// <summary>QEMU's words for a path that is no virtio device; for one that is, the emulator keeps no queue state to show.</summary>
    private QmpException NotVirtio(string path, string what)
    {
        lock (Gate)
        {
            return Vm.Devices.Any(d => d.Id is not null && d.Driver.StartsWith("virtio-", StringComparison.Ordinal) && path == $"/machine/peripheral/{d.Id}/virtio-backend")
                ? NotModelled($"the virtio queues of {path}")
                : QmpException.Generic($"Path {path} is not a {what}");
        }
    }
}
