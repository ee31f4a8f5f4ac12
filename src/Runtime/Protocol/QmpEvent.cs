using System.Runtime.InteropServices;
using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// An asynchronous QMP event. <see cref="Data"/> outlives the receive buffer; null when the event
/// carries no <c>data</c>. Two events are equal when their names, timestamps and data's text are.
/// </summary>
public sealed record QmpEvent
{
    // An event the client received keeps its data's bytes as they came (a copy out of the read
    // buffer) and builds the JsonElement only when Data is asked for: a typed reader (the generated
    // {Stem}Events.Parse) reads the bytes directly, so no document is made for it.
    private readonly byte[]? _dataUtf8;

    // Data as a boxed JsonElement, or null: given to the constructor, or built from _dataUtf8 once
    // when first asked for (subscribers may ask from any thread). One field for both keeps the
    // event small: the client makes one per event.
    private object? _data;

    /// <summary>An event with its data as an element (cloned or owned by the caller: it must outlive the event's use).</summary>
    /// <param name="Name">The event's wire name, e.g. <c>STOP</c>.</param>
    /// <param name="Data">Its <c>data</c> member; null when it has none.</param>
    /// <param name="Timestamp">When the peer says it happened.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1801", Justification = "Named as the positional record's parameters were.")]
    public QmpEvent(string Name, JsonElement? Data, DateTimeOffset Timestamp)
    {
        this.Name = Name;
        _data = Data;
        this.Timestamp = Timestamp;
    }

    /// <summary>A received event: <paramref name="dataUtf8"/> is the data's JSON text, owned by the event from now on.</summary>
    internal QmpEvent(string name, DateTimeOffset timestamp, byte[]? dataUtf8)
    {
        Name = name;
        _dataUtf8 = dataUtf8;
        Timestamp = timestamp;
    }

    /// <summary>The event's wire name, e.g. <c>STOP</c>.</summary>
    public string Name { get; init; }

    /// <summary>Its <c>data</c> member; null when it has none.</summary>
    public JsonElement? Data
    {
        get
        {
            if (Volatile.Read(ref _data) is JsonElement data)
            {
                return data;
            }

            if (_dataUtf8 is null)
            {
                return null;
            }

            var reader = new Utf8JsonReader(_dataUtf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
            reader.Read();
            object parsed = JsonElement.ParseValue(ref reader);
            return (JsonElement)(Interlocked.CompareExchange(ref _data, parsed, null) ?? parsed);
        }

        init
        {
            _data = value;
            _dataUtf8 = null;
        }
    }

    /// <summary>When the peer says it happened.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The data's JSON text; empty when there is no data.</summary>
    internal ReadOnlySpan<byte> DataUtf8 =>
        _dataUtf8 ?? (_data is JsonElement { ValueKind: not JsonValueKind.Undefined } data ? JsonMarshal.GetRawUtf8Value(data) : default);

    private bool HasData => _dataUtf8 is not null || _data is not null;

    /// <summary>Deconstructs as the positional record did.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1801", Justification = "Named as the positional record's parameters were.")]
    public void Deconstruct(out string Name, out JsonElement? Data, out DateTimeOffset Timestamp)
    {
        Name = this.Name;
        Data = this.Data;
        Timestamp = this.Timestamp;
    }

    /// <inheritdoc/>
    public bool Equals(QmpEvent? other) =>
        other is not null
        && Name == other.Name
        && Timestamp == other.Timestamp
        && HasData == other.HasData
        && DataUtf8.SequenceEqual(other.DataUtf8);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Timestamp);
}
