using System.Runtime.InteropServices;
using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// An asynchronous QMP event. <see cref="Data"/> outlives the receive buffer; null when the event
/// carries no <c>data</c>. Two events are equal when their names, timestamps and data's text are.
/// </summary>
public sealed record QmpEvent
{
    // While GetTyped's reader reads an event: the others wait for it rather than read again.
    private static readonly object s_reading = new();

    // An event the client received keeps its data's bytes as they came (a copy out of the read
    // buffer) and builds the JsonElement only when Data is asked for: a typed reader (the generated
    // {Stem}Events.Parse) reads the bytes directly, so no document is made for it.
    private readonly byte[]? _dataUtf8;

    // Data as a boxed JsonElement, or null: given to the constructor, or built from _dataUtf8 once
    // when first asked for (subscribers may ask from any thread). One field for both keeps the
    // event small: the client makes one per event.
    private object? _data;

    // What GetTyped read of this event and with which reader (the generated {Stem}Events.Parse's), so
    // the event's subscribers share one read of its data; kept inline, not in an object of its own,
    // as the client makes one event per message. _typed is null, Reading, or the reader's result.
    private Delegate? _typedRead;
    private object? _typed;

    /// <summary>An event with its data as an element (cloned or owned by the caller: it must outlive the event's use).</summary>
    /// <param name="name">The event's wire name, e.g. <c>STOP</c>.</param>
    /// <param name="data">Its <c>data</c> member; null when it has none.</param>
    /// <param name="timestamp">When the peer says it happened.</param>
    public QmpEvent(string name, JsonElement? data, DateTimeOffset timestamp)
    {
        Name = name;
        _data = data;
        Timestamp = timestamp;
    }

    /// <summary>A received event: <paramref name="dataUtf8"/> is the data's JSON text, owned by the event from now on.</summary>
    internal QmpEvent(string name, DateTimeOffset timestamp, byte[]? dataUtf8)
    {
        Name = name;
        _dataUtf8 = dataUtf8;
        Timestamp = timestamp;
    }

    // `with` copies the event, not what GetTyped read of it: the copy's name and data may differ.
    private QmpEvent(QmpEvent original)
    {
        Name = original.Name;
        _dataUtf8 = original._dataUtf8;
        _data = original._data;
        Timestamp = original.Timestamp;
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

    /// <summary>
    /// What <paramref name="read"/> makes of this event, read once: every caller with the same reader
    /// (the generated <c>{Stem}Events.Parse</c> passes one for its schema) gets the same object, so an
    /// event that several typed subscribers receive is read once. A caller on another thread while the
    /// first reads waits for that read rather than read again; a reader that throws is tried again by
    /// the next caller. One reader is kept per event, the first that asks: another reader (a second
    /// schema's client on the same connection) reads at every call. The object is shared: treat it as read-only.
    /// </summary>
    /// <typeparam name="T">What the reader makes, e.g. a generated event record.</typeparam>
    /// <param name="read">Turns this event into its typed form, never null; the same delegate (or an equal one) finds the earlier result.</param>
    /// <returns>The object the first call made.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="read"/> returned null.</exception>
    public T GetTyped<T>(Func<QmpEvent, T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        var kept = Volatile.Read(ref _typedRead) ?? Interlocked.CompareExchange(ref _typedRead, read, null) ?? read;
        if (!ReferenceEquals(kept, read) && !kept.Equals(read))
        {
            return read(this) ?? throw ReturnedNull();
        }

        var spin = default(SpinWait);
        while (true)
        {
            var value = Volatile.Read(ref _typed);
            if (value is null && Interlocked.CompareExchange(ref _typed, s_reading, null) is null)
            {
                T result;
                try
                {
                    result = read(this) ?? throw ReturnedNull();
                }
                catch
                {
                    // Not kept: the next caller reads again.
                    Volatile.Write(ref _typed, null);
                    throw;
                }

                Volatile.Write(ref _typed, result);
                return result;
            }

            if (value is not null && !ReferenceEquals(value, s_reading))
            {
                // Made by this reader or an equal one: the same method, so the same type.
                return (T)value;
            }

            // Being read on another thread (for a few microseconds): wait without sleeping a whole millisecond.
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static InvalidOperationException ReturnedNull() => new("The event's reader returned null.");

    /// <summary>The data's JSON text; empty when there is no data.</summary>
    internal ReadOnlySpan<byte> DataUtf8 =>
        _dataUtf8 ?? (_data is JsonElement { ValueKind: not JsonValueKind.Undefined } data ? JsonMarshal.GetRawUtf8Value(data) : default);

    private bool HasData => _dataUtf8 is not null || _data is not null;

    /// <summary>Deconstructs as the positional record did (name, data, timestamp).</summary>
    public void Deconstruct(out string name, out JsonElement? data, out DateTimeOffset timestamp)
    {
        name = Name;
        data = Data;
        timestamp = Timestamp;
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
