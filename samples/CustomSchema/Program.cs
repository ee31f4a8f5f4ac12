// QMP servers and clients for dialects of our own: one generated from schema/thermal.hx (QEMU 2.1's
// format and protocol), one from the QAPI schema schema/cooling.json (QEMU's modern QMP).
using System.Text.Json;
using Acme.Cooling;
using Acme.Thermal;
using Qmp.Runtime;

var socket = Path.Combine(Path.GetTempPath(), $"thermal-{Environment.ProcessId}.sock");
var chassis = new Chassis();
await using var server = QmpServer.Listen($"unix:{socket},server,nowait", chassis);
chassis.Server = server;

await using var client = await ThermalClient.ConnectAsync($"unix:{socket}");
Console.WriteLine($"connected to {socket}; the server greets as QEMU {client.Greeting.Version}");

foreach (var fan in await client.QueryFansAsync())
{
    Console.WriteLine($"  {fan.Name,-6} {fan.Rpm,5} rpm  {(fan.Auto ? "auto" : "fixed")}  {fan.Label ?? ""}");
}

// Subscribed before the command is sent, so the event it causes cannot be missed.
var changed = await client.Client.ExecuteAndWaitForEventAsync(
    ct => client.SetFanSpeedAsync(name: "rear", rpm: 1200, cancellationToken: ct), ThermalEvents.Parse, (FanSpeedChangedEvent e) => e.Name == "rear", TimeSpan.FromSeconds(10));
Console.WriteLine($"event {FanSpeedChangedEvent.WireName}: {changed.Name} now {changed.Rpm} rpm");

try
{
    await client.SetFanSpeedAsync(name: "rear", rpm: 100);
}
catch (QmpException e)
{
    Console.WriteLine($"refused as expected: {e.Message}");
}
File.Delete(socket);

// The QAPI schema's server: the generated base speaks QEMU's modern QMP (greeting with "oob").
var coolingSocket = Path.Combine(Path.GetTempPath(), $"cooling-{Environment.ProcessId}.sock");
var controller = new CoolingController();
await using (var coolingServer = QmpServer.Listen($"unix:{coolingSocket},server,nowait", controller))
{
    controller.Server = coolingServer;
    await using var cooling = await CoolingClient.ConnectAsync($"unix:{coolingSocket}");
    Console.WriteLine($"connected to the cooling controller; capabilities [{string.Join(", ", cooling.Greeting.Capabilities)}]");

    // boxed: the union is the arguments object (the base's zone and mode, then the branch's members).
    await cooling.SetCoolingAsync(new CoolingConfig.Fan { Zone = "cpu0", Data = new() { Rpm = 2400 } });
    await cooling.SetCoolingAsync(new CoolingConfig.Liquid { Zone = "gpu0", Data = new() { LitresPerHour = 90, Coolant = StrOrNull.Null } });
    foreach (var zone in await cooling.QueryZonesAsync())
    {
        Console.WriteLine($"  {zone.Zone,-5} {zone.Millicelsius / 1000.0,5:0.0} C  {zone.Mode}  {zone.Label ?? ""}");
    }

    var overheat = await cooling.ExecuteAndWaitForEventAsync(
        ct => cooling.SetLimitAsync(zone: "gpu0", millicelsius: 50000, cancellationToken: ct), (ZoneOverheatEvent e) => e.Zone == "gpu0", TimeSpan.FromSeconds(10));
    Console.WriteLine($"event {ZoneOverheatEvent.WireName}: {overheat.Zone} at {overheat.Millicelsius} above {overheat.Limit}");

    // Bad requests are checked by the generated server as QEMU 7.2's QAPI visitors check them, in its words.
    foreach (var (command, arguments) in new[]
    {
        ("set-limit", """{ "millicelsius": 70000 }"""),
        ("set-cooling", """{ "zone": "cpu0", "mode": "fan", "rpm": 70000 }"""),
        ("set-cooling", """{ "zone": "cpu0", "mode": "ice" }"""),
    })
    {
        try
        {
            await cooling.Client.ExecuteAsync(command, JsonDocument.Parse(arguments).RootElement);
        }
        catch (QmpException e)
        {
            Console.WriteLine($"{command} refused: {e.ErrorClassName}: {e.Description}");
        }
    }

    var schema = await cooling.QueryQmpSchemaAsync();
    Console.WriteLine($"query-qmp-schema: {schema.Count} entities, commands {string.Join(", ", schema.Where(e => e.MetaType == "command").Select(e => e.Name))}");
}
File.Delete(coolingSocket);

/// <summary>The server side: one virtual member per command of the schema; this serves the ones it overrides.</summary>
internal sealed class Chassis : ThermalCommandsBase
{
    private readonly Dictionary<string, FanInfo> _fans = new()
    {
        ["cpu0"] = new FanInfo { Name = "cpu0", Rpm = 1800, Auto = true, Label = "CPU socket 0" },
        ["rear"] = new FanInfo { Name = "rear", Rpm = 900, Auto = true },
    };

    public QmpServer? Server { get; set; }

    public override ValueTask<IReadOnlyList<FanInfo>> QueryFansAsync(QmpSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<FanInfo>>(_fans.Values.ToList());

    public override ValueTask SetFanSpeedAsync(SetFanSpeedArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (!_fans.TryGetValue(arguments.Name, out var fan))
        {
            throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{arguments.Name}' not found");
        }

        if (arguments.Rpm < 500 && arguments.Force != true)
        {
            throw new QmpException(QmpErrorClass.GenericError, $"Speed {arguments.Rpm} is below the safe minimum of 500 rpm (use force)");
        }

        _fans[arguments.Name] = fan with { Rpm = arguments.Rpm, Auto = false };
        Server?.EmitFanSpeedChanged(name: arguments.Name, rpm: arguments.Rpm);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The QAPI schema's server side: the same shape, with QEMU 7.2's argument checks done before each member is called.</summary>
internal sealed class CoolingController : CoolingCommandsBase
{
    private readonly Dictionary<string, ZoneInfo> _zones = new()
    {
        ["cpu0"] = new ZoneInfo { Zone = "cpu0", Millicelsius = 61000, Mode = CoolingMode.Passive, Label = "CPU socket 0" },
        ["gpu0"] = new ZoneInfo { Zone = "gpu0", Millicelsius = 74500, Mode = CoolingMode.Passive },
    };

    public QmpServer? Server { get; set; }

    public override ValueTask<IReadOnlyList<ZoneInfo>> QueryZonesAsync(QmpSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ZoneInfo>>(_zones.Values.ToList());

    public override ValueTask SetCoolingAsync(CoolingConfig arguments, QmpSession session, CancellationToken cancellationToken)
    {
        _zones[arguments.Zone] = Find(arguments.Zone) with { Mode = arguments.Mode };
        return ValueTask.CompletedTask;
    }

    public override ValueTask SetLimitAsync(SetLimitArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var zone = Find(arguments.Zone);
        if (zone.Millicelsius > arguments.Millicelsius)
        {
            Server?.EmitZoneOverheat(zone: zone.Zone, millicelsius: zone.Millicelsius, limit: arguments.Millicelsius);
        }
        return ValueTask.CompletedTask;
    }

    private ZoneInfo Find(string name) =>
        _zones.TryGetValue(name, out var zone) ? zone : throw new QmpException(QmpErrorClass.GenericError, $"Zone '{name}' not found");
}
