using Qmp.Codegen.Hx;
using Qmp.Codegen.Schema;

namespace QmpShell;

/// <summary>How the shell turns a typed value into JSON for one argument.</summary>
internal enum ArgValueType
{
    /// <summary>Kept as a string whatever it looks like (<c>s</c>, <c>F</c>, <c>B</c>, json-string, an enum).</summary>
    String,
    /// <summary>An integer when it reads as one (<c>i</c>, <c>l</c>, <c>M</c>, <c>o</c>, json-int).</summary>
    Integer,
    /// <summary>A number when it reads as one (<c>T</c>, json-number).</summary>
    Number,
    /// <summary><c>true</c>/<c>false</c> (<c>b</c>, <c>-x</c>, json-bool).</summary>
    Bool,
    /// <summary>Guessed from the text, as for unknown commands (<c>q</c>, json-value, json-object, an alternate).</summary>
    Any,
}

/// <summary>
/// One argument the user can type as <c>name=value</c>. <see cref="Values"/>: what Tab offers after
/// <c>name=</c> (an enum's values, <c>true</c>/<c>false</c> for a bool; an alternate's, of its branches).
/// </summary>
internal sealed record ArgInfo(string Name, ArgValueType Type, bool Optional, string TypeName, string? Description)
{
    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>
/// One command of the QMP schema model: its arguments as the user types them (a base's members
/// flattened in), its documentation, what it returns. A command whose arguments are a union has
/// <see cref="Tag"/> (the member that picks the branch) and each branch's own arguments.
/// </summary>
internal sealed record CommandInfo(string Name, IReadOnlyList<ArgInfo> Arguments, SchemaDoc? Doc, SchemaTypeRef? Returns)
{
    public string? Tag { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<ArgInfo>> Branches { get; init; } = new Dictionary<string, IReadOnlyList<ArgInfo>>();

    /// <summary>The argument of this name: a common one, else the first branch's that has it.</summary>
    public ArgInfo? FindArgument(string name) =>
        Arguments.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal))
        ?? Branches.Values.SelectMany(b => b).FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>The arguments with <see cref="Tag"/> set to <paramref name="tagValue"/>: the common ones, then the branch's.</summary>
    public IEnumerable<ArgInfo> ArgumentsFor(string? tagValue) =>
        tagValue is not null && Branches.TryGetValue(tagValue, out var branch) ? Arguments.Concat(branch) : Arguments;

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

/// <summary>An event of the schema: its name, the type of its <c>data</c> (null: none) and its documentation.</summary>
internal sealed record EventInfo(string Name, SchemaTypeRef? Data, SchemaDoc? Doc);

/// <summary>
/// The commands and events the shell knows, from the QMP schema model the generator reads too:
/// QEMU 2.1's <c>.hx</c> tables copied next to the program (<see cref="Load"/>), or what the
/// connected server describes in its <c>query-qmp-schema</c> (<see cref="SchemaLearning"/>).
/// </summary>
internal sealed class CommandCatalog
{
    private readonly Dictionary<string, CommandInfo> _byName;
    private readonly Dictionary<string, EventInfo> _events;

    /// <param name="schema">The model.</param>
    /// <param name="origin">Where it came from, as the banner and <c>help</c> say it.</param>
    /// <param name="learned">True for a server's <c>query-qmp-schema</c>: its type names are made up (from where each is used) unless <paramref name="hasDocs"/>.</param>
    /// <param name="hasDocs">True when QAPI sources gave the names and docs.</param>
    public CommandCatalog(QmpSchema schema, string origin = "QEMU 2.1's schema", bool learned = false, bool hasDocs = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        Origin = origin;
        IsLearned = learned;
        HasDocs = hasDocs;
        Index = SchemaIndex.Of(schema);

        Commands = schema.Commands.Select(Describe).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        _byName = new Dictionary<string, CommandInfo>(StringComparer.Ordinal);
        foreach (var command in Commands)
        {
            _byName.TryAdd(command.Name, command);
        }

        Events = schema.Events.Select(e => new EventInfo(e.Name, e.Data, e.Doc)).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        _events = new Dictionary<string, EventInfo>(StringComparer.Ordinal);
        foreach (var e in Events)
        {
            _events.TryAdd(e.Name, e);
        }
    }

    public QmpSchema Schema { get; }

    /// <summary>The resolved view of <see cref="Schema"/>: types by name, a base's members flattened in.</summary>
    public SchemaIndex Index { get; }

    /// <summary>Where the commands came from (<c>QEMU 2.1's schema</c>, <c>the server's query-qmp-schema</c>).</summary>
    public string Origin { get; }

    /// <summary>True when the commands are the connected server's own (<c>query-qmp-schema</c>).</summary>
    public bool IsLearned { get; }

    /// <summary>True when the model has documentation and QAPI's type names (not so for a bare <c>query-qmp-schema</c>).</summary>
    public bool HasDocs { get; }

    public IReadOnlyList<CommandInfo> Commands { get; }

    public IReadOnlyList<EventInfo> Events { get; }

    public CommandInfo? Find(string name) => _byName.GetValueOrDefault(name);

    public EventInfo? FindEvent(string name) => _events.GetValueOrDefault(name);

    /// <summary>The object type of this name (the element type of an array), or null for a builtin or an enum.</summary>
    public SchemaObjectType? ObjectType(SchemaTypeRef? type) => type is null ? null : Index.ObjectType(type.Name);

    /// <summary>Every member of an object type: its base's first (a union's common members), then its own.</summary>
    public IReadOnlyList<SchemaMember> MembersOf(SchemaObjectType type) => Index.AllMembers(type);

    /// <summary>
    /// A type as <c>help</c> and events show it: QAPI's name (or a builtin's); for a learned schema
    /// without QAPI sources, whose names the shell would have to make up, the kind (<c>enum</c>,
    /// <c>object</c>, <c>alternate</c>).
    /// </summary>
    public string DisplayType(SchemaTypeRef type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var name = type.Name;
        if (IsLearned && !HasDocs && Index.Type(type.Name) is { } named)
        {
            name = named.MetaType;
        }

        return type.IsArray ? "[" + name + "]" : name;
    }

    /// <summary>What Tab offers after <c>name=</c> for a value of <paramref name="type"/>.</summary>
    public IReadOnlyList<string> ValuesOf(SchemaTypeRef type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.IsArray)
        {
            return [];
        }

        if (Index.Type(type.Name) is SchemaAlternateType alternate)
        {
            // An alternate takes a value of any branch: QAPI allows no alternate inside another, so one level.
            return alternate.Branches.Where(b => !b.Type.IsArray && Index.Type(b.Type.Name) is not SchemaAlternateType)
                .SelectMany(b => ValuesOf(b.Type)).Distinct(StringComparer.Ordinal).ToArray();
        }

        return Index.Type(type.Name) switch
        {
            SchemaEnumType e => e.Values.Select(v => v.Name).ToArray(),
            _ when type.Name == SchemaBuiltins.QType => SchemaBuiltins.QTypeEnum.Values.Select(v => v.Name).ToArray(),
            _ when SchemaBuiltins.JsonTypeOf(type.Name) == JsonType.Boolean => ["true", "false"],
            _ => [],
        };
    }

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
        // An option list's members travel flattened: the model lists them beside the others. So do
        // a struct's base members and a union's common ones (QAPI's 'boxed' arguments).
        if (ObjectType(command.Arguments) is not { } type)
        {
            return new CommandInfo(command.Name, [], command.Doc, command.Returns);
        }

        var arguments = MembersOf(type).Select(Argument).ToArray();
        if (type.Variants is not { } variants)
        {
            return new CommandInfo(command.Name, arguments, command.Doc, command.Returns);
        }

        var common = arguments.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var branches = new Dictionary<string, IReadOnlyList<ArgInfo>>(StringComparer.Ordinal);
        foreach (var branch in variants.Branches)
        {
            branches.TryAdd(branch.Case, Index.BranchMembers(type, branch.Case).Where(m => !common.Contains(m.Name)).Select(Argument).ToArray());
        }

        return new CommandInfo(command.Name, arguments, command.Doc, command.Returns) { Tag = variants.Tag, Branches = branches };
    }

    private ArgInfo Argument(SchemaMember member) =>
        new(member.Name, TypeOf(member.Type), member.Optional, DisplayType(member.Type), member.Doc) { Values = ValuesOf(member.Type) };

    /// <summary>How a value typed for an argument is read: by the JSON type of its wire type (an enum's is a string).</summary>
    internal ArgValueType TypeOf(SchemaTypeRef type)
    {
        if (type.IsArray)
        {
            return ArgValueType.Any;
        }

        if (Index.Type(type.Name) is SchemaEnumType)
        {
            return ArgValueType.String;
        }

        return SchemaBuiltins.JsonTypeOf(type.Name) switch
        {
            JsonType.String => ArgValueType.String,
            JsonType.Int => ArgValueType.Integer,
            JsonType.Number => ArgValueType.Number,
            JsonType.Boolean => ArgValueType.Bool,
            _ => ArgValueType.Any,
        };
    }
}
