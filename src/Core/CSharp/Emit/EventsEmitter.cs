using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits the typed event dispatch: <c>{Stem}Events.Parse</c> (client side: a
/// <c>Qmp.Runtime.QmpEvent</c> to its typed record, unknown or malformed events kept untyped) and
/// <c>{Stem}EventEmitter</c> (server side: one <c>EmitXxx</c> per event).
/// </summary>
public static class EventsEmitter
{
    private const string QmpEvent = "global::Qmp.Runtime.QmpEvent";

    public static string Emit(EventsOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace, spec.Internal);
        var json = TypesEmitter.JsonClass(spec.Stem);
        var baseType = spec.Stem + "Event";
        var untyped = "Untyped" + spec.Stem + "Event";

        TypesEmitter.WriteEventBase(writer, spec.Stem);
        writer.Line();
        writer.Line("/// <summary>Typed views of QMP events.</summary>");
        writer.Open("public static partial class " + spec.Stem + "Events");
        writer.Line("/// <summary>The names of the events this schema describes.</summary>");
        writer.Line("public static global::System.Collections.Generic.IReadOnlyList<string> Names { get; } = new string[]");
        writer.Line("{");
        foreach (var e in spec.Events)
        {
            writer.Line("    " + CSharpText.Literal(e.Name) + ",");
        }

        writer.Line("};");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Turns a raw event into its typed record; an event the schema does not know, or whose data does not fit, stays untyped.");
        writer.Line("/// Read once per event: every caller (each typed subscriber of the event) gets the same record.");
        writer.Line("/// </summary>");
        writer.Open("public static " + baseType + " Parse(" + QmpEvent + " qmpEvent)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(qmpEvent);");
        writer.Line("return qmpEvent.GetTyped(s_readTyped);");
        writer.Close();
        writer.Line();
        writer.Line("// Parse's reader as one delegate: the event keeps what this delegate read of it.");
        writer.Line("private static readonly global::System.Func<" + QmpEvent + ", " + baseType + "> s_readTyped = ReadTyped;");
        writer.Line();
        writer.Open("private static " + baseType + " ReadTyped(" + QmpEvent + " qmpEvent)");
        writer.Open("try");
        writer.Open("switch (qmpEvent.Name)");
        foreach (var e in spec.Events)
        {
            writer.Line("case " + e.Record.Name + ".WireName: return " + json + ".ReadEvent(qmpEvent, " + e.Record.Name + ".Read);");
        }
        writer.Close();
        writer.Close();
        writer.Line("catch (global::System.Exception exception) when (exception is global::System.Text.Json.JsonException or global::System.InvalidOperationException or global::System.FormatException)");
        writer.Line("{");
        writer.Line("    // Newer QEMU may change an event's data: keep the event rather than lose it.");
        writer.Line("}");
        writer.Line("return new " + untyped + "(qmpEvent) { Timestamp = qmpEvent.Timestamp };");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>The wire name of <paramref name=\"type\"/> when it is one event's record; null for the others (the base and the untyped record), which any event may be.</summary>");
        writer.Line("internal static string? WireNameOf(global::System.Type type) => s_wireNames.TryGetValue(type, out var name) ? name : null;");
        writer.Line();
        writer.Line("private static readonly global::System.Collections.Generic.Dictionary<global::System.Type, string> s_wireNames = new()");
        writer.Line("{");
        foreach (var e in spec.Events)
        {
            writer.Line("    [typeof(" + e.Record.Name + ")] = " + e.Record.Name + ".WireName,");
        }

        writer.Line("};");
        writer.Line();
        writer.Line("/// <summary>Parses every event of a raw stream (e.g. a <c>QmpEventSubscription</c>).</summary>");
        writer.Open("public static async global::System.Collections.Generic.IAsyncEnumerable<" + baseType + "> ParseAll(global::System.Collections.Generic.IAsyncEnumerable<" + QmpEvent + "> events, [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(events);");
        writer.Line("await foreach (var qmpEvent in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(events, cancellationToken).ConfigureAwait(false))");
        writer.Line("    yield return Parse(qmpEvent);");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Writes a typed event's <c>data</c>; null for an event without data members.</summary>");
        writer.Open("public static global::System.Text.Json.JsonElement? DataOf(" + baseType + " value)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        writer.Open("switch (value)");
        foreach (var e in spec.Events.Where(e => !e.Record.Properties.IsEmpty))
        {
            writer.Line("case " + e.Record.Name + " typed: return ToElement(typed, " + e.Record.Name + ".Write);");
        }

        writer.Line("case " + untyped + " raw: return raw.Raw.Data;");
        writer.Line("default: return null;");
        writer.Close();
        writer.Close();
        writer.Line();
        writer.Open("private static global::System.Text.Json.JsonElement ToElement<T>(T value, global::Qmp.Runtime.QmpJsonWriter<T> write)");
        writer.Line("var buffer = new global::System.Buffers.ArrayBufferWriter<byte>();");
        writer.Open("using (var writer = new global::System.Text.Json.Utf8JsonWriter(buffer))");
        writer.Line("write(writer, value);");
        writer.Close();
        writer.Line("using var document = global::System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);");
        writer.Line("return document.RootElement.Clone();");
        writer.Close();
        writer.Close();

        if (spec.Server)
        {
            writer.Line();
            WriteEmitter(writer, spec, baseType);
        }
        return writer.ToString();
    }

    private static void WriteEmitter(SourceWriter writer, EventsOutputSpec spec, string baseType)
    {
        var name = spec.Stem + "ServerEvents";
        writer.Line("/// <summary>Typed <c>Emit...</c> for every event of the schema, on <see cref=\"global::Qmp.Runtime.QmpServer\"/> (the server stamps the time).</summary>");
        writer.Open("public static partial class " + name);
        writer.Line("/// <summary>Sends a typed event to every negotiated session.</summary>");
        writer.Open("public static void Emit(this global::Qmp.Runtime.QmpServer server, " + baseType + " value)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(server);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        writer.Open("switch (value)");
        foreach (var e in spec.Events)
        {
            if (e.Record.Properties.IsEmpty)
            {
                writer.Line("case " + e.Record.Name + ": server.EmitEvent(" + e.Record.Name + ".WireName); break;");
            }
            else
            {
                writer.Line("case " + e.Record.Name + " typed: server.EmitEvent(" + e.Record.Name + ".WireName, typed, " + e.Record.Name + ".Write); break;");
            }
        }
        writer.Line("default:");
        writer.Line("    var data = " + spec.Stem + "Events.DataOf(value);");
        writer.Line("    server.EmitEvent(value.EventName, data is { } element ? element.WriteTo : null);");
        writer.Line("    break;");
        writer.Close();
        writer.Close();
        foreach (var e in spec.Events)
        {
            writer.Line();
            var ordered = e.Record.Properties.Where(p => !p.Optional).Concat(e.Record.Properties.Where(p => p.Optional)).ToList();
            // @name in the docs is a parameter of this method (<paramref>).
            var references = XmlDocRenderer.MemberReferences(e.Record.Name, e.Record.Properties, ordered.Select(p => (p.JsonName, p.ParameterName)));
            DocComments.Member(writer, e.Doc, references);
            DocComments.Param(writer, "qmpServer", "The server whose sessions receive the event.");
            foreach (var p in ordered)
            {
                DocComments.Param(writer, p.ParameterName, p.Doc ?? "JSON member " + p.JsonName + ".", references);
            }

            var parameters = new List<string> { "this global::Qmp.Runtime.QmpServer qmpServer" };
            parameters.AddRange(ordered.Select(p => p.Optional ? p.DeclaredType + " " + p.ParameterName + " = null" : p.DeclaredType + " " + p.ParameterName));
            writer.Open("public static void " + e.MethodName + "(" + string.Join(", ", parameters) + ")");
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(qmpServer);");
            if (e.Record.Properties.IsEmpty)
            {
                writer.Line("qmpServer.EmitEvent(" + e.Record.Name + ".WireName);");
            }
            else
            {
                var initializers = e.Record.Properties.Select(p => p.ClrName + " = " + p.ParameterName);
                writer.Line("qmpServer.EmitEvent(" + e.Record.Name + ".WireName, new " + e.Record.Name + " { " + string.Join(", ", initializers) + " }, " + e.Record.Name + ".Write);");
            }
            writer.Close();
        }
        writer.Close();
    }
}
