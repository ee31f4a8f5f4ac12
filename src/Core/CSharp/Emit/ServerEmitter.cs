using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits <c>{Stem}CommandHandlers</c> (a virtual handler per command, answering
/// <c>CommandNotFound</c> until overridden) and <c>{Stem}CommandsBase</c>, the dispatcher that serves
/// the overridden ones: it validates <c>arguments</c> the way QEMU 2.1 does (missing, then unknown,
/// then wrong type; all <c>GenericError</c>), calls the handler, and writes its result.
/// </summary>
public static class ServerEmitter
{
    private const string Ct = "global::System.Threading.CancellationToken";
    private const string Session = "global::Qmp.Runtime.QmpSession";

    /// <summary>Negotiation is the runtime's business: no handler for it.</summary>
    public static bool Handles(CommandGenerationSpec command) => command.Name != "qmp_capabilities";

    /// <summary><c>{Stem}CommandHandlers</c>, in a file of its own.</summary>
    public static string EmitHandlers(ServerOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var (commands, answered) = Handled(spec);
        var handlers = spec.Stem + "CommandHandlers";
        var name = spec.Stem + "CommandsBase";

        // Every command is a virtual member whose default answers as QEMU does for a command it
        // lacks. Which ones a server overrides is found without reflection (AOT-safe): a delegate
        // bound to the member through this object (virtual dispatch, so the most derived override)
        // is compared with one bound to the default here (a base call is not virtual). Delegates are
        // equal when they are the same method on the same object (Delegate.Equals), so the two
        // differ exactly when a derived class overrides the member. That needs the defaults one class
        // below the dispatcher, hence two classes; the check runs once per server type.
        writer.Line("/// <summary>");
        writer.Line("/// The commands of the schema, one virtual member each. Derive from <see cref=\"" + name + "\"/> and override");
        writer.Line("/// the members of the commands you serve; a member not overridden answers <c>CommandNotFound</c>,");
        writer.Line("/// as QEMU does for a command it lacks, and its command is left out of <see cref=\"" + name + ".ServedCommandNames\"/>.");
        writer.Line("/// </summary>");
        writer.Open("public abstract partial class " + handlers);
        writer.Line("/// <summary>Only <see cref=\"" + name + "\"/> derives from this class.</summary>");
        writer.Line("private protected " + handlers + "()");
        writer.Line("{");
        writer.Line("}");
        foreach (var command in commands)
        {
            writer.Line();
            DocComments.Member(writer, command.Doc);
            if (command.ArgumentsType is not null)
            {
                DocComments.Param(writer, "arguments", "The validated arguments.");
            }

            DocComments.Param(writer, "session", "The client connection the command came from.");
            DocComments.Param(writer, "cancellationToken", "Cancelled when the connection closes.");
            DocComments.Returns(writer, command.Doc);
            if (answered.Contains(command))
            {
                writer.Line("/// <remarks>Not overridden, <see cref=\"" + name + "\"/> answers this command itself, as QEMU would for this schema (see the README's \"Serving QMP\"); this member is not called then.</remarks>");
            }

            writer.Line("/// <exception cref=\"global::Qmp.Runtime.QmpException\">Not overridden: <c>CommandNotFound</c>, the command is not served.</exception>");
            writer.Line("public virtual " + Signature(command) + " =>");
            writer.Line("    throw global::Qmp.Runtime.QmpException.CommandNotFound(" + CSharpText.Literal(command.Name) + ");");
        }
        writer.Close();
        return writer.ToString();
    }

    public static string Emit(ServerOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var (commands, answered) = Handled(spec);
        var handlers = spec.Stem + "CommandHandlers";
        var name = spec.Stem + "CommandsBase";

        writer.Line("/// <summary>");
        writer.Line("/// The server side of the schema: override the members of the commands you serve, hand an instance to the QMP server.");
        var qapi = !spec.QapiShapes.IsEmpty;
        writer.Line(qapi
            ? "/// <see cref=\"DispatchAsync\"/> checks arguments as QEMU 7.2's QAPI input visitor does, with its words, before calling a handler; it speaks QEMU's modern QMP unless the server is told otherwise."
            : "/// <see cref=\"DispatchAsync\"/> validates arguments exactly as QEMU 2.1 did before calling a handler.");
        writer.Line("/// Throw <see cref=\"global::Qmp.Runtime.QmpException\"/> from a handler to send an error reply.");
        writer.Line("/// </summary>");
        writer.Open("public abstract partial class " + name + " : " + handlers + ", global::Qmp.Runtime.IQmpCommandDispatcher");
        writer.Line("/// <summary>The names of every command of the schema (served or not; see <see cref=\"ServedCommandNames\"/>).</summary>");
        writer.Line("public static global::System.Collections.Generic.IReadOnlyList<string> CommandNames { get; } = new string[]");
        writer.Line("{");
        foreach (var command in commands)
        {
            writer.Line("    " + CSharpText.Literal(command.Name) + ",");
        }

        writer.Line("};");
        writer.Line();
        writer.Line("private static readonly global::System.Collections.Concurrent.ConcurrentDictionary<global::System.Type, string[]> s_servedByType = new();");
        writer.Line();
        writer.Line("private readonly string[] _served;");
        writer.Line();
        writer.Line("private readonly global::System.Collections.Generic.HashSet<string> _servedSet;");
        writer.Line();
        writer.Line("/// <summary>Finds which commands this server's type overrides (once per type).</summary>");
        writer.Open("protected " + name + "()");
        writer.Line("_served = s_servedByType.GetOrAdd(GetType(), static (_, self) => self.FindServed(), this);");
        writer.Line("_servedSet = new(_served, global::System.StringComparer.Ordinal);");
        foreach (var command in answered)
        {
            var type = DelegateType(command);
            writer.Line(AnswersField(command) + " = new " + type + "(" + command.MethodName + ").Equals(new " + type + "(base." + command.MethodName + "));");
        }
        writer.Close();
        writer.Line();
        writer.Line(answered.Count == 0
            ? "/// <summary>The commands this server serves (those whose member it overrides), in schema order: what <c>query-commands</c> lists, besides <c>qmp_capabilities</c>.</summary>"
            : "/// <summary>The commands this server serves (those whose member it overrides, and the introspection commands it answers itself), in schema order: what <c>query-commands</c> lists, besides <c>qmp_capabilities</c>.</summary>");
        writer.Line("public global::System.Collections.Generic.IReadOnlyList<string> ServedCommandNames => _served;");
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line("public bool HasCommand(string name) => _servedSet.Contains(name);");
        if (qapi)
        {
            EmitQapiMembers(writer, spec, commands, answered);
        }

        writer.Line();
        writer.Open("private string[] FindServed()");
        writer.Line("var served = new global::System.Collections.Generic.List<string>();");
        foreach (var command in commands)
        {
            if (answered.Contains(command))
            {
                writer.Line("served.Add(" + CSharpText.Literal(command.Name) + "); // answered by this class unless overridden");
                continue;
            }

            var type = DelegateType(command);
            writer.Line("if (!new " + type + "(" + command.MethodName + ").Equals(new " + type + "(base." + command.MethodName + ")))");
            writer.Line("    served.Add(" + CSharpText.Literal(command.Name) + ");");
        }
        writer.Line("return served.ToArray();");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Validates <paramref name=\"arguments\"/> as QEMU 2.1 did, runs the command's handler and returns its value with its writer.</summary>");
        writer.Line("/// <exception cref=\"global::Qmp.Runtime.QmpException\">CommandNotFound for an unknown command; GenericError for invalid arguments (QEMU 2.1 wording).</exception>");
        writer.Open("public async global::System.Threading.Tasks.ValueTask<global::Qmp.Runtime.QmpReturn> DispatchAsync(string command, global::System.Text.Json.JsonElement arguments, " + Session + " session, " + Ct + " cancellationToken)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(command);");
        writer.Line("if (!_servedSet.Contains(command))");
        writer.Line("    throw global::Qmp.Runtime.QmpException.CommandNotFound(command);");
        writer.Line("global::System.Text.Json.JsonElement? args = arguments.ValueKind == global::System.Text.Json.JsonValueKind.Undefined ? null : arguments;");
        writer.Open("switch (command)");
        foreach (var command in commands)
        {
            writer.Open("case " + CSharpText.Literal(command.Name) + ":");
            if (qapi && !command.Generated)
            {
                writer.Line("// gen: false: QEMU's handler takes the arguments as they come; the typed read checks what it reads.");
            }
            else if (qapi)
            {
                writer.Line("s_shapes.Check(args, " + (command.SchemaArguments is null ? "null" : CSharpText.Literal(command.SchemaArguments)) + ");");
            }
            else
            {
                writer.Line("global::Qmp.Runtime.QmpArguments.Check(args, " + ChecksOf(command) + ", acceptsAnyKey: " + (command.AcceptsAnyKey ? "true" : "false") + ");");
            }

            if (answered.Contains(command))
            {
                EmitOwnAnswer(writer, command);
            }

            var call = command.MethodName + "(" + (command.ArgumentsType is null ? string.Empty : "global::Qmp.Runtime.QmpArguments.Read(args, " + command.ArgumentsType + ".Read), ") + "session, cancellationToken)";
            if (command.Result is null)
            {
                writer.Line("await " + call + ".ConfigureAwait(false);");
                writer.Line("return global::Qmp.Runtime.QmpReturn." + (command.SuccessResponse ? "Empty" : "NoReply") + ";");
            }
            else
            {
                writer.Line("var result = await " + call + ".ConfigureAwait(false);");
                writer.Line("return global::Qmp.Runtime.QmpReturn.Create(result, " + TypesEmitter.WriterFor(command.Result, json) + ");");
            }
            writer.Close();
        }
        writer.Line("default:");
        writer.Line("    throw global::Qmp.Runtime.QmpException.CommandNotFound(command);");
        writer.Close();
        writer.Close();

        // One check table per command, named after it: what QEMU 2.1's monitor checks before the handler runs
        // (a QAPI server checks through its shapes instead).
        if (!qapi)
        {
            foreach (var command in commands)
            {
                writer.Line();
                writer.Line("private static readonly global::Qmp.Runtime.QmpArgumentCheck[] " + ChecksOf(command) + " =");
                writer.Line("{");
                foreach (var check in command.Checks)
                {
                    writer.Line("    new(" + CSharpText.Literal(check.Name) + ", " + (check.Optional ? "true" : "false") + ", " + (check.JsonType is null ? "null" : CSharpText.Literal(check.JsonType)) + "),");
                }

                writer.Line("};");
            }
        }

        writer.Close();
        return writer.ToString();
    }

    /// <summary>
    /// A QAPI server's own members: its dialect, its out-of-band commands and the shapes of the
    /// schema's types, which <c>QapiShapeSet</c> (Qmp.Runtime) checks arguments against.
    /// </summary>
    private static void EmitQapiMembers(SourceWriter writer, ServerOutputSpec spec, List<CommandGenerationSpec> commands, List<CommandGenerationSpec> answered)
    {
        writer.Line();
        writer.Line("/// <summary>QEMU's modern QMP (a QAPI schema's), unless <see cref=\"global::Qmp.Runtime.QmpServerOptions.Dialect\"/> is set.</summary>");
        writer.Line("public global::Qmp.Runtime.QmpDialect? PreferredDialect => global::Qmp.Runtime.QmpDialect.Modern;");
        writer.Line();
        var oob = commands.Where(c => c.AllowOob).Select(c => CSharpText.Literal(c.Name)).ToList();
        writer.Line("/// <summary>The commands the schema marks <c>allow-oob</c>.</summary>");
        writer.Line("public bool AllowsOutOfBand(string name) => " + (oob.Count == 0 ? "false" : "name is " + string.Join(" or ", oob)) + ";");
        writer.Line();
        writer.Line("private static readonly global::Qmp.Runtime.Qapi.QapiShapeSet s_shapes = new(new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.Ordinal)");
        writer.Line("{");
        foreach (var entry in spec.QapiShapes)
        {
            var tab = entry.IndexOf('\t');
            writer.Line("    [" + CSharpText.Literal(entry.Substring(0, tab)) + "] = " + CSharpText.Literal(entry.Substring(tab + 1)) + ",");
        }
        writer.Line("});");
        if (answered.Count > 0)
        {
            EmitIntrospectionMembers(writer, spec, answered);
        }
    }

    /// <summary>The introspection commands a QAPI server answers itself unless overridden.</summary>
    private static readonly string[] s_introspectionCommands = { "query-qmp-schema", "query-commands", "query-version" };

    /// <summary>
    /// The commands the server has a member for, and among them the introspection commands it answers
    /// itself unless overridden (none for a .hx schema's server): worked out once per output file.
    /// </summary>
    private static (List<CommandGenerationSpec> Commands, List<CommandGenerationSpec> Answered) Handled(ServerOutputSpec spec)
    {
        var commands = spec.Commands.Where(Handles).ToList();
        var answered = spec.Introspection is null || spec.QapiShapes.IsEmpty
            ? new List<CommandGenerationSpec>()
            : commands.Where(c => s_introspectionCommands.Contains(c.Name)).ToList();
        return (commands, answered);
    }

    /// <summary><c>_answersQueryVersion</c>: whether the member is left as it is, so that this class answers.</summary>
    private static string AnswersField(CommandGenerationSpec command)
    {
        var stem = command.MethodName.Substring(0, command.MethodName.Length - "Async".Length);
        return "_answers" + stem;
    }

    /// <summary>The answer of an introspection command whose member is not overridden.</summary>
    private static void EmitOwnAnswer(SourceWriter writer, CommandGenerationSpec command)
    {
        writer.Line("if (" + AnswersField(command) + ")");
        switch (command.Name)
        {
            case "query-qmp-schema":
                writer.Line("    return global::Qmp.Runtime.QmpIntrospectionAnswers.Schema(s_schemaAnswer);");
                break;
            case "query-commands":
                writer.Line("    return global::Qmp.Runtime.QmpReturn.FromUtf8(_commandsAnswer ??= global::Qmp.Runtime.QmpIntrospectionAnswers.Commands(s_queryCommandsOrder, name => name == \"qmp_capabilities\" || _servedSet.Contains(name)));");
                break;
            default:
                writer.Line("    return global::Qmp.Runtime.QmpIntrospectionAnswers.Version(session.ServerVersion);");
                break;
        }
    }

    /// <summary>
    /// The constants of the introspection answers: <c>query-qmp-schema</c>'s answer as UTF-8 (one
    /// entry a line, joined at compile time into one array), <c>query-commands</c>'s order, and the
    /// saved answer's version, which the server greets with unless told otherwise.
    /// </summary>
    private static void EmitIntrospectionMembers(SourceWriter writer, ServerOutputSpec spec, List<CommandGenerationSpec> answered)
    {
        var introspection = spec.Introspection!;
        foreach (var command in answered)
        {
            writer.Line();
            writer.Line("private readonly bool " + AnswersField(command) + ";");
        }

        if (introspection.Version is { } version)
        {
            writer.Line();
            writer.Line("/// <summary>The QEMU the saved answer was recorded from: the greeting's version unless <see cref=\"global::Qmp.Runtime.QmpServerOptions.Greeting\"/> is set.</summary>");
            writer.Line("public global::Qmp.Runtime.QmpVersion? PreferredVersion => new(" + version.Major + ", " + version.Minor + ", " + version.Micro + ", " + CSharpText.Literal(version.Package) + ");");
        }

        if (answered.Any(c => c.Name == "query-commands"))
        {
            writer.Line();
            writer.Line("/// <summary>The schema's commands in the order QEMU's <c>query-commands</c> lists them (the reverse of registration).</summary>");
            writer.Line("private static readonly string[] s_queryCommandsOrder =");
            writer.Line("{");
            foreach (var name in introspection.CommandOrder)
            {
                writer.Line("    " + CSharpText.Literal(name) + ",");
            }

            writer.Line("};");
            writer.Line();
            writer.Line("private byte[]? _commandsAnswer;");
        }

        if (answered.Any(c => c.Name == "query-qmp-schema"))
        {
            var entries = introspection.SchemaAnswer;
            writer.Line();
            writer.Line("/// <summary>What <c>query-qmp-schema</c> answers: what QEMU answers for this schema in the build it stands for, or the saved answer itself.</summary>");
            writer.Line("private static readonly byte[] s_schemaAnswer = (");
            writer.Indentation++;
            writer.Line("\"[\"u8 +");
            for (var i = 0; i < entries.Count; i++)
            {
                writer.Line(CSharpText.Literal(entries[i] + (i + 1 < entries.Count ? "," : "")) + "u8 +");
            }

            writer.Line("\"]\"u8).ToArray();");
            writer.Indentation--;
        }
    }

    private static string ReturnType(CommandGenerationSpec command) =>
        command.Result is null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + command.Result.ClrType + ">";

    /// <summary>A handler's signature, without modifiers.</summary>
    private static string Signature(CommandGenerationSpec command) =>
        ReturnType(command) + " " + command.MethodName + "(" + (command.ArgumentsType is null ? string.Empty : command.ArgumentsType + " arguments, ") + Session + " session, " + Ct + " cancellationToken)";

    /// <summary>The delegate type of a handler: <c>Func&lt;..., ValueTask&gt;</c>.</summary>
    private static string DelegateType(CommandGenerationSpec command) =>
        "global::System.Func<" + (command.ArgumentsType is null ? string.Empty : command.ArgumentsType + ", ") + Session + ", " + Ct + ", " + ReturnType(command) + ">";

    /// <summary>The check table of a command: <c>s_ejectChecks</c>.</summary>
    private static string ChecksOf(CommandGenerationSpec command)
    {
        var stem = command.MethodName.Substring(0, command.MethodName.Length - "Async".Length);
        return "s_" + char.ToLowerInvariant(stem[0]) + stem.Substring(1) + "Checks";
    }
}
