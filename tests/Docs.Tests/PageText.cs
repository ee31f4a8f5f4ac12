using System.Text.RegularExpressions;

namespace Qmp.Codegen.Docs.Tests;

/// <summary>What the page tests look for in a rendered page: ids, links, anchors, leftover markers and directives.</summary>
internal static partial class PageText
{
    /// <summary>An HTML element's id.</summary>
    [GeneratedRegex("\\sid=\"([^\"]+)\"")]
    public static partial Regex HtmlId();

    /// <summary>An HTML link within the page.</summary>
    [GeneratedRegex("href=\"#([^\"]+)\"")]
    public static partial Regex HtmlHref();

    /// <summary>A Markdown anchor.</summary>
    [GeneratedRegex("<a id=\"([^\"]+)\"></a>")]
    public static partial Regex MarkdownAnchor();

    /// <summary>A Markdown link within the page.</summary>
    [GeneratedRegex(@"\]\(#([^)\s]+)\)")]
    public static partial Regex MarkdownLink();

    /// <summary>A reference marker of the view model that no template turned into text.</summary>
    [GeneratedRegex("[\u0001-\u0003\u001F]")]
    public static partial Regex Marker();

    /// <summary>A reST directive left as it was written.</summary>
    [GeneratedRegex(@"\.\. [a-z-]+::")]
    public static partial Regex RawDirective();
}
