using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Introspection;

/// <summary>
/// Reads <c>query-qmp-schema</c>'s answer (7.2's 207 KB in a few milliseconds). Accepted: the array
/// of <c>SchemaInfo</c> itself, the whole reply <c>{"return": [...]}</c>, or a file
/// <c>qmp-codegen introspect</c> saved (<c>{"query-version": {...}, "query-qmp-schema": [...]}</c>).
/// What a newer QEMU may add is never an error: unknown keys are skipped, an unknown meta-type
/// becomes a <see cref="SchemaInfoUnknown"/>. What no QEMU sends is a <see cref="FormatException"/>
/// naming the entry: invalid JSON, an entry without <c>name</c> or <c>meta-type</c>, a required key
/// of a known meta-type missing or of the wrong JSON type. The nesting limit is
/// <see cref="JsonReaderOptions.MaxDepth"/>'s default (64; a schema needs 5).
/// The text is parsed by System.Text.Json; the entries are read by the reader the generator
/// shares (<c>Shared/SchemaInfoJsonReader.cs</c>), so both read the format alike.
/// </summary>
public static class SchemaInfoReader
{
    /// <summary>Reads a schema from UTF-8 JSON text.</summary>
    public static SchemaInfo Read(ReadOnlySpan<byte> utf8Json) => Read(utf8Json, out _);

    /// <summary>Reads a schema, and the <c>query-version</c> answer when the text is a saved file that has one.</summary>
    public static SchemaInfo Read(ReadOnlySpan<byte> utf8Json, out QmpVersion? version)
    {
        version = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            // Anything after the value is an error: half a file is not a schema.
            if (reader.Read())
            {
                throw new FormatException("Unexpected JSON after the schema.");
            }

            var root = new Node(document.RootElement);
            var schema = SchemaInfoJsonReader.Entries(SchemaInfoJsonReader.SchemaArray(root));
            if (SchemaInfoJsonReader.TryVersion(root, out var v))
            {
                version = new QmpVersion(v.Major, v.Minor, v.Micro, v.Package);
            }

            return schema;
        }
        catch (JsonException e)
        {
            throw new FormatException("The schema is not valid JSON: " + e.Message, e);
        }
        catch (SchemaInfoFormatException e)
        {
            // The shared reader's own type carries the entry's index for the generator; callers here get the documented type.
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Reads a schema from JSON text.</summary>
    public static SchemaInfo Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// Reads the array of <c>SchemaInfo</c> the reader is positioned on (its <c>[</c>), leaving it on
    /// the closing <c>]</c>; as a <see cref="QmpJsonReader{T}"/> it reads a reply's <c>return</c> in place.
    /// </summary>
    public static SchemaInfo ReadEntries(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException("Expected the array of SchemaInfo, found " + reader.TokenType + ".");
        }

        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return SchemaInfoJsonReader.Entries(new Node(document.RootElement));
        }
        catch (JsonException e)
        {
            throw new FormatException("The schema is not valid JSON: " + e.Message, e);
        }
        catch (SchemaInfoFormatException e)
        {
            // The shared reader's own type carries the entry's index for the generator; callers here get the documented type.
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>A parsed value as the shared reader sees it.</summary>
    private readonly struct Node(JsonElement element) : ISchemaJson<Node>
    {
        public SchemaJsonKind Kind => element.ValueKind switch
        {
            JsonValueKind.Object => SchemaJsonKind.Object,
            JsonValueKind.Array => SchemaJsonKind.Array,
            JsonValueKind.String => SchemaJsonKind.String,
            JsonValueKind.True => SchemaJsonKind.True,
            JsonValueKind.False => SchemaJsonKind.False,
            _ => SchemaJsonKind.Other,
        };

        public string Text
        {
            get
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return element.GetRawText();
                }

                try
                {
                    return element.GetString()!;
                }
                catch (InvalidOperationException e)
                {
                    // A string that is not valid UTF-8.
                    throw new FormatException("A string of the schema is not valid UTF-8.", e);
                }
            }
        }

        public int Offset => -1;

        public IReadOnlyList<Node> Items
        {
            get
            {
                var items = new List<Node>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(new Node(item));
                }

                return items;
            }
        }

        public bool TryGet(string key, out Node value)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out var found))
            {
                value = new Node(found);
                return true;
            }

            value = default;
            return false;
        }
    }
}
