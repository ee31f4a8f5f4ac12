using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits <c>{Stem}Client</c>: one <c>XxxAsync</c> per command over
/// <c>Qmp.Runtime.QmpClient.ExecuteAsync&lt;TArgs, TResult&gt;</c>, with the doc block as XML docs.
/// Each command with arguments gets two overloads: one parameter per argument (required first,
/// optional ones defaulting to absent) and one taking the arguments record; a command that takes a
/// file descriptor gets both again with the descriptor first. With events: typed
/// <c>ReadEventsAsync</c> (subscribed at the call), <c>WaitForEventAsync&lt;TEvent&gt;</c> and
/// <c>ExecuteAndWaitForEventAsync</c> over the runtime's primitives. Every member but the
/// connection's own is also declared on the interface <c>I{Stem}Client</c>, for mocking.
/// </summary>
public static class ClientEmitter
{
    private const string Ct = "global::System.Threading.CancellationToken";
    private const string SafeHandle = "global::System.Runtime.InteropServices.SafeHandle";

    /// <summary>A member of the client and its interface: docs, signature (no modifiers), and the class's body.</summary>
    private sealed class Member
    {
        public Member(Action<SourceWriter> docs, string signature, bool isAsync, params string[] body)
        {
            Docs = docs;
            Signature = signature;
            IsAsync = isAsync;
            Body = body;
        }

        public Action<SourceWriter> Docs { get; }

        public string Signature { get; }

        public bool IsAsync { get; }

        /// <summary>An async member's body is a block; another's is one expression.</summary>
        public string[] Body { get; }

        /// <summary>The member in the client class: docs, then an async block or an expression body.</summary>
        public void WriteImplementation(SourceWriter writer)
        {
            Docs(writer);
            var head = "public " + (IsAsync ? "async " : string.Empty) + Signature;
            if (!IsAsync)
            {
                writer.Line(head + " =>");
                writer.Line("    " + Body[0]);
                return;
            }
            writer.Open(head);
            foreach (var line in Body)
            {
                writer.Line(line);
            }

            writer.Close();
        }

        /// <summary>The member in the client's interface: docs and the signature.</summary>
        public void WriteDeclaration(SourceWriter writer)
        {
            Docs(writer);
            writer.Line(Signature + ";");
        }
    }

    public static string Emit(ClientOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var name = spec.Stem + "Client";
        var members = Members(spec);

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
        foreach (var member in members)
        {
            writer.Line();
            member.WriteImplementation(writer);
        }
        if (spec.HasEvents)
        {
            writer.Line();
            writer.Open("private static async global::System.Collections.Generic.IAsyncEnumerable<TEvent> ReadAsync<TEvent>(global::Qmp.Runtime.QmpEventSubscription subscription, [global::System.Runtime.CompilerServices.EnumeratorCancellation] " + Ct + " cancellationToken) where TEvent : " + spec.Stem + "Event");
            writer.Open("using (subscription)");
            writer.Open("await foreach (var qmpEvent in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(subscription, cancellationToken).ConfigureAwait(false))");
            writer.Line("// Parse reads each event once, however many subscribers read it; the subscription has only the events");
            writer.Line("// TEvent may be (its wire name, or any for the base and untyped records), so others are never read.");
            writer.Line("if (" + spec.Stem + "Events.Parse(qmpEvent) is TEvent typed)");
            writer.Line("    yield return typed;");
            writer.Close();
            writer.Close();
            writer.Close();
        }
        writer.Close();

        return writer.ToString();
    }

    /// <summary>
    /// <c>I{Stem}Client</c> in a file of its own (the client's file stays readable), and the client
    /// implementing it in a declaration of its own.
    /// </summary>
    public static string EmitInterface(ClientOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var name = spec.Stem + "Client";
        var contract = "I" + name;
        writer.Line("/// <summary>");
        writer.Line("/// The typed commands and events of <see cref=\"" + name + "\"/>, for mocking: code that takes an");
        writer.Line("/// <see cref=\"" + contract + "\"/> runs against the real client or a test double.");
        writer.Line("/// </summary>");
        writer.Open("public partial interface " + contract + " : global::System.IAsyncDisposable");
        var first = true;
        foreach (var member in Members(spec))
        {
            if (!first)
            {
                writer.Line();
            }

            first = false;
            member.WriteDeclaration(writer);
        }

        // The check at connect, implemented in the client's ClientSchema file (ClientSchemaEmitter).
        writer.Line();
        writer.Line("/// <inheritdoc cref=\"" + name + ".CheckSchemaAsync\"/>");
        writer.Line(ClientSchemaEmitter.CheckSchemaSignature + ";");
        writer.Line();
        writer.Line("/// <inheritdoc cref=\"" + name + ".GetSchemaAsync\"/>");
        writer.Line(ClientSchemaEmitter.GetSchemaSignature + ";");
        writer.Close();
        writer.Line();
        writer.Line("partial class " + name + " : " + contract);
        writer.Line("{");
        writer.Line("}");
        return writer.ToString();
    }

    /// <summary>
    /// Some commands' members as parts of the client and of its interface: a module's commands
    /// file (the client's own file holds the connection and the events).
    /// </summary>
    public static string EmitCommands(ModuleOutputSpec spec, string module)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal, module);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var name = spec.Stem + "Client";
        var members = spec.Commands.SelectMany(c => CommandMembers(c, json)).ToList();
        writer.Open("partial class " + name);
        var first = true;
        foreach (var member in members)
        {
            if (!first)
            {
                writer.Line();
            }

            first = false;
            member.WriteImplementation(writer);
        }
        writer.Close();
        writer.Line();
        writer.Open("partial interface I" + name);
        first = true;
        foreach (var member in members)
        {
            if (!first)
            {
                writer.Line();
            }

            first = false;
            member.WriteDeclaration(writer);
        }
        writer.Close();
        return writer.ToString();
    }

    private static List<Member> Members(ClientOutputSpec spec)
    {
        var members = new List<Member>();
        if (spec.HasEvents)
        {
            members.AddRange(EventMembers(spec.Stem));
        }
        return members;
    }

    private static IEnumerable<Member> EventMembers(string stem)
    {
        var baseType = stem + "Event";
        var parse = stem + "Events.Parse";
        const string Predicate = "<param name=\"predicate\">Which of those events; null takes the first.</param>";
        const string Timeout = "<param name=\"timeout\">How long to wait, on <see cref=\"global::Qmp.Runtime.QmpClientOptions.TimeProvider\"/>'s clock; null waits until cancelled.</param>";

        yield return new Member(
            w =>
            {
                w.Line("/// <summary>");
                w.Line("/// Subscribes now, at the call (not when the enumeration starts), to the events that arrive from now on,");
                w.Line("/// typed where the schema knows them (<see cref=\"Untyped" + stem + "Event\"/> otherwise); an event that arrived");
                w.Line("/// before the call is not seen unless the client keeps a backlog (<see cref=\"global::Qmp.Runtime.QmpClientOptions.EventBacklogCapacity\"/>).");
                w.Line("/// Enumerate it once; the subscription ends with the enumeration or the connection.");
                w.Line("/// </summary>");
                w.Line("/// <param name=\"names\">Wire names of the events wanted (<c>STOP</c>); null for all.</param>");
                w.Line("/// <param name=\"cancellationToken\">Ends the enumeration.</param>");
            },
            "global::System.Collections.Generic.IAsyncEnumerable<" + baseType + "> ReadEventsAsync(global::System.Collections.Generic.IEnumerable<string>? names = null, " + Ct + " cancellationToken = default)",
            false,
            "ReadAsync<" + baseType + ">(Client.SubscribeEvents(names), cancellationToken);");

        yield return new Member(
            w =>
            {
                w.Line("/// <summary>");
                w.Line("/// Events of one typed kind from now on (subscribed at the call, to that event's wire name only), e.g. <c>ReadEventsAsync&lt;BlockJobCompletedEvent&gt;()</c>.");
                w.Line("/// Subscribers share each event's typed record (read once): treat it as read-only.");
                w.Line("/// </summary>");
                w.Line("/// <typeparam name=\"TEvent\">The typed event.</typeparam>");
                w.Line("/// <param name=\"cancellationToken\">Ends the enumeration.</param>");
            },
            "global::System.Collections.Generic.IAsyncEnumerable<TEvent> ReadEventsAsync<TEvent>(" + Ct + " cancellationToken = default) where TEvent : " + baseType,
            false,
            "ReadAsync<TEvent>(Client.SubscribeEvents(" + stem + "Events.WireNameOf(typeof(TEvent)) is { } name ? new[] { name } : null), cancellationToken);");

        yield return new Member(
            w =>
            {
                w.Line("/// <summary>");
                w.Line("/// Waits for the next <typeparamref name=\"TEvent\"/> (that <paramref name=\"predicate\"/> accepts) to arrive after this call;");
                w.Line("/// the subscription is made before it returns, so a command sent after it cannot outrun it.");
                w.Line("/// </summary>");
                w.Line("/// <typeparam name=\"TEvent\">The typed event, e.g. <c>StopEvent</c>.</typeparam>");
                w.Line("/// " + Predicate);
                w.Line("/// " + Timeout);
                w.Line("/// <param name=\"cancellationToken\">Stops waiting.</param>");
                w.Line("/// <returns>The event.</returns>");
                w.Line("/// <exception cref=\"global::System.TimeoutException\">No such event within <paramref name=\"timeout\"/>.</exception>");
                w.Line("/// <exception cref=\"global::Qmp.Runtime.QmpDisconnectedException\">The connection ended first.</exception>");
            },
            "global::System.Threading.Tasks.Task<TEvent> WaitForEventAsync<TEvent>(global::System.Func<TEvent, bool>? predicate = null, global::System.TimeSpan? timeout = null, " + Ct + " cancellationToken = default) where TEvent : " + baseType,
            false,
            "Client.WaitForEventAsync<TEvent>(" + parse + ", predicate, timeout, cancellationToken);");

        const string ExecuteSummary = "/// Runs a command and waits for the event it causes, subscribed <em>before</em> the command is sent, so an event that comes with or before the reply is not missed:";
        yield return new Member(
            w =>
            {
                w.Line("/// <summary>");
                w.Line(ExecuteSummary);
                w.Line("/// <c>var (status, stop) = await qemu.ExecuteAndWaitForEventAsync(ct =&gt; qemu.QueryStatusAsync(ct), (StopEvent e) =&gt; true, timeout)</c>.");
                w.Line("/// A command that fails throws its <see cref=\"global::Qmp.Runtime.QmpException\"/> and stops waiting.");
                w.Line("/// </summary>");
                w.Line("/// <typeparam name=\"TResult\">What the command returns.</typeparam>");
                w.Line("/// <typeparam name=\"TEvent\">The typed event.</typeparam>");
                w.Line("/// <param name=\"command\">Sends the command with the token it is given, e.g. <c>ct =&gt; qemu.QueryStatusAsync(ct)</c>.</param>");
                w.Line("/// " + Predicate);
                w.Line("/// <param name=\"timeout\">For the reply and the event together; null waits until cancelled.</param>");
                w.Line("/// <param name=\"cancellationToken\">Stops waiting.</param>");
                w.Line("/// <returns>The command's reply and the event.</returns>");
            },
            "global::System.Threading.Tasks.Task<(TResult Reply, TEvent Event)> ExecuteAndWaitForEventAsync<TResult, TEvent>(global::System.Func<" + Ct + ", global::System.Threading.Tasks.Task<TResult>> command, global::System.Func<TEvent, bool>? predicate = null, global::System.TimeSpan? timeout = null, " + Ct + " cancellationToken = default) where TEvent : " + baseType,
            false,
            "Client.ExecuteAndWaitForEventAsync<TResult, TEvent>(command, " + parse + ", predicate, timeout, cancellationToken);");

        yield return new Member(
            w =>
            {
                w.Line("/// <summary>");
                w.Line(ExecuteSummary);
                w.Line("/// <c>await qemu.ExecuteAndWaitForEventAsync(ct =&gt; qemu.DeviceDelAsync(\"nic1\", ct), (DeviceDeletedEvent e) =&gt; e.Device == \"nic1\", timeout)</c>.");
                w.Line("/// A command that fails throws its <see cref=\"global::Qmp.Runtime.QmpException\"/> and stops waiting.");
                w.Line("/// </summary>");
                w.Line("/// <typeparam name=\"TEvent\">The typed event.</typeparam>");
                w.Line("/// <param name=\"command\">Sends the command with the token it is given, e.g. <c>ct =&gt; qemu.DeviceDelAsync(\"nic1\", ct)</c>.</param>");
                w.Line("/// " + Predicate);
                w.Line("/// <param name=\"timeout\">For the reply and the event together; null waits until cancelled.</param>");
                w.Line("/// <param name=\"cancellationToken\">Stops waiting.</param>");
                w.Line("/// <returns>The event.</returns>");
            },
            "global::System.Threading.Tasks.Task<TEvent> ExecuteAndWaitForEventAsync<TEvent>(global::System.Func<" + Ct + ", global::System.Threading.Tasks.Task> command, global::System.Func<TEvent, bool>? predicate = null, global::System.TimeSpan? timeout = null, " + Ct + " cancellationToken = default) where TEvent : " + baseType,
            false,
            "Client.ExecuteAndWaitForEventAsync<TEvent>(command, " + parse + ", predicate, timeout, cancellationToken);");
    }

    private static IEnumerable<Member> CommandMembers(CommandGenerationSpec command, string json)
    {
        var resultType = command.Result?.ClrType;
        var taskType = resultType is null ? "global::System.Threading.Tasks.Task" : "global::System.Threading.Tasks.Task<" + resultType + ">";
        var reader = command.Result is null ? json + ".Skip" : TypesEmitter.ReaderFor(command.Result, json);
        var typeArgs = "<" + (command.ArgumentsType ?? "object?") + ", " + (resultType ?? "bool") + ">(";
        var awaitPrefix = resultType is null ? "await " : "return await ";
        var name = CSharpText.Literal(command.Name);
        var fd = command.Parameters.Any(p => p.ParameterName == "fileDescriptor") ? "fileDescriptor_" : "fileDescriptor";
        const string FdDoc = "The descriptor passed with the command (SCM_RIGHTS over a unix socket); it stays the caller's. A socket passes as its SafeHandle.";

        // The command as the runtime sends it, with or without the descriptor.
        string Execute(string arguments, string writer, bool withFd) => withFd
            ? awaitPrefix + "Client.ExecuteWithFileDescriptorsAsync" + typeArgs + name + ", " + arguments + ", " + writer + ", " + reader + ", new " + SafeHandle + "[] { " + fd + " }, cancellationToken).ConfigureAwait(false);"
            : awaitPrefix + "Client.ExecuteAsync" + typeArgs + name + ", " + arguments + ", " + writer + ", " + reader + ", cancellationToken).ConfigureAwait(false);";

        var variants = command.TakesFileDescriptor ? new[] { false, true } : new[] { false };
        foreach (var withFd in variants)
        {
            var fdParameter = withFd ? SafeHandle + " " + fd + ", " : string.Empty;
            var fdCheck = withFd ? "global::System.ArgumentNullException.ThrowIfNull(" + fd + ");" : null;
            if (command.ArgumentsType is null)
            {
                yield return new Member(
                    w =>
                    {
                        DocComments.Member(w, command.Doc);
                        if (withFd)
                        {
                            DocComments.Param(w, fd, FdDoc);
                        }

                        DocComments.Param(w, "cancellationToken", "Cancels waiting for the reply.");
                        DocComments.Returns(w, command.Doc);
                        Attributes(w, command);
                    },
                    taskType + " " + command.MethodName + "(" + fdParameter + Ct + " cancellationToken = default)",
                    true,
                    new[] { fdCheck, Execute("null", "null", withFd) }.Where(l => l is not null).Select(l => l!).ToArray());
                continue;
            }

            // Overload 1: one parameter per argument; documented by overload 2, plus its own parameters.
            // A boxed QAPI command takes its options object only (overload 2).
            var ordered = command.Parameters.Where(p => !p.Optional).Concat(command.Parameters.Where(p => p.Optional)).ToList();
            var parameters = ordered.Select(p => p.Optional ? p.DeclaredType + " " + p.ParameterName + " = null" : p.DeclaredType + " " + p.ParameterName).ToList();
            if (command.AcceptsAnyKey)
            {
                parameters.Add("global::System.Text.Json.Nodes.JsonObject? additionalProperties = null");
            }

            parameters.Add(Ct + " cancellationToken = default");
            var initializers = command.Parameters.Select(p => p.ClrName + " = " + p.ParameterName).ToList();
            if (command.AcceptsAnyKey)
            {
                initializers.Add("AdditionalProperties = additionalProperties ?? new()");
            }

            var recordOverload = command.MethodName + "(" + (withFd ? SafeHandle + ", " : string.Empty) + command.ArgumentsType + ", " + Ct + ")";
            // @name in the docs: the arguments record's member (<see cref>) in the overload that takes the
            // record; in the flat overload's parameter docs, the parameter itself (<paramref>).
            var memberReferences = XmlDocRenderer.MemberReferences(command.ArgumentsType, command.Parameters);
            var parameterReferences = XmlDocRenderer.MemberReferences(command.ArgumentsType, command.Parameters, ordered.Select(p => (p.JsonName, p.ParameterName)));
            if (!command.Boxed)
            {
                yield return new Member(
                    w =>
                    {
                        DocComments.InheritFrom(w, recordOverload);
                        if (withFd)
                        {
                            DocComments.Param(w, fd, FdDoc);
                        }

                        foreach (var parameter in ordered)
                        {
                            DocComments.Param(w, parameter.ParameterName, parameter.Doc ?? "JSON member " + parameter.JsonName + ".", parameterReferences);
                        }

                        if (command.AcceptsAnyKey)
                        {
                            DocComments.Param(w, "additionalProperties", "Members the schema does not name (the arguments are open), sent after the others.");
                        }

                        DocComments.Param(w, "cancellationToken", "Cancels waiting for the reply.");
                        Attributes(w, command);
                    },
                    taskType + " " + command.MethodName + "(" + fdParameter + string.Join(", ", parameters) + ")",
                    false,
                    command.MethodName + "(" + (withFd ? fd + ", " : string.Empty) + "new " + command.ArgumentsType + (initializers.Count == 0 ? "()" : " { " + string.Join(", ", initializers) + " }") + ", cancellationToken);");
            }

            // Overload 2: the arguments record.
            yield return new Member(
                w =>
                {
                    DocComments.Member(w, command.Doc, memberReferences);
                    if (withFd)
                    {
                        DocComments.Param(w, fd, FdDoc);
                    }

                    DocComments.Param(w, "arguments", command.Boxed ? "The command's arguments (QAPI boxed: one object)." : "The command's arguments.");
                    DocComments.Param(w, "cancellationToken", "Cancels waiting for the reply.");
                    DocComments.Returns(w, command.Doc, memberReferences);
                    Attributes(w, command);
                },
                taskType + " " + command.MethodName + "(" + fdParameter + command.ArgumentsType + " arguments, " + Ct + " cancellationToken = default)",
                true,
                new[] { fdCheck, "global::System.ArgumentNullException.ThrowIfNull(arguments);", Execute("arguments", command.ArgumentsType + ".Write", withFd) }.Where(l => l is not null).Select(l => l!).ToArray());
        }
    }

    /// <summary>A command method's attributes (<c>Obsolete</c>, <c>Experimental</c> from QAPI features), after its docs.</summary>
    private static void Attributes(SourceWriter writer, CommandGenerationSpec command)
    {
        foreach (var attribute in command.Attributes)
        {
            writer.Line(attribute);
        }
    }
}
