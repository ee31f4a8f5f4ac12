using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits a QAPI union as an abstract record holding the base members, with a nested sealed record
/// per value of the discriminator's enum and an <c>Unknown</c> branch that keeps the members of a
/// branch this client does not know (a newer QEMU's), so such a reply is read and written back,
/// not refused. Reading finds the discriminator first (it may come after the branch's members)
/// on a copy of the reader, then reads the branch in one pass.
/// </summary>
public static class UnionEmitter
{
    private const string Json = "global::System.Text.Json";

    internal static void WriteUnion(SourceWriter writer, UnionSpec union, string stem)
    {
        var json = TypesEmitter.JsonClass(stem);
        var tag = union.Tag;
        var tagType = tag.Type.RecordName!;
        if (union.Summary is not null)
        {
            DocComments.Summary(writer, union.Summary);
        }

        writer.Line("/// <remarks>A union on <c>" + CSharpText.Xml(tag.JsonName) + "</c>: a nested record per value, <see cref=\"" + union.Unknown() + "\"/> for a value this client does not know.</remarks>");
        writer.Open("public abstract partial record " + union.Name);
        writer.Line("private protected " + union.Name + "()");
        writer.Line("{");
        writer.Line("}");
        writer.Line();
        DocComments.Element(writer, "summary", (tag.Doc is null ? string.Empty : CSharpText.Xml(tag.Doc) + " ") + "(JSON <c>" + CSharpText.Xml(tag.JsonName) + "</c>, the discriminator: fixed by the branch)");
        writer.Line("public abstract " + tagType + " " + tag.ClrName + " { get; }");
        writer.Line();
        // @name in a base member's doc: another base member (<see cref>), as in a record's docs.
        WriteProperties(writer, union.BaseProperties, XmlDocRenderer.MemberReferences(union.Name, union.BaseProperties.Concat(new[] { tag })));

        writer.Line("/// <summary>Writes <paramref name=\"value\"/> as a JSON object: the discriminator, the base members, the branch's.</summary>");
        writer.Open("public static void Write(" + Json + ".Utf8JsonWriter writer, " + union.Name + " value)");
        writer.Line(json + ".WriteStartObject(writer, value);");
        writer.Line("writer.WritePropertyName(" + Utf8(tag.JsonName) + ");");
        writer.Line(tagType + ".Write(writer, value." + tag.ClrName + ");");
        WriteMembers(writer, union.BaseProperties, json);
        writer.Line("value.WriteBranch(writer);");
        writer.Line("writer.WriteEndObject();");
        writer.Close();
        writer.Line();
        writer.Line("private protected abstract void WriteBranch(" + Json + ".Utf8JsonWriter writer);");
        writer.Line();

        writer.Line("/// <summary>Reads a JSON object; the reader is on its <c>{</c>. The branch is chosen by <c>" + CSharpText.Xml(tag.JsonName) + "</c>; a value this client does not know gives <see cref=\"" + union.UnknownName + "\"/>.</summary>");
        writer.Open("public static " + union.Name + " Read(ref " + Json + ".Utf8JsonReader reader)");
        writer.Line("var tag = " + QapiJson.Class + ".PeekTag(reader, " + Utf8(tag.JsonName) + ", " + CSharpText.Literal(tag.JsonName) + ") ?? throw " + json + ".Missing(" + CSharpText.Literal(tag.JsonName) + ");");
        writer.Open("return tag switch");
        foreach (var branch in union.Branches)
        {
            writer.Line(CSharpText.Literal(branch.Case) + " => " + branch.Name + ".ReadBranch(ref reader),");
        }

        writer.Line("_ => " + union.UnknownName + ".ReadBranch(ref reader, new " + tagType + "(tag)),");
        writer.Close("};");
        writer.Close();
        writer.Line();
        WriteBaseReader(writer, union, json);

        foreach (var branch in union.Branches)
        {
            writer.Line();
            WriteBranch(writer, union, branch, json);
        }
        writer.Line();
        WriteUnknown(writer, union, json);
        writer.Close();
    }

    private static void WriteBranch(SourceWriter writer, UnionSpec union, UnionBranchSpec branch, string json)
    {
        var tag = union.Tag;
        if (branch.Summary is not null)
        {
            DocComments.Summary(writer, branch.Summary);
        }

        writer.Open("public sealed partial record " + branch.Name + " : " + union.Name);
        var constant = CaseConstant(union, branch);
        writer.Line("/// <summary>The value of <c>" + CSharpText.Xml(tag.JsonName) + "</c> that selects this branch: <c>" + CSharpText.Xml(branch.Case) + "</c>.</summary>");
        writer.Line("public static readonly " + tag.Type.RecordName + " " + constant + " = new(" + CSharpText.Literal(branch.Case) + ");");
        writer.Line("/// <inheritdoc/>");
        writer.Line("public override " + tag.Type.RecordName + " " + tag.ClrName + " => " + constant + ";");
        if (branch.Data is { } data)
        {
            WriteCarriedBranch(writer, union, branch, data, json);
            return;
        }
        writer.Line();
        if (branch.Properties.IsEmpty)
        {
            WriteEmptyBranch(writer, union, branch, json);
            return;
        }
        // @name in a branch member's doc: a member of the branch, else of the base.
        var branchReferences = XmlDocRenderer.MemberReferences(union.Name + "." + branch.Name, branch.Properties);
        var baseReferences = XmlDocRenderer.MemberReferences(union.Name, union.BaseProperties.Concat(new[] { tag }));
        // A member named as another branch's record hides that inherited nested record: `new` says so (no CS0108).
        var branchRecords = new HashSet<string>(union.Branches.Select(b => b.Name).Concat(new[] { union.UnknownName }), System.StringComparer.Ordinal);
        WriteProperties(writer, branch.Properties, name => branchReferences?.Invoke(name) ?? baseReferences?.Invoke(name), branchRecords);
        writer.Open("private protected override void WriteBranch(" + Json + ".Utf8JsonWriter writer)");
        writer.Line("var value = this;");
        WriteMembers(writer, branch.Properties, json);
        writer.Close();
        writer.Line();
        writer.Open("internal static " + branch.Name + " ReadBranch(ref " + Json + ".Utf8JsonReader reader)");
        ReadLoop(writer, union, branch.Properties, json, null);
        writer.Open("return new " + branch.Name);
        BaseInitializers(writer, union, json);
        Initializers(writer, branch.Properties, json);
        writer.Close("};");
        writer.Close();
        writer.Close();
    }

    /// <summary>
    /// The rest of a branch that carries its type's record (<c>Qcow2.Data</c> is a <c>BlockdevOptionsQcow2</c>):
    /// that record writes and reads the branch's members, the union its base members, in the same JSON object.
    /// </summary>
    private static void WriteCarriedBranch(SourceWriter writer, UnionSpec union, UnionBranchSpec branch, PropertySpec data, string json)
    {
        var type = data.Type.ClrType;
        writer.Line("/// <summary>The branch's members (in the JSON object beside the base's) as a <see cref=\"" + type + "\"/>.</summary>");
        writer.Line("public required " + type + " " + data.ClrName + " { get; init; }");
        writer.Line();
        // The two marshaling members are private to the union (no docs): the union's Write and Read call them.
        writer.Line("private protected override void WriteBranch(" + Json + ".Utf8JsonWriter writer) => " + type + ".WriteMembers(writer, " + data.ClrName + ");");
        if (union.BaseProperties.All(p => p.Optional))
        {
            writer.Line("internal static " + branch.Name + " ReadBranch(ref " + Json + ".Utf8JsonReader reader) => new() { " + BaseSetter + " = ReadBase(reader), " + data.ClrName + " = " + type + ".Read(ref reader) };");
        }
        else
        {
            writer.Open("internal static " + branch.Name + " ReadBranch(ref " + Json + ".Utf8JsonReader reader)");
            writer.Line("var base__ = ReadBase(reader);");
            writer.Line("return new " + branch.Name + " { " + BaseInitializerList(union, json) + ", " + data.ClrName + " = " + type + ".Read(ref reader) };");
            writer.Close();
        }
        writer.Close();
    }

    /// <summary>The rest of a branch with no members of its own: only the base's to read, the rest of the object skipped.</summary>
    private static void WriteEmptyBranch(SourceWriter writer, UnionSpec union, UnionBranchSpec branch, string json)
    {
        writer.Line("private protected override void WriteBranch(" + Json + ".Utf8JsonWriter writer) { }");
        if (union.BaseProperties.All(p => p.Optional))
        {
            writer.Line("internal static " + branch.Name + " ReadBranch(ref " + Json + ".Utf8JsonReader reader) => new() { " + BaseSetter + " = ReadBaseOnly(ref reader) };");
        }
        else
        {
            writer.Open("internal static " + branch.Name + " ReadBranch(ref " + Json + ".Utf8JsonReader reader)");
            writer.Line("var base__ = ReadBaseOnly(ref reader);");
            writer.Line("return new " + branch.Name + " { " + BaseInitializerList(union, json) + " };");
            writer.Close();
        }
        writer.Close();
    }

    private static void WriteUnknown(SourceWriter writer, UnionSpec union, string json)
    {
        var tag = union.Tag;
        var tagType = tag.Type.RecordName!;
        var members = union.UnknownMembersName;
        writer.Line("/// <summary>A branch this client does not know (a newer QEMU's): its discriminator and members as they arrived, written back as they were.</summary>");
        writer.Open("public sealed partial record " + union.UnknownName + " : " + union.Name);
        writer.Line("private readonly " + tagType + " _tag;");
        writer.Line();
        writer.Line("/// <summary>A branch for <paramref name=\"tag\"/>, a value of the discriminator this schema does not know.</summary>");
        writer.Line("public " + union.UnknownName + "(" + tagType + " tag) => _tag = tag;");
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line("public override " + tagType + " " + tag.ClrName + " => _tag;");
        writer.Line();
        writer.Line("/// <summary>The branch's members (all but the base's), as they arrived.</summary>");
        writer.Line("public global::System.Collections.Generic.IReadOnlyDictionary<string, " + Json + ".JsonElement> " + members + " { get; init; } = new global::System.Collections.Generic.Dictionary<string, " + Json + ".JsonElement>();");
        writer.Line();
        writer.Open("private protected override void WriteBranch(" + Json + ".Utf8JsonWriter writer)");
        writer.Open("foreach (var pair in " + members + ")");
        var names = union.BaseProperties.Select(p => p.JsonName).Concat(new[] { tag.JsonName }).ToList();
        writer.Line("if (" + string.Join(" || ", names.Select(n => "pair.Key == " + CSharpText.Literal(n))) + ")");
        writer.Line("    continue;");
        writer.Line("writer.WritePropertyName(pair.Key);");
        writer.Line("pair.Value.WriteTo(writer);");
        writer.Close();
        writer.Close();
        writer.Line();
        writer.Open("internal static " + union.UnknownName + " ReadBranch(ref " + Json + ".Utf8JsonReader reader, " + tagType + " tagValue__)");
        ReadLoop(writer, union, new List<PropertySpec>(), json, "branchMembers__");
        writer.Open("return new " + union.UnknownName + "(tagValue__)");
        BaseInitializers(writer, union, json);
        writer.Line(members + " = branchMembers__,");
        writer.Close("};");
        writer.Close();
        writer.Close();
    }

    /// <summary>
    /// The members' properties, their docs through the one renderer (<c>@name</c> what
    /// <paramref name="references"/> gives, <c>``x``</c> code, value lists as lists), as a record's are.
    /// </summary>
    internal static void WriteProperties(SourceWriter writer, IReadOnlyCollection<PropertySpec> properties, System.Func<string, string?>? references = null, ISet<string>? hidden = null)
    {
        foreach (var property in properties)
        {
            DocComments.SummaryWithValues(writer, property.Doc, "(JSON <c>" + CSharpText.Xml(property.JsonName) + "</c>" + (property.Optional ? ", optional" : string.Empty) + ")", references);
            var modifiers = (hidden is not null && hidden.Contains(property.ClrName) ? "new " : string.Empty) + (property.Optional ? string.Empty : "required ");
            writer.Line("public " + modifiers + property.DeclaredType + " " + property.ClrName + " { get; init; }");
        }
        if (properties.Count > 0)
        {
            writer.Line();
        }
    }

    private static void WriteMembers(SourceWriter writer, IEnumerable<PropertySpec> properties, string json)
    {
        foreach (var property in properties)
        {
            TypesEmitter.WriteProperty(writer, property, json);
        }
    }

    /// <summary>
    /// The union's one reader of its base members and discriminator, which every branch's loop calls
    /// first: the base members are read by this one method, not copied into each branch's reader.
    /// </summary>
    private static void WriteBaseReader(SourceWriter writer, UnionSpec union, string json)
    {
        var tag = union.Tag;
        writer.Line("/// <summary>The base members as read so far (a branch's reader holds one while it reads its object).</summary>");
        writer.Open("private protected struct " + BaseMembers);
        foreach (var property in union.BaseProperties)
        {
            writer.Line("public " + property.Type.ClrType + "? " + property.ClrName + ";");
        }

        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Reads the member the reader is on when it is the discriminator (skipped: the branch fixes it) or a base member; false for any other.</summary>");
        writer.Open("private protected static bool ReadBase(ref " + Json + ".Utf8JsonReader reader, ref " + BaseMembers + " members)");
        writer.Line("if (reader.ValueTextEquals(" + Utf8(tag.JsonName) + ")) " + json + ".SkipMember(ref reader);");
        foreach (var property in union.BaseProperties)
        {
            TypesEmitter.ReadMember(writer, property, "else if", "members." + property.ClrName, json);
        }

        writer.Line("else return false;");
        writer.Line("return true;");
        writer.Close();
        writer.Line();
        WriteBaseSetter(writer, union, json);
        if (union.Branches.Any(b => b.Data is not null || b.Properties.IsEmpty))
        {
            writer.Line();
            WriteBaseOnCopy(writer);
        }
        if (union.Branches.Any(b => b.Data is null && b.Properties.IsEmpty))
        {
            writer.Line();
            WriteBaseOnly(writer);
        }
    }

    /// <summary>
    /// The base members of the object the reader (a copy: passed by value) is on, for a branch whose
    /// record then reads the same object and skips them.
    /// </summary>
    private static void WriteBaseOnCopy(SourceWriter writer)
    {
        writer.Line("/// <summary>The base members of the object <paramref name=\"reader\"/> (a copy) is on; the other members are skipped (a branch that carries its record reads them so, then the record from the same object).</summary>");
        writer.Open("private protected static " + BaseMembers + " ReadBase(" + Json + ".Utf8JsonReader reader)");
        writer.Line("var members = default(" + BaseMembers + ");");
        writer.Open("while (reader.Read() && reader.TokenType != " + Json + ".JsonTokenType.EndObject)");
        writer.Line("if (!ReadBase(ref reader, ref members)) reader.Skip();");
        writer.Close();
        writer.Line("return members;");
        writer.Close();
    }

    /// <summary>The base members of the object the reader is on, the reader left on its <c>}</c>: all a branch with no members of its own reads.</summary>
    private static void WriteBaseOnly(SourceWriter writer)
    {
        writer.Line("/// <summary>The base members of the object the reader is on, the reader left on its <c>}</c> (a branch with no members of its own).</summary>");
        writer.Open("private protected static " + BaseMembers + " ReadBaseOnly(ref " + Json + ".Utf8JsonReader reader)");
        writer.Line("var members = ReadBase(reader);");
        writer.Line("reader.Skip();");
        writer.Line("return members;");
        writer.Close();
    }

    /// <summary>The name of the nested struct that holds the base members while a branch is read.</summary>
    private const string BaseMembers = "BaseMembers__";

    /// <summary>The member loop of a branch's reader: the base's reader first, then the branch's own members, other members into <paramref name="rest"/> or skipped.</summary>
    private static void ReadLoop(SourceWriter writer, UnionSpec union, IReadOnlyList<PropertySpec> properties, string json, string? rest)
    {
        writer.Line("var base__ = default(" + BaseMembers + ");");
        foreach (var property in properties)
        {
            writer.Line(property.Type.ClrType + "? " + TypesEmitter.LocalOf(property) + " = null;");
        }

        if (rest is not null)
        {
            writer.Line("var " + rest + " = new global::System.Collections.Generic.Dictionary<string, " + Json + ".JsonElement>();");
        }

        writer.Open("while (reader.Read() && reader.TokenType != " + Json + ".JsonTokenType.EndObject)");
        writer.Line("if (ReadBase(ref reader, ref base__)) continue;");
        var first = true;
        foreach (var property in properties)
        {
            TypesEmitter.ReadMember(writer, property, first ? "if" : "else if", TypesEmitter.LocalOf(property), json);
            first = false;
        }
        if (rest is not null)
        {
            writer.Open(first ? null : "else");
            writer.Line("var key = reader.GetString()!;");
            writer.Line("reader.Read();");
            writer.Line(rest + "[key] = " + Json + ".JsonElement.ParseValue(ref reader);");
            writer.Close();
        }
        else
        {
            writer.Line((first ? string.Empty : "else ") + json + ".SkipMember(ref reader);");
        }
        writer.Close();
    }

    /// <summary>A branch's initializer sets the base members it read in one assignment (<see cref="WriteBaseSetter"/>).</summary>
    private static void BaseInitializers(SourceWriter writer, UnionSpec union, string json)
    {
        writer.Line(BaseInitializerList(union, json) + ",");
    }

    /// <summary>
    /// The base members in a branch's initializer: the optional ones through <see cref="BaseSetter"/>, the
    /// required ones each by name (C# wants a required member set in the initializer itself).
    /// </summary>
    private static string BaseInitializerList(UnionSpec union, string json) =>
        string.Join(", ", new[] { BaseSetter + " = base__" }.Concat(union.BaseProperties.Where(p => !p.Optional)
            .Select(p => p.ClrName + " = base__." + p.ClrName + " ?? throw " + json + ".Missing(" + CSharpText.Literal(p.JsonName) + ")")));

    /// <summary>The init-only property that takes the base members a branch's reader read.</summary>
    private const string BaseSetter = "Base__";

    /// <summary>
    /// An init-only property that sets the base members from what a branch's reader read: each branch's
    /// initializer assigns it once (<c>Base__ = ReadBase(reader)</c>) instead of repeating every base member;
    /// the required ones are set by name beside it (C# checks those in the initializer).
    /// </summary>
    private static void WriteBaseSetter(SourceWriter writer, UnionSpec union, string json)
    {
        writer.Line("/// <summary>Sets the base members from what a branch's reader read (a branch's initializer assigns it once).</summary>");
        writer.Open("private protected " + BaseMembers + " " + BaseSetter);
        writer.Open("init");
        foreach (var property in union.BaseProperties.Where(p => p.Optional))
        {
            writer.Line(property.ClrName + " = value." + property.ClrName + ";");
        }

        writer.Close();
        writer.Close();
    }

    /// <summary>The branch's static field holding its discriminator value: <c>Case</c>, unless a member already has that name.</summary>
    private static string CaseConstant(UnionSpec union, UnionBranchSpec branch)
    {
        var name = "Case";
        while (branch.Name == name || union.Name == name || union.Tag.ClrName == name
            || union.BaseProperties.Any(p => p.ClrName == name) || branch.Properties.Any(p => p.ClrName == name))
        {
            name += "_";
        }

        return name;
    }

    private static void Initializers(SourceWriter writer, IEnumerable<PropertySpec> properties, string json)
    {
        foreach (var property in properties)
        {
            var local = TypesEmitter.LocalOf(property);
            writer.Line(property.ClrName + " = " + (property.Optional ? local : local + " ?? throw " + json + ".Missing(" + CSharpText.Literal(property.JsonName) + ")") + ",");
        }
    }

    private static string Unknown(this UnionSpec union) => union.UnknownName;

    private static string Utf8(string text) => CSharpText.Literal(text) + "u8";
}
