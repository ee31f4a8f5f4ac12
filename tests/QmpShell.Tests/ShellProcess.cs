using System.Diagnostics;

namespace QmpShell.Tests;

/// <summary>Where the built shell is, and how to start it.</summary>
internal static class ShellProcess
{
    /// <summary>QmpShell.dll beside the tests (the referenced project is copied here, schema/ too).</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "QmpShell.dll");
            Assert.True(File.Exists(path), $"{path} is missing: build samples/QmpShell");
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "QmpShell.runtimeconfig.json")), "QmpShell.runtimeconfig.json is missing");
            return path;
        }
    }

    /// <summary>Runs the shell with <paramref name="input"/> piped to it (and <paramref name="options"/> before the address); returns exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunPipedAsync(string address, string input, string home, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add(address);
        start.Environment["HOME"] = home;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the shell did not exit within 60 s; output so far: {await output}");
        }
        return (process.ExitCode, await output, await error);
    }
}
