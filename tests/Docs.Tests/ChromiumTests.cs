using System.Diagnostics;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>A fact that is skipped, with the reason shown, when Debian's chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null)
        {
            Skip = "chromium is not installed (apt-get install chromium); the HTML was not opened in a browser";
        }
    }
}

/// <summary>A fact that needs both Chromium and QEMU 7.2's schema (eng/get-qemu-schema.sh bookworm); skipped with the reason otherwise.</summary>
public sealed class ChromiumQemu72FactAttribute : FactAttribute
{
    public ChromiumQemu72FactAttribute()
    {
        if (Chromium.Path is null)
        {
            Skip = "chromium is not installed (apt-get install chromium); the HTML was not opened in a browser";
        }
        else if (Qmp.Testing.QemuSources.Get("bookworm") is { Dir: null, Reason: var reason })
        {
            Skip = reason;
        }
    }
}

/// <summary>Runs headless Chromium on a file, with everything that phones home turned off.</summary>
internal static class Chromium
{
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = System.IO.Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>Runs chromium with <paramref name="args"/> after the fixed flags; returns its stdout.</summary>
    public static string Run(params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("qmp-docs-chromium-");
        try
        {
            var start = new ProcessStartInfo(Path!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var flag in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.FullName,
            })
            {
                start.ArgumentList.Add(flag);
            }

            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>docs/qmp-reference.html opened in headless Chromium: the index and a command's section are in the DOM.</summary>
public class ChromiumTests
{
    private static string HtmlUri => new Uri(System.IO.Path.Combine(RepoFiles.DocsDir, "qmp-reference.html")).AbsoluteUri;

    [ChromiumFact]
    public void The_page_shows_the_index_and_the_query_status_section()
    {
        var dom = Chromium.Run("--dump-dom", HtmlUri);

        Assert.Contains("<nav id=\"index\"", dom, StringComparison.Ordinal);
        foreach (var area in new[] { "Run state", "Block devices", "Block jobs", "Migration", "Devices &amp; objects", "Character devices", "Display", "File descriptors", "Queries", "Misc", "Events" })
        {
            Assert.Contains(">" + area + "</a></h2>", dom, StringComparison.Ordinal);
        }

        Assert.Contains("<li><a href=\"#query-status\">query-status</a></li>", dom, StringComparison.Ordinal);

        var start = dom.IndexOf("<section class=\"entry command\" id=\"query-status\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "the query-status section is not in the DOM");
        var section = dom[start..dom.IndexOf("</section>", start, StringComparison.Ordinal)];
        Assert.Contains("<code>query-status</code>", section, StringComparison.Ordinal);
        Assert.Contains("<h4>Returns <code>StatusInfo</code></h4>", section, StringComparison.Ordinal);
        Assert.Contains("<code>running</code>", section, StringComparison.Ordinal);
        Assert.Contains("await qemu.QueryStatusAsync(cancellationToken);", section, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public void The_page_renders_to_a_non_blank_screenshot() => AssertScreenshotNotBlank(HtmlUri, "");

    /// <summary>QEMU 7.2's page, rendered to a temporary file only (it carries QEMU's prose): a union's section is in the DOM, the top is not blank.</summary>
    [ChromiumQemu72Fact]
    public void The_QEMU_72_page_renders_to_a_non_blank_screenshot()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-docs-qemu72-");
        try
        {
            var page = System.IO.Path.Combine(dir.FullName, "qmp-reference.html");
            File.WriteAllText(page, Qemu72PageTests.Html);
            var uri = new Uri(page).AbsoluteUri;
            var dom = Chromium.Run("--dump-dom", uri);
            Assert.Contains("<section class=\"entry union\" id=\"type-BlockdevOptions\">", dom, StringComparison.Ordinal);
            Assert.Contains("<li><a href=\"#type-BlockdevOptions\">BlockdevOptions</a></li>", dom, StringComparison.Ordinal);
            // Headless Chromium screenshots only the top of a page (scrolled to a fragment, it captures nothing).
            AssertScreenshotNotBlank(uri, "");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertScreenshotNotBlank(string uri, string fragment)
    {
        var png = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qmp-reference-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            Chromium.Run("--hide-scrollbars", "--virtual-time-budget=3000", "--window-size=1280,900", "--screenshot=" + png, uri + fragment);
            Assert.True(File.Exists(png), "no screenshot written");
            // A blank 1280x900 page compresses to a few KB; text, tables and the index take far more.
            Assert.True(new FileInfo(png).Length > 50_000, $"the screenshot is {new FileInfo(png).Length} bytes: the page looks blank");
        }
        finally
        {
            File.Delete(png);
        }
    }
}
