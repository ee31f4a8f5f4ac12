using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>Writes one whole JSON value (generated code supplies these; no reflection).</summary>
public delegate void QmpJsonWriter<T>(Utf8JsonWriter writer, T value);

/// <summary>Reads one JSON value; the reader is positioned on the value's first token.</summary>
public delegate T QmpJsonReader<T>(ref Utf8JsonReader reader);
