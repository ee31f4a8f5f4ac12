using Qmp.Codegen.Cli.Docs;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>
/// One doc read once (DocReader) and written three ways: the Markdown page and the HTML page of the
/// same command show the same lists, errors, since, condition and references (the XML docs write the
/// same blocks; tests/Generator.Tests' DocReaderTests).
/// </summary>
public sealed class DocRenderingTests
{
    private const string Schema = """
        ##
        # @eject-tray:
        #
        # Ejects the medium of @device, then:
        #
        # - unlocks the tray,
        #   if it can
        # - opens it
        #
        # 1. Stop the guest first.
        # 2. Then eject.
        #
        # Use ``force`` with care; see @BlockInfo.
        #
        # @device: the block device
        #
        # @force: ignore the lock
        #
        # Returns:
        #     - Nothing on success
        #     - If @device is not a valid block device, DeviceNotFound
        #
        # Errors:
        #     - If the tray is locked, GenericError
        #
        # Since: 7.2
        ##
        { 'command': 'eject-tray', 'data': { 'device': 'str', '*force': 'bool' }, 'if': { 'not': 'CONFIG_FIXED' } }

        ##
        # @BlockInfo:
        #
        # A block device.
        #
        # @name: its name
        ##
        { 'struct': 'BlockInfo', 'data': { 'name': 'str' } }
        """;

    private static (string Markdown, string Html) Render()
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal) { ["/s/schema.json"] = Schema };
        var read = QapiReader.ReadDetailed("/s/schema.json", p => texts.GetValueOrDefault(p));
        var page = DocsBuilder.BuildQapi(read, "/s/schema.json", texts);
        return (DocsRenderer.RenderMarkdown(page), DocsRenderer.RenderHtml(page));
    }

    [Fact]
    public void A_bullet_list_is_a_list_on_both_pages()
    {
        var (markdown, html) = Render();
        Assert.Contains("\n- unlocks the tray, if it can\n- opens it\n", markdown, StringComparison.Ordinal);
        Assert.Contains("<ul><li>unlocks the tray, if it can</li><li>opens it</li></ul>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_numbered_list_is_numbered_on_both_pages()
    {
        var (markdown, html) = Render();
        Assert.Contains("\n1. Stop the guest first.\n2. Then eject.\n", markdown, StringComparison.Ordinal);
        Assert.Contains("<ol><li>Stop the guest first.</li><li>Then eject.</li></ol>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_cases_leave_returns_for_one_errors_list_on_both_pages()
    {
        var (markdown, html) = Render();
        Assert.Contains("**Errors**\n\n- If [`device`](#eject-tray.device) is not a valid block device: `DeviceNotFound`\n- If the tray is locked: `GenericError`", markdown, StringComparison.Ordinal);
        Assert.Contains("<h4>Errors</h4>\n<ul><li>If <a class=\"ref\" href=\"#eject-tray.device\"><code>device</code></a> is not a valid block device: <code>DeviceNotFound</code></li><li>If the tray is locked: <code>GenericError</code></li></ul>", html, StringComparison.Ordinal);
        // What is left of Returns is what a caller gets.
        Assert.Contains("Nothing on success", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("- Nothing on success", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("<li>Nothing on success</li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Since_and_the_condition_sentence_read_the_same_on_both_pages()
    {
        var (markdown, html) = Render();
        const string Facts = "Since 7.2. Only in QEMU builds without CONFIG_FIXED.";
        Assert.Contains("\n" + Facts + "\n", markdown, StringComparison.Ordinal);
        Assert.Contains("<p class=\"facts\">" + Facts + "</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void References_and_literals_are_links_or_code_on_both_pages()
    {
        var (markdown, html) = Render();
        Assert.Contains("Use `force` with care; see [`BlockInfo`](#type-BlockInfo).", markdown, StringComparison.Ordinal);
        Assert.Contains("<p>Use <code>force</code> with care; see <a class=\"ref\" href=\"#type-BlockInfo\"><code>BlockInfo</code></a>.</p>", html, StringComparison.Ordinal);
    }
}
