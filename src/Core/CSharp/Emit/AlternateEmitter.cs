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
        {
            DocComments.Summary(writer, alternate.Summary);
        }

        writer.Line("/// <remarks>One of several types (a QAPI alternate), told apart by the JSON type: exactly one property is set" + (hasNull ? ", or <see cref=\"IsNull\"/>" : string.Empty) + "; <c>Match</c> and <c>Switch</c> take a function or action per branch.</remarks>");
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
            {
                writer.Line("case " + Json + ".JsonTokenType." + token + ":");
            }

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
            writer.Line((first ? "if" : "else if") + " (value." + branch.ClrName + " is { } " + LocalOf(branch) + ")");
            writer.Line("    " + TypesEmitter.WriteValueStatement(branch.Type!, LocalOf(branch), json));
            first = false;
        }
        if (hasNull)
        {
            writer.Line((first ? "if" : "else if") + " (value.IsNull)");
            writer.Line("    writer.WriteNullValue();");
        }
        writer.Line("else");
        writer.Line("    throw " + json + ".NoBranch(" + CSharpText.Literal(name) + ");");
        writer.Close();
        WriteMatch(writer, alternate, json, hasNull);
        writer.Close();
    }

    /// <summary>
    /// <c>Match</c> (a function per branch, the result of the one that is set) and <c>Switch</c> (an
    /// action per branch), so a caller handles every branch without testing properties for null; a
    /// state with no branch set (which the constructors cannot make) throws.
    /// </summary>
    private static void WriteMatch(SourceWriter writer, AlternateSpec alternate, string json, bool hasNull)
    {
        var typed = alternate.Branches.Where(b => b.Type is not null).ToList();
        var parameters = typed.Select(b => (Name: ParameterOf(b), Type: b.Type!.ClrType, Branch: b)).ToList();
        var nullName = "whenNull";
        while (parameters.Any(p => p.Name == nullName))
        {
            nullName += "_";
        }

        foreach (var (function, result) in new[] { (true, "TResult"), (false, "void") })
        {
            writer.Line();
            writer.Line(function
                ? "/// <summary>The result of the function for the branch that is set.</summary>"
                : "/// <summary>Calls the action for the branch that is set.</summary>");
            foreach (var p in parameters)
            {
                writer.Line("/// <param name=\"" + p.Name + "\">For branch <c>" + CSharpText.Xml(p.Branch.JsonName) + "</c>.</param>");
            }

            if (hasNull)
            {
                writer.Line("/// <param name=\"" + nullName + "\">For JSON <c>null</c>.</param>");
            }

            writer.Line("/// <exception cref=\"global::System.InvalidOperationException\">No branch is set (a state the constructors cannot make).</exception>");
            var list = parameters.Select(p => (function ? "global::System.Func<" + p.Type + ", TResult> " : "global::System.Action<" + p.Type + "> ") + p.Name).ToList();
            if (hasNull)
            {
                list.Add((function ? "global::System.Func<TResult> " : "global::System.Action ") + nullName);
            }

            writer.Open("public " + result + " " + (function ? "Match<TResult>" : "Switch") + "(" + string.Join(", ", list) + ")");
            foreach (var p in parameters)
            {
                writer.Line("global::System.ArgumentNullException.ThrowIfNull(" + p.Name + ");");
            }

            if (hasNull)
            {
                writer.Line("global::System.ArgumentNullException.ThrowIfNull(" + nullName + ");");
            }
            // Match returns from each branch; Switch is one if/else chain.
            var keyword = "if";
            foreach (var p in parameters)
            {
                writer.Line(keyword + " (" + p.Branch.ClrName + " is { } " + LocalOf(p.Branch) + ")");
                writer.Line("    " + (function ? "return " : string.Empty) + p.Name + "(" + LocalOf(p.Branch) + ");");
                keyword = function ? "if" : "else if";
            }
            if (hasNull)
            {
                writer.Line(keyword + " (IsNull)");
                writer.Line("    " + (function ? "return " : string.Empty) + nullName + "();");
            }
            if (function)
            {
                writer.Line("throw " + json + ".NoBranch(" + CSharpText.Literal(alternate.Name) + ");");
            }
            else
            {
                writer.Line("else");
                writer.Line("    throw " + json + ".NoBranch(" + CSharpText.Literal(alternate.Name) + ");");
            }
            writer.Close();
        }
    }

    /// <summary>The parameter for a branch in <c>Match</c>/<c>Switch</c>: <c>whenString</c>, <c>whenReference</c>.</summary>
    private static string ParameterOf(AlternateBranchSpec branch) => "when" + branch.ClrName;

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
