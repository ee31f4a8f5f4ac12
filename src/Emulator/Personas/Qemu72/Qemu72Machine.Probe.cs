using System.Text.Json;
using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>
/// What a launcher's capability probe asks (libvirt 9.0: ../shared/reference/libvirt-notes.md): the binary's
/// version, target, schema and catalogues. A recorded request never gets here (<see cref="Qemu72Machine.DispatchAsync"/>
/// sends its recorded reply); these members answer the others as QEMU 7.2 does.
/// </summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask<QueryVersionResult> QueryVersionAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-version", QueryVersionResult.Read);

    public override ValueTask<QueryTargetResult> QueryTargetAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-target", QueryTargetResult.Read);

    public override ValueTask<QueryKvmResult> QueryKvmAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done(new QueryKvmResult { Enabled = KvmEnabled, Present = true });

    /// <summary>The commands of the recorded schema, as QEMU lists every command it has.</summary>
    public override ValueTask<IReadOnlyList<QueryCommandsResult>> QueryCommandsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<QueryCommandsResult>>([.. Catalogue.QmpSchema.EnumerateArray()
            .Where(e => e.GetProperty("meta-type").ValueEquals("command"))
            .Select(e => new QueryCommandsResult { Name = e.GetProperty("name").GetString()! })]);

    public override ValueTask<IReadOnlyList<QueryMachinesResult>> QueryMachinesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-machines", ListOf(QueryMachinesResult.Read));

    public override ValueTask<IReadOnlyList<QueryCpuDefinitionsResult>> QueryCpuDefinitionsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-cpu-definitions", ListOf(QueryCpuDefinitionsResult.Read));

    public override ValueTask<IReadOnlyList<QueryTpmModelsResult>> QueryTpmModelsAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-tpm-models", ListOf(QueryTpmModelsResult.Read));

    public override ValueTask<IReadOnlyList<QueryTpmTypesResult>> QueryTpmTypesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-tpm-types", ListOf(QueryTpmTypesResult.Read));

    public override ValueTask<QuerySevCapabilitiesResult> QuerySevCapabilitiesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-sev-capabilities", QuerySevCapabilitiesResult.Read);

    public override ValueTask<QuerySgxResult> QuerySgxCapabilitiesAsync(QmpSession session, CancellationToken cancellationToken) =>
        Recorded("query-sgx-capabilities", QuerySgxResult.Read);

    /// <summary>One option of the recorded list; QEMU's words for a name it lacks.</summary>
    public override async ValueTask<IReadOnlyList<QueryCommandLineOptionsResult>> QueryCommandLineOptionsAsync(QueryCommandLineOptionsArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var all = await Recorded("query-command-line-options", ListOf(QueryCommandLineOptionsResult.Read)).ConfigureAwait(false);
        var found = all.Where(o => arguments.Option is null || o.Option == arguments.Option).ToList();
        return found.Count == 0 ? throw QmpException.Generic($"invalid option name: {arguments.Option}") : found;
    }

    /// <summary>qom-list-types with a filter not recorded: every type at or below <c>implements</c> by the recorded parents.</summary>
    public override ValueTask<IReadOnlyList<QomListTypesResult>> QomListTypesAsync(QomListTypesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var types = Types();
        return Done<IReadOnlyList<QomListTypesResult>>([.. types.Values.Where(t =>
            (arguments.Abstract == true || t.Abstract != true) && (arguments.Implements is null || Descends(types, t.Name, arguments.Implements)))]);
    }

    /// <summary>A type not recorded: DeviceNotFound when QEMU has no such type, as QEMU words it.</summary>
    public override ValueTask<IReadOnlyList<QomListResult>> DeviceListPropertiesAsync(DeviceListPropertiesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var types = Types();
        if (!types.TryGetValue(arguments.Typename, out var type))
        {
            throw QemuMachine.DeviceNotFound(arguments.Typename);
        }

        if (type.Abstract == true || !Descends(types, type.Name, "device"))
        {
            throw QmpException.Generic("Parameter 'typename' expects a non-abstract device type");
        }

        throw QmpException.Generic($"The emulator has no recording of the properties of '{arguments.Typename}'");
    }

    public override ValueTask<IReadOnlyList<QomListResult>> QomListPropertiesAsync(QomListPropertiesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (!Types().ContainsKey(arguments.Typename))
        {
            throw new QmpException(QmpErrorClass.DeviceNotFound, $"Class '{arguments.Typename}' not found");
        }

        throw QmpException.Generic($"The emulator has no recording of the properties of '{arguments.Typename}'");
    }

    public override ValueTask<QueryCpuModelExpansionResult> QueryCpuModelExpansionAsync(QueryCpuModelExpansionArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var models = Catalogue.Exchanges("query-cpu-definitions")[0].Return!.Value.EnumerateArray().Select(m => m.GetProperty("name").GetString());
        if (!models.Contains(arguments.Model.Name) && arguments.Model.Name is not ("host" or "max"))
        {
            throw QmpException.Generic($"CPU model '{arguments.Model.Name}' not found");
        }

        throw QmpException.Generic($"The emulator has no recording of this expansion of CPU model '{arguments.Model.Name}'");
    }

    /// <summary>Every QOM type by name, from the recorded <c>qom-list-types {"abstract": true}</c>.</summary>
    private Dictionary<string, QomListTypesResult> Types()
    {
        if (!Catalogue.TryGetReply("qom-list-types", JsonDocument.Parse("""{"abstract": true}""").RootElement, out var all))
        {
            throw QmpException.Generic("The emulator has no recording of qom-list-types");
        }

        return Read(all.Return!.Value, ListOf(QomListTypesResult.Read)).ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    private static bool Descends(Dictionary<string, QomListTypesResult> types, string? name, string ancestor)
    {
        // Bounded by the number of types, should a recording ever hold a cycle.
        for (var steps = 0; name is not null && steps <= types.Count; steps++)
        {
            if (name == ancestor)
            {
                return true;
            }

            name = types.GetValueOrDefault(name)?.Parent;
        }

        return false;
    }
}
