using Qmp.Codegen.Model;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Schema;

namespace QmpShell;

/// <summary>How the shell turns a typed value into JSON for one argument.</summary>
internal enum ArgValueType
{
    /// <summary>Kept as a string whatever it looks like (<c>s</c>, <c>F</c>, <c>B</c>, json-string).</summary>
    String,
    /// <summary>An integer when it reads as one (<c>i</c>, <c>l</c>, <c>M</c>, <c>o</c>, json-int).</summary>
    Integer,
    /// <summary>A number when it reads as one (<c>T</c>, json-number).</summary>
    Number,
    /// <summary><c>true</c>/<c>false</c> (<c>b</c>, <c>-x</c>, json-bool).</summary>
    Bool,
    /// <summary>Guessed from the text, as for unknown commands (<c>q</c>, json-value, json-object).</summary>
    Any,
}

/// <summary>One argument the user can type as <c>name=value</c>.</summary>
internal sealed record ArgInfo(string Name, ArgValueType Type, bool Optional, string TypeName, string? Description);

/// <summary>One command: its arguments as the user types them, and its documentation.</summary>
internal sealed record CommandInfo(string Name, IReadOnlyList<ArgInfo> Arguments, DocBlock? Doc)
{
    public ArgInfo? FindArgument(string name) =>
        Arguments.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>The first sentence of the description, for the command list.</summary>
    public string Summary
    {
        get
        {
            var text = Doc?.Description.Trim() ?? string.Empty;
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            if (end >= 0)
                text = text[..(end + 1)];
            return text;
        }
    }
}

/// <summary>The commands of the schema files, read with the generator's own parser.</summary>
internal sealed class CommandCatalog
{
    private readonly Dictionary<string, CommandInfo> _byName;

    public CommandCatalog(SchemaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        // What each command takes comes from the QMP schema model (the same one the generator and
        // the docs read); the doc blocks only give the help text.
        var schema = HxSchemaBuilder.Build(model);
        var types = schema.Types.OfType<SchemaObjectType>().ToDictionary(t => t.Name, StringComparer.Ordinal);
        var docs = model.Commands.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Doc, StringComparer.Ordinal);
        Commands = schema.Commands.Select(c => Describe(c, types, docs.GetValueOrDefault(c.Name))).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        _byName = new Dictionary<string, CommandInfo>(StringComparer.Ordinal);
        foreach (var command in Commands)
            _byName.TryAdd(command.Name, command);
    }

    public SchemaModel Model { get; }

    public IReadOnlyList<CommandInfo> Commands { get; }

    public CommandInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads every <c>*.hx</c> file of <paramref name="directory"/> (by default the <c>schema</c> folder next to the program).</summary>
    public static CommandCatalog Load(string? directory = null)
    {
        directory ??= Path.Combine(AppContext.BaseDirectory, "schema");
        var sources = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.hx").OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => new SchemaSource(p, File.ReadAllText(p))).ToArray()
            : [];
        return new CommandCatalog(SchemaParser.Parse(sources));
    }

    public static CommandCatalog FromText(string text) => new(SchemaParser.Parse("inline.hx", text));

    private static CommandInfo Describe(SchemaCommand command, Dictionary<string, SchemaObjectType> types, DocBlock? doc)
    {
        var documented = doc?.Arguments.ToDictionary(m => m.Name, StringComparer.Ordinal) ?? [];
        var arguments = new List<ArgInfo>();
        if (command.Arguments is { } reference && types.TryGetValue(reference.Name, out var type))
        {
            // An option list's members travel flattened: the model lists them beside the others.
            foreach (var member in type.Members)
            {
                documented.TryGetValue(member.Name, out var memberDoc);
                arguments.Add(new ArgInfo(member.Name, TypeOf(member.Type), member.Optional,
                    memberDoc?.Type ?? member.Type.ToString(), member.Doc ?? memberDoc?.Description));
            }
        }
        return new CommandInfo(command.Name, arguments, doc);
    }

    /// <summary>How a value typed for an argument is read: by the JSON type of its wire type.</summary>
    internal static ArgValueType TypeOf(SchemaTypeRef type) => type.IsArray ? ArgValueType.Any : SchemaBuiltins.JsonTypeOf(type.Name) switch
    {
        JsonType.String => ArgValueType.String,
        JsonType.Int => ArgValueType.Integer,
        JsonType.Number => ArgValueType.Number,
        JsonType.Boolean => ArgValueType.Bool,
        _ => ArgValueType.Any,
    };
}
