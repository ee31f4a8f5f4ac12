using System.Text.RegularExpressions;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// docs/qmp-reference.html in headless Chromium at a desktop width (1400 px) and a phone width
/// (390 px, in an iframe: headless windows are at least 500 px wide): nothing makes the page
/// scroll sideways, and the search box filters the index.
/// </summary>
public sealed partial class PageLayoutTests
{
    // Reports the page's widths, then searches "device del" and reports the index entries left.
    private const string Probe = """
        <script>
        window.addEventListener('load', function () {
          var out = ['clientWidth=' + document.documentElement.clientWidth, 'scrollWidth=' + document.documentElement.scrollWidth];
          var box = document.getElementById('search');
          out.push('search-visible=' + !box.parentNode.hidden);
          box.value = 'device del';
          box.dispatchEvent(new Event('input'));
          var hits = Array.prototype.filter.call(document.querySelectorAll('nav#index li'), function (li) { return li.offsetParent !== null; });
          out.push('hits=' + hits.map(function (li) { return li.textContent; }).join(' '));
          out.push('count=' + document.getElementById('search-count').textContent);
          var target = parent !== window ? parent.document : document;
          var pre = target.createElement('pre');
          pre.id = 'probe';
          pre.textContent = out.join('\n');
          target.body.appendChild(pre);
        });
        </script>
        """;

    [ChromiumFact]
    public void At_1400_px_nothing_scrolls_sideways() => AssertFits(Measure(1400, phone: false));

    [ChromiumFact]
    public void At_a_phone_width_nothing_scrolls_sideways() => AssertFits(Measure(390, phone: true));

    [ChromiumQemu72Fact]
    public void The_QEMU_72_page_fits_at_1400_px_and_at_a_phone_width()
    {
        AssertFits(Measure(1400, phone: false, Qemu72PageTests.Html));
        AssertFits(Measure(390, phone: true, Qemu72PageTests.Html));
    }

    [ChromiumQemu72Fact]
    public void The_QEMU_72_page_search_box_filters_the_index()
    {
        var report = Measure(1400, phone: false, Qemu72PageTests.Html);
        Assert.Equal("true", report["search-visible"]);
        var hits = report["hits"].Split(' ');
        Assert.Contains("device_del", hits);
        Assert.Contains("DEVICE_DELETED", hits);
        Assert.DoesNotContain("query-status", hits);
    }

    [ChromiumFact]
    public void The_search_box_filters_the_index_by_every_word()
    {
        var report = Measure(1400, phone: false);
        Assert.Equal("true", report["search-visible"]);
        var hits = report["hits"].Split(' ');
        Assert.Contains("device_del", hits);
        Assert.Contains("DEVICE_DELETED", hits);
        Assert.DoesNotContain("query-status", hits);
        Assert.DoesNotContain("device_add", hits); // "del" is in neither its name nor its section
        Assert.Matches(@"^\d+ of \d+$", report["count"]);
    }

    private static void AssertFits(Dictionary<string, string> report)
    {
        var client = int.Parse(report["clientWidth"], System.Globalization.CultureInfo.InvariantCulture);
        var scroll = int.Parse(report["scrollWidth"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(scroll <= client, $"the page is {scroll} px wide in a {client} px viewport");
    }

    private static Dictionary<string, string> Measure(int width, bool phone, string? pageHtml = null)
    {
        var dir = Directory.CreateTempSubdirectory("qmp-docs-layout-");
        try
        {
            var html = pageHtml ?? File.ReadAllText(Path.Combine(RepoFiles.DocsDir, "qmp-reference.html"));
            var page = Path.Combine(dir.FullName, "page.html");
            File.WriteAllText(page, html.Replace("</body>", Probe + "</body>", StringComparison.Ordinal));
            var open = page;
            if (phone)
            {
                open = Path.Combine(dir.FullName, "phone.html");
                File.WriteAllText(open, $"<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"page.html\" width=\"{width}\" height=\"844\" style=\"border:0\"></iframe></body></html>");
            }

            var dom = Chromium.Run("--hide-scrollbars", "--allow-file-access-from-files", "--virtual-time-budget=3000",
                $"--window-size={Math.Max(width, 800)},1000", "--dump-dom", new Uri(open).AbsoluteUri);
            var probe = ProbeOutput().Match(dom);
            Assert.True(probe.Success, "the probe did not run:\n" + dom[..Math.Min(dom.Length, 500)]);
            return probe.Groups[1].Value.Split('\n')
                .Select(line => line.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [GeneratedRegex("<pre id=\"probe\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ProbeOutput();
}
