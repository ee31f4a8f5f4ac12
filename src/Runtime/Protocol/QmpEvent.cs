using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// An asynchronous QMP event. <paramref name="Data"/> is a cloned element (it outlives the
/// receive buffer); null when the event carries no <c>data</c>.
/// </summary>
public sealed record QmpEvent(string Name, JsonElement? Data, DateTimeOffset Timestamp);
