// A QMP server and client for a dialect of our own, both generated from schema/thermal.hx.
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
