using System.Collections.Concurrent;
using System.Text.Json;

namespace Qmp.Runtime.Qapi;

/// <summary>
/// The shapes of a QAPI schema's types, as a server generated from the schema describes them, and the
/// walk that checks a command's <c>arguments</c> against them through <see cref="QapiInputReader"/> the
/// way QEMU 7.2's generated <c>visit_type_*</c> code drives its QObject input visitor: members in the
/// schema's order (a base's first), a union's branch after its members, unexpected members at the
/// end of each object. The first failure throws QEMU's <c>GenericError</c> with its words.
/// <para>
/// Each type is one line, written by the generator (parsed once, on first use):
/// <c>S m1:type *m2:type [|tag case=Type case=Type]</c> for an object (<c>*</c>: optional,
/// <c>[T]</c>: a list), <c>E v1 v2</c> for an enum, <c>A Number=int String=Enum Object=T</c> for an
/// alternate (a branch per JSON type it takes). The walk recurses through recursive types, bounded by
/// the reader's nesting limit.
/// </para>
/// </summary>
public sealed class QapiShapeSet
{
    [ThreadStatic]
    private static QapiInputReader? s_reader;

    private readonly IReadOnlyDictionary<string, string> _lines;
    private readonly ConcurrentDictionary<string, Shape> _shapes = new(StringComparer.Ordinal);

    /// <summary>A set of the lines <paramref name="lines"/>, by type name.</summary>
    /// <param name="lines">Each type's line, as the generator writes it.</param>
    public QapiShapeSet(IReadOnlyDictionary<string, string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        _lines = lines;
    }

    /// <summary>
    /// Checks <paramref name="arguments"/> as the arguments object of type <paramref name="type"/>
    /// (null: a command without arguments, which takes <c>{}</c> only).
    /// </summary>
    /// <param name="arguments">The request's <c>arguments</c> (null or undefined: none).</param>
    /// <param name="type">The arguments' object type; null when the command takes none.</param>
    /// <param name="maxDepth">The nesting limit.</param>
    /// <exception cref="QmpException">GenericError in QEMU 7.2's words.</exception>
    public void Check(JsonElement? arguments, string? type, int maxDepth = QmpLimits.DefaultServerMaxDepth)
    {
        // One reader per thread, reset per request: a generated server checks every request here, and
        // the reader's buffers are all it would allocate. The check is synchronous, so nothing else
        // on this thread uses the reader meanwhile.
        var reader = s_reader;
        if (reader is null || reader.MaxDepth != maxDepth)
        {
            s_reader = reader = new QapiInputReader(arguments, maxDepth);
        }
        else
        {
            reader.Reset(arguments);
        }

        try
        {
            Check(reader, type);
        }
        finally
        {
            reader.Reset(null); // holds no request's document past the check
        }
    }

    /// <summary>The same on a reader already given its arguments, so one reader serves many requests.</summary>
    /// <param name="reader">The reader, at the start of the arguments (<see cref="QapiInputReader.Reset"/>).</param>
    /// <param name="type">The arguments' object type; null when the command takes none.</param>
    /// <exception cref="QmpException">GenericError in QEMU 7.2's words.</exception>
    public void Check(QapiInputReader reader, string? type)
    {
        ArgumentNullException.ThrowIfNull(reader);
        reader.StartObject(null);
        if (type is not null)
        {
            VisitMembers(reader, (ObjectShape)Get(type));
        }

        reader.EndObject();
    }

    private Shape Get(string type) => _shapes.GetOrAdd(type, static (name, lines) =>
        lines.TryGetValue(name, out var line) ? Parse(line) : throw new InvalidOperationException($"No shape for QAPI type '{name}'."), _lines);

    /// <summary>A named type's shape, looked up once per reference.</summary>
    private Shape Get(TypeRef type) => type.Shape ??= Get(type.Name);

    private static Shape Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (parts[0])
        {
            case "E":
                return new EnumShape(parts[1..]);
            case "A":
                var branches = new Dictionary<QapiJsonType, TypeRef>();
                foreach (var part in parts[1..])
                {
                    var eq = part.IndexOf('=', StringComparison.Ordinal);
                    branches[Enum.Parse<QapiJsonType>(part[..eq])] = new TypeRef(part[(eq + 1)..]);
                }

                return new AlternateShape(branches);
            default:
                var members = new List<Member>();
                string? tag = null;
                Dictionary<string, TypeRef>? cases = null;
                var i = 1;
                for (; i < parts.Length && parts[i] != "|"; i++)
                {
                    var optional = parts[i][0] == '*';
                    var colon = parts[i].IndexOf(':', StringComparison.Ordinal);
                    members.Add(new Member(parts[i][(optional ? 1 : 0)..colon], optional, new TypeRef(parts[i][(colon + 1)..])));
                }

                if (i + 1 < parts.Length)
                {
                    tag = parts[i + 1];
                    cases = new Dictionary<string, TypeRef>(StringComparer.Ordinal);
                    foreach (var part in parts[(i + 2)..])
                    {
                        var eq = part.IndexOf('=', StringComparison.Ordinal);
                        cases[part[..eq]] = new TypeRef(part[(eq + 1)..]);
                    }
                }

                return new ObjectShape([.. members], tag, cases);
        }
    }

    /// <summary>QEMU's <c>visit_type_T_members</c>: the members in order, then the union's branch.</summary>
    private void VisitMembers(QapiInputReader reader, ObjectShape type)
    {
        string? tag = null;
        foreach (var member in type.Members)
        {
            if (member.Optional && !reader.IsPresent(member.Name))
            {
                continue;
            }

            var value = Visit(reader, member.Name, member.Type);
            if (member.IsTag)
            {
                tag = value;
            }
        }

        // A branch the schema leaves without members (a case not listed) has nothing more to read.
        if (type.Cases is not null && tag is not null && type.Cases.TryGetValue(tag, out var branch))
        {
            VisitMembers(reader, (ObjectShape)Get(branch));
        }
    }

    /// <summary>QEMU's <c>visit_type_T</c>; returns an enum's value (a union reads its tag through it).</summary>
    private string? Visit(QapiInputReader reader, string? name, TypeRef type)
    {
        switch (type.Kind)
        {
            case Builtin.Str:
                reader.ReadString(name);
                return null;
            case Builtin.Bool:
                reader.ReadBool(name);
                return null;
            case Builtin.Int64:
                reader.ReadInt64(name);
                return null;
            case Builtin.Int8:
                reader.ReadInt8(name);
                return null;
            case Builtin.Int16:
                reader.ReadInt16(name);
                return null;
            case Builtin.Int32:
                reader.ReadInt32(name);
                return null;
            case Builtin.UInt8:
                reader.ReadUInt8(name);
                return null;
            case Builtin.UInt16:
                reader.ReadUInt16(name);
                return null;
            case Builtin.UInt32:
                reader.ReadUInt32(name);
                return null;
            case Builtin.UInt64:
                reader.ReadUInt64(name);
                return null;
            case Builtin.Size:
                reader.ReadSize(name);
                return null;
            case Builtin.Number:
                reader.ReadNumber(name);
                return null;
            case Builtin.Any:
                reader.ReadAny(name);
                return null;
            case Builtin.Null:
                reader.ReadNull(name);
                return null;
            case Builtin.List:
                reader.StartList(name);
                while (reader.NextElement())
                {
                    Visit(reader, null, type.Element!);
                }

                reader.EndList();
                return null;
        }

        switch (Get(type))
        {
            case EnumShape values:
                return values.Values[reader.ReadEnum(name, values.Values)];
            case ObjectShape members:
                reader.StartObject(name);
                VisitMembers(reader, members);
                reader.EndObject();
                return null;
            case AlternateShape alternate:
                var kind = reader.StartAlternate(name);
                if (!alternate.Branches.TryGetValue(kind, out var branch))
                {
                    throw QapiInputReader.NoBranch(name, type.Name);
                }

                return Visit(reader, name, branch);
            default:
                throw new InvalidOperationException(type.Name);
        }
    }

    /// <summary>A built-in type, a list, or a named type (<see cref="Named"/>) whose shape is in the set.</summary>
    private enum Builtin
    {
        Named,
        List,
        Str,
        Bool,
        Int64,
        Int8,
        Int16,
        Int32,
        UInt8,
        UInt16,
        UInt32,
        UInt64,
        Size,
        Number,
        Any,
        Null,
    }

    /// <summary>A member's type as its line names it, resolved once: the walk switches on a kind, not a name.</summary>
    private sealed class TypeRef
    {
        public TypeRef(string name)
        {
            Name = name;
            Kind = name switch
            {
                "str" => Builtin.Str,
                "bool" => Builtin.Bool,
                "int" or "int64" => Builtin.Int64,
                "int8" => Builtin.Int8,
                "int16" => Builtin.Int16,
                "int32" => Builtin.Int32,
                "uint8" => Builtin.UInt8,
                "uint16" => Builtin.UInt16,
                "uint32" => Builtin.UInt32,
                "uint64" => Builtin.UInt64,
                "size" => Builtin.Size,
                "number" => Builtin.Number,
                "any" => Builtin.Any,
                "null" => Builtin.Null,
                _ when name[0] == '[' => Builtin.List,
                _ => Builtin.Named,
            };
            Element = Kind == Builtin.List ? new TypeRef(name[1..^1]) : null;
        }

        public string Name { get; }

        public Builtin Kind { get; }

        /// <summary>A list's element type.</summary>
        public TypeRef? Element { get; }

        /// <summary>A named type's shape once looked up (a benign race: every thread finds the same one).</summary>
        public Shape? Shape { get; set; }
    }

    /// <summary>An object's member; <paramref name="IsTag"/>: its union's discriminator.</summary>
    private sealed record Member(string Name, bool Optional, TypeRef Type, bool IsTag = false);

    private abstract class Shape;

    private sealed class EnumShape(string[] values) : Shape
    {
        public string[] Values { get; } = values;
    }

    private sealed class AlternateShape(Dictionary<QapiJsonType, TypeRef> branches) : Shape
    {
        public Dictionary<QapiJsonType, TypeRef> Branches { get; } = branches;
    }

    private sealed class ObjectShape : Shape
    {
        public ObjectShape(Member[] members, string? tag, Dictionary<string, TypeRef>? cases)
        {
            Members = [.. members.Select(member => member with { IsTag = member.Name == tag })];
            Cases = cases;
        }

        public Member[] Members { get; }

        public Dictionary<string, TypeRef>? Cases { get; }
    }
}
