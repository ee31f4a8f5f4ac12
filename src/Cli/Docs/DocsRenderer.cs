using System.Text.RegularExpressions;
using Qmp.Codegen.Docs;
using Scriban;
using Scriban.Runtime;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Renders a <see cref="DocsPage"/> with the Scriban templates in <c>Templates/</c> beside
/// qmp-codegen.dll. Each template is read and parsed once per process (a static Lazy); a render
/// only evaluates it. Output always uses '\n' line ends, whatever the template file has.
/// </summary>
internal static partial class DocsRenderer
{
    public const string MarkdownFile = "qmp-reference.md";
    public const string HtmlFile = "qmp-reference.html";

    /// <summary>Where the templates are: copied to the output directory by the CLI's project.</summary>
    public static string TemplateDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "Templates");

    private static readonly Lazy<Template> s_markdown = new(() => Load("qmp-reference.md.scriban"));
    private static readonly Lazy<Template> s_html = new(() => Load("qmp-reference.html.scriban"));

    public static string RenderMarkdown(DocsPage page) => Render(s_markdown.Value, page);

    public static string RenderHtml(DocsPage page) => Render(s_html.Value, page);

    private static Template Load(string name)
    {
        var path = Path.Combine(TemplateDirectory, name);
        var template = Template.Parse(File.ReadAllText(path), path);
        if (template.HasErrors)
        {
            throw new InvalidOperationException($"template {path}: {string.Join("; ", template.Messages)}");
        }

        return template;
    }

    private static string Render(Template template, DocsPage page)
    {
        var globals = new ScriptObject();
        globals.Import(typeof(Functions));
        globals.SetValue("page", page, readOnly: true);
        var context = new TemplateContext
        {
            StrictVariables = true,
            LoopLimit = int.MaxValue,
            // Scriban cuts a rendered string at 1 MB by default; QEMU 7.2's page is larger.
            LimitToString = 0,
            NewLine = "\n",
        };
        context.PushGlobal(globals);
        var text = template.Render(context);
        return text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    // What the docs writers (DocsWriters.cs) share with the templates' functions.
    internal static string MdText(string? text) => Functions.MdText(text);

    internal static string MdCell(string? text) => Functions.MdCell(text);

    internal static string MdCode(string? text) => Functions.MdCode(text);

    internal static string MdCodeCell(string? text) => Functions.MdCodeCell(text);

    internal static string MdFence(string? text) => Functions.MdFence(text);

    internal static string MdReference(string name, string? anchor) => Functions.MdReference(name, anchor);

    internal static string HtmlReference(string name, string? anchor) => Functions.HtmlReference(name, anchor);

    /// <summary>Functions the templates call: <c>md_text</c>, <c>md_cell</c>, <c>md_code</c>.</summary>
    private static partial class Functions
    {
        /// <summary>
        /// Markdown text with the characters that would start markup escaped: Markdown's own marks,
        /// <c>&lt;</c> and <c>&gt;</c> (no HTML, no autolink), and an <c>&amp;</c> that would start an
        /// entity (a lone one, "Devices &amp; objects", is text already).
        /// </summary>
        public static string MdText(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return "";
            }

            var escaped = EntityStart().Replace(text, "&amp;");
            escaped = MarkdownSpecial().Replace(escaped, m => "\\" + m.Value);
            escaped = escaped.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
            // '_' only where it could open or close emphasis; inside names (backing_file) it is literal.
            return LooseUnderscore().Replace(escaped, "\\_");
        }

        /// <summary>Markdown text safe inside a table cell.</summary>
        public static string MdCell(string? text) => MdText(text).Replace("|", "\\|", StringComparison.Ordinal);

        /// <summary>An inline code span that survives backticks in the text.</summary>
        public static string MdCode(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return "";
            }

            var fence = text.Contains('`', StringComparison.Ordinal) ? "``" : "`";
            var pad = text.StartsWith('`') || text.EndsWith('`') ? " " : "";
            return fence + pad + text + pad + fence;
        }

        /// <summary>A fence for a code block holding <paramref name="text"/> and <paramref name="more"/>: three backticks, or one more than the longest run inside, so no line of the text can close it.</summary>
        public static string MdFence(string? text, string? more = null)
        {
            var longest = 0;
            foreach (Match run in BacktickRun().Matches((text ?? "") + "\n" + (more ?? "")))
            {
                longest = Math.Max(longest, run.Length);
            }

            return new string('`', Math.Max(3, longest + 1));
        }

        /// <summary>A code span inside a table cell: a '|' would end the cell even there (GFM), so it is escaped.</summary>
        public static string MdCodeCell(string? text) => MdCode(text).Replace("|", "\\|", StringComparison.Ordinal);

        /// <summary>An anchor as the value of an HTML attribute on the Markdown page (<c>&lt;a id="..."&gt;</c>), in a table cell too.</summary>
        public static string MdAttribute(string? anchor) => System.Net.WebUtility.HtmlEncode(anchor ?? "").Replace("|", "&#124;", StringComparison.Ordinal);

        /// <summary>An anchor as a Markdown link's destination (<c>(#...)</c>): anything but a name's own characters percent-encoded, as a browser decodes it.</summary>
        public static string MdHref(string? anchor) => "#" + NotAnchorCharacter().Replace(anchor ?? "", m =>
            string.Concat(System.Text.Encoding.UTF8.GetBytes(m.Value).Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))));

        /// <summary>Text inside an HTML comment, where only <c>--</c> means anything.</summary>
        public static string MdComment(string? text)
        {
            var result = text ?? "";
            while (result.Contains("--", StringComparison.Ordinal))
            {
                result = result.Replace("--", "- -", StringComparison.Ordinal);
            }

            return result;
        }

        /// <summary>A type (<c>T</c> or <c>[T]</c>) as a Markdown link to its section; the plain cell text without a link.</summary>
        public static string MdLink(string? type, string? link)
        {
            if (string.IsNullOrEmpty(type) || string.IsNullOrEmpty(link))
            {
                return MdCell(type);
            }

            var array = type.StartsWith('[') && type.EndsWith(']');
            var name = array ? type[1..^1] : type;
            var text = "[" + MdCell(name) + "](" + MdHref(link) + ")";
            return array ? "\\[" + text + "\\]" : text;
        }

        /// <summary>A type (<c>T</c> or <c>[T]</c>) as an HTML link to its section; escaped text without a link.</summary>
        public static string HtmlLink(string? type, string? link)
        {
            if (string.IsNullOrEmpty(type) || string.IsNullOrEmpty(link))
            {
                return System.Net.WebUtility.HtmlEncode(type ?? "");
            }

            var array = type.StartsWith('[') && type.EndsWith(']');
            var name = array ? type[1..^1] : type;
            var text = "<a href=\"#" + System.Net.WebUtility.HtmlEncode(link) + "\">" + System.Net.WebUtility.HtmlEncode(name) + "</a>";
            return array ? "[" + text + "]" : text;
        }

        /// <summary>A reference on the HTML page: a link (<c>&lt;a class="ref"&gt;</c>) to its anchor, or code without a place on the page.</summary>
        public static string HtmlReference(string name, string? anchor)
        {
            var code = "<code>" + System.Net.WebUtility.HtmlEncode(name) + "</code>";
            return anchor is null
                ? "<code class=\"ref\">" + System.Net.WebUtility.HtmlEncode(name) + "</code>"
                : "<a class=\"ref\" href=\"#" + System.Net.WebUtility.HtmlEncode(anchor) + "\">" + code + "</a>";
        }

        /// <summary>Doc text inside an element (a cell, a caption, after a label): its inlines (<see cref="DocReader.Inlines"/>) as HTML, no blocks.</summary>
        public static string HtmlProse(string? text) => string.IsNullOrEmpty(text) ? "" : HtmlDocWriter.Instance.Write(DocReader.Inlines(text));

        /// <summary>Doc text as HTML blocks: <c>&lt;p&gt;</c>, <c>&lt;ul&gt;</c>/<c>&lt;ol&gt;</c>, <c>&lt;pre&gt;</c> (the same blocks the XML docs and the Markdown page write).</summary>
        public static string HtmlBlock(string? text) => HtmlDocWriter.Instance.Write(DocReader.Blocks(text));

        /// <summary>Error cases (each "If ...: ``Class``") as an HTML list.</summary>
        public static string HtmlErrors(IEnumerable<string> errors) => HtmlDocWriter.Instance.WriteErrors(errors.Select(ErrorCase));

        /// <summary>Doc text inline on the Markdown page (a caption, after a label): its inlines, no blocks.</summary>
        public static string MdProse(string? text) => string.IsNullOrEmpty(text) ? "" : MarkdownDocWriter.Page.Write(DocReader.Inlines(text));

        /// <summary>Doc text as Markdown blocks: paragraphs, lists, fenced literal blocks.</summary>
        public static string MdBlock(string? text) => MarkdownDocWriter.Page.Write(DocReader.Blocks(text));

        /// <summary>Error cases as a Markdown list.</summary>
        public static string MdErrors(IEnumerable<string> errors) => MarkdownDocWriter.Page.WriteErrors(errors.Select(ErrorCase));

        /// <summary>Doc text safe inside a table cell: its inlines on one line, '|' escaped.</summary>
        public static string MdProseCell(string? text) => string.IsNullOrEmpty(text) ? "" : MarkdownDocWriter.Cell.Write(DocReader.Inlines(text));

        private static DocErrorCase ErrorCase(string text) => new(DocReader.Inlines(text), null);

        public static string MdReference(string name, string? anchor) =>
            anchor is null ? MdCode(name) : "[" + MdCode(name) + "](" + MdHref(anchor) + ")";

        /// <summary>The indentation of a nested member's name in a table cell.</summary>
        public static string MdIndent(int depth) =>
            depth <= 0 ? "" : string.Concat(Enumerable.Repeat("&nbsp;&nbsp;&nbsp;&nbsp;", depth - 1)) + "&nbsp;&nbsp;↳&nbsp;";

        [GeneratedRegex(@"[\\`*\[\]]")]
        private static partial Regex MarkdownSpecial();

        /// <summary>An '&amp;' that starts a character reference (<c>&amp;lt;</c>, <c>&amp;#60;</c>, <c>&amp;#x3c;</c>).</summary>
        [GeneratedRegex("&(?=#?[A-Za-z0-9]+;)")]
        private static partial Regex EntityStart();

        [GeneratedRegex("`+")]
        private static partial Regex BacktickRun();

        /// <summary>What a QAPI or .hx name never holds: percent-encoded in a link (a schema with errors may still name things so).</summary>
        [GeneratedRegex(@"[^A-Za-z0-9_.+\-]+")]
        private static partial Regex NotAnchorCharacter();

        [GeneratedRegex(@"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")]
        private static partial Regex LooseUnderscore();
    }
}
