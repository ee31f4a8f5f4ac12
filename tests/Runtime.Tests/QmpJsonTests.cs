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

    /// <summary>A member as a generated reader reads it: the reader on the member's name, the value into a local.</summary>
    private static Utf8JsonReader OnMember(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        return reader;
    }

    private readonly record struct Format(string Value)
    {
        public static Format Read(ref Utf8JsonReader reader) => new(QmpJson.ReadString(ref reader));
    }

    [Fact]
    public void Member_helpers_read_one_member_null_as_absent_and_name_it_in_errors()
    {
        var reader = OnMember("""{"speed": 5}""");
        long? speed = null;
        QmpJson.ReadMember(ref reader, "speed", ref speed);
        Assert.Equal(5, speed);

        // JSON null is an absent member: the local keeps what it had (QEMU's input visitor does the same).
        reader = OnMember("""{"speed": null}""");
        QmpJson.ReadMember(ref reader, "speed", ref speed);
        Assert.Equal(5, speed);
        Assert.Equal(JsonTokenType.Null, reader.TokenType);

        reader = OnMember("""{"format": "qcow2"}""");
        Format? format = null;
        QmpJson.ReadEnumMember(ref reader, "format", ref format, Format.Read);
        Assert.Equal(new Format("qcow2"), format);

        // The enum's own Read names no member (it reads array elements too); the member helper names it.
        var error = Assert.Throws<JsonException>(() =>
        {
            var r = OnMember("""{"format": 2}""");
            Format? f = null;
            QmpJson.ReadEnumMember(ref r, "format", ref f, Format.Read);
        });
        Assert.Equal("Invalid parameter type for 'format', expected: string", error.Message);

        error = Assert.Throws<JsonException>(() =>
        {
            var r = OnMember("""{"ids": [1, "x"]}""");
            IReadOnlyList<long>? ids = null;
            QmpJson.ReadListMember(ref r, "ids", ref ids, QmpJson.ReadInt64);
        });
        Assert.Equal("Invalid parameter type for 'null', expected: integer", error.Message);
        Assert.Equal("ids[1]", error.Path);

        error = Assert.Throws<JsonException>(() =>
        {
            var r = OnMember("""{"size": 256}""");
            byte? size = null;
            QmpJsonQapi.ReadMember(ref r, "size", ref size);
        });
        Assert.Equal("Parameter 'size' expects uint8", error.Message);
    }

    [Fact]
    public void Optional_writers_write_a_set_member_and_nothing_for_an_absent_one()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            QmpJson.WriteStartObject(writer, "value");
            QmpJson.WriteOptional(writer, "a"u8, (string?)null);
            QmpJson.WriteOptional(writer, "b"u8, (long?)7);
            QmpJson.WriteOptional(writer, "c"u8, (bool?)null);
            QmpJson.WriteOptional(writer, "d"u8, (Format?)new Format("raw"), static (w, v) => w.WriteStringValue(v.Value));
            QmpJson.WriteOptional(writer, "e"u8, (Format?)null, static (w, v) => w.WriteStringValue(v.Value));
            QmpJson.WriteOptionalList(writer, "f"u8, (IReadOnlyList<long>?)[1, 2], QmpJson.WriteInt64);
            QmpJson.WriteOptionalList(writer, "g"u8, (IReadOnlyList<long>?)null, QmpJson.WriteInt64);
            writer.WriteEndObject();
        }

        Assert.Equal("""{"b":7,"d":"raw","f":[1,2]}""", Encoding.UTF8.GetString(stream.ToArray()));

        // The writer's own parameter names, as the three statements it replaces gave.
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => QmpJson.WriteStartObject(null!, "value")).ParamName);
        using var any = new Utf8JsonWriter(new MemoryStream());
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => QmpJson.WriteStartObject<string>(any, null!)).ParamName);
    }
}
