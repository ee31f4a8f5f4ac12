using Qmp.Codegen.Model;
using Qmp.Codegen.Hx;

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
        Commands = model.Commands.Select(Describe).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
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

    private static CommandInfo Describe(CommandSpec spec)
    {
        var docs = spec.Doc?.Arguments.ToDictionary(m => m.Name, StringComparer.Ordinal) ?? [];
        var arguments = new List<ArgInfo>();
        var hasOptionList = false;
        foreach (var argument in spec.Arguments)
        {
            if (argument.Kind == ArgumentKind.OptionList)
            {
                // An option list travels flattened: its documented members are what one types.
                hasOptionList = true;
                continue;
            }
            docs.TryGetValue(argument.Name, out var doc);
            arguments.Add(new ArgInfo(argument.Name, TypeOf(argument), argument.Optional,
                doc?.Type ?? argument.JsonType ?? "value", doc?.Description));
        }
        if (hasOptionList && spec.Doc is { } block)
        {
            foreach (var doc in block.Arguments)
            {
                if (arguments.Any(a => a.Name == doc.Name))
                    continue;
                arguments.Add(new ArgInfo(doc.Name, TypeOf(doc.Type), doc.Optional, doc.Type ?? "value", doc.Description));
            }
        }
        return new CommandInfo(spec.Name, arguments, spec.Doc);
    }

    /// <summary>How a value typed for an args_type argument is read: by the JSON type QEMU checks for it.</summary>
    internal static ArgValueType TypeOf(ArgumentSpec argument) => argument.JsonType switch
    {
        "string" => ArgValueType.String,
        "int" => ArgValueType.Integer,
        "number" => ArgValueType.Number,
        "bool" => ArgValueType.Bool,
        _ => ArgValueType.Any,
    };

    internal static ArgValueType TypeOf(string? documentedType) => documentedType switch
    {
        "json-string" => ArgValueType.String,
        "json-int" => ArgValueType.Integer,
        "json-number" or "json-double" => ArgValueType.Number,
        "json-bool" => ArgValueType.Bool,
        _ => ArgValueType.Any,
    };
}
