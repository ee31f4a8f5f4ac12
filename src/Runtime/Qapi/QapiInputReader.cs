using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Qapi;

/// <summary>
/// The JSON type of a value an alternate is given (QEMU's <c>QType</c>): the generated code picks the
/// alternate's branch by it.
/// </summary>
public enum QapiJsonType
{
    /// <summary><c>null</c> (QEMU's <c>QTYPE_QNULL</c>).</summary>
    Null,

    /// <summary>A number, integer or not (<c>QTYPE_QNUM</c>).</summary>
    Number,

    /// <summary>A string (<c>QTYPE_QSTRING</c>).</summary>
    String,

    /// <summary><c>true</c> or <c>false</c> (<c>QTYPE_QBOOL</c>).</summary>
    Bool,

    /// <summary>An object (<c>QTYPE_QDICT</c>).</summary>
    Object,

    /// <summary>An array (<c>QTYPE_QLIST</c>).</summary>
    Array,
}

/// <summary>
/// Reads a command's <c>arguments</c> object as QEMU 7.2's QObject input visitor does, for code
/// generated from a QAPI schema: the generated code visits the schema's members in the schema's order
/// (<see cref="StartObject"/>, <see cref="IsPresent"/>, <see cref="ReadString"/>, ...,
/// <see cref="EndObject"/>), and the first check that fails throws a <see cref="QmpException"/>
/// (<c>GenericError</c>) whose <c>desc</c> is QEMU's, byte for byte:
/// <list type="bullet">
/// <item><c>Parameter 'device' is missing</c> (a required member; nested ones by their full name, <c>file.driver</c>, <c>actions[0].type</c>);</item>
/// <item><c>Parameter 'bogus' is unexpected</c> (a member the schema lacks, found by <see cref="EndObject"/> after the object's members were read, as QEMU's <c>check_struct</c>);</item>
/// <item><c>Invalid parameter type for 'force', expected: boolean</c> (also <c>integer</c>, <c>string</c>, <c>number</c>, <c>object</c>, <c>array</c>, <c>null</c>, and an alternate's name);</item>
/// <item><c>Parameter 'max-connections' expects uint32_t</c> (an integer out of its width; <c>uint64</c> and <c>size</c> say <c>expects uint64</c>);</item>
/// <item><c>Parameter 'driver' does not accept value 'nosuch'</c> (an enum, a union's discriminator).</item>
/// </list>
/// QEMU names some of these by the member's own name, not its full one, and a list element by
/// <c>null</c> (<c>Parameter 'null' does not accept value 'bogus'</c>): so does this reader, as the
/// comments on each method say.
/// <para>
/// Limits: objects and arrays nest at most <see cref="MaxDepth"/> levels (by default the server's
/// JSON nesting limit, <see cref="QmpLimits.DefaultServerMaxDepth"/>), so generated code that recurses
/// through a recursive type (<c>BlockdevRef</c> inside <c>BlockdevOptions</c>) is bounded whatever the
/// caller parsed; deeper is a <c>GenericError</c> of this library's own words (QEMU's parser refuses
/// such input before its visitor sees it). The arguments must come from a parser that refuses a
/// member named twice (as the server's and QEMU's do): a second one is reported unexpected. When
/// several members are unexpected, QEMU names the first in its GLib hash table's slot order, and so
/// does this reader (<see cref="QemuMemberOrder"/> replays the table). A reader may be reused for another request
/// (<see cref="Reset"/>); it is not thread-safe. Values read with <see cref="ReadAny"/> live as long
/// as the caller's <see cref="JsonDocument"/>.
/// </para>
/// </summary>
public sealed class QapiInputReader
{
    private static readonly JsonElement s_noArguments = JsonDocument.Parse("{}").RootElement.Clone();

    private Frame[] _frames = new Frame[8];
    private int _depth;
    private ulong[] _visited = new ulong[8];
    private int _visitedTop;
    private int[] _consumed = new int[32];
    private int _consumedTop;

    // The open objects' members, each object's run beside the one it is in: the member, its name's
    // hash, the next member whose hash shares its bucket; and each object's buckets (the first member
    // of each, -1 for none). So a lookup looks at the members of one bucket only.
    private JsonProperty[] _members = new JsonProperty[32];
    private int[] _nameHashes = new int[32];
    private int[] _nextInBucket = new int[32];
    private int _membersTop;
    private int _membersHighWater;
    private int[] _buckets = new int[32];
    private int _bucketsTop;
    private JsonElement _root;
    private bool _rootTaken;
    private StringBuilder? _name;
    private int _generations;
    private string? _lastName;
    private int _lastGeneration;
    private int _lastIndex;
    private JsonElement _lastValue;

    /// <summary>A reader of <paramref name="arguments"/> (null or undefined: the request had none, read as <c>{}</c> as QEMU does).</summary>
    /// <param name="arguments">The request's <c>arguments</c>.</param>
    /// <param name="maxDepth">The nesting limit (at least 1).</param>
    public QapiInputReader(JsonElement? arguments, int maxDepth = QmpLimits.DefaultServerMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        MaxDepth = maxDepth;
        Reset(arguments);
    }

    /// <summary>How deep objects and arrays may nest; one more is refused.</summary>
    public int MaxDepth { get; }

    /// <summary>Starts over on another request's <paramref name="arguments"/>, keeping the buffers.</summary>
    /// <param name="arguments">The request's <c>arguments</c> (null or undefined: none).</param>
    public void Reset(JsonElement? arguments)
    {
        _root = arguments is { ValueKind: not JsonValueKind.Undefined } value ? value : s_noArguments;
        _rootTaken = false;
        _depth = 0;
        _visitedTop = 0;
        _consumedTop = 0;
        _bucketsTop = 0;
        _membersTop = 0;
        _lastName = null;
        _lastValue = default;
        if (_members.Length > 4096)
        {
            // A huge request's tables are not kept for the next one (the reader lives per thread).
            _members = new JsonProperty[32];
            _nameHashes = new int[32];
            _nextInBucket = new int[32];
            _buckets = new int[32];
        }
        else
        {
            // Nor are its documents: the members read last are let go.
            Array.Clear(_members, 0, _membersHighWater);
        }

        _membersHighWater = 0;
    }

    /// <summary>
    /// QEMU's <c>visit_optional</c>: whether the current object has member <paramref name="name"/>
    /// (a member given as <c>null</c> is present; the type read next refuses it unless it takes null).
    /// </summary>
    /// <param name="name">The member's name.</param>
    public bool IsPresent(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, consume: false, out _);
    }

    /// <summary>
    /// Enters an object (QEMU's <c>visit_start_struct</c>): the arguments themselves (name null, at the
    /// start), a member (its name) or a list element (null). Missing: <c>Parameter 'x' is missing</c>;
    /// not an object: <c>Invalid parameter type for 'x', expected: object</c> (full names).
    /// </summary>
    /// <param name="name">The member's name; null for the arguments or a list element.</param>
    public void StartObject(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw InvalidType(name, "object");
        }

        ref var frame = ref Push(name, value);
        frame.IsList = false;
        frame.Count = value.GetPropertyCount();
        frame.VisitedOffset = _visitedTop;
        var words = (frame.Count + 63) / 64;
        if (_visitedTop + words > _visited.Length)
        {
            Array.Resize(ref _visited, Math.Max(_visited.Length * 2, _visitedTop + words));
        }

        Array.Clear(_visited, _visitedTop, words);
        _visitedTop += words;
        frame.ConsumedOffset = _consumedTop;
        IndexMembers(ref frame);
    }

    /// <summary>
    /// Each member kept, its name hashed once (an escaped one by its unescaped text) and put in a bucket
    /// of the object's hash table: a lookup (most find nothing: optional members left out) looks at one
    /// bucket's members and compares names only where the hash matches, so reading an object of n
    /// members takes time in proportion to n and the schema's members, never n times n.
    /// </summary>
    private void IndexMembers(ref Frame frame)
    {
        var offset = frame.MemberOffset = _membersTop;
        var count = frame.Count;
        if (offset + count > _members.Length)
        {
            var length = Math.Max(_members.Length * 2, offset + count);
            Array.Resize(ref _members, length);
            Array.Resize(ref _nameHashes, length);
            Array.Resize(ref _nextInBucket, length);
        }

        var at = offset;
        foreach (var member in frame.Value.EnumerateObject())
        {
            _members[at] = member;
            _nameHashes[at++] = HashOf(member);
        }

        _membersTop = at;
        _membersHighWater = Math.Max(_membersHighWater, at);

        // At least as many buckets as members (a power of two, so a bucket is the hash's low bits).
        var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 1));
        frame.BucketOffset = _bucketsTop;
        frame.BucketMask = buckets - 1;
        if (_bucketsTop + buckets > _buckets.Length)
        {
            Array.Resize(ref _buckets, Math.Max(_buckets.Length * 2, _bucketsTop + buckets));
        }

        var table = _buckets.AsSpan(_bucketsTop, buckets);
        table.Fill(-1);
        _bucketsTop += buckets;

        // Put in from the last member to the first, each at its bucket's head: a bucket lists its members
        // in the request's order, so of a name given twice the first is found (the second is unexpected).
        for (var index = count - 1; index >= 0; index--)
        {
            var hash = _nameHashes[offset + index];
            if (hash != NeverEqual)
            {
                ref var head = ref table[hash & frame.BucketMask];
                _nextInBucket[offset + index] = head;
                head = index;
            }
        }
    }

    /// <summary>
    /// Leaves the current object after its members were read (QEMU's <c>visit_check_struct</c> then
    /// <c>visit_end_struct</c>): a member nobody read is <c>Parameter 'x' is unexpected</c>, by its full name.
    /// </summary>
    public void EndObject()
    {
        ref var frame = ref Top(list: false);
        var seen = _visited.AsSpan(frame.VisitedOffset);
        for (var index = 0; index < frame.Count; index++)
        {
            if ((seen[index >> 6] & (1UL << (index & 63))) == 0)
            {
                throw Error($"Parameter '{FullName(UnexpectedMember(ref frame, index))}' is unexpected");
            }
        }

        _visitedTop = frame.VisitedOffset;
        _consumedTop = frame.ConsumedOffset;
        _membersTop = frame.MemberOffset;
        _bucketsTop = frame.BucketOffset;
        _depth--;
    }

    /// <summary>
    /// Of the members nobody read, the one QEMU names (see <see cref="QemuMemberOrder"/>); with a name
    /// given twice (which QEMU's parser and the server's refuse) the first unread one, <paramref name="firstUnread"/>.
    /// </summary>
    private string UnexpectedMember(ref Frame frame, int firstUnread)
    {
        var names = new List<byte[]>(frame.Count);
        foreach (var member in _members.AsSpan(frame.MemberOffset, frame.Count))
        {
            names.Add(Encoding.UTF8.GetBytes(NameOf(member)));
        }

        var first = QemuMemberOrder.FirstUnread(names, _consumed.AsSpan(frame.ConsumedOffset, _consumedTop - frame.ConsumedOffset));
        return Encoding.UTF8.GetString(names[first >= 0 ? first : firstUnread]);
    }

    /// <summary>
    /// Enters an array (QEMU's <c>visit_start_list</c>); read its elements with
    /// <see cref="NextElement"/> and each one's reader given a null name. Missing:
    /// <c>Parameter 'x' is missing</c>; not an array: <c>Invalid parameter type for 'x', expected: array</c>.
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public void StartList(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw InvalidType(name, "array");
        }

        ref var frame = ref Push(name, value);
        frame.IsList = true;
        frame.Elements = value.EnumerateArray();
        frame.Index = -1;
    }

    /// <summary>Moves to the current array's next element; false after the last one.</summary>
    public bool NextElement()
    {
        ref var frame = ref Top(list: true);
        if (!frame.Elements.MoveNext())
        {
            return false;
        }

        frame.Index++;
        return true;
    }

    /// <summary>Leaves the current array (QEMU's <c>visit_end_list</c>).</summary>
    public void EndList()
    {
        Top(list: true);
        _depth--;
    }

    /// <summary>
    /// Looks at an alternate's value without reading it (QEMU's <c>visit_start_alternate</c>): the
    /// generated code picks the branch by the answer and reads it with the same name, or throws
    /// <see cref="NoBranch"/>. Missing: <c>Parameter 'x' is missing</c> (full name).
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public QapiJsonType StartAlternate(string? name) => Get(name, consume: false).ValueKind switch
    {
        JsonValueKind.Object => QapiJsonType.Object,
        JsonValueKind.Array => QapiJsonType.Array,
        JsonValueKind.String => QapiJsonType.String,
        JsonValueKind.Number => QapiJsonType.Number,
        JsonValueKind.True or JsonValueKind.False => QapiJsonType.Bool,
        _ => QapiJsonType.Null,
    };

    /// <summary>
    /// The error for an alternate given a JSON type none of its branches takes:
    /// <c>Invalid parameter type for 'file', expected: BlockdevRef</c>. QEMU names the member by its
    /// own name here (not its full one), and a list element <c>null</c>.
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    /// <param name="alternate">The alternate type's name in the schema.</param>
    public static QmpException NoBranch(string? name, string alternate) =>
        Error($"Invalid parameter type for '{name ?? "null"}', expected: {alternate}");

    /// <summary>A <c>str</c>; not a string: <c>Invalid parameter type for 'x', expected: string</c> (full name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public string ReadString(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw InvalidType(name, "string");
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }
    }

    /// <summary>A <c>bool</c>; otherwise <c>Invalid parameter type for 'x', expected: boolean</c> (full name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public bool ReadBool(string? name)
    {
        var value = Get(name, consume: true);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw InvalidType(name, "boolean"),
        };
    }

    /// <summary>
    /// An <c>int</c> or <c>int64</c>: an integer that fits 64 bits signed; anything else (<c>1.5</c>,
    /// <c>1e3</c>, <c>9223372036854775808</c>, a string) is <c>Invalid parameter type for 'x', expected: integer</c> (full name).
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public long ReadInt64(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result))
        {
            return result;
        }

        throw InvalidType(name, "integer");
    }

    /// <summary>An <c>int8</c>: <see cref="ReadInt64"/>, then out of range is <c>Parameter 'x' expects int8_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public sbyte ReadInt8(string? name) => (sbyte)ReadSigned(name, sbyte.MinValue, sbyte.MaxValue, "int8_t");

    /// <summary>An <c>int16</c>: <see cref="ReadInt64"/>, then out of range is <c>Parameter 'x' expects int16_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public short ReadInt16(string? name) => (short)ReadSigned(name, short.MinValue, short.MaxValue, "int16_t");

    /// <summary>An <c>int32</c>: <see cref="ReadInt64"/>, then out of range is <c>Parameter 'x' expects int32_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public int ReadInt32(string? name) => (int)ReadSigned(name, int.MinValue, int.MaxValue, "int32_t");

    /// <summary>
    /// A <c>uint64</c> (or <c>size</c>): an integer that fits 64 bits unsigned, or a negative one that
    /// fits 64 bits signed, taken as its two's complement as QEMU takes it; anything else (a string
    /// too) is <c>Parameter 'x' expects uint64</c> (full name).
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public ulong ReadUInt64(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetUInt64(out var result))
            {
                return result;
            }

            if (value.TryGetInt64(out var signed))
            {
                return unchecked((ulong)signed);
            }
        }

        throw Error($"Parameter '{FullName(name)}' expects uint64");
    }

    /// <summary>A <c>size</c>: QEMU's input visitor reads it as a <c>uint64</c> (<see cref="ReadUInt64"/>).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public ulong ReadSize(string? name) => ReadUInt64(name);

    /// <summary>A <c>uint8</c>: <see cref="ReadUInt64"/>, then over 255 (a negative value too) is <c>Parameter 'x' expects uint8_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public byte ReadUInt8(string? name) => (byte)ReadUnsigned(name, byte.MaxValue, "uint8_t");

    /// <summary>A <c>uint16</c>: <see cref="ReadUInt64"/>, then out of range is <c>Parameter 'x' expects uint16_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public ushort ReadUInt16(string? name) => (ushort)ReadUnsigned(name, ushort.MaxValue, "uint16_t");

    /// <summary>A <c>uint32</c>: <see cref="ReadUInt64"/>, then out of range is <c>Parameter 'x' expects uint32_t</c> (own name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public uint ReadUInt32(string? name) => (uint)ReadUnsigned(name, uint.MaxValue, "uint32_t");

    /// <summary>A <c>number</c>: any JSON number (too large: infinity, as C's strtod); otherwise <c>Invalid parameter type for 'x', expected: number</c> (full name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public double ReadNumber(string? name)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw InvalidType(name, "number");
        }

        return value.TryGetDouble(out var result)
            ? result
            : double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The <c>null</c> type; otherwise <c>Invalid parameter type for 'x', expected: null</c> (full name).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public void ReadNull(string? name)
    {
        if (Get(name, consume: true).ValueKind != JsonValueKind.Null)
        {
            throw InvalidType(name, "null");
        }
    }

    /// <summary>An <c>any</c>: whatever JSON value is there (valid as long as the caller's document).</summary>
    /// <param name="name">The member's name; null for a list element.</param>
    public JsonElement ReadAny(string? name) => Get(name, consume: true);

    /// <summary>
    /// An enum (or a union's discriminator): the index of the value in <paramref name="values"/>.
    /// Not a string: <c>Invalid parameter type for 'x', expected: string</c> (full name); a value not
    /// in the list: <c>Parameter 'x' does not accept value 'v'</c> (own name; a list element's is <c>null</c>).
    /// </summary>
    /// <param name="name">The member's name; null for a list element.</param>
    /// <param name="values">The enum's values, as built (conditions resolved).</param>
    public int ReadEnum(string? name, ReadOnlySpan<string> values)
    {
        var value = Get(name, consume: true);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw InvalidType(name, "string");
        }

        // A value without escapes is compared as it was sent: ValueEquals would encode each candidate.
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (!raw.Contains((byte)'\\'))
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (Ascii.Equals(raw, values[i]))
                {
                    return i;
                }
            }
        }

        string text;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (value.ValueEquals(values[i]))
                {
                    return i;
                }
            }

            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }

        // QEMU prints the value as a C string: it ends at the first NUL.
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        throw Error($"Parameter '{name ?? "null"}' does not accept value '{(nul < 0 ? text : text[..nul])}'");
    }

    private long ReadSigned(string? name, long min, long max, string type)
    {
        var value = ReadInt64(name);
        return value < min || value > max ? throw Error($"Parameter '{name ?? "null"}' expects {type}") : value;
    }

    private ulong ReadUnsigned(string? name, ulong max, string type)
    {
        var value = ReadUInt64(name);
        return value > max ? throw Error($"Parameter '{name ?? "null"}' expects {type}") : value;
    }

    /// <summary>QEMU's <c>qobject_input_get_object</c>: the value, or <c>Parameter 'x' is missing</c>.</summary>
    private JsonElement Get(string? name, bool consume) =>
        TryGet(name, consume, out var value) ? value : throw Error($"Parameter '{FullName(name)}' is missing");

    /// <summary>QEMU's <c>qobject_input_try_get_object</c>: the root, an object's member or the current element.</summary>
    private bool TryGet(string? name, bool consume, out JsonElement value)
    {
        if (_depth == 0)
        {
            // The arguments themselves: the name is not looked at, as in QEMU.
            value = _root;
            if (consume)
            {
                if (_rootTaken)
                {
                    throw new InvalidOperationException("The arguments were read already; Reset first.");
                }

                _rootTaken = true;
            }

            return true;
        }

        ref var frame = ref _frames[_depth - 1];
        if (frame.IsList)
        {
            if (frame.Index < 0)
            {
                throw new InvalidOperationException("NextElement must be called before reading an element.");
            }

            value = frame.Elements.Current;
            return true;
        }

        if (name is null)
        {
            throw new InvalidOperationException("An object's member is read by its name.");
        }

        // Generated code asks IsPresent then reads the same member with the same (literal) string:
        // the second lookup reuses the first.
        int index;
        if (ReferenceEquals(name, _lastName) && _lastGeneration == frame.Generation)
        {
            index = _lastIndex;
            value = _lastValue;
        }
        else
        {
            index = IndexOf(ref frame, name, out value);
            _lastName = name;
            _lastGeneration = frame.Generation;
            _lastIndex = index;
            _lastValue = value;
        }

        if (index < 0)
        {
            return false;
        }

        ref var word = ref _visited[frame.VisitedOffset + (index >> 6)];
        var bit = 1UL << (index & 63);
        if (consume && (word & bit) == 0)
        {
            // QEMU's order of reading decides which unread member it names (QemuMemberOrder).
            word |= bit;
            if (_consumedTop == _consumed.Length)
            {
                Array.Resize(ref _consumed, _consumed.Length * 2);
            }

            _consumed[_consumedTop++] = index;
        }

        return true;
    }

    /// <summary>The position of member <paramref name="name"/> in the frame's object (-1: none) and its value.</summary>
    private int IndexOf(ref Frame frame, string name, out JsonElement value)
    {
        var hash = NameHash(name);
        var offset = frame.MemberOffset;
        for (var index = _buckets[frame.BucketOffset + (hash & frame.BucketMask)]; index >= 0; index = _nextInBucket[offset + index])
        {
            MembersExamined++;
            if (_nameHashes[offset + index] == hash && NameIs(_members[offset + index], name))
            {
                value = _members[offset + index].Value;
                return index;
            }
        }

        value = default;
        return -1;
    }

    /// <summary>
    /// How many members lookups have looked at since the reader was made (each member of the bucket
    /// a wanted name falls in): what the tests count to show an object is read in linear time.
    /// </summary>
    internal long MembersExamined { get; private set; }

    /// <summary>Whether the member is named <paramref name="name"/>.</summary>
    private static bool NameIs(JsonProperty member, string name)
    {
        // Compare the raw UTF-8 with the wanted name's; only a name written with escapes needs
        // System.Text.Json's unescaping comparison.
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        return raw.Contains((byte)'\\') ? NameEquals(member, name) : Utf8Equals(raw, name);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> raw, string name)
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = Encoding.UTF8.GetMaxByteCount(name.Length);
        var wanted = length <= buffer.Length ? buffer : new byte[length];
        return raw.SequenceEqual(wanted[..Encoding.UTF8.GetBytes(name, wanted)]);
    }

    /// <summary>The hash of a member whose name is not Unicode text: in no bucket, as it equals no schema name.</summary>
    private const int NeverEqual = -1;

    /// <summary>A member's name hashed: its raw UTF-8, or where it has escapes its text's UTF-8, the bytes a wanted name hashes to.</summary>
    private static int HashOf(JsonProperty member)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        if (!raw.Contains((byte)'\\'))
        {
            return NameHash(raw);
        }

        try
        {
            return NameHash(member.Name);
        }
        catch (InvalidOperationException)
        {
            return NeverEqual;
        }
    }

    /// <summary>FNV-1a over a name's UTF-8 bytes (never <see cref="NeverEqual"/>).</summary>
    private static int NameHash(ReadOnlySpan<byte> utf8) => (int)(Fnv1a.Hash(utf8) & 0x7FFFFFFF);

    /// <summary>The same over a name's UTF-8 encoding.</summary>
    private static int NameHash(string name) => (int)(Fnv1a.Hash(name) & 0x7FFFFFFF);

    private ref Frame Push(string? name, JsonElement value)
    {
        if (_depth >= MaxDepth)
        {
            throw Error($"Parameter '{FullName(name)}' nests deeper than {MaxDepth} levels");
        }

        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, Math.Min(_frames.Length * 2, MaxDepth));
        }

        ref var frame = ref _frames[_depth++];
        frame = default;
        frame.Name = name;
        frame.Value = value;
        frame.Generation = ++_generations;
        return ref frame;
    }

    private ref Frame Top(bool list)
    {
        if (_depth == 0 || _frames[_depth - 1].IsList != list)
        {
            throw new InvalidOperationException(list ? "No array is open." : "No object is open.");
        }

        return ref _frames[_depth - 1];
    }

    /// <summary>
    /// Text that is not Unicode (invalid UTF-8, a lone surrogate escape) inside a string: the server's
    /// parser refuses it before (QEMU's too), so these words are this library's own.
    /// </summary>
    private QmpException NotUnicode(string? name) => Error($"Parameter '{FullName(name)}' is not valid Unicode text");

    /// <summary>A member's name that is not Unicode never equals a schema's name.</summary>
    private static bool NameEquals(JsonProperty member, string name)
    {
        try
        {
            return member.NameEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A member's name for an error: as sent where it is not Unicode (escapes kept, bad bytes as U+FFFD).</summary>
    private static string NameOf(JsonProperty member)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8PropertyName(member));
        }
    }

    private QmpException InvalidType(string? name, string expected) =>
        Error($"Invalid parameter type for '{FullName(name)}', expected: {expected}");

    private static QmpException Error(string description) => QmpException.Generic(description);

    /// <summary>
    /// QEMU's <c>full_name</c>: <paramref name="name"/> inside the open objects and arrays,
    /// <c>file.driver</c>, <c>actions[0].type</c>; <c>&lt;anonymous&gt;</c> where there is no name.
    /// Built only for an error.
    /// </summary>
    private string FullName(string? name)
    {
        var text = _name ??= new StringBuilder();
        text.Clear();
        for (var i = _depth - 1; i >= 0; i--)
        {
            ref var frame = ref _frames[i];
            if (frame.IsList)
            {
                // QEMU prints the index unsigned (before the first element it is -1, 4294967295).
                text.Insert(0, "[" + unchecked((uint)frame.Index).ToString(CultureInfo.InvariantCulture) + "]");
            }
            else
            {
                text.Insert(0, name ?? "<anonymous>").Insert(0, '.');
            }

            name = frame.Name;
        }

        if (name is not null)
        {
            text.Insert(0, name);
        }
        else if (text.Length > 0 && text[0] == '.')
        {
            text.Remove(0, 1);
        }
        else if (text.Length == 0)
        {
            return "<anonymous>";
        }

        return text.ToString();
    }

    private struct Frame
    {
        public JsonElement Value;
        public string? Name;
        public bool IsList;

        /// <summary>An array's current element (its index; -1 before the first).</summary>
        public int Index;
        public JsonElement.ArrayEnumerator Elements;

        /// <summary>An object's member count and its first word of read-member bits in <c>_visited</c>.</summary>
        public int Count;
        public int VisitedOffset;

        /// <summary>An object's first entry in <c>_consumed</c>: the members read, in the order read.</summary>
        public int ConsumedOffset;

        /// <summary>An object's first entry in <c>_members</c>, <c>_nameHashes</c> and <c>_nextInBucket</c>.</summary>
        public int MemberOffset;

        /// <summary>An object's first bucket in <c>_buckets</c>, and its bucket count less one.</summary>
        public int BucketOffset;
        public int BucketMask;

        /// <summary>Tells this object from an earlier one at the same depth (for the lookup reused).</summary>
        public int Generation;
    }
}
