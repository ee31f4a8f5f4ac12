using System.Collections.Generic;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// One documentation comment as the doc parser understood it (QEMU's <c>QAPIDoc</c>): a definition
/// doc (<see cref="Symbol"/> set: body, member and feature descriptions, tagged sections, examples)
/// or free-form text (an optional <c>= Heading</c> and its text). The builder connects the member
/// descriptions to members and reports the ones that name nothing.
/// </summary>
internal sealed class QapiDoc
{
    public QapiDoc(SchemaLocation location) => Location = location;

    public SchemaLocation Location { get; }

    public string? Symbol { get; set; }

    public SchemaLocation SymbolLocation { get; set; }

    public string? Heading { get; set; }

    public int HeadingLevel { get; set; }

    public string Body { get; set; } = string.Empty;

    public List<QapiDocArg> Args { get; } = new();

    public List<QapiDocArg> Features { get; } = new();

    /// <summary>Tagged sections (Returns, Errors, Since, Note, TODO) and untagged paragraphs after the members (<see cref="SchemaDoc.Untagged"/>).</summary>
    public List<SchemaDocSection> Sections { get; } = new();

    public List<SchemaExample> Examples { get; } = new();

    public QapiDocArg? Arg(string name) => Find(Args, name);

    public QapiDocArg? Feature(string name) => Find(Features, name);

    // A loop rather than List.Find: asked for every member of every definition, and a lambda capturing name allocates each time.
    private static QapiDocArg? Find(List<QapiDocArg> args, string name)
    {
        foreach (var arg in args)
        {
            if (arg.Name == name)
            {
                return arg;
            }
        }
        return null;
    }

    public bool HasSection(string tag) => Sections.Exists(s => s.Tag == tag);
}

/// <summary>The description of one member (or feature): <c>@name: text</c> with its indented continuation.</summary>
internal sealed class QapiDocArg
{
    public QapiDocArg(string name, SchemaLocation location)
    {
        Name = name;
        Location = location;
    }

    public string Name { get; }

    public SchemaLocation Location { get; }

    public string Text { get; set; } = string.Empty;

    /// <summary>Set when a member (feature) of the definition took this description.</summary>
    public bool Connected { get; set; }
}
