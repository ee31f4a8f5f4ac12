using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits a QAPI alternate as a one-of: a sealed record with one nullable property per branch (just
/// one is set), a constructor and an implicit conversion per branch, and a reader that picks the
/// branch by the JSON token type (QEMU's schema guarantees each branch has its own).
/// </summary>
public static class AlternateEmitter
{
    private const string Json = "global::System.Text.Json";

    public static void Write(SourceWriter writer, AlternateSpec alternate, string stem)
    {
        var json = TypesEmitter.JsonClass(stem);
        var name = alternate.Name;
        var hasNull = alternate.Branches.Any(b => b.Type is null);
        var typed = alternate.Branches.Where(b => b.Type is not null).ToList();
        if (alternate.Summary is not null)
            DocComments.Summary(writer, alternate.Summary);
        writer.Line("/// <remarks>One of several types (a QAPI alternate), told apart by the JSON type: exactly one property is set" + (hasNull ? ", or <see cref=\"IsNull\"/>" : string.Empty) + ".</remarks>");
        writer.Open("public sealed partial record " + name);
        writer.Line("private " + name + "()");
        writer.Line("{");
        writer.Line("}");
        foreach (var branch in typed)
        {
            var type = branch.Type!;
            writer.Line();
            DocComments.Element(writer, "summary", (branch.Doc is null ? string.Empty : CSharpText.Xml(branch.Doc) + " ") + "(branch <c>" + CSharpText.Xml(branch.JsonName) + "</c>)");
            writer.Line("public " + type.ClrType + "? " + branch.ClrName + " { get; private init; }");
            writer.Line();
            writer.Line("/// <summary>The value as branch <c>" + CSharpText.Xml(branch.JsonName) + "</c>.</summary>");
            writer.Line("public " + name + "(" + type.ClrType + " value) => " + branch.ClrName + " = " + (type.IsValueType ? "value" : "value ?? throw new global::System.ArgumentNullException(nameof(value))") + ";");
            if (type.Kind != ValueKind.List)
            {
                writer.Line();
                writer.Line("/// <summary>The value as branch <c>" + CSharpText.Xml(branch.JsonName) + "</c>.</summary>");
                writer.Line("public static implicit operator " + name + "(" + type.ClrType + " value) => new(value);");
            }
        }
        if (hasNull)
        {
            writer.Line();
            writer.Line("/// <summary>True for JSON <c>null</c> (the <c>null</c> branch).</summary>");
            writer.Line("public bool IsNull { get; private init; }");
            writer.Line();
            writer.Line("/// <summary>JSON <c>null</c>.</summary>");
            writer.Line("public static " + name + " Null { get; } = new() { IsNull = true };");
        }
        writer.Line();
        writer.Line("/// <summary>Reads the branch the JSON token type selects.</summary>");
        writer.Line("public static " + name + " Read(ref " + Json + ".Utf8JsonReader reader) => Read(ref reader, null);");
        writer.Line();
        writer.Line("/// <summary>Reads the branch the JSON token type selects; <paramref name=\"member\"/> names the value in an error.</summary>");
        writer.Open("public static " + name + " Read(ref " + Json + ".Utf8JsonReader reader, string? member)");
        writer.Open("switch (reader.TokenType)");
        foreach (var branch in typed)
        {
            var type = branch.Type!;
            foreach (var token in TokensOf(type))
                writer.Line("case " + Json + ".JsonTokenType." + token + ":");
            writer.Line("    return new(" + ReadValue(type, json) + ");");
        }
        if (hasNull)
        {
            writer.Line("case " + Json + ".JsonTokenType.Null:");
            writer.Line("    return Null;");
        }
        writer.Close();
        writer.Line("throw " + json + ".InvalidType(member, " + CSharpText.Literal(string.Join(" or ", alternate.Branches.Select(b => b.Type is null ? "null" : Expected(b.Type)))) + ");");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Writes the branch that is set.</summary>");
        writer.Open("public static void Write(" + Json + ".Utf8JsonWriter writer, " + name + " value)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(writer);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        var first = true;
        foreach (var branch in typed)
        {
            writer.Open((first ? "if" : "else if") + " (value." + branch.ClrName + " is { } " + LocalOf(branch) + ")");
            writer.Line(TypesEmitter.WriteValueStatement(branch.Type!, LocalOf(branch), json));
            writer.Close();
            first = false;
        }
        if (first)
            writer.Line("writer.WriteNullValue();");
        else
            writer.Line("else").Line("    writer.WriteNullValue();");
        writer.Close();
        writer.Close();
    }

    private static string LocalOf(AlternateBranchSpec branch) => "branch" + branch.ClrName;

    private static string[] TokensOf(TypeRef type) => type.Kind switch
    {
        ValueKind.String or ValueKind.Enum => new[] { "String" },
        ValueKind.Int or ValueKind.Number => new[] { "Number" },
        ValueKind.Bool => new[] { "True", "False" },
        ValueKind.List => new[] { "StartArray" },
        ValueKind.Json => new[] { "StartObject", "StartArray", "String", "Number", "True", "False" },
        _ => new[] { "StartObject" },
    };

    private static string Expected(TypeRef type) => type.Kind switch
    {
        ValueKind.String or ValueKind.Enum => "string",
        ValueKind.Int => "integer",
        ValueKind.Number => "number",
        ValueKind.Bool => "boolean",
        ValueKind.List => "list",
        _ => "QDict",
    };

    private static string ReadValue(TypeRef type, string json) => type.Kind switch
    {
        ValueKind.List => json + ".ReadList(ref reader, member, " + TypesEmitter.ReaderFor(type.Element!, json) + ")",
        ValueKind.Enum => "new " + type.RecordName + "(" + json + ".ReadString(ref reader, member))",
        _ => TypesEmitter.ReaderFor(type, json) + "(ref reader)",
    };
}
