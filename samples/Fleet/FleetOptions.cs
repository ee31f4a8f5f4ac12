using System.Globalization;

namespace Fleet;

/// <summary>The command line: which VMs, how often, how many polls at once, and how long.</summary>
internal sealed class FleetOptions
{
    public int Vms { get; private set; } = 4;

    public List<string> Connect { get; } = [];

    public int Concurrency { get; private set; } = 8;

    public TimeSpan Interval { get; private set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Null: until Ctrl+C.</summary>
    public int? Rounds { get; private set; }

    /// <summary>After this round the first emulator is restarted (shows the reconnect); null: never.</summary>
    public int? RestartAfter { get; private set; }

    public bool Plain { get; private set; }

    public static FleetOptions? Parse(string[] args)
    {
        var options = new FleetOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            int? number = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
            switch (args[i])
            {
                case "--vms" when number is { } vms:
                    options.Vms = vms;
                    break;
                case "--connect" when value is not null:
                    options.Connect.Add(value);
                    break;
                case "--concurrency" when number is { } concurrency:
                    options.Concurrency = concurrency;
                    break;
                case "--interval" when number is { } interval:
                    options.Interval = TimeSpan.FromMilliseconds(interval);
                    break;
                case "--rounds" when number is { } rounds:
                    options.Rounds = rounds;
                    break;
                case "--restart-after" when number is { } round:
                    options.RestartAfter = round;
                    break;
                case "--plain":
                    options.Plain = true;
                    continue;
                default:
                    return null;
            }

            i++;
        }

        return options;
    }
}
