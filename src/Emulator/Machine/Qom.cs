using System.Text.Json;
using Qmp.Emulator.Model;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

// The QOM tree (qom-list, qom-get, qom-set, qom-list-types, device-list-properties): part of the devices area.
public sealed partial class QemuMachine
{
    /// <summary>A QOM object as the tree shows it: its type, properties (name, type, value, writable) and children.</summary>
    private sealed record QomNode(string Type, List<(string Name, string Type, JsonElement Value, bool Writable)> Properties, List<(string Name, string Type)> Children);

    private QomNode? ResolveQom(string path)
    {
        var container = new List<(string, string, JsonElement, bool)> { ("type", "string", ToJson("container"), false) };
        var trimmed = path.TrimEnd('/');
        switch (trimmed)
        {
            case "":
                return new QomNode("container", container, [("machine", "child<pc-i440fx-2.1-machine>"), ("objects", "child<container>")]);
            case "/machine":
                return new QomNode("pc-i440fx-2.1-machine", [("type", "string", ToJson("pc-i440fx-2.1-machine"), false), ("kernel", "string", ToJson(""), true), ("accel", "string", ToJson(Vm.Kvm ? "kvm" : "tcg"), true)],
                    [("unattached", "child<container>"), ("peripheral", "child<container>"), ("peripheral-anon", "child<container>"), ("i440fx", "child<i440FX-pcihost>")]);
            case "/machine/peripheral":
                return new QomNode("container", container, Vm.Devices.Where(d => d.Id is not null).Select(d => (d.Id!, $"child<{d.Driver}>")).ToList());
            case "/machine/peripheral-anon":
                return new QomNode("container", container, Vm.Devices.Where(d => d.Id is null && d.Peripheral).Select(d => ($"device[{d.Index}]", $"child<{d.Driver}>")).ToList());
            case "/machine/unattached":
                return new QomNode("container", container, Vm.Devices.Where(d => d.Id is null && !d.Peripheral).Select(d => ($"device[{d.Index}]", $"child<{d.Driver}>")).ToList());
            case "/machine/i440fx":
                return new QomNode("i440FX-pcihost", [("type", "string", ToJson("i440FX-pcihost"), false), ("pci-hole64-size", "int", ToJson(1L << 31), true)], []);
            case "/objects":
                return new QomNode("container", container, Vm.Objects.Values.Select(o => (o.Id, $"child<{o.Type}>")).ToList());
        }

        if (Vm.Devices.FirstOrDefault(d => d.Path == trimmed) is { } device)
        {
            var props = new List<(string, string, JsonElement, bool)>
            {
                ("type", "string", ToJson(device.Driver), false),
                ("realized", "bool", ToJson(true), true),
                ("hotpluggable", "bool", ToJson(Catalog.FindDevice(device.Driver)?.Hotplug ?? false), false),
            };
            foreach (var (name, type) in Catalog.s_deviceProperties.GetValueOrDefault(device.Driver) ?? [])
            {
                props.Add((name, type, QomValue(trimmed, name) ?? (device.Properties.TryGetValue(name, out var v) ? v : DefaultValue(device, name, type)), true));
            }

            return new QomNode(device.Driver, props, []);
        }

        if (trimmed.StartsWith("/objects/", StringComparison.Ordinal) && Vm.Objects.TryGetValue(trimmed["/objects/".Length..], out var obj))
        {
            var props = new List<(string, string, JsonElement, bool)> { ("type", "string", ToJson(obj.Type), false) };
            foreach (var (name, value) in obj.Properties)
            {
                props.Add((name, value.ValueKind switch { JsonValueKind.Number => "int", JsonValueKind.True or JsonValueKind.False => "bool", _ => "string" }, QomValue(trimmed, name) ?? value, true));
            }

            return new QomNode(obj.Type, props, []);
        }

        return null;
    }

    private JsonElement? QomValue(string path, string name) =>
        Vm.QomValues.TryGetValue(path, out var values) && values.TryGetValue(name, out var v) ? v : null;

    private JsonElement DefaultValue(Device device, string name, string type)
    {
        if (name == "mac" && Vm.Nics.FirstOrDefault(n => n.Id == device.Id) is { } nic)
        {
            return ToJson(nic.Mac);
        }

        if (name == "addr" && device.PciSlot >= 0)
        {
            return ToJson($"{device.PciSlot:x2}.{device.PciFunction:x}");
        }

        return type switch
        {
            "bool" => ToJson(false),
            "int" or "int32" or "uint32" or "uint64" or "uint8" => ToJson(name == "bootindex" ? -1 : 0),
            _ => ToJson(""),
        };
    }

    public override ValueTask<IReadOnlyList<QomListResult>> QomListAsync(QomListArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = ResolveQom(arguments.Path) ?? throw DeviceNotFound(arguments.Path);
            return Done<IReadOnlyList<QomListResult>>(node.Properties.Select(p => new QomListResult { Name = p.Name, Type = p.Type })
                .Concat(node.Children.Select(c => new QomListResult { Name = c.Name, Type = c.Type })).ToList());
        }
    }

    public override ValueTask<JsonElement> QomGetAsync(QomGetArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = ResolveQom(arguments.Path) ?? throw DeviceNotFound(arguments.Path);
            var property = node.Properties.FirstOrDefault(p => p.Name == arguments.Property);
            if (property.Name is null)
            {
                throw Generic($"Property '.{arguments.Property}' not found");
            }

            return Done(property.Value);
        }
    }

    public override ValueTask QomSetAsync(QomSetArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var node = ResolveQom(arguments.Path) ?? throw DeviceNotFound(arguments.Path);
            var property = node.Properties.FirstOrDefault(p => p.Name == arguments.Property);
            if (property.Name is null)
            {
                throw Generic($"Property '.{arguments.Property}' not found");
            }

            if (!property.Writable)
            {
                throw Generic("Insufficient permission to perform this operation");
            }

            var expected = property.Value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValueKind.Number => "int",
                _ => "string",
            };
            var ok = expected switch
            {
                "boolean" => arguments.Value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "int" => arguments.Value.ValueKind == JsonValueKind.Number,
                _ => arguments.Value.ValueKind == JsonValueKind.String,
            };
            if (!ok)
            {
                throw Generic($"Invalid parameter type for '{arguments.Property}', expected: {expected}");
            }

            var path = arguments.Path.TrimEnd('/');
            if (!Vm.QomValues.TryGetValue(path, out var values))
            {
                Vm.QomValues[path] = values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            }

            if (arguments.Property == "mac" && arguments.Value.ValueKind != JsonValueKind.String && Vm.Nics.Any(n => "/machine/peripheral/" + n.Id == path))
            {
                throw Generic("Invalid parameter type for 'mac', expected: string");
            }

            // A value replaced gives back what it charged; the new one is charged first, so a refusal changes nothing.
            var charge = VirtualMachine.RetainedCost(path, arguments.Property, arguments.Value.GetRawText());
            var refund = values.TryGetValue(arguments.Property, out var old) ? VirtualMachine.RetainedCost(path, arguments.Property, old.GetRawText()) : 0;
            Vm.Retain(Math.Max(0, charge - refund));
            Vm.Release(Math.Max(0, refund - charge));
            values[arguments.Property] = arguments.Value.Clone();
            if (arguments.Property == "mac" && Vm.Nics.FirstOrDefault(n => "/machine/peripheral/" + n.Id == path) is { } nic)
            {
                nic.Mac = arguments.Value.GetString()!;
                var nicPath = path;
                var name = nic.Id;
                Vm.Emit(s => s.EmitNicRxFilterChanged(nicPath, name));
            }
        }

        return Done();
    }

    public override ValueTask<IReadOnlyList<QomListTypeResult>> QomListTypesAsync(QomListTypesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        var types = Catalog.AllTypes()
            .Where(t => arguments.Abstract == true || !t.Abstract)
            .Where(t => arguments.Implements is null || Catalog.Implements(t.Name, arguments.Implements))
            .Select(t => t.Name).Distinct(StringComparer.Ordinal)
            .Select(n => new QomListTypeResult { Name = n }).ToList();
        return Done<IReadOnlyList<QomListTypeResult>>(types);
    }

    public override ValueTask<IReadOnlyList<DeviceListPropertyResult>> DeviceListPropertiesAsync(DeviceListPropertiesArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        if (Catalog.FindDevice(arguments.Typename) is null)
        {
            throw DeviceNotFound(arguments.Typename);
        }

        return Done<IReadOnlyList<DeviceListPropertyResult>>((Catalog.s_deviceProperties.GetValueOrDefault(arguments.Typename) ?? [])
            .Select(p => new DeviceListPropertyResult { Name = p.Name, Type = p.Type }).ToList());
    }
}
