using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consumer.Qemu;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// Open arguments (QEMU 2.1's <c>O</c> option lists: <c>device_add</c>, <c>netdev_add</c>): the members
/// the schema does not name are kept in <c>AdditionalProperties</c> on read, written after the
/// declared ones, and a declared name among them is refused on write.
/// </summary>
public sealed class OpenArgumentsTests
{
    private static string Write(DeviceAddArguments value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            DeviceAddArguments.Write(writer, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static DeviceAddArguments Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return DeviceAddArguments.Read(ref reader);
    }

    [Fact]
    public void Device_properties_are_written_after_the_declared_members()
    {
        var arguments = new DeviceAddArguments { Driver = "virtio-blk-pci", Id = "vd1", AdditionalProperties = { ["drive"] = "disk1", ["bootindex"] = 2 } };
        Assert.Equal("""{"driver":"virtio-blk-pci","id":"vd1","drive":"disk1","bootindex":2}""", Write(arguments));
    }

    [Fact]
    public void Device_properties_are_kept_on_read_and_round_trip()
    {
        const string Json = """{"mac":"52:54:00:12:34:56","driver":"e1000","id":"n1","netdev":null,"opts":{"a":[1,true]}}""";
        var arguments = Read(Json);
        Assert.Equal(("e1000", "n1"), (arguments.Driver, arguments.Id));
        Assert.Equal(["mac", "netdev", "opts"], arguments.AdditionalProperties.Select(p => p.Key));
        Assert.Equal("52:54:00:12:34:56", arguments.AdditionalProperties["mac"]!.GetValue<string>());
        Assert.Null(arguments.AdditionalProperties["netdev"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Json), JsonNode.Parse(Write(arguments))));
        // Value equality holds with the bag (compared as JSON), as it does for every generated record.
        Assert.Equal(Read(Json), arguments);
        Assert.NotEqual(Read("""{"driver":"e1000","id":"n1","mac":"52:54:00:12:34:57"}"""), Read("""{"driver":"e1000","id":"n1","mac":"52:54:00:12:34:56"}"""));
    }

    [Fact]
    public void A_declared_member_in_the_bag_is_refused_on_write()
    {
        var arguments = new DeviceAddArguments { Driver = "e1000", Id = "n1", AdditionalProperties = { ["id"] = "other" } };
        var error = Assert.Throws<ArgumentException>(() => Write(arguments));
        Assert.Contains("DeviceAddArguments.AdditionalProperties", error.Message, StringComparison.Ordinal);
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeviceAddArguments", error.Message, StringComparison.Ordinal);
    }
}
