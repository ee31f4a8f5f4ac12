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

/// <summary>One command of the QMP schema model: its arguments as the user types them, its documentation, what it returns.</summary>
internal sealed record CommandInfo(string Name, IReadOnlyList<ArgInfo> Arguments, SchemaDoc? Doc, SchemaTypeRef? Returns)
{
    public ArgInfo? FindArgument(string name) =>
        Arguments.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>The first sentence of the description, for the command list.</summary>
    public string Summary
    {
        get
        {
            var text = Doc?.Body.Trim() ?? string.Empty;
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            if (end >= 0)
            {
                text = text[..(end + 1)];
            }

            return text;
        }
    }
}

/// <summary>The commands of the schema files, from the QMP schema model the generator reads too.</summary>
internal sealed class CommandCatalog
{
    private readonly Dictionary<string, CommandInfo> _byName;
    private readonly Dictionary<string, SchemaType> _types;

    public CommandCatalog(QmpSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _types = new Dictionary<string, SchemaType>(StringComparer.Ordinal);
        foreach (var type in schema.Types)
        {
            _types.TryAdd(type.Name, type);
        }

        Commands = schema.Commands.Select(Describe).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        _byName = new Dictionary<string, CommandInfo>(StringComparer.Ordinal);
        foreach (var command in Commands)
        {
            _byName.TryAdd(command.Name, command);
        }
    }

    public QmpSchema Schema { get; }

    public IReadOnlyList<CommandInfo> Commands { get; }

    public CommandInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The object type of this name (the element type of an array), or null for a builtin or an enum.</summary>
    public SchemaObjectType? ObjectType(SchemaTypeRef? type) =>
        type is not null && _types.GetValueOrDefault(type.Name) is SchemaObjectType o ? o : null;

    /// <summary>Reads every <c>*.hx</c> file of <paramref name="directory"/> (by default the <c>schema</c> folder next to the program).</summary>
    public static CommandCatalog Load(string? directory = null)
    {
        directory ??= Path.Combine(AppContext.BaseDirectory, "schema");
        var sources = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.hx").OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => new SchemaSource(p, File.ReadAllText(p))).ToArray()
            : [];
        return new CommandCatalog(SchemaParser.Read(sources).Schema);
    }

    public static CommandCatalog FromText(string text) => new(SchemaParser.Read([new SchemaSource("inline.hx", text)]).Schema);

    private CommandInfo Describe(SchemaCommand command)
    {
        var arguments = new List<ArgInfo>();
        // An option list's members travel flattened: the model lists them beside the others.
        if (ObjectType(command.Arguments) is { } type)
        {
            foreach (var member in type.Members)
            {
                arguments.Add(new ArgInfo(member.Name, TypeOf(member.Type), member.Optional, member.Type.ToString(), member.Doc));
            }
        }
        return new CommandInfo(command.Name, arguments, command.Doc, command.Returns);
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
