using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits <c>{Stem}CommandsBase</c>: an abstract handler per command and the dispatcher that
/// validates <c>arguments</c> the way QEMU 2.1 does (missing, then unknown, then wrong type; all
/// <c>GenericError</c>), calls the handler, and writes its result.
/// </summary>
public static class ServerEmitter
{
    private const string Ct = "global::System.Threading.CancellationToken";
    private const string Session = "global::Qmp.Runtime.QmpSession";

    /// <summary>Negotiation is the runtime's business: no handler for it.</summary>
    public static bool Handles(CommandGenerationSpec command) => command.Name != "qmp_capabilities";

    public static string Emit(ServerOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var commands = spec.Commands.Where(Handles).ToList();
        writer.Line("/// <summary>");
        writer.Line("/// The server side of the schema: implement every command, hand an instance to the QMP server.");
        writer.Line("/// <see cref=\"DispatchAsync\"/> validates arguments exactly as QEMU 2.1 did before calling a handler.");
        writer.Line("/// Throw <see cref=\"global::Qmp.Runtime.QmpException\"/> from a handler to send an error reply.");
        writer.Line("/// </summary>");
        writer.Open("public abstract partial class " + spec.Stem + "CommandsBase : global::Qmp.Runtime.IQmpCommandDispatcher");
        writer.Line("/// <summary>The names of the commands this dispatcher serves.</summary>");
        writer.Line("public static global::System.Collections.Generic.IReadOnlyList<string> CommandNames { get; } = new string[]");
        writer.Line("{");
        foreach (var command in commands)
            writer.Line("    " + TypesEmitter.Literal(command.Name) + ",");
        writer.Line("};");
        foreach (var command in commands)
        {
            writer.Line();
            DocComments.Member(writer, command.Doc);
            if (command.ArgumentsType is not null)
                DocComments.Param(writer, "arguments", "The validated arguments.");
            DocComments.Param(writer, "session", "The client connection the command came from.");
            DocComments.Param(writer, "cancellationToken", "Cancelled when the connection closes.");
            DocComments.Returns(writer, command.Doc.Returns);
            var returnType = command.Result is null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + command.Result.ClrType + ">";
            var args = command.ArgumentsType is null ? string.Empty : command.ArgumentsType + " arguments, ";
            writer.Line("public abstract " + returnType + " " + command.MethodName + "(" + args + Session + " session, " + Ct + " cancellationToken);");
        }

        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line("public bool HasCommand(string name) => s_commandSet.Contains(name);");
        writer.Line();
        writer.Line("private static readonly global::System.Collections.Generic.HashSet<string> s_commandSet = new(CommandNames, global::System.StringComparer.Ordinal);");
        writer.Line();
        writer.Line("/// <summary>Validates <paramref name=\"arguments\"/> as QEMU 2.1 did, runs the command's handler and returns its value with its writer.</summary>");
        writer.Line("/// <exception cref=\"global::Qmp.Runtime.QmpException\">CommandNotFound for an unknown command; GenericError for invalid arguments (QEMU 2.1 wording).</exception>");
        writer.Open("public async global::System.Threading.Tasks.ValueTask<global::Qmp.Runtime.QmpReturn> DispatchAsync(string command, global::System.Text.Json.JsonElement arguments, " + Session + " session, " + Ct + " cancellationToken)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(command);");
        writer.Line("global::System.Text.Json.JsonElement? args = arguments.ValueKind == global::System.Text.Json.JsonValueKind.Undefined ? null : arguments;");
        writer.Open("switch (command)");
        foreach (var command in commands)
        {
            writer.Open("case " + TypesEmitter.Literal(command.Name) + ":");
            writer.Line("global::Qmp.Runtime.QmpArguments.Check(args, " + ChecksOf(command) + ", acceptsAnyKey: " + (command.AcceptsAnyKey ? "true" : "false") + ");");
            var call = command.MethodName + "(" + (command.ArgumentsType is null ? string.Empty : "global::Qmp.Runtime.QmpArguments.Read(args, " + command.ArgumentsType + ".Read), ") + "session, cancellationToken)";
            if (command.Result is null)
            {
                writer.Line("await " + call + ".ConfigureAwait(false);");
                writer.Line("return global::Qmp.Runtime.QmpReturn.Empty;");
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

        // One check table per command, named after it: what QEMU 2.1's monitor checks before the handler runs.
        foreach (var command in commands)
        {
            writer.Line();
            writer.Line("private static readonly global::Qmp.Runtime.QmpArgumentCheck[] " + ChecksOf(command) + " =");
            writer.Line("{");
            foreach (var check in command.Checks)
                writer.Line("    new(" + TypesEmitter.Literal(check.Name) + ", " + (check.Optional ? "true" : "false") + ", " + (check.JsonType is null ? "null" : TypesEmitter.Literal(check.JsonType)) + "),");
            writer.Line("};");
        }
        writer.Close();
        return writer.ToString();
    }

    /// <summary>The check table of a command: <c>s_ejectChecks</c>.</summary>
    private static string ChecksOf(CommandGenerationSpec command)
    {
        var stem = command.MethodName.Substring(0, command.MethodName.Length - "Async".Length);
        return "s_" + char.ToLowerInvariant(stem[0]) + stem.Substring(1) + "Checks";
    }
}
