using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;
using Qmp.Runtime.Introspection;

namespace Qmp.Codegen.Tests.Introspection;

/// <summary>A small QAPI-like schema built on the model by hand, and a masker that numbers its types as a live QEMU would.</summary>
internal static class SchemaFixtures
{
    private static readonly SchemaLocation s_l = SchemaLocation.None;

    public static EquatableArray<T> A<T>(params T[] items) where T : IEquatable<T> => items.ToEquatableArray();

    public static EquatableArray<SchemaFeature> F(params string[] names) => names.Select(n => new SchemaFeature(n, null)).ToEquatableArray();

    public static SchemaDoc Doc(string body) => new(body, A<SchemaDocSection>(), A<SchemaFeatureDoc>(), A<SchemaExample>(), s_l);

    public static SchemaMember M(string name, string type, bool optional = false, bool array = false, string? doc = null, SchemaCondition? condition = null, params string[] features) =>
        new(name, new SchemaTypeRef(type, array), optional, doc, condition, F(features), s_l);

    public static SchemaObjectType Struct(string name, params SchemaMember[] members) =>
        new(name, null, A(members), null, name.StartsWith("q_obj_", StringComparison.Ordinal), false, null, F(), null, s_l);

    public static SchemaEnumType Enum(string name, params string[] values) =>
        new(name, null, values.Select(v => new SchemaEnumValue(v, "doc of " + v, null, F(), s_l)).ToEquatableArray(), null, F(), null, s_l);

    public static SchemaCommand Command(string name, SchemaTypeRef? arguments, SchemaTypeRef? returns, bool allowOob = false, params string[] features) =>
        new(name, arguments, returns, allowOob ? new SchemaCommandFlags(AllowOob: true) : SchemaCommandFlags.Default, null, F(features), Doc("doc of " + name), s_l);

    public static SchemaEvent Event(string name, SchemaTypeRef? data) => new(name, data, false, null, F(), Doc("doc of " + name), s_l);

    /// <summary>Shaped like QEMU's block layer: a union with a base and a missing branch, an alternate, arrays, int widths, QType, conditions, features.</summary>
    public static QmpSchema Block()
    {
        var types = new SchemaType[]
        {
            Enum("BlockdevDriver", "file", "qcow2", "nbd"),
            Struct("BlockdevOptionsBase", M("driver", "BlockdevDriver"), M("node-name", "str", optional: true, doc: "the node name"), M("cache-size", "uint64", optional: true)),
            new SchemaObjectType("BlockdevOptions", "BlockdevOptionsBase", A<SchemaMember>(),
                new SchemaVariants("driver", A(new SchemaVariant("file", SchemaTypeRef.Of("BlockdevOptionsFile"), null, s_l), new SchemaVariant("qcow2", SchemaTypeRef.Of("BlockdevOptionsQcow2"), null, s_l))),
                false, false, null, F(), Doc("Options for creating a block device."), s_l),
            Struct("BlockdevOptionsFile", M("filename", "str"), M("aio", "BlockdevAioOptions", optional: true, condition: SchemaCondition.Symbol("CONFIG_LINUX_AIO"))),
            Enum("BlockdevAioOptions", "threads", "native", "io_uring"),
            Struct("BlockdevOptionsQcow2", M("file", "BlockdevRef")),
            new SchemaAlternateType("BlockdevRef", A(
                new SchemaAlternateBranch("definition", SchemaTypeRef.Of("BlockdevOptions"), "a new node", null, s_l),
                new SchemaAlternateBranch("reference", SchemaTypeRef.Of("str"), "a node name", null, s_l)), null, F(), null, s_l),
            Struct("BlockInfo", M("device", "str"), M("inserted", "BlockDeviceInfo", optional: true), M("sizes", "int32", array: true)),
            Struct("BlockDeviceInfo", M("file", "str"), M("ro", "bool", features: "deprecated")),
            Struct("StatusInfo", M("running", "bool"), M("status", "RunState"), M("kind", "QType")),
            Enum("RunState", "running", "paused"),
            Struct("q_obj_qom-get-arg", M("path", "str"), M("property", "str")),
            Struct("q_obj_BLOCK_IO_ERROR-arg", M("device", "str"), M("reason", "str", optional: true)),
        };
        var commands = new[]
        {
            Command("blockdev-add", SchemaTypeRef.Of("BlockdevOptions"), null),
            Command("query-block", null, SchemaTypeRef.ArrayOf("BlockInfo")),
            Command("query-status", null, SchemaTypeRef.Of("StatusInfo"), false, "deprecated"),
            Command("qom-get", SchemaTypeRef.Of("q_obj_qom-get-arg"), SchemaTypeRef.Of("any")),
            Command("x-oob", null, null, allowOob: true),
        };
        var events = new[] { Event("BLOCK_IO_ERROR", SchemaTypeRef.Of("q_obj_BLOCK_IO_ERROR-arg")), Event("STOP", null) };
        return new QmpSchema(A(commands), A(events), A(types), A<SchemaProse>(), A<SchemaDiagnostic>());
    }

    /// <summary>The schema with enum, object and alternate names replaced by numbers in order of appearance, as QEMU masks them.</summary>
    public static SchemaInfo Mask(SchemaInfo real)
    {
        var numbers = new Dictionary<string, string>();
        foreach (var e in real.Entries)
        {
            if (e is SchemaInfoObject or SchemaInfoEnum or SchemaInfoAlternate)
            {
                numbers[e.Name] = numbers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        string N(string name) => numbers.TryGetValue(name, out var n) ? n
            : name.StartsWith('[') ? "[" + N(name[1..^1]) + "]" : name;
        return Rename(real, N);
    }

    /// <summary>The schema with every type name passed through <paramref name="rename"/>.</summary>
    public static SchemaInfo Rename(SchemaInfo real, Func<string, string> rename)
    {
        return new SchemaInfo(real.Entries.Select(e => (SchemaInfoEntry)(e switch
        {
            SchemaInfoCommand c => new SchemaInfoCommand(c.Name, rename(c.ArgType), rename(c.RetType), c.AllowOob, c.Features),
            SchemaInfoEvent ev => new SchemaInfoEvent(ev.Name, rename(ev.ArgType), ev.Features),
            SchemaInfoArray a => new SchemaInfoArray(rename(a.Name), rename(a.ElementType), a.Features),
            SchemaInfoObject o => new SchemaInfoObject(rename(o.Name), o.Members.Select(m => new SchemaInfoObjectMember(m.Name, rename(m.Type), m.IsOptional, m.Features)).ToList(),
                o.Tag, o.Tag is null ? null : o.Variants.Select(v => new SchemaInfoVariant(v.Case, rename(v.Type))).ToList(), o.Features),
            SchemaInfoEnum en => new SchemaInfoEnum(rename(en.Name), en.Members, en.Features),
            SchemaInfoAlternate alt => new SchemaInfoAlternate(rename(alt.Name), alt.MemberTypes.Select(rename).ToList(), alt.Features),
            _ => e,
        })));
    }
}
