using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Tests.Schema;

/// <summary>The model's text dump, which every reader's golden cases compare against.</summary>
public class SchemaPrinterTests
{
    private static readonly SchemaLocation s_at = SchemaLocation.None;

    [Fact]
    public void Prints_every_entity_member_flag_condition_and_doc()
    {
        var spice = SchemaCondition.Symbol("CONFIG_SPICE");
        var schema = new QmpSchema(
            Commands: new[]
            {
                new SchemaCommand("eject", SchemaTypeRef.Of("q_obj_eject-arg"), null, SchemaCommandFlags.Default, null,
                    EquatableArray<SchemaFeature>.Empty,
                    new SchemaDoc("Eject a removable medium.\n\nSecond paragraph.",
                        new[] { new SchemaDocSection(SchemaDoc.Since, "0.14", s_at) }.ToEquatableArray(),
                        EquatableArray<SchemaFeatureDoc>.Empty,
                        new[]
                        {
                            new SchemaExample(null, new[]
                            {
                                new SchemaExampleMessage(ExampleDirection.ToServer, "{ \"execute\": \"eject\" }", "{\"execute\":\"eject\"}", EquatableArray<string>.Empty, s_at),
                                new SchemaExampleMessage(ExampleDirection.FromServer, "{ \"return\": {}, }", "{\"return\":{}}", new[] { "trailing comma" }.ToEquatableArray(), s_at),
                            }.ToEquatableArray(), s_at),
                        }.ToEquatableArray(), s_at),
                    s_at),
                new SchemaCommand("query-spice", null, SchemaTypeRef.ArrayOf("SpiceInfo"), new SchemaCommandFlags(AllowOob: true), spice,
                    new[] { new SchemaFeature(SchemaFeature.Deprecated, null) }.ToEquatableArray(), null, s_at),
            }.ToEquatableArray(),
            Events: new[] { new SchemaEvent("STOP", null, false, null, EquatableArray<SchemaFeature>.Empty, null, s_at) }.ToEquatableArray(),
            Types: new SchemaType[]
            {
                new SchemaObjectType("q_obj_eject-arg", null, new[]
                {
                    new SchemaMember("device", SchemaTypeRef.Of(SchemaBuiltins.Str), false, "the device's name", null, EquatableArray<SchemaFeature>.Empty, s_at),
                    new SchemaMember("force", SchemaTypeRef.Of(SchemaBuiltins.Bool), true, null, null,
                        new[] { new SchemaFeature(SchemaFeature.Unstable, SchemaCondition.NotOf(spice)) }.ToEquatableArray(), s_at),
                }.ToEquatableArray(), null, IsImplicit: true, AcceptsAnyMember: false, null, EquatableArray<SchemaFeature>.Empty, null, s_at),
                new SchemaEnumType("RunState", null, new[]
                {
                    new SchemaEnumValue("running", null, null, EquatableArray<SchemaFeature>.Empty, s_at),
                    new SchemaEnumValue("colo", "COLO", SchemaCondition.AllOf(spice, SchemaCondition.Symbol("CONFIG_REPLICATION")), EquatableArray<SchemaFeature>.Empty, s_at),
                }.ToEquatableArray(), null, EquatableArray<SchemaFeature>.Empty, null, s_at),
                new SchemaObjectType("BlockdevOptions", "BlockdevOptionsBase", EquatableArray<SchemaMember>.Empty,
                    new SchemaVariants("driver", new[] { new SchemaVariant("qcow2", SchemaTypeRef.Of("BlockdevOptionsQcow2"), null, s_at) }.ToEquatableArray()),
                    false, false, null, EquatableArray<SchemaFeature>.Empty, null, s_at),
                new SchemaAlternateType("BlockdevRef", new[]
                {
                    new SchemaAlternateBranch("definition", SchemaTypeRef.Of("BlockdevOptions"), null, null, s_at),
                    new SchemaAlternateBranch("reference", SchemaTypeRef.Of(SchemaBuiltins.Str), null, null, s_at),
                }.ToEquatableArray(), null, EquatableArray<SchemaFeature>.Empty, null, s_at),
            }.ToEquatableArray(),
            Prose: new[] { new SchemaProse("Block devices", 1, "", s_at) }.ToEquatableArray(),
            Diagnostics: new[] { new SchemaDiagnostic("QMP0001", SchemaSeverity.Warning, "odd", new SchemaLocation("a.json", 3, 1, 2, 5, 2, 6)) }.ToEquatableArray());

        var expected = """
            prose level=1 "Block devices"
            object q_obj_eject-arg implicit
              member device: str
                doc "the device's name"
              member force: bool optional feature=unstable(if={'not': CONFIG_SPICE})
            enum RunState
              value running
              value colo if={'all': [CONFIG_SPICE, CONFIG_REPLICATION]}
                doc "COLO"
            object BlockdevOptions
              base BlockdevOptionsBase
              tag driver
              case qcow2: BlockdevOptionsQcow2
            alternate BlockdevRef
              branch definition: BlockdevOptions
              branch reference: str
            command eject
              arguments q_obj_eject-arg
              returns -
              doc body "Eject a removable medium.\n\nSecond paragraph."
              doc section Since "0.14"
              example
                -> {"execute":"eject"}
                <- {"return":{}}  (repaired: trailing comma)
            command query-spice
              arguments -
              returns [SpiceInfo]
              flags allow-oob
              if CONFIG_SPICE
              feature deprecated
            event STOP
              data -
            diagnostic warning QMP0001 (2,5): odd

            """.ReplaceLineEndings("\n");
        Assert.Equal(expected, SchemaPrinter.Print(schema));
    }

    [Fact]
    public void Conditions_read_as_c_preprocessor_and_as_qapi()
    {
        var c = SchemaCondition.AllOf(SchemaCondition.Symbol("CONFIG_A"), SchemaCondition.NotOf(SchemaCondition.AnyOf(SchemaCondition.Symbol("CONFIG_B"), SchemaCondition.Symbol("CONFIG_C"))));
        Assert.Equal("defined(CONFIG_A) && !(defined(CONFIG_B) || defined(CONFIG_C))", c.ToString());
        Assert.Equal("{'all': [CONFIG_A, {'not': {'any': [CONFIG_B, CONFIG_C]}}]}", c.ToQapi());
    }

    [Fact]
    public void Builtins_know_their_json_type()
    {
        Assert.Equal(JsonType.Int, SchemaBuiltins.JsonTypeOf(SchemaBuiltins.Size));
        Assert.Equal(JsonType.Value, SchemaBuiltins.JsonTypeOf(SchemaBuiltins.Any));
        Assert.Null(SchemaBuiltins.JsonTypeOf("StatusInfo"));
        Assert.Equal(16, SchemaBuiltins.Names.Count());
    }
}
