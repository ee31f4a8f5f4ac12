using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The schema's doc text as XML docs: errors under their own heading, @name, conditions, Since, lists.</summary>
public class XmlDocRendererTests
{
    [Fact]
    public void Error_cases_leave_returns_for_an_exception_list()
    {
        var (returns, errors) = XmlDocRenderer.Returns("- Nothing on success\n- If no background operation is active on this device, DeviceNotActive");
        Assert.Equal("Nothing on success", returns);
        Assert.Equal("The peer answered with an error:<list type=\"bullet\"><item><description>If no background operation is active on this device: <c>DeviceNotActive</c></description></item></list>", errors);
    }

    [Fact]
    public void Returns_joined_on_one_line_still_split()
    {
        var (returns, errors) = XmlDocRenderer.Returns("- Nothing on success - If @device is not a valid block device, DeviceNotFound - If @speed is negative, GenericError");
        Assert.Equal("Nothing on success", returns);
        Assert.Contains("<item><description>If <c>device</c> is not a valid block device: <c>DeviceNotFound</c></description></item>", errors, StringComparison.Ordinal);
        Assert.Contains("<item><description>If <c>speed</c> is negative: <c>GenericError</c></description></item>", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_returns_stay_as_they_are()
    {
        Assert.Equal((string?)"the shapes drawn", XmlDocRenderer.Returns("the shapes drawn").Returns);
        Assert.Null(XmlDocRenderer.Returns("the shapes drawn").Errors);
        Assert.Equal((null, null), XmlDocRenderer.Returns(null));
    }

    [Fact]
    public void At_names_become_references_or_code_and_addresses_stay()
    {
        Assert.Equal("Ejects <c>device</c> &amp; <c>id</c>; mail root@host.", XmlDocRenderer.Inline("Ejects @device & @id; mail root@host."));
        Assert.Equal("Sets <paramref name=\"speed\"/> (<c>x-y</c>).", XmlDocRenderer.Inline("Sets @speed (@x-y).", n => n == "speed" ? "<paramref name=\"speed\"/>" : null));
        Assert.Equal("Use <c>read-only</c> here.", XmlDocRenderer.Inline("Use ``read-only`` here."));
    }

    [Fact]
    public void Conditions_read_as_a_sentence()
    {
        Assert.Equal("Only in QEMU builds without CONFIG_PERMANENT.", XmlDocRenderer.ConditionSentence(SchemaCondition.NotOf(SchemaCondition.Symbol("CONFIG_PERMANENT"))));
        Assert.Equal("Only in QEMU builds with CONFIG_A and (with CONFIG_B or without CONFIG_C).",
            XmlDocRenderer.ConditionSentence(SchemaCondition.AllOf(SchemaCondition.Symbol("CONFIG_A"),
                SchemaCondition.AnyOf(SchemaCondition.Symbol("CONFIG_B"), SchemaCondition.NotOf(SchemaCondition.Symbol("CONFIG_C"))))));
    }

    [Fact]
    public void Since_is_a_paragraph_of_its_own()
    {
        var remarks = XmlDocRenderer.QapiRemarks("Emitted when a block job has completed.", Array.Empty<string>(), string.Empty, Array.Empty<(string, string)>(), "1.1");
        Assert.Equal("<para>Emitted when a block job has completed.</para>\n<para>Since QEMU 1.1.</para>", remarks);
        Assert.Equal("Since QEMU 7.2.", XmlDocRenderer.QapiRemarks(null, Array.Empty<string>(), string.Empty, Array.Empty<(string, string)>(), "7.2"));
    }

    [Fact]
    public void Rst_lists_become_xml_lists()
    {
        Assert.Equal("The modes: <list type=\"bullet\"><item><description>one</description></item><item><description><c>two</c></description></item></list>",
            XmlDocRenderer.Block("The modes:\n- one\n- @two"));
        // A lone dash inside a sentence is not a list.
        Assert.Equal("Fast - usually.", XmlDocRenderer.Block("Fast - usually."));
    }

    [Fact]
    public void An_events_summary_keeps_since_apart_and_its_markup_unescaped()
    {
        var doc = XmlDocRenderer.Qapi(new DocSpec("Emitted when a block job has completed", null, null, null, null), null, "Only in QEMU builds with CONFIG_X.");
        Assert.Equal("Emitted when a block job has completed<para>Only in QEMU builds with CONFIG_X.</para>", XmlDocRenderer.EventSummary(doc with { Remarks = doc.Remarks + "\nSince QEMU 1.1." }).Replace("<para>Since QEMU 1.1.</para>", string.Empty, StringComparison.Ordinal));
        Assert.EndsWith("<para>Since QEMU 1.1.</para>", XmlDocRenderer.EventSummary(doc with { Remarks = doc.Remarks + "\nSince QEMU 1.1." }), StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;", XmlDocRenderer.EventSummary(doc with { Remarks = "<para>a <c>b</c></para>\n<para>Since QEMU 1.1.</para>" }), StringComparison.Ordinal);
    }

    [Fact]
    public void At_names_are_paramrefs_for_the_methods_parameters_see_crefs_for_types_else_code()
    {
        var references = XmlDocRenderer.References(new[] { ("read-only", "readOnly"), ("device", "@device") }, name => name == "BlockInfo" ? "global::Qemu.BlockInfo" : null);
        Assert.Equal("Opens <paramref name=\"device\"/> <paramref name=\"readOnly\"/>, a <see cref=\"global::Qemu.BlockInfo\"/>, else <c>node-name</c>.",
            XmlDocRenderer.Inline("Opens @device @read-only, a @BlockInfo, else @node-name.", references));
    }

    [Fact]
    public void Numbered_lists_become_number_lists_and_paragraphs_paras()
    {
        Assert.Equal("Steps: <list type=\"number\"><item><description>stop</description></item><item><description>go</description></item></list>",
            XmlDocRenderer.Block("Steps:\n1. stop\n2. go"));
        Assert.Equal("<para>One.</para><para>Two.</para>", XmlDocRenderer.Block("One.\n\nTwo."));
    }

    [Fact]
    public void A_literal_block_keeps_its_lines_in_a_code_element()
    {
        Assert.Equal("<para>Run:</para><code>qemu -S\n  -m 1G</code><para>Done.</para>", XmlDocRenderer.Block("Run::\n\n    qemu -S\n      -m 1G\n\nDone."));
    }

    [Fact]
    public void Qapi_remarks_resolve_references_when_given_the_parameters()
    {
        var doc = new SchemaDoc("Ejects.", new[] { new SchemaDocSection(SchemaDoc.Note, "Fails while @device is locked.", SchemaLocation.None), new SchemaDocSection(SchemaDoc.Since, "0.14", SchemaLocation.None) }.ToEquatableArray(),
            EquatableArray<SchemaFeatureDoc>.Empty, EquatableArray<SchemaExample>.Empty, SchemaLocation.None);
        var spec = XmlDocRenderer.Qapi(new DocSpec("Ejects.", null, null, null, null), doc, string.Empty, XmlDocRenderer.References(new[] { ("device", "device") }));
        Assert.Equal("<para>Fails while <paramref name=\"device\"/> is locked.</para>\n<para>Since QEMU 0.14.</para>", spec.Remarks);
    }
}
