// Shared with the generator (see SchemaInfo.cs).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Qmp.Runtime.Introspection;

/// <summary>What differs between a client's schema and a server's.</summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
enum SchemaDifferenceKind
{
    /// <summary>The client has the command, the server lacks it.</summary>
    CommandMissing,
    /// <summary>The server has a command the client does not know.</summary>
    CommandAdded,
    /// <summary>The client has the event, the server lacks it.</summary>
    EventMissing,
    /// <summary>The server has an event the client does not know.</summary>
    EventAdded,
    /// <summary>An object member the client has and the server lacks.</summary>
    MemberMissing,
    /// <summary>An object member the server has and the client does not know.</summary>
    MemberAdded,
    /// <summary>A member (or a command's arguments or return, an event's data) whose type has another shape on the server.</summary>
    TypeChanged,
    /// <summary>A member optional on one side and required on the other.</summary>
    OptionalityChanged,
    /// <summary>A union variant the client has and the server lacks.</summary>
    VariantMissing,
    /// <summary>A union variant the server has and the client does not know.</summary>
    VariantAdded,
    /// <summary>A union whose tag member is another on the server.</summary>
    TagChanged,
    /// <summary>An enum value the client has and the server lacks.</summary>
    EnumValueMissing,
    /// <summary>An enum value the server has and the client does not know.</summary>
    EnumValueUnknown,
    /// <summary>An alternate member (by JSON type) the client has and the server lacks.</summary>
    AlternateMemberMissing,
    /// <summary>An alternate member (by JSON type) the server has and the client does not know.</summary>
    AlternateMemberAdded,
    /// <summary>A feature (<c>deprecated</c>, <c>unstable</c>, ...) the server has and the client's schema does not.</summary>
    FeatureAdded,
    /// <summary>A feature the client's schema has and the server does not.</summary>
    FeatureRemoved,
    /// <summary>A type the alignment paired with two different types of the other side.</summary>
    Conflict,
}

/// <summary>
/// One difference. <see cref="Path"/> is a libvirt schema path that holds on the side that has the
/// thing (<c>query-status/ret-type/singlestep</c>, <c>blockdev-add/arg-type/+file</c>,
/// <c>query-status/ret-type/status/^suspended</c>, <c>drive-backup/$deprecated</c>).
/// <see cref="IsBreaking"/>: a call or event the client may make or read can fail because of it.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaDifference
{
    private readonly SchemaTypePair? _pair;
    private readonly string? _rest;

    internal SchemaDifference(SchemaDifferenceKind kind, string root, SchemaTypePair? pair, string? rest, string name, string? clientType, string? serverType,
        SchemaDirection direction, bool isBreaking, string detail, string? condition = null)
    {
        Condition = condition;
        Kind = kind;
        Root = root;
        _pair = pair;
        _rest = rest;
        Name = name;
        ClientType = clientType;
        ServerType = serverType;
        Direction = direction;
        IsBreaking = isBreaking;
        Detail = detail;
    }

    /// <summary>What kind of difference this is; <see cref="Path"/> and <see cref="Name"/> say where and what.</summary>
    public SchemaDifferenceKind Kind { get; }

    /// <summary>
    /// Where, as a libvirt schema path written for the side that has the thing. Built on each call
    /// from the type pair it lies in (see <see cref="SchemaTypePair.Path"/>).
    /// </summary>
    public string Path => SchemaTypePair.PathOf(Root, _pair, _rest);

    /// <summary>The command or event the path starts from.</summary>
    internal string Root { get; }

    /// <summary>The command, event, member, variant case, enum value or feature concerned.</summary>
    public string Name { get; }

    /// <summary>The client's type holding it (its real name for a generated client), when there is one.</summary>
    public string? ClientType { get; }

    /// <summary>The server's type holding it (masked on a live server), when there is one.</summary>
    public string? ServerType { get; }

    /// <summary>How the type holding it travels; <see cref="SchemaDirection.None"/> for commands and events themselves.</summary>
    public SchemaDirection Direction { get; }

    /// <summary>
    /// Whether a command the client sends, or a reply or event it reads, can fail because of it.
    /// Never for a difference under a <see cref="Condition"/>: that is what the server's build leaves out.
    /// </summary>
    public bool IsBreaking { get; }

    /// <summary>
    /// The client schema's condition (QAPI <c>if</c>, such as <c>CONFIG_BLKIO</c>) on the command,
    /// event, member, branch or enum value the server lacks: the server was built without it. Null
    /// for everything else, and always for a client description without conditions.
    /// </summary>
    public string? Condition { get; }

    /// <summary>A short explanation, such as <c>str became int</c> or <c>required by the client, optional on the server</c>.</summary>
    public string Detail { get; }

    /// <summary>
    /// One line: <c>!</c> when breaking, the path, the client's type in parentheses, then the detail;
    /// what the server named is escaped (<see cref="TerminalText.Escape"/>).
    /// </summary>
    public override string ToString()
    {
        var w = new StringBuilder();
        WriteTo(w, new List<string>());
        return w.ToString();
    }

    /// <summary>Writes <see cref="ToString"/>'s line into <paramref name="w"/>, the path straight from its pairs.</summary>
    internal void WriteTo(StringBuilder w, List<string> scratch)
    {
        w.Append(IsBreaking ? "! " : "  ");
        SchemaTypePair.AppendPath(w, Root, _pair, _rest, escape: true, scratch);
        if (ClientType is not null)
        {
            w.Append(" (");
            TerminalText.Append(w, ClientType);
            w.Append(')');
        }
        if (Detail.Length > 0)
        {
            w.Append(": ");
            TerminalText.Append(w, Detail);
        }
    }
}

/// <summary>
/// How a server's schema differs from the client's: commands and events each lacks, members missing
/// or added, members whose type changed, enum values the client does not know, features that
/// differ, from the <see cref="SchemaInfoAlignment"/> of the two. <see cref="IsCompatible"/> is true
/// when nothing breaking differs: every command and event of the client exists on the server,
/// every member and enum value the client may send exists there and the server requires nothing
/// the client cannot send, every member the client requires in a reply is always sent, and no
/// type changed shape. New commands, members, variants and enum values on the server are reported
/// but not breaking: a generated client ignores unknown members and keeps unknown values.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
sealed class SchemaCompatibilityReport
{
    private readonly List<SchemaDifference> _differences = new();

    private SchemaCompatibilityReport(SchemaInfoAlignment alignment) => Alignment = alignment;

    /// <summary>The alignment the report was made from: both schemas and the pairing of their types.</summary>
    public SchemaInfoAlignment Alignment { get; }

    /// <summary>Every difference, breaking or not, in the order found: commands and events first, then the paired types, then conflicts.</summary>
    public IReadOnlyList<SchemaDifference> Differences => _differences;

    /// <summary>True when no difference is breaking: everything the client knows can be used as described.</summary>
    public bool IsCompatible => _differences.All(d => !d.IsBreaking);

    /// <summary>The breaking differences only, in report order.</summary>
    public IEnumerable<SchemaDifference> Breaking => _differences.Where(d => d.IsBreaking);

    /// <summary>The differences of one kind, in report order.</summary>
    public IEnumerable<SchemaDifference> OfKind(SchemaDifferenceKind kind) => _differences.Where(d => d.Kind == kind);

    /// <summary>Commands the client has and the server lacks.</summary>
    public IReadOnlyList<string> MissingCommands => Names(SchemaDifferenceKind.CommandMissing);

    /// <summary>Commands the server has and the client lacks.</summary>
    public IReadOnlyList<string> AddedCommands => Names(SchemaDifferenceKind.CommandAdded);

    /// <summary>Events the client has and the server lacks.</summary>
    public IReadOnlyList<string> MissingEvents => Names(SchemaDifferenceKind.EventMissing);

    /// <summary>Events the server has and the client lacks.</summary>
    public IReadOnlyList<string> AddedEvents => Names(SchemaDifferenceKind.EventAdded);

    /// <summary>Compares a client's schema (usually its own description) with a server's (usually the live one).</summary>
    public static SchemaCompatibilityReport Compare(SchemaInfo client, SchemaInfo server) =>
        Create(SchemaInfoAlignment.Align(client, server));

    /// <summary>Makes the report from an alignment already made, such as one also used to unmask server type names.</summary>
    public static SchemaCompatibilityReport Create(SchemaInfoAlignment alignment)
    {
        SchemaInfo.NotNull(alignment, nameof(alignment));
        var report = new SchemaCompatibilityReport(alignment);
        report.Build();
        return report;
    }

    /// <summary>
    /// Whether the given commands and events (all of them when null) can be used: none is missing
    /// and nothing breaking lies below them.
    /// </summary>
    public bool IsCompatibleFor(IEnumerable<string> commandsAndEvents)
    {
        SchemaInfo.NotNull(commandsAndEvents, nameof(commandsAndEvents));
        var wanted = new HashSet<string>(commandsAndEvents, StringComparer.Ordinal);
        return Breaking.All(d => !wanted.Contains(d.Root) && !ReachesAny(d, wanted));
    }

    private bool ReachesAny(SchemaDifference d, HashSet<string> wanted)
    {
        // A difference inside a shared type is reported once, at the first path met; any command or
        // event that reaches the type is affected too.
        if (d.ClientType is null)
        {
            return false;
        }

        foreach (var name in wanted)
        {
            if (Reachable(name).Contains(d.ClientType))
            {
                return true;
            }
        }

        return false;
    }

    private readonly Dictionary<string, HashSet<string>> _reachable = new(StringComparer.Ordinal);

    private HashSet<string> Reachable(string entity)
    {
        // The report is otherwise immutable; this cache is its only state, so it is locked.
        lock (_reachable)
        {
            return ReachableLocked(entity);
        }
    }

    private HashSet<string> ReachableLocked(string entity)
    {
        if (_reachable.TryGetValue(entity, out var set))
        {
            return set;
        }

        set = Alignment.Client.TypesReachedFrom(new[] { entity });
        _reachable.Add(entity, set);
        return set;
    }

    private List<string> Names(SchemaDifferenceKind kind) => OfKind(kind).Select(d => d.Name).ToList();

    // Where a difference lies: a command's or event's own (Pair null), or inside a type pair.
    private readonly struct At
    {
        public At(string root, SchemaTypePair? pair)
        {
            Root = root;
            Pair = pair;
        }

        public string Root { get; }

        public SchemaTypePair? Pair { get; }
    }

    // One difference per thing and direction: a client type the walk paired with several server
    // types (or the reverse) has its own differences reported once, not once per pairing. Only such
    // types, each named by a conflict (none for a schema against its own build), are remembered.
    private readonly HashSet<(SchemaDifferenceKind, string, string, string, string, SchemaDirection)> _reported = new();
    private HashSet<string>? _pairedTwiceClient;
    private HashSet<string>? _pairedTwiceServer;

    private void Add(SchemaDifferenceKind kind, At at, string? rest, string name, string? clientType, string? serverType,
        SchemaDirection direction, bool breaking, string detail, string? condition = null)
    {
        if (at.Pair is not null
            && (_pairedTwiceClient?.Contains(at.Pair.ClientType) == true || _pairedTwiceServer?.Contains(at.Pair.ServerType) == true))
        {
            // The side that has the thing names it; a change between the two sides needs both.
            var clientSide = kind is not (SchemaDifferenceKind.MemberAdded or SchemaDifferenceKind.VariantAdded
                or SchemaDifferenceKind.EnumValueUnknown or SchemaDifferenceKind.AlternateMemberAdded or SchemaDifferenceKind.FeatureAdded);
            var serverSide = kind is not (SchemaDifferenceKind.MemberMissing or SchemaDifferenceKind.VariantMissing
                or SchemaDifferenceKind.EnumValueMissing or SchemaDifferenceKind.AlternateMemberMissing or SchemaDifferenceKind.FeatureRemoved);
            if (!_reported.Add((kind, clientSide ? clientType ?? "" : "", serverSide ? serverType ?? "" : "", rest ?? "", name, direction)))
            {
                return;
            }
        }
        _differences.Add(new SchemaDifference(kind, at.Root, at.Pair, rest, name, clientType, serverType, direction,
            breaking && condition is null, detail, condition));
    }

    private static string Under(string? prefix, string component) => prefix is null ? component : prefix + "/" + component;

    private void Build()
    {
        var client = Alignment.Client;
        var server = Alignment.Server;
        foreach (var conflict in Alignment.Conflicts)
        {
            if (conflict.IsServerType)
            {
                (_pairedTwiceServer ??= new HashSet<string>(StringComparer.Ordinal)).Add(conflict.Name);
            }
            else
            {
                (_pairedTwiceClient ??= new HashSet<string>(StringComparer.Ordinal)).Add(conflict.Name);
            }
        }

        foreach (var c in client.Commands)
        {
            var at = new At(c.Name, null);
            if (server.FindCommand(c.Name) is not { } s)
            {
                Add(SchemaDifferenceKind.CommandMissing, at, null, c.Name, null, null, SchemaDirection.None, true, "", c.Condition);
                continue;
            }
            Features(at, null, c.Features, s.Features, null, null, SchemaDirection.None);
            Shape(at, "arg-type", "arg-type", c.ArgType, s.ArgType, null, null, SchemaDirection.Input);
            Shape(at, "ret-type", "ret-type", c.RetType, s.RetType, null, null, SchemaDirection.Output);
        }
        foreach (var s in server.Commands)
        {
            if (!client.HasCommand(s.Name))
            {
                Add(SchemaDifferenceKind.CommandAdded, new At(s.Name, null), null, s.Name, null, null, SchemaDirection.None, false, "");
            }
        }

        foreach (var c in client.Events)
        {
            var at = new At(c.Name, null);
            if (server.FindEvent(c.Name) is not { } s)
            {
                Add(SchemaDifferenceKind.EventMissing, at, null, c.Name, null, null, SchemaDirection.None, true, "", c.Condition);
                continue;
            }
            Features(at, null, c.Features, s.Features, null, null, SchemaDirection.None);
            Shape(at, "arg-type", "arg-type", c.ArgType, s.ArgType, null, null, SchemaDirection.Output);
        }
        foreach (var s in server.Events)
        {
            if (!client.HasEvent(s.Name))
            {
                Add(SchemaDifferenceKind.EventAdded, new At(s.Name, null), null, s.Name, null, null, SchemaDirection.None, false, "");
            }
        }

        foreach (var pair in Alignment.Pairs)
        {
            var ce = client.Find(pair.ClientType);
            var se = server.Find(pair.ServerType);
            if (ce is null || se is null || ce is SchemaInfoArray)
            {
                continue;
            }

            var at = new At(pair.Root, pair);
            var ct = pair.ClientType;
            var st = pair.ServerType;
            var dir = pair.Direction;
            var input = (dir & SchemaDirection.Input) != 0;
            var output = (dir & SchemaDirection.Output) != 0;
            Features(at, null, ce.Features, se.Features, ct, st, dir);
            switch (ce)
            {
                case SchemaInfoObject co:
                    Object(at, co, (SchemaInfoObject)se, dir, input, output);
                    break;
                case SchemaInfoEnum cen:
                    var sen = (SchemaInfoEnum)se;
                    foreach (var v in cen.Members)
                    {
                        if (sen.FindMember(v.Name) is { } sv)
                        {
                            Features(at, "^" + v.Name, v.Features, sv.Features, ct, st, dir);
                        }
                        else
                        {
                            Add(SchemaDifferenceKind.EnumValueMissing, at, "^" + v.Name, v.Name, ct, st, dir, input,
                                input ? "the client may send it" : "", v.Condition);
                        }
                    }
                    foreach (var v in sen.Members)
                    {
                        if (cen.FindMember(v.Name) is null)
                        {
                            Add(SchemaDifferenceKind.EnumValueUnknown, at, "^" + v.Name, v.Name, ct, st, dir, false,
                                output ? "kept as an unknown value" : "");
                        }
                    }

                    break;
                case SchemaInfoAlternate calt:
                    foreach (var (cm, sm) in Alignment.AlternateMembers(calt, (SchemaInfoAlternate)se))
                    {
                        if (sm is null && cm is not null)
                        {
                            Add(SchemaDifferenceKind.AlternateMemberMissing, at, null, cm, ct, st, dir, input,
                                "the server takes no " + (client.JsonTypeOf(cm) ?? cm));
                        }
                        else if (cm is null && sm is not null)
                        {
                            Add(SchemaDifferenceKind.AlternateMemberAdded, at, null, sm, ct, st, dir, output,
                                "the server may send " + (server.JsonTypeOf(sm) ?? sm));
                        }
                    }
                    break;
            }
        }

        foreach (var conflict in Alignment.Conflicts)
        {
            _differences.Add(new SchemaDifference(SchemaDifferenceKind.Conflict, conflict.Root, conflict.Parent, conflict.Component, conflict.Name,
                conflict.IsServerType ? conflict.Second : conflict.Name, conflict.IsServerType ? conflict.Name : conflict.Second,
                SchemaDirection.None, false, conflict.Sentence));
        }
    }

    private void Object(At at, SchemaInfoObject c, SchemaInfoObject s, SchemaDirection dir, bool input, bool output)
    {
        var ct = c.Name;
        var st = s.Name;
        foreach (var cm in c.Members)
        {
            if (s.FindMember(cm.Name) is not { } sm)
            {
                var breaking = input || (output && !cm.IsOptional);
                Add(SchemaDifferenceKind.MemberMissing, at, cm.Name, cm.Name, ct, st, dir, breaking,
                    output && !cm.IsOptional ? "required by the client, never sent" : input ? "the client may send it" : "optional", cm.Condition);
                continue;
            }
            Features(at, cm.Name, cm.Features, sm.Features, ct, st, dir);
            Shape(at, cm.Name, cm.Name, cm.Type, sm.Type, ct, st, dir);
            if (cm.IsOptional != sm.IsOptional)
            {
                // Sent by the client: the server now requires what the client may omit.
                // Read by the client: the server may now omit what the client requires.
                var breaking = (input && cm.IsOptional && !sm.IsOptional) || (output && !cm.IsOptional && sm.IsOptional);
                Add(SchemaDifferenceKind.OptionalityChanged, at, cm.Name, cm.Name, ct, st, dir, breaking,
                    cm.IsOptional ? "optional for the client, required by the server" : "required by the client, optional on the server");
            }
        }
        foreach (var sm in s.Members)
        {
            if (c.FindMember(sm.Name) is not null)
            {
                continue;
            }

            var breaking = input && !sm.IsOptional;
            Add(SchemaDifferenceKind.MemberAdded, at, sm.Name, sm.Name, ct, st, dir, breaking,
                breaking ? "required by the server, unknown to the client" : sm.IsOptional ? "optional" : "ignored by the client");
        }
        if (!string.Equals(c.Tag, s.Tag, StringComparison.Ordinal))
        {
            Add(SchemaDifferenceKind.TagChanged, at, null, c.Tag ?? s.Tag ?? "", ct, st, dir, true,
                (c.Tag ?? "no tag") + " became " + (s.Tag ?? "no tag"));
        }
        foreach (var cv in c.Variants)
        {
            if (s.FindVariant(cv.Case) is null)
            {
                Add(SchemaDifferenceKind.VariantMissing, at, "+" + cv.Case, cv.Case, ct, st, dir, input,
                    input ? "the client may send it" : "", cv.Condition);
            }
        }

        foreach (var sv in s.Variants)
        {
            if (c.FindVariant(sv.Case) is null)
            {
                Add(SchemaDifferenceKind.VariantAdded, at, "+" + sv.Case, sv.Case, ct, st, dir, false,
                    output ? "arrives as an unknown variant" : "");
            }
        }
    }

    private void Shape(At at, string rest, string name, string clientType, string serverType, string? ct, string? st, SchemaDirection dir)
    {
        var cs = SchemaInfoAlignment.ShapeOf(Alignment.Client, clientType);
        var ss = SchemaInfoAlignment.ShapeOf(Alignment.Server, serverType);
        if (cs is null || ss is null || string.Equals(cs, ss, StringComparison.Ordinal))
        {
            return;
        }

        Add(SchemaDifferenceKind.TypeChanged, at, rest, name, ct, st, dir, true, Describe(cs, clientType) + " became " + ss);
    }

    private static string Describe(string shape, string typeName) =>
        string.Equals(shape, typeName, StringComparison.Ordinal) ? shape : shape + " " + typeName;

    private void Features(At at, string? prefix, IReadOnlyList<string> client, IReadOnlyList<string> server, string? ct, string? st, SchemaDirection dir)
    {
        foreach (var f in server)
        {
            if (!SchemaInfo.Contains(client, f))
            {
                Add(SchemaDifferenceKind.FeatureAdded, at, Under(prefix, "$" + f), f, ct, st, dir, false, "");
            }
        }

        foreach (var f in client)
        {
            if (!SchemaInfo.Contains(server, f))
            {
                Add(SchemaDifferenceKind.FeatureRemoved, at, Under(prefix, "$" + f), f, ct, st, dir, false, "");
            }
        }
    }

    private static readonly (SchemaDifferenceKind Kind, string Heading)[] s_headings =
    {
        (SchemaDifferenceKind.CommandMissing, "commands the server lacks"),
        (SchemaDifferenceKind.EventMissing, "events the server lacks"),
        (SchemaDifferenceKind.TypeChanged, "types that changed"),
        (SchemaDifferenceKind.TagChanged, "union tags that changed"),
        (SchemaDifferenceKind.MemberMissing, "members the server lacks"),
        (SchemaDifferenceKind.OptionalityChanged, "members whose optionality changed"),
        (SchemaDifferenceKind.MemberAdded, "members only the server has"),
        (SchemaDifferenceKind.VariantMissing, "union variants the server lacks"),
        (SchemaDifferenceKind.VariantAdded, "union variants only the server has"),
        (SchemaDifferenceKind.EnumValueMissing, "enum values the server lacks"),
        (SchemaDifferenceKind.EnumValueUnknown, "enum values the client does not know"),
        (SchemaDifferenceKind.AlternateMemberMissing, "alternate members the server lacks"),
        (SchemaDifferenceKind.AlternateMemberAdded, "alternate members only the server has"),
        (SchemaDifferenceKind.FeatureAdded, "features the server adds"),
        (SchemaDifferenceKind.FeatureRemoved, "features the server drops"),
        (SchemaDifferenceKind.Conflict, "alignment conflicts"),
        (SchemaDifferenceKind.CommandAdded, "commands only the server has"),
        (SchemaDifferenceKind.EventAdded, "events only the server has"),
    };

    /// <summary>The most differences <see cref="ToString"/> prints; the rest are counted, and all are in <see cref="Differences"/>.</summary>
    public const int MaxPrinted = 1000;

    /// <summary>
    /// The report as text: a verdict line, then each kind of difference under a heading with its
    /// count, one per line (breaking ones marked <c>!</c>); commands and events as a list; then what
    /// the server's build lacks, grouped by the client schema's condition. At most
    /// <see cref="MaxPrinted"/> differences are printed (a heading says how many it leaves out), and
    /// what a server named is escaped (<see cref="TerminalText.Escape"/>).
    /// </summary>
    public override string ToString()
    {
        var w = new StringBuilder();
        var breaking = _differences.Count(d => d.IsBreaking);
        var conditional = _differences.Count(d => d.Condition is not null);
        w.Append("QMP schema: client ").Append(Alignment.Client.Commands.Count).Append(" commands, ")
            .Append(Alignment.Client.Events.Count).Append(" events; server ").Append(Alignment.Server.Commands.Count)
            .Append(" commands, ").Append(Alignment.Server.Events.Count).Append(" events; ")
            .Append(Alignment.Pairs.Count).Append(" types paired. ")
            .Append(breaking == 0 ? "Compatible" : "NOT compatible").Append(": ")
            .Append(_differences.Count).Append(" difference(s), ").Append(breaking).Append(" breaking");
        if (conditional > 0)
        {
            w.Append(", ").Append(conditional).Append(" under conditions this build lacks");
        }

        w.Append(".\n");
        var room = MaxPrinted;
        var left = 0;
        foreach (var (kind, heading) in s_headings)
        {
            var items = OfKind(kind).Where(d => d.Condition is null).ToList();
            if (items.Count > 0)
            {
                Section(w, heading, "", items, ref room, ref left);
            }
        }
        var byCondition = _differences.Where(d => d.Condition is not null).GroupBy(d => d.Condition!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (byCondition.Count > 0)
        {
            w.Append("what the server lacks under a condition (its build left it out, or it is older), by condition (").Append(conditional).Append("):\n");
            foreach (var group in byCondition)
            {
                Section(w, "if " + group.Key, "  ", group.ToList(), ref room, ref left);
            }
        }
        if (left > 0)
        {
            w.Append('(').Append(left).Append(" difference(s) not printed: at most ").Append(MaxPrinted).Append(" are; Differences has them all)\n");
        }

        return w.ToString();
    }

    // One heading and as many of its items as there is room for; what does not fit is counted in left.
    private static void Section(StringBuilder w, string heading, string indent, List<SchemaDifference> items, ref int room, ref int left)
    {
        w.Append(indent).Append(TerminalText.Escape(heading)).Append(" (").Append(items.Count).Append("):\n");
        var shown = Math.Min(items.Count, room);
        room -= shown;
        left += items.Count - shown;
        var names = items.Take(shown).Where(IsEntity).ToList();
        var scratch = new List<string>();
        if (names.Count > 0)
        {
            w.Append(indent).Append("  ").Append(TerminalText.Escape(string.Join(", ", names.Select(d => d.Name)))).Append('\n');
        }

        foreach (var d in items.Take(shown).Where(d => !IsEntity(d)))
        {
            d.WriteTo(w.Append(indent), scratch);
            w.Append('\n');
        }
        if (shown < items.Count)
        {
            w.Append(indent).Append("  ... ").Append(items.Count - shown).Append(" more not printed\n");
        }
    }

    private static bool IsEntity(SchemaDifference d) => d.Kind is SchemaDifferenceKind.CommandMissing or SchemaDifferenceKind.CommandAdded
        or SchemaDifferenceKind.EventMissing or SchemaDifferenceKind.EventAdded;
}
