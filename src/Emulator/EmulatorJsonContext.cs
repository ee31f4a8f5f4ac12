using System.Text.Json;
using System.Text.Json.Serialization;

namespace Qmp.Emulator;

/// <summary>
/// The emulator's own JSON (the <c>--machine FILE</c> description, QOM property values), source-generated so that
/// the emulator stays trim- and NativeAOT-clean (<c>-p:QmpNativeAot=true</c>): the settings are
/// <see cref="MachineDescription.JsonOptions"/>'s.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MachineDescription))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;
