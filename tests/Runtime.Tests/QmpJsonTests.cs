using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>The helpers generated marshaling calls: every error in QEMU's words, naming the member.</summary>
public sealed class QmpJsonTests
{
    private static Utf8JsonReader ReaderOn(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return reader;
    }

    [Fact]
    public void Scalars_read_and_wrong_types_say_what_was_expected()
    {
        var reader = ReaderOn("42");
        Assert.Equal(42, QmpJson.ReadInt64(ref reader, "speed"));
        Assert.Equal("Invalid parameter type for 'speed', expected: integer", ErrorOf("\"fast\"", static (ref Utf8JsonReader r) => QmpJson.ReadInt64(ref r, "speed")));
        Assert.Equal("Invalid parameter type for 'speed', expected: integer", ErrorOf("1.5", static (ref Utf8JsonReader r) => QmpJson.ReadInt64(ref r, "speed")));
        Assert.Equal("Invalid parameter type for 'force', expected: boolean", ErrorOf("1", static (ref Utf8JsonReader r) => QmpJson.ReadBoolean(ref r, "force")));
        Assert.Equal("Invalid parameter type for 'null', expected: string", ErrorOf("true", static (ref Utf8JsonReader r) => QmpJson.ReadString(ref r)));
    }

    private static string ErrorOf<T>(string json, QmpJsonReader<T> read)
    {
        var reader = ReaderOn(json);
        try
        {
            read(ref reader);
        }
        catch (JsonException e)
        {
            return e.Message;
        }
        return "no error";
    }

    [Fact]
    public void Lists_and_objects_check_their_shape()
    {
        var reader = ReaderOn("[1,2,3]");
        Assert.Equal([1L, 2L, 3L], QmpJson.ReadList(ref reader, "ids", QmpJson.ReadInt64));
        Assert.Equal("Invalid parameter type for 'ids', expected: list", ErrorOf("{}", static (ref Utf8JsonReader r) => QmpJson.ReadList(ref r, "ids", QmpJson.ReadInt64)));
        Assert.Equal("Invalid parameter type for 'data', expected: QDict", ErrorOf("[]", static (ref Utf8JsonReader r) => QmpJson.ReadObject(ref r, "data", QmpJson.ReadElement)));
        Assert.Equal("Parameter 'type' is missing", QmpJson.Missing("type").Message);
    }

    [Fact]
    public void Writers_write_what_readers_read()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            QmpJson.WriteList(writer, ["a", "b"], QmpJson.WriteString);
        }

        Assert.Equal("""["a","b"]""", Encoding.UTF8.GetString(stream.ToArray()));
        var absent = QmpJson.ReaderOf(null);
        Assert.Equal(JsonTokenType.StartObject, absent.TokenType);
    }

    private static readonly QmpArgumentCheck[] s_ejectChecks = [new("force", true, "bool"), new("device", false, "string")];

    private static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"force": true}""", "Parameter 'device' is missing")]
    [InlineData("""{"device": "cd0", "bogus": 1}""", "Invalid parameter 'bogus'")]
    [InlineData("""{"device": "cd0", "force": 1}""", "Invalid parameter type for 'force', expected: bool")]
    public void Argument_checks_say_what_qemu_2_1_says_in_its_order(string arguments, string message)
    {
        var error = Assert.Throws<QmpException>(() => QmpArguments.Check(Args(arguments), s_ejectChecks, acceptsAnyKey: false));
        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal(message, error.Description);
    }

    [Fact]
    public void Option_lists_accept_any_member_and_absent_arguments_are_an_empty_object()
    {
        QmpArguments.Check(Args("""{"device": "cd0", "bogus": 1}"""), s_ejectChecks, acceptsAnyKey: true);
        Assert.Equal("Parameter 'device' is missing", Assert.Throws<QmpException>(() => QmpArguments.Check(null, s_ejectChecks, acceptsAnyKey: false)).Description);
        var members = QmpArguments.Read(null, static (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r));
        Assert.Equal(JsonValueKind.Object, members.ValueKind);
    }

    [Fact]
    public void Reading_arguments_turns_a_reader_error_into_a_generic_error_in_qemus_words()
    {
        var error = Assert.Throws<QmpException>(() => QmpArguments.Read(Args("""{"type": 5}"""), static (ref Utf8JsonReader r) =>
        {
            r.Read();
            r.Read();
            return QmpJson.ReadString(ref r, "type");
        }));
        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal("Invalid parameter type for 'type', expected: string", error.Description);
    }
}
