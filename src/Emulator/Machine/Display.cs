using System.Globalization;
using System.Text.Json;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private long _nextSpiceConnection = 1804289383;
    private long _nextVncService = 50401;

    private void SetVncPassword(string password)
    {
        if (!Vm.Display.VncEnabled)
        {
            throw Generic("Could not set password");
        }

        Vm.Display.VncPassword = password;
        if (Vm.Display.VncAuth == "none")
        {
            Vm.Display.VncAuth = "vnc";
        }
    }

    private void RequireSpice()
    {
        if (!Vm.Display.SpiceEnabled)
        {
            throw new QmpException(QmpErrorClass.DeviceNotActive, "No spice device has been activated");
        }
    }

    public override ValueTask SetPasswordAsync(SetPasswordArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var connected = arguments.Connected ?? "keep";
            if (connected is not ("keep" or "fail" or "disconnect"))
            {
                throw InvalidParameter("connected");
            }

            switch (arguments.Protocol)
            {
                case "vnc":
                    if (connected != "keep")
                    {
                        throw InvalidParameter("connected");
                    }

                    SetVncPassword(arguments.Password);
                    break;
                case "spice":
                    RequireSpice();
                    Vm.Display.SpicePassword = arguments.Password;
                    if (connected == "disconnect")
                    {
                        Vm.Display.SpiceChannels.Clear();
                    }

                    break;
                default:
                    throw InvalidParameter("protocol");
            }
        }

        return Done();
    }

    public override ValueTask ExpirePasswordAsync(ExpirePasswordArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var now = Vm.Time.GetUtcNow();
            DateTimeOffset? when;
            var time = arguments.Time;
            if (time == "now")
            {
                when = now;
            }
            else if (time == "never")
            {
                when = null;
            }
            else if (time.StartsWith('+') && long.TryParse(time.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var delta))
            {
                // Far enough ahead is never (QEMU keeps the number; .NET dates end in 9999).
                when = delta >= (DateTimeOffset.MaxValue - now).TotalSeconds ? DateTimeOffset.MaxValue : now.AddSeconds(delta);
            }
            else if (long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var absolute))
            {
                when = absolute > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(absolute);
            }
            else
            {
                throw InvalidParameterValue("time", "now, never, +INT or INT");
            }

            switch (arguments.Protocol)
            {
                case "vnc":
                    Vm.Display.VncExpiry = when;
                    break;
                case "spice":
                    RequireSpice();
                    Vm.Display.SpiceExpiry = when;
                    break;
                default:
                    throw InvalidParameter("protocol");
            }
        }

        return Done();
    }

    public override ValueTask ChangeVncPasswordAsync(ChangeVncPasswordArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            SetVncPassword(arguments.Password);
        }

        return Done();
    }

    public override ValueTask<VncInfo> QueryVncAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var d = Vm.Display;
            // QEMU (2.1 and 7.2) answers {"enabled": false} and nothing else when VNC is off.
            if (!d.VncEnabled)
            {
                return Done(new VncInfo { Enabled = false });
            }

            return Done(new VncInfo
            {
                Enabled = d.VncEnabled,
                Host = "127.0.0.1",
                Family = "ipv4",
                Service = "5900",
                Auth = d.VncAuth,
                Clients = d.VncClients.Select(c => new VncClientInfo { Host = c.Host, Service = c.Service, Family = "ipv4" }).ToList(),
            });
        }
    }

    public override ValueTask<SpiceInfo> QuerySpiceAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var d = Vm.Display;
            // Without a SPICE server QEMU answers {"enabled": false} (7.2 adds its "migrated": false).
            if (!d.SpiceEnabled)
            {
                return Done(new SpiceInfo { Enabled = false });
            }

            return Done(new SpiceInfo
            {
                Enabled = d.SpiceEnabled,
                Host = "0.0.0.0",
                Port = d.SpiceEnabled ? 5920 : null,
                TlsPort = d.SpiceEnabled ? 5921 : null,
                Auth = d.SpicePassword is null ? "none" : "spice",
                Channels = d.SpiceChannels.Select(c => new SpiceChannelInfo
                {
                    Host = c.Host,
                    Port = c.Port,
                    Family = "ipv4",
                    ConnectionId = c.ConnectionId,
                    ChannelType = c.ChannelType,
                    ChannelId = 0,
                    Tls = c.Tls,
                }).ToList(),
            });
        }
    }

    public override ValueTask ClientMigrateInfoAsync(ClientMigrateInfoArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Protocol != "spice")
            {
                throw InvalidParameter("protocol");
            }

            RequireSpice();
            if (arguments.Port is null && arguments.TlsPort is null)
            {
                throw MissingParameter("port/tls-port");
            }

            Vm.Display.SpiceMigrationTarget = (arguments.Hostname, arguments.Port, arguments.TlsPort, arguments.CertSubject);
        }

        return Done();
    }

    public override ValueTask SendKeyAsync(SendKeyArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var list = arguments.Keys ?? throw MissingParameter("keys");

            if (arguments.HoldTime is < 0)
            {
                throw InvalidParameter("hold-time");
            }

            var pressed = new List<string>();
            foreach (var key in list)
            {
                var type = key.Type;
                var data = key.Data;
                switch (type)
                {
                    case "qcode" when data is { ValueKind: JsonValueKind.String } q:
                        var code = q.GetString()!;
                        if (!Catalog.s_qCodes.Contains(code))
                        {
                            throw InvalidParameter(code);
                        }

                        pressed.Add(code);
                        break;
                    case "number" when data is { ValueKind: JsonValueKind.Number } n:
                        pressed.Add("0x" + IntMember(n, "data").ToString("x", CultureInfo.InvariantCulture));
                        break;
                    case "qcode" or "number":
                        throw Generic($"Invalid parameter type for 'data', expected: {(type == "qcode" ? "string" : "int")}");
                    default:
                        throw InvalidParameter("type");
                }
            }

            // Only the last few are kept: a client sending keys for hours must not grow the machine.
            if (Vm.Display.KeysSent.Count >= Model.DisplayState.MaxKeysKept)
            {
                Vm.Display.KeysSent.RemoveAt(0);
            }

            Vm.Display.KeysSent.Add(string.Join('-', pressed));
        }

        return Done();
    }

    public override ValueTask AddClientAsync(AddClientArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Protocol is not ("vnc" or "spice" or "@vnc-display"))
            {
                throw InvalidParameter("protocol");
            }

            if (arguments.Protocol == "spice")
            {
                RequireSpice();
            }

            using var fd = TakeNamedFd(session, arguments.Fdname);
            if (arguments.Protocol == "spice")
            {
                var id = _nextSpiceConnection++;
                var tls = arguments.Tls == true;
                if (Vm.Display.SpiceChannels.Count >= Model.DisplayState.MaxClientsKept)
                {
                    Vm.Display.SpiceChannels.RemoveAt(0);
                }

                Vm.Display.SpiceChannels.Add(("127.0.0.1", "54924", id, 1, tls));
                Vm.Emit(s => s.EmitSpiceConnected(new SpiceServerInfo { Host = "0.0.0.0", Port = "5920", Family = "ipv4" }, new SpiceClientInfo { Host = "127.0.0.1", Port = "54924", Family = "ipv4" }));
            }
            else
            {
                var service = (_nextVncService++).ToString(CultureInfo.InvariantCulture);
                if (Vm.Display.VncClients.Count >= Model.DisplayState.MaxClientsKept)
                {
                    Vm.Display.VncClients.RemoveAt(0);
                }

                Vm.Display.VncClients.Add(("127.0.0.1", service));
                var auth = arguments.Skipauth == true ? "none" : Vm.Display.VncAuth;
                Vm.Emit(s => s.EmitVncConnected(new VncServerInfo { Host = "127.0.0.1", Service = "5900", Family = "ipv4", Auth = auth }, new VncClientInfo { Host = "127.0.0.1", Service = service, Family = "ipv4" }));
                Vm.Emit(s => s.EmitVncInitialized(new VncServerInfo { Host = "127.0.0.1", Service = "5900", Family = "ipv4", Auth = auth }, new VncClientInfo { Host = "127.0.0.1", Service = service, Family = "ipv4" }));
            }
        }

        return Done();
    }
}
