using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits <c>{Stem}Client</c>: one <c>XxxAsync</c> per command over
/// <c>Qmp.Runtime.QmpClient.ExecuteAsync&lt;TArgs, TResult&gt;</c>, with the doc block as XML docs.
/// Each command with arguments gets two overloads: one parameter per argument (required first,
/// optional ones defaulting to absent) and one taking the arguments record.
/// </summary>
public static class ClientEmitter
{
    private const string Ct = "global::System.Threading.CancellationToken";

    public static string Emit(ClientOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var name = spec.Stem + "Client";
        writer.Line("/// <summary>");
        writer.Line("/// Typed QMP commands over a <see cref=\"global::Qmp.Runtime.QmpClient\"/>: one method per command of the schema.");
        writer.Line("/// A QMP error reply throws <see cref=\"global::Qmp.Runtime.QmpException\"/>.");
        writer.Line("/// </summary>");
        writer.Open("public partial class " + name + " : global::System.IAsyncDisposable");
        writer.Line("/// <summary>Wraps a connected client.</summary>");
        writer.Open("public " + name + "(global::Qmp.Runtime.QmpClient client)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(client);");
        writer.Line("Client = client;");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>The underlying protocol client (events, raw commands, the greeting).</summary>");
        writer.Line("public global::Qmp.Runtime.QmpClient Client { get; }");
        writer.Line();
        writer.Line("/// <summary>The server's greeting (its QEMU version and capabilities).</summary>");
        writer.Line("public global::Qmp.Runtime.QmpGreeting Greeting => Client.Greeting;");
        writer.Line();
        writer.Line("/// <summary>Connects to <paramref name=\"address\"/> (<c>unix:PATH</c>, <c>tcp:HOST:PORT</c>, ...), reads the greeting and negotiates.</summary>");
        writer.Open("public static async global::System.Threading.Tasks.Task<" + name + "> ConnectAsync(string address, global::Qmp.Runtime.QmpClientOptions? options = null, " + Ct + " cancellationToken = default)");
        writer.Line("var client = await global::Qmp.Runtime.QmpClient.ConnectAsync(address, options, cancellationToken).ConfigureAwait(false);");
        writer.Line("return new " + name + "(client);");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Closes the connection.</summary>");
        writer.Line("public global::System.Threading.Tasks.ValueTask DisposeAsync() => Client.DisposeAsync();");
        if (spec.HasEvents)
        {
            var baseType = spec.Stem + "Event";
            writer.Line();
            writer.Line("/// <summary>Events from now on, typed where the schema knows them (<see cref=\"Untyped" + spec.Stem + "Event\"/> otherwise). <paramref name=\"names\"/> filters by wire name.</summary>");
            writer.Open("public async global::System.Collections.Generic.IAsyncEnumerable<" + baseType + "> ReadEventsAsync(global::System.Collections.Generic.IEnumerable<string>? names = null, [global::System.Runtime.CompilerServices.EnumeratorCancellation] " + Ct + " cancellationToken = default)");
            writer.Line("using var subscription = Client.SubscribeEvents(names);");
            writer.Line("await foreach (var qmpEvent in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(subscription, cancellationToken).ConfigureAwait(false))");
            writer.Line("    yield return " + spec.Stem + "Events.Parse(qmpEvent);");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Events of one typed kind, e.g. <c>ReadEventsAsync&lt;BlockJobCompletedEvent&gt;()</c>.</summary>");
            writer.Open("public async global::System.Collections.Generic.IAsyncEnumerable<TEvent> ReadEventsAsync<TEvent>([global::System.Runtime.CompilerServices.EnumeratorCancellation] " + Ct + " cancellationToken = default) where TEvent : " + baseType);
            writer.Line("await foreach (var e in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.ConfigureAwait(ReadEventsAsync(null, cancellationToken), false))");
            writer.Line("    if (e is TEvent typed)");
            writer.Line("        yield return typed;");
            writer.Close();
        }
        foreach (var command in spec.Commands)
        {
            writer.Line();
            WriteCommand(writer, command, json);
        }
        writer.Close();
        return writer.ToString();
    }

    private static void WriteCommand(SourceWriter writer, CommandGenerationSpec command, string json)
    {
        var resultType = command.Result?.ClrType;
        var taskType = resultType is null ? "global::System.Threading.Tasks.Task" : "global::System.Threading.Tasks.Task<" + resultType + ">";
        var reader = command.Result is null ? json + ".Skip" : TypesEmitter.ReaderFor(command.Result, json);
        var execute = "Client.ExecuteAsync<" + (command.ArgumentsType ?? "object?") + ", " + (resultType ?? "bool") + ">(";
        var awaitPrefix = resultType is null ? "await " : "return await ";

        if (command.ArgumentsType is null)
        {
            DocComments.Member(writer, command.Doc);
            DocComments.Param(writer, "cancellationToken", "Cancels waiting for the reply.");
            DocComments.Returns(writer, command.Doc.Returns);
            foreach (var attribute in command.Attributes)
                writer.Line(attribute);
            writer.Open("public async " + taskType + " " + command.MethodName + "(" + Ct + " cancellationToken = default)");
            writer.Line(awaitPrefix + execute + TypesEmitter.Literal(command.Name) + ", null, null, " + reader + ", cancellationToken).ConfigureAwait(false);");
            writer.Close();
            return;
        }

        // A boxed QAPI command takes its options object only.
        if (command.Boxed)
        {
            WriteBoxed(writer, command, taskType, execute, awaitPrefix, reader);
            return;
        }

        // Overload 1: one parameter per argument; documented by overload 2, plus its own parameters.
        var ordered = command.Parameters.Where(p => !p.Optional).Concat(command.Parameters.Where(p => p.Optional)).ToList();
        DocComments.InheritFrom(writer, command.MethodName + "(" + command.ArgumentsType + ", " + Ct + ")");
        foreach (var parameter in ordered)
            DocComments.Param(writer, parameter.ParameterName, parameter.Doc ?? "JSON member " + parameter.JsonName + ".");
        if (command.AcceptsAnyKey)
            DocComments.Param(writer, "extra", "Further members of the option list, sent beside the others.");
        DocComments.Param(writer, "cancellationToken", "Cancels waiting for the reply.");
        var parameters = ordered.Select(p => p.Optional ? p.DeclaredType + " " + p.ParameterName + " = null" : p.DeclaredType + " " + p.ParameterName).ToList();
        if (command.AcceptsAnyKey)
            parameters.Add("global::System.Collections.Generic.IReadOnlyDictionary<string, global::System.Text.Json.JsonElement>? extra = null");
        parameters.Add(Ct + " cancellationToken = default");
        foreach (var attribute in command.Attributes)
            writer.Line(attribute);
        writer.Line("public " + taskType + " " + command.MethodName + "(" + string.Join(", ", parameters) + ") =>");
        writer.Indentation++;
        var initializers = command.Parameters.Select(p => p.ClrName + " = " + p.ParameterName).ToList();
        if (command.AcceptsAnyKey)
            initializers.Add("Extra = extra");
        writer.Line(command.MethodName + "(new " + command.ArgumentsType + (initializers.Count == 0 ? "()" : " { " + string.Join(", ", initializers) + " }") + ", cancellationToken);");
        writer.Indentation--;
        writer.Line();

        // Overload 2: the arguments record.
        DocComments.Member(writer, command.Doc);
        DocComments.Param(writer, "arguments", "The command's arguments.");
        DocComments.Param(writer, "cancellationToken", "Cancels waiting for the reply.");
        DocComments.Returns(writer, command.Doc.Returns);
        foreach (var attribute in command.Attributes)
            writer.Line(attribute);
        writer.Open("public async " + taskType + " " + command.MethodName + "(" + command.ArgumentsType + " arguments, " + Ct + " cancellationToken = default)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(arguments);");
        writer.Line(awaitPrefix + execute + TypesEmitter.Literal(command.Name) + ", arguments, " + command.ArgumentsType + ".Write, " + reader + ", cancellationToken).ConfigureAwait(false);");
        writer.Close();
    }

    /// <summary>A boxed QAPI command: one method taking the options object (a struct or a union).</summary>
    private static void WriteBoxed(SourceWriter writer, CommandGenerationSpec command, string taskType, string execute, string awaitPrefix, string reader)
    {
        DocComments.Member(writer, command.Doc);
        DocComments.Param(writer, "arguments", "The command's arguments (QAPI boxed: one object).");
        DocComments.Param(writer, "cancellationToken", "Cancels waiting for the reply.");
        DocComments.Returns(writer, command.Doc.Returns);
        foreach (var attribute in command.Attributes)
            writer.Line(attribute);
        writer.Open("public async " + taskType + " " + command.MethodName + "(" + command.ArgumentsType + " arguments, " + Ct + " cancellationToken = default)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(arguments);");
        writer.Line(awaitPrefix + execute + TypesEmitter.Literal(command.Name) + ", arguments, " + command.ArgumentsType + ".Write, " + reader + ", cancellationToken).ConfigureAwait(false);");
        writer.Close();
    }
}
