using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// How to write a reply's <c>return</c> value: a typed value with its writer, a JSON element, or
/// pre-serialized UTF-8. <see cref="Empty"/> (also <c>default</c>) writes <c>{}</c>.
/// </summary>
public readonly struct QmpReturn
{
    private readonly Writer? _writer;

    private QmpReturn(Writer writer) => _writer = writer;

    /// <summary>Writes <c>{}</c>, QMP's "nothing to return".</summary>
    public static QmpReturn Empty => default;

    /// <summary>
    /// No reply at all: what a QAPI command with <c>success-response: false</c> answers when it succeeds
    /// (QEMU sends nothing; an error is still answered).
    /// </summary>
    public static QmpReturn NoReply { get; } = new(new RawWriter(ReadOnlyMemory<byte>.Empty));

    /// <summary>Whether this is <see cref="NoReply"/>.</summary>
    public bool IsNoReply => ReferenceEquals(_writer, NoReply._writer);

    /// <summary>A typed value and the generated writer for it.</summary>
    public static QmpReturn Create<T>(T value, QmpJsonWriter<T> writeValue)
    {
        ArgumentNullException.ThrowIfNull(writeValue);
        return new QmpReturn(new TypedWriter<T>(value, writeValue));
    }

    /// <summary>A JSON element (cloned, so it may come from a document about to be disposed).</summary>
    public static QmpReturn FromJson(JsonElement value) => new(new ElementWriter(value.Clone()));

    /// <summary>Pre-serialized UTF-8 JSON, written as is (must be one valid JSON value).</summary>
    public static QmpReturn FromUtf8(ReadOnlyMemory<byte> utf8Json) => new(new RawWriter(utf8Json));

    /// <summary>Writes the value.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_writer is null)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        _writer.Write(writer);
    }

    private abstract class Writer
    {
        public abstract void Write(Utf8JsonWriter writer);
    }

    private sealed class TypedWriter<T>(T value, QmpJsonWriter<T> write) : Writer
    {
        public override void Write(Utf8JsonWriter writer) => write(writer, value);
    }

    private sealed class ElementWriter(JsonElement value) : Writer
    {
        public override void Write(Utf8JsonWriter writer) => value.WriteTo(writer);
    }

    private sealed class RawWriter(ReadOnlyMemory<byte> utf8) : Writer
    {
        public override void Write(Utf8JsonWriter writer) => writer.WriteRawValue(utf8.Span);
    }
}
