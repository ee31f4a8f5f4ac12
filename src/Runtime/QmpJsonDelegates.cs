using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>Writes one whole JSON value (generated code supplies these; no reflection).</summary>
public delegate void QmpJsonWriter<T>(Utf8JsonWriter writer, T value);

/// <summary>Reads one JSON value; the reader is positioned on the value's first token.</summary>
public delegate T QmpJsonReader<T>(ref Utf8JsonReader reader);

/// <summary>Reads a typed event's <c>data</c> object; the reader is on its <c>{</c>.</summary>
public delegate T QmpJsonEventReader<T>(ref Utf8JsonReader reader, DateTimeOffset timestamp);
