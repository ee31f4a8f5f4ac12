// Shared with the generator (see SchemaInfo.cs).
using System;
using System.Collections.Generic;
using System.Text;

namespace Qmp.Runtime.Introspection;

/// <summary>Which way values of a type travel, from the client's point of view.</summary>
[Flags]
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
enum SchemaDirection
{
    /// <summary>Not a value that travels: a command or event itself, or an alignment conflict.</summary>
    None = 0,
    /// <summary>The client sends it: command arguments.</summary>
    Input = 1,
    /// <summary>The server sends it: command returns, event data.</summary>
    Output = 2,
}

/// <summary>
/// A client type and the server type found in the same place. <see cref="Path"/> is the first place
/// the walk met them, in libvirt's schema-path syntax (<c>query-block/ret-type/inserted</c>; arrays
/// are entered without a component), valid on both sides.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaTypePair
{
    internal SchemaTypePair(string clientType, string serverType, SchemaDirection direction, string root, SchemaTypePair? parent, string? component)
    {
        ClientType = clientType;
        ServerType = serverType;
        Direction = direction;
        Root = root;
        Parent = parent;
        Component = component;
    }

    /// <summary>The client's type name (the real one for a generated client).</summary>
    public string ClientType { get; }

    /// <summary>The server's type name (a number such as <c>37</c> on a live server).</summary>
    public string ServerType { get; }

    /// <summary>Every way the pair is used (a type may be both sent and received).</summary>
    public SchemaDirection Direction { get; internal set; }

    /// <summary>
    /// Where the pair was first met, as a libvirt schema path valid on both sides. Built on each
    /// call from the pair's parent (a chain of types is as deep as the schema is long: keeping
    /// every pair's whole path would take memory growing as the square of the schema).
    /// </summary>
    public string Path => PathOf(Root, this, null);

    /// <summary>The command or event the walk started from: the path's first component.</summary>
    internal string Root { get; }

    /// <summary>The pair the walk came from; null for a command's or event's own type.</summary>
    internal SchemaTypePair? Parent { get; }

    /// <summary>The path component from <see cref="Parent"/> (a member, <c>+case</c>, <c>arg-type</c>); null when an array or alternate was entered.</summary>
    internal string? Component { get; }

    /// <summary><paramref name="root"/>, <paramref name="pair"/>'s components from the root down, then <paramref name="rest"/> when given.</summary>
    internal static string PathOf(string root, SchemaTypePair? pair, string? rest)
    {
        if (pair is null)
        {
            return rest is null ? root : root + "/" + rest;
        }

        var w = new StringBuilder();
        AppendPath(w, root, pair, rest, escape: false, new List<string>());
        return w.ToString();
    }

    /// <summary>
    /// Writes the path <see cref="PathOf"/> gives into <paramref name="w"/>, each component escaped
    /// when <paramref name="escape"/>; <paramref name="parents"/> is scratch space, reused across calls.
    /// </summary>
    internal static void AppendPath(StringBuilder w, string root, SchemaTypePair? pair, string? rest, bool escape, List<string> parents)
    {
        parents.Clear();
        for (var p = pair; p is not null; p = p.Parent)
        {
            if (p.Component is not null)
            {
                parents.Add(p.Component);
            }
        }

        Append(w, root, escape);
        for (var i = parents.Count - 1; i >= 0; i--)
        {
            Append(w.Append('/'), parents[i], escape);
        }

        if (rest is not null)
        {
            Append(w.Append('/'), rest, escape);
        }

        static void Append(StringBuilder w, string text, bool escape)
        {
            if (escape)
            {
                TerminalText.Append(w, text);
            }
            else
            {
                w.Append(text);
            }
        }
    }

    /// <summary><c>client = server (path)</c>, such as <c>BlockInfo = 212 (query-block/ret-type)</c>.</summary>
    public override string ToString() => ClientType + " = " + ServerType + " (" + Path + ")";
}

/// <summary>A named type that the walk paired with two different types of the other side.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaAlignmentConflict
{
    private readonly SchemaTypePair? _parent;
    private readonly string? _component;

    internal SchemaAlignmentConflict(bool onServer, string name, string first, string second, string root, SchemaTypePair? parent, string? component)
    {
        IsServerType = onServer;
        Name = name;
        First = first;
        Second = second;
        Root = root;
        _parent = parent;
        _component = component;
    }

    /// <summary>True when <see cref="Name"/> is the server's (a masked name on a live server), false when it is the client's.</summary>
    public bool IsServerType { get; }

    /// <summary>The type paired twice: the server's when <see cref="IsServerType"/>, otherwise the client's.</summary>
    public string Name { get; }

    /// <summary>The other side's type it was paired with first.</summary>
    public string First { get; }

    /// <summary>The other side's type met at <see cref="Path"/>.</summary>
    public string Second { get; }

    /// <summary>Where the second pairing happened, as a libvirt schema path (built on each call).</summary>
    public string Path => SchemaTypePair.PathOf(Root, _parent, _component);

    /// <summary>The command or event the walk started from.</summary>
    internal string Root { get; }

    internal SchemaTypePair? Parent => _parent;

    internal string? Component => _component;

    /// <summary>What was paired twice: <c>server type 37 is both A and B</c>, or the same for a client type.</summary>
    internal string Sentence => (IsServerType ? "server" : "client") + " type " + Name + " is both " + First + " and " + Second;

    /// <summary>One sentence: <c>server type 37 is both A and B (at path)</c>, or the same for a client type.</summary>
    public override string ToString() => Sentence + " (at " + Path + ")";
}

/// <summary>
/// The alignment of two schemas (typically a client's own, with real names, and a live server's,
/// masked): starting from the commands and events both have, it pairs <c>arg-type</c> with
/// <c>arg-type</c> and <c>ret-type</c> with <c>ret-type</c>, then, for each pair, object members
/// by name, union variants by case, array element types, alternate members by JSON type. Enums
/// are compared by values in the report, not walked into. Nothing depends on the names themselves,
/// so either side may be masked. Builtins pair with builtins by JSON type and are not mapped. Two
/// types of different shapes (an object and an array, <c>str</c> and <c>int</c>) are not paired;
/// the report names the place as a type change.
/// </summary>
/// <remarks>
/// The walk is linear in the two schemas, however a hostile one crosses its types: a pair is walked
/// (its members followed) only when it shows one of its two types in a direction that type was not
/// walked in yet, so each type is walked at most twice (sent, received). A pair met when both its
/// types were already walked that way is not walked again; when it pairs a type with a second type
/// of the other side, that is recorded in <see cref="Conflicts"/> once per pairing. Paths are not
/// stored: each pair keeps its parent and its own component.
/// </remarks>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaInfoAlignment
{
    private readonly Dictionary<string, string> _clientToServer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _serverToClient = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Client, string Server), SchemaTypePair> _pairs = new();
    private readonly List<SchemaTypePair> _pairList = new();
    private readonly Dictionary<string, SchemaDirection> _clientWalked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaDirection> _serverWalked = new(StringComparer.Ordinal);
    private readonly List<SchemaAlignmentConflict> _conflicts = new();
    private readonly HashSet<(bool OnServer, string Name, string Other)> _conflictKeys = new();

    private SchemaInfoAlignment(SchemaInfo client, SchemaInfo server)
    {
        Client = client;
        Server = server;
    }

    /// <summary>The client's schema, usually a generated client's own description with real names.</summary>
    public SchemaInfo Client { get; }

    /// <summary>The server's schema, usually the live one with masked names.</summary>
    public SchemaInfo Server { get; }

    /// <summary>Every pair of named or array types walked, in the order met (breadth first from the commands, then the events).</summary>
    public IReadOnlyList<SchemaTypePair> Pairs => _pairList;

    /// <summary>Each client enum, object or alternate type and the server type it was first paired with.</summary>
    public IReadOnlyDictionary<string, string> ClientToServer => _clientToServer;

    /// <summary>Each server enum, object or alternate type and the client type it was first paired with: the unmasking of a live schema.</summary>
    public IReadOnlyDictionary<string, string> ServerToClient => _serverToClient;

    /// <summary>Types paired with two different types of the other side (none for a schema against its own build).</summary>
    public IReadOnlyList<SchemaAlignmentConflict> Conflicts => _conflicts;

    /// <summary>The server type first paired with <paramref name="clientType"/>, or null when the walk never reached it (builtins and arrays are not mapped).</summary>
    public string? ServerNameOf(string clientType) => _clientToServer.TryGetValue(clientType, out var s) ? s : null;

    /// <summary>Unmasks a server type: the client type first paired with <paramref name="serverType"/>, or null when the walk never reached it (builtins and arrays are not mapped).</summary>
    public string? ClientNameOf(string serverType) => _serverToClient.TryGetValue(serverType, out var c) ? c : null;

    /// <summary>Pairs the types of two schemas by structure, walking from the commands and events both have.</summary>
    public static SchemaInfoAlignment Align(SchemaInfo client, SchemaInfo server)
    {
        SchemaInfo.NotNull(client, nameof(client));
        SchemaInfo.NotNull(server, nameof(server));
        var a = new SchemaInfoAlignment(client, server);
        a.Walk();
        return a;
    }

    /// <summary>
    /// The shape two types must share to be paired: a builtin's JSON type, <c>enum</c>,
    /// <c>object</c>, <c>alternate</c>, <c>[shape]</c> for an array; null for a name the schema lacks.
    /// </summary>
    public static string? ShapeOf(SchemaInfo schema, string typeName)
    {
        SchemaInfo.NotNull(schema, nameof(schema));
        for (var depth = 0; depth < 8; depth++)
        {
            switch (schema.Find(typeName))
            {
                case null:
                    return null;
                case SchemaInfoBuiltin b:
                    return Wrap(b.JsonType, depth);
                case SchemaInfoArray a:
                    typeName = a.ElementType;
                    continue;
                case var e:
                    return Wrap(e.MetaType, depth);
            }
        }
        return null;

        static string Wrap(string shape, int depth)
        {
            for (var i = 0; i < depth; i++)
            {
                shape = "[" + shape + "]";
            }

            return shape;
        }
    }

    private void Walk()
    {
        var queue = new Queue<(string Client, string Server, SchemaDirection Direction, string Root, SchemaTypePair? Parent, string? Component)>();
        foreach (var c in Client.Commands)
        {
            if (Server.FindCommand(c.Name) is not { } s)
            {
                continue;
            }

            queue.Enqueue((c.ArgType, s.ArgType, SchemaDirection.Input, c.Name, null, "arg-type"));
            queue.Enqueue((c.RetType, s.RetType, SchemaDirection.Output, c.Name, null, "ret-type"));
        }
        foreach (var e in Client.Events)
        {
            if (Server.FindEvent(e.Name) is { } s)
            {
                queue.Enqueue((e.ArgType, s.ArgType, SchemaDirection.Output, e.Name, null, "arg-type"));
            }
        }

        while (queue.Count > 0)
        {
            var (c, s, direction, root, parent, component) = queue.Dequeue();
            var ce = Client.Find(c);
            var se = Server.Find(s);
            if (ce is null || se is null || ce is SchemaInfoBuiltin || se is SchemaInfoBuiltin)
            {
                continue;
            }

            if (!string.Equals(ShapeOf(Client, c), ShapeOf(Server, s), StringComparison.Ordinal))
            {
                continue;
            }

            var known = _pairs.TryGetValue((c, s), out var pair);
            if (known && (pair!.Direction | direction) == pair.Direction)
            {
                continue;
            }

            var clientWalked = _clientWalked.TryGetValue(c, out var cw) ? cw : SchemaDirection.None;
            var serverWalked = _serverWalked.TryGetValue(s, out var sw) ? sw : SchemaDirection.None;
            if ((clientWalked | direction) == clientWalked && (serverWalked | direction) == serverWalked)
            {
                // Both types were walked this way already, each with another type (else the pair
                // would be known): a crossing, reported as a conflict and not walked again.
                if (known)
                {
                    pair!.Direction |= direction;
                }
                else if (ce is not SchemaInfoArray)
                {
                    Map(c, s, root, parent, component);
                }

                continue;
            }
            _clientWalked[c] = clientWalked | direction;
            _serverWalked[s] = serverWalked | direction;

            if (known)
            {
                // Met again in a new direction: walk on so everything below learns it too.
                pair!.Direction |= direction;
                direction = pair.Direction;
            }
            else
            {
                pair = new SchemaTypePair(c, s, direction, root, parent, component);
                _pairs.Add((c, s), pair);
                _pairList.Add(pair);
                if (ce is not SchemaInfoArray)
                {
                    Map(c, s, root, pair, null);
                }
            }

            switch (ce)
            {
                case SchemaInfoArray ca:
                    queue.Enqueue((ca.ElementType, ((SchemaInfoArray)se).ElementType, direction, root, pair, null));
                    break;
                case SchemaInfoObject co:
                    var so = (SchemaInfoObject)se;
                    foreach (var cm in co.Members)
                    {
                        if (so.FindMember(cm.Name) is { } sm)
                        {
                            queue.Enqueue((cm.Type, sm.Type, direction, root, pair, cm.Name));
                        }
                    }

                    foreach (var cv in co.Variants)
                    {
                        if (so.FindVariant(cv.Case) is { } sv)
                        {
                            queue.Enqueue((cv.Type, sv.Type, direction, root, pair, "+" + cv.Case));
                        }
                    }

                    break;
                case SchemaInfoAlternate calt:
                    foreach (var (ct, st) in AlternateMembers(calt, (SchemaInfoAlternate)se))
                    {
                        if (ct is not null && st is not null)
                        {
                            queue.Enqueue((ct, st, direction, root, pair, null));
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>The members of two alternates matched by JSON type; a member only one side has comes with null on the other.</summary>
    internal IEnumerable<(string? Client, string? Server)> AlternateMembers(SchemaInfoAlternate client, SchemaInfoAlternate server)
    {
        var used = new bool[server.MemberTypes.Count];
        foreach (var ct in client.MemberTypes)
        {
            var jsonType = Client.JsonTypeOf(ct);
            string? match = null;
            for (var i = 0; i < server.MemberTypes.Count && match is null && jsonType is not null; i++)
            {
                if (!used[i] && string.Equals(Server.JsonTypeOf(server.MemberTypes[i]), jsonType, StringComparison.Ordinal))
                {
                    used[i] = true;
                    match = server.MemberTypes[i];
                }
            }
            yield return (ct, match);
        }
        for (var i = 0; i < used.Length; i++)
        {
            if (!used[i])
            {
                yield return (null, server.MemberTypes[i]);
            }
        }
    }

    // A new pair records where it was met as its own path (parent = the pair itself, no component);
    // a crossing that is not walked records its parent and component.
    private void Map(string c, string s, string root, SchemaTypePair? at, string? component)
    {
        if (_clientToServer.TryGetValue(c, out var knownServer))
        {
            if (!string.Equals(knownServer, s, StringComparison.Ordinal) && _conflictKeys.Add((false, c, s)))
            {
                _conflicts.Add(new SchemaAlignmentConflict(false, c, knownServer, s, root, at, component));
            }
        }
        else
        {
            _clientToServer.Add(c, s);
        }
        if (_serverToClient.TryGetValue(s, out var knownClient))
        {
            if (!string.Equals(knownClient, c, StringComparison.Ordinal) && _conflictKeys.Add((true, s, c)))
            {
                _conflicts.Add(new SchemaAlignmentConflict(true, s, knownClient, c, root, at, component));
            }
        }
        else
        {
            _serverToClient.Add(s, c);
        }
    }
}
