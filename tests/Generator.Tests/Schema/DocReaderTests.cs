using Qmp.Codegen.Docs;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Schema;

/// <summary>
/// The doc structure every output writes (XML docs, Markdown, HTML): each rST rule read once by
/// <see cref="DocReader"/>, then written by the XML docs' writer to show what a .NET reader sees.
/// </summary>
public class DocReaderTests
{
    [Fact]
    public void Blank_lines_separate_paragraphs_and_lines_inside_one_are_joined()
    {
        var blocks = DocReader.Blocks("First line\nsame paragraph.\n\nSecond one.");
        Assert.Equal(2, blocks.Count);
        Assert.Equal(new DocInline[] { new DocPlain("First line same paragraph.") }, Assert.IsType<DocParagraph>(blocks[0]).Inlines);
        Assert.Equal("<para>First line same paragraph.</para><para>Second one.</para>", XmlDocRenderer.Block("First line\nsame paragraph.\n\nSecond one."));
    }

    [Fact]
    public void Dash_and_star_bullets_are_a_bullet_list_with_continuation_lines()
    {
        var blocks = DocReader.Blocks("The modes:\n- one,\n  continued\n* two");
        Assert.Equal(new DocInline[] { new DocPlain("The modes:") }, Assert.IsType<DocParagraph>(blocks[0]).Inlines);
        var list = Assert.IsType<DocList>(blocks[1]);
        Assert.False(list.Numbered);
        Assert.Equal(2, list.Items.Count);
        Assert.Equal(new DocInline[] { new DocPlain("one, continued") }, list.Items[0]);
    }

    [Fact]
    public void Numbered_items_are_a_numbered_list()
    {
        var list = Assert.IsType<DocList>(Assert.Single(DocReader.Blocks("1. Stop the guest.\n2. Save it.\n#. Quit.")));
        Assert.True(list.Numbered);
        Assert.Equal(3, list.Items.Count);
        Assert.Equal("<list type=\"number\"><item><description>Stop the guest.</description></item><item><description>Save it.</description></item><item><description>Quit.</description></item></list>",
            XmlDocRenderer.Block("1. Stop the guest.\n2. Save it.\n#. Quit."));
    }

    [Fact]
    public void Bullets_joined_onto_one_line_are_still_a_list_but_a_lone_dash_is_not()
    {
        Assert.IsType<DocList>(DocReader.Blocks("- Nothing on success - If @device is absent, DeviceNotFound")[0]);
        Assert.IsType<DocParagraph>(Assert.Single(DocReader.Blocks("Fast - usually.")));
    }

    [Fact]
    public void A_paragraph_ending_in_two_colons_makes_the_indented_text_a_literal_block()
    {
        var blocks = DocReader.Blocks("Run it so::\n\n    qemu -S\n      -m 1G\n\nThen go on.");
        Assert.Equal(new DocInline[] { new DocPlain("Run it so:") }, Assert.IsType<DocParagraph>(blocks[0]).Inlines);
        Assert.Equal("qemu -S\n  -m 1G", Assert.IsType<DocCodeBlock>(blocks[1]).Text);
        Assert.IsType<DocParagraph>(blocks[2]);
    }

    [Fact]
    public void At_names_are_references_literals_are_code_and_addresses_stay_text()
    {
        Assert.Equal(new DocInline[] { new DocPlain("Ejects "), new DocReference("device"), new DocPlain(" as "), new DocCode("read-only"), new DocPlain("; mail root@host.") },
            DocReader.Inlines("Ejects @device as ``read-only``; mail root@host."));
    }

    [Fact]
    public void Error_cases_leave_the_returns_and_join_the_errors_section()
    {
        var doc = new SchemaDoc("Stops a job.",
            new[]
            {
                new SchemaDocSection(SchemaDoc.Returns, "- Nothing on success\n- If @device does not exist, DeviceNotFound", SchemaLocation.None),
                new SchemaDocSection(SchemaDoc.Errors, "- If the job is busy, GenericError", SchemaLocation.None),
                new SchemaDocSection(SchemaDoc.Since, "1.1", SchemaLocation.None),
            }.ToEquatableArray(),
            EquatableArray<SchemaFeatureDoc>.Empty, EquatableArray<SchemaExample>.Empty, SchemaLocation.None);
        var entity = DocReader.Entity(doc, SchemaCondition.NotOf(SchemaCondition.Symbol("CONFIG_X")));
        Assert.Equal(new DocInline[] { new DocPlain("Nothing on success") }, Assert.IsType<DocParagraph>(Assert.Single(entity.Returns)).Inlines);
        Assert.Equal(new[] { "DeviceNotFound", "GenericError" }, entity.Errors.Select(e => e.ErrorClass));
        Assert.Equal(new DocInline[] { new DocPlain("If "), new DocReference("device"), new DocPlain(" does not exist") }, entity.Errors[0].When);
        Assert.Equal("1.1", entity.Since);
        Assert.Equal("Only in QEMU builds without CONFIG_X.", entity.ConditionSentence);
    }

    [Fact]
    public void The_source_writer_writes_blocks_the_reader_reads_back_the_same()
    {
        const string Text = "Lead @x with ``y``.\n\n- one\n- two\n\n1. a\n2. b\n\nSo::\n\n    code\n      more";
        var blocks = DocReader.Blocks(Text);
        var again = DocReader.Blocks(DocSourceWriter.Instance.Write(blocks));
        Assert.Equal(DocSourceWriter.Instance.Write(blocks), DocSourceWriter.Instance.Write(again));
        Assert.Equal(blocks.Select(b => b.GetType()), again.Select(b => b.GetType()));
    }
}
