using System.Diagnostics;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>qmp-emulator -qmp stdio: a monitor on standard input and output, as QEMU's own.</summary>
public class StdioTests
{
    [Fact]
    public async Task A_stdio_monitor_greets_negotiates_answers_and_quits()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll"));
        start.ArgumentList.Add("-qmp");
        start.ArgumentList.Add("stdio");
        start.ArgumentList.Add("-name");
        start.ArgumentList.Add("stdio-vm");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Target.Patience));

        // Two requests in one write, the third split over two: the monitor reads a JSON stream.
        await process.StandardInput.WriteAsync("{\"execute\":\"qmp_capabilities\"} {\"execute\":\"query-name\",\"id\":\"a\"}\n{\"execute\":\"qu");
        await process.StandardInput.FlushAsync();
        await process.StandardInput.WriteAsync("it\",\"id\":2}\n");
        await process.StandardInput.FlushAsync();

        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);

        Assert.EndsWith("\r\n", output, StringComparison.Ordinal);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines[0].GetProperty("QMP").GetProperty("version").GetProperty("qemu").GetProperty("major").GetInt32());
        Assert.Equal(JsonValueKind.Object, lines[1].GetProperty("return").ValueKind);
        Assert.Equal("stdio-vm", lines[2].GetProperty("return").GetProperty("name").GetString());
        Assert.Equal("a", lines[2].GetProperty("id").GetString());
        // As QEMU 7.2: quit's SHUTDOWN, then its reply.
        Assert.Equal("SHUTDOWN", lines[3].GetProperty("event").GetString());
        Assert.Equal(2, lines[4].GetProperty("id").GetInt32());
    }
}
