using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Generation;

// The generation spec: plain, value-equatable records that say what to emit. Built from the
// SchemaModel by SpecBuilder; read by the emitters, which never look at schema text or Roslyn.

/// <summary>The JSON shape of a value in generated code.</summary>
public enum ValueKind
{
    String,
    Int,
    Number,
    Bool,
    /// <summary>Any JSON value, kept as a <c>JsonElement</c>.</summary>
    Json,
    /// <summary>An object with a generated record type.</summary>
    Object,
    /// <summary>An array, <c>IReadOnlyList&lt;Element&gt;</c>.</summary>
    List,
    /// <summary>A string from a known set: a generated string-backed <c>readonly record struct</c> that keeps unknown values.</summary>
    Enum,
}

/// <summary>
/// A type in generated code: a scalar, a generated record, or a list of either. <see cref="Width"/>:
/// the CLR integer type of a QAPI sized integer (<c>sbyte</c> ... <c>ulong</c>), null for <c>long</c>.
/// <see cref="IsAlternate"/>: an object kind that is a QAPI alternate (read from any JSON token,
/// <see cref="AcceptsNull"/> when one of its branches is <c>null</c>).
/// </summary>
public sealed record TypeRef(ValueKind Kind, string? RecordName = null, TypeRef? Element = null, string? Width = null, bool IsAlternate = false, bool AcceptsNull = false)
{
    public static readonly TypeRef String = new(ValueKind.String);
    public static readonly TypeRef Int = new(ValueKind.Int);
    public static readonly TypeRef Number = new(ValueKind.Number);
    public static readonly TypeRef Bool = new(ValueKind.Bool);
    public static readonly TypeRef Json = new(ValueKind.Json);

    public static TypeRef Record(string name) => new(ValueKind.Object, name);

    public static TypeRef ListOf(TypeRef element) => new(ValueKind.List, null, element);

    public static TypeRef EnumOf(string name) => new(ValueKind.Enum, name);

    public bool IsValueType => Kind is ValueKind.Int or ValueKind.Number or ValueKind.Bool or ValueKind.Json or ValueKind.Enum;

    public string ClrType => Kind switch
    {
        ValueKind.String => "string",
        ValueKind.Int => Width ?? "long",
        ValueKind.Number => "double",
        ValueKind.Bool => "bool",
        ValueKind.Json => "global::System.Text.Json.JsonElement",
        ValueKind.Object or ValueKind.Enum => RecordName!,
        _ => "global::System.Collections.Generic.IReadOnlyList<" + Element!.ClrType + ">",
    };

    public override string ToString() => ClrType;
}

/// <summary>A member of a generated record: its exact JSON name, its C# names, type and docs.</summary>
public sealed record PropertySpec(
    string JsonName,
    string ClrName,
    string ParameterName,
    TypeRef Type,
    bool Optional,
    string? Doc)
{
    /// <summary>The declared C# type (nullable when optional).</summary>
    public string DeclaredType => Optional ? Type.ClrType + "?" : Type.ClrType;
}

/// <summary>
/// A generated record with hand-written marshaling. <see cref="Summary"/> is XML (schema text escaped
/// by <c>CSharpText.Xml</c> where it is built, the fallbacks' <c>&lt;c&gt;</c> kept). <see cref="KeepsAdditionalProperties"/>: the
/// object is open (<c>SchemaIndex.IsOpen</c>: an <c>O</c> option list, an argument object the docs
/// describe only in part, a <c>'gen': false</c> command's arguments), so the record keeps the members
/// it does not declare in <c>AdditionalProperties</c>, read and written back.
/// <see cref="EventName"/>: the record is a typed event with this wire name.
/// <see cref="IsBranch"/>: a union's branch carries the record, so it also has <c>WriteMembers</c>
/// (its members without the braces, written beside the union's base members).
/// </summary>
public sealed record RecordSpec(
    string Name,
    string? Summary,
    EquatableArray<PropertySpec> Properties,
    bool KeepsAdditionalProperties,
    string? EventName,
    bool IsBranch = false);

/// <summary>A generated enum: a string-backed record struct with a constant per known value.</summary>
public sealed record EnumSpec(string Name, string? Summary, EquatableArray<EnumValueSpec> Values);

/// <summary>One known value of an enum: its wire string, its constant's C# name, its docs.</summary>
public sealed record EnumValueSpec(string JsonName, string ClrName, string? Doc);

/// <summary>A documented parameter for XML docs.</summary>
public sealed record DocParam(string Name, string Text);

/// <summary>
/// The XML documentation of a generated member. <see cref="SummaryIsXml"/>: the summary is already XML (a
/// fallback with <c>&lt;c&gt;</c>), not text to escape; <see cref="RemarksIsXml"/>: the remarks are XML
/// paragraphs, one a line; <see cref="ErrorsXml"/>: the error cases, for an <c>&lt;exception&gt;</c>.
/// </summary>
public sealed record DocSpec(
    string Summary,
    string? Returns,
    string? ExampleRequest,
    string? ExampleReply,
    string? Remarks,
    bool SummaryIsXml = false,
    bool RemarksIsXml = false,
    string? ErrorsXml = null);

/// <summary>One argument as QEMU 2.1 validates it: name, optionality and expected JSON type (null: unchecked).</summary>
public sealed record ArgumentCheck(string Name, bool Optional, string? JsonType);

/// <summary>
/// A command to emit. <see cref="ArgumentsType"/> is null for a command without arguments;
/// <see cref="Result"/> null for a command that returns <c>{}</c>. <see cref="TakesFileDescriptor"/>:
/// the command reads a file descriptor passed with it (SCM_RIGHTS), so the client gets overloads that take one.
/// <see cref="Boxed"/>: the arguments travel as one options object only (QAPI's <c>boxed</c>), no flat overload.
/// <see cref="Attributes"/>: C# attributes of its methods (<c>Obsolete</c>, <c>Experimental</c>).
/// </summary>
public sealed record CommandGenerationSpec(
    string Name,
    string MethodName,
    string? ArgumentsType,
    EquatableArray<PropertySpec> Parameters,
    TypeRef? Result,
    bool AcceptsAnyKey,
    EquatableArray<ArgumentCheck> Checks,
    DocSpec Doc,
    string? Condition,
    bool TakesFileDescriptor = false,
    bool Boxed = false,
    EquatableArray<string> Attributes = default)
{
    /// <summary>The schema's name of the arguments' object type (what a QAPI server checks them against); null without arguments.</summary>
    public string? SchemaArguments { get; init; }

    /// <summary>QAPI's <c>success-response</c>: false, a success is not answered at all.</summary>
    public bool SuccessResponse { get; init; } = true;

    /// <summary>QAPI's <c>allow-oob</c>: the command may run out of band.</summary>
    public bool AllowOob { get; init; }

    /// <summary>
    /// QAPI's <c>gen</c>: false, QEMU's handler takes the arguments as they come (<c>device_add</c>'s
    /// driver properties), so a server checks no more than the typed read does.
    /// </summary>
    public bool Generated { get; init; } = true;
}

/// <summary>An event to emit: its wire name, its record and its docs.</summary>
public sealed record EventGenerationSpec(string Name, string MethodName, RecordSpec Record, DocSpec Doc);

/// <summary>
/// Everything generated for one namespace. <see cref="Stem"/> names the entry types
/// (<c>QemuClient</c>, <c>QemuCommandsBase</c>, <c>QemuEvents</c>).
/// </summary>
public sealed record GenerationSpec(
    string Namespace,
    string Stem,
    bool Client,
    bool Server,
    EquatableArray<RecordSpec> Records,
    EquatableArray<CommandGenerationSpec> Commands,
    EquatableArray<RecordSpec> EventRecords,
    EquatableArray<EventGenerationSpec> Events,
    EquatableArray<EnumSpec> Enums)
{
    /// <summary><c>Access="Internal"</c>: every generated top-level type is internal (see <see cref="Helpers.SourceWriter.Internal"/>).</summary>
    public bool Internal { get; init; }

    /// <summary>The unions, each an abstract record with a sealed record per branch.</summary>
    public EquatableArray<UnionSpec> Unions { get; init; } = EquatableArray<UnionSpec>.Empty;

    /// <summary>The alternates, each one of several types chosen by the JSON token.</summary>
    public EquatableArray<AlternateSpec> Alternates { get; init; } = EquatableArray<AlternateSpec>.Empty;

    /// <summary>
    /// Where the types, the commands' client members and the event records are written: one spec per
    /// module (<see cref="ModuleOutputSpec"/>). The outputs below hold what is one per namespace.
    /// </summary>
    public EquatableArray<ModuleOutputSpec> Modules { get; init; } = EquatableArray<ModuleOutputSpec>.Empty;

    /// <summary>The client's core (the connection, the events' members); its commands are in the modules' files.</summary>
    public ClientOutputSpec? ClientOutput => Client ? new(Namespace, Stem, !Events.IsEmpty) { Internal = Internal } : null;

    /// <summary>
    /// A QAPI schema's (or saved answer's) types as a generated server checks arguments against them
    /// (<see cref="QapiShapeLines"/>); empty for .hx files, whose server checks as QEMU 2.1 did.
    /// </summary>
    public EquatableArray<string> QapiShapes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>What a QAPI server answers to the introspection commands itself (null for .hx files).</summary>
    public ServerIntrospectionSpec? ServerIntrospection { get; init; }

    public ServerOutputSpec? ServerOutput => Server ? new(Namespace, Stem, Commands) { Internal = Internal, QapiShapes = QapiShapes, Introspection = ServerIntrospection } : null;

    public EventsOutputSpec EventsOutput => new(Namespace, Stem, Client, Server, Events) { Internal = Internal };
}

// One spec per generated file, so an edit to the schema regenerates only the files it changes.

public sealed record ClientOutputSpec(string Namespace, string Stem, bool HasEvents)
{
    public bool Internal { get; init; }
}

public sealed record ServerOutputSpec(string Namespace, string Stem, EquatableArray<CommandGenerationSpec> Commands)
{
    public bool Internal { get; init; }

    /// <summary>Non-empty: a QAPI server (QEMU 7.2's checks and dialect); see <see cref="GenerationSpec.QapiShapes"/>.</summary>
    public EquatableArray<string> QapiShapes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>A QAPI server's own answers to <c>query-qmp-schema</c>, <c>query-commands</c> and <c>query-version</c>.</summary>
    public ServerIntrospectionSpec? Introspection { get; init; }
}

/// <summary>
/// What a generated QAPI server answers itself unless a member is overridden: <see cref="SchemaAnswer"/>
/// holds the entries of <c>query-qmp-schema</c>'s <c>return</c>, each as compact JSON (what QEMU answers for the schema in
/// the build, or the saved answer itself); <see cref="CommandOrder"/> the schema's commands in the
/// order QEMU's <c>query-commands</c> lists them (the reverse of registration: generated commands in
/// schema order, then those with <c>gen: false</c>); <see cref="Version"/> the saved answer's
/// <c>query-version</c>, null when there is none.
/// </summary>
public sealed record ServerIntrospectionSpec(EquatableArray<string> SchemaAnswer, EquatableArray<string> CommandOrder, Qmp.Codegen.Introspection.IntrospectedVersion? Version);

public sealed record EventsOutputSpec(string Namespace, string Stem, bool Client, bool Server, EquatableArray<EventGenerationSpec> Events)
{
    public bool Internal { get; init; }
}
