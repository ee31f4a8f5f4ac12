using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

/// <summary>
/// Expressions to the model, after QEMU's expr.py (the shape of each definition: keys, names,
/// conditions, features, flags) and schema.py (names resolved, implicit argument, event-data and
/// union-base types, bases, union branches, alternates, member clashes, docs connected to members).
/// A definition with an error is reported and left out or kept without the part in error, so
/// one mistake is one diagnostic and the rest of the schema still reads.
/// </summary>
internal sealed partial class QapiSchemaBuilder
{
    /// <summary>The keys each kind of definition and member may have.</summary>
    private static class Keys
    {
        public static readonly string[] AlternateData = new[] { "alternate", "data" };
        public static readonly string[] BaseIfFeatures = new[] { "base", "if", "features" };
        public static readonly string[] Command = new[] { "command" };
        public static readonly string[] DataBoxedIfFeatures = new[] { "data", "boxed", "if", "features" };
        public static readonly string[] CommandOptional = new[] { "data", "returns", "boxed", "if", "features", "gen", "success-response", "allow-oob", "allow-preconfig", "coroutine" };
        public static readonly string[] EnumData = new[] { "enum", "data" };
        public static readonly string[] Event = new[] { "event" };
        public static readonly string[] If = new[] { "if" };
        public static readonly string[] IfFeatures = new[] { "if", "features" };
        public static readonly string[] IfFeaturesPrefix = new[] { "if", "features", "prefix" };
        public static readonly string[] Name = new[] { "name" };
        public static readonly string[] StructData = new[] { "struct", "data" };
        public static readonly string[] Type = new[] { "type" };
        public static readonly string[] UnionBaseDiscriminatorData = new[] { "union", "base", "discriminator", "data" };
    }

    private static readonly string[] s_metas = { "enum", "struct", "union", "alternate", "command", "event" };

    private readonly QapiParseResult _parsed;
    private readonly List<SchemaDiagnostic> _diagnostics;
    private readonly QapiPragmas _pragmas;

    private readonly List<SchemaType> _types = new();
    private readonly List<SchemaCommand> _commands = new();
    private readonly List<SchemaEvent> _events = new();
    private readonly Dictionary<string, Definition> _defined = new(StringComparer.Ordinal);
    /// <summary>The model's index of the types declared in pass 1, which pass 2 (QEMU's check) resolves names against.</summary>
    private SchemaIndex _index = new(QmpSchema.Empty);
    private readonly List<TypeUse> _uses = new();
    private readonly List<Definition> _definitions = new();

    private QapiSchemaBuilder(QapiParseResult parsed)
    {
        _parsed = parsed;
        _diagnostics = parsed.Diagnostics;
        _pragmas = parsed.Pragmas;
    }

    /// <summary>A definition being built: its expression, doc, and what its doc must cover.</summary>
    private sealed class Definition
    {
        public Definition(string meta, string name, QapiExpression expression, QapiValue nameNode)
        {
            Meta = meta;
            Name = name;
            Expression = expression;
            NameNode = nameNode;
        }

        public string Meta { get; }

        public string Name { get; }

        public QapiExpression Expression { get; }

        public QapiValue Value => Expression.Value;

        public QapiValue NameNode { get; }

        public QapiDoc? Doc => Expression.Doc;

        public string Describe => Meta + " '" + Name + "'";

        /// <summary>The members, alternate branches and enum values a doc may describe with <c>@name:</c>, and their features.</summary>
        public List<(string Name, SchemaLocation Location)> DocumentedMembers { get; } = new();

        public List<(string Name, SchemaLocation Location)> Features { get; } = new();

        public SchemaDoc? ModelDoc { get; set; }
    }

    /// <summary>A reference to a type by name, checked once every definition is known.</summary>
    private readonly record struct TypeUse(string Name, QapiValue Node, string Source);

    public static QmpSchema Build(QapiParseResult parsed)
    {
        var builder = new QapiSchemaBuilder(parsed);
        return builder.Run();
    }

    private QmpSchema Run()
    {
        // Pass 1: the shape of each definition, and its name registered (QEMU's check_exprs and _def_*).
        foreach (var expression in _parsed.Expressions)
        {
            Declare(expression);
        }

        foreach (var definition in _definitions)
        {
            Define(definition);
        }
        // Pass 2: what needs every name known (QEMU's QAPISchema.check).
        _index = new SchemaIndex(QmpSchema.Empty with { Types = _types.ToEquatableArray() });
        foreach (var use in _uses)
        {
            if (!SchemaBuiltins.IsBuiltin(use.Name) && _index.Type(use.Name) is null)
            {
                Report(QapiDiagnostics.UnknownType, use.Node.Location, use.Source, use.Name);
            }
        }
        foreach (var type in _types)
        {
            CheckType(type);
        }

        foreach (var command in _commands)
        {
            CheckCommand(command);
        }

        foreach (var e in _events)
        {
            CheckData("event", e.Name, e.Data, e.Boxed, e.Location);
        }

        foreach (var definition in _definitions)
        {
            CheckDoc(definition);
        }

        var prose = _parsed.Docs.Where(d => d.Symbol is null)
            .Select(d => new SchemaProse(d.Heading, d.HeadingLevel, d.Body, d.Location)).ToEquatableArray();
        var files = _parsed.Files.Select(f => f.Path).ToList();
        var diagnostics = _diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(x => Math.Max(0, files.IndexOf(x.d.Location.Path)))
            .ThenBy(x => x.d.Location.Start)
            .ThenBy(x => x.i)
            .Select(x => x.d)
            .ToEquatableArray();
        // Docs first: they replace the commands and events with their documented selves.
        var types = ApplyDocs(_types).ToEquatableArray();
        return new QmpSchema(_commands.ToEquatableArray(), _events.ToEquatableArray(), types, prose, diagnostics)
        {
            Modules = _parsed.Files.Select(f => new SchemaModule(f.Path, f.Includes.ToEquatableArray())).ToEquatableArray(),
        };
    }

    private void Report(SchemaDiagnosticDescriptor descriptor, SchemaLocation location, params object[] args) =>
        _diagnostics.Add(QapiDiagnostics.Make(descriptor, location, args));

    private void ReportForm(SchemaDiagnosticDescriptor descriptor, int form, SchemaLocation location, params object[] args) =>
        _diagnostics.Add(QapiDiagnostics.Make(descriptor, form, location, args));

    // ---- pass 1: shape and names ----

    private void Declare(QapiExpression expression)
    {
        var value = expression.Value;
        var metas = s_metas.Where(m => value.Member(m) is not null).ToList();
        if (metas.Count != 1)
        {
            Report(QapiDiagnostics.ExpressionKind, value.File.Span(value.Start, value.Start + 1),
                "expression must have exactly one key 'enum', 'struct', 'union', 'alternate', 'command', 'event'");
            return;
        }
        var meta = metas[0];
        var nameNode = value[meta]!;
        if (nameNode.Kind != QapiValueKind.String)
        {
            Report(QapiDiagnostics.BadValue, nameNode.Location, "the name of a " + meta, "a string");
            return;
        }
        var name = nameNode.String!;
        var problem = meta switch
        {
            "event" => QapiNames.CheckUpper(name),
            "command" => QapiNames.CheckLower(name, permitUpper: false, permitUnderscore: _pragmas.CommandNameExceptions.Contains(name)),
            _ => QapiNames.CheckCamel(name),
        };
        if (problem is not null)
        {
            Report(QapiDiagnostics.BadName, nameNode.Location, meta, name, problem);
        }

        var definition = new Definition(meta, name, expression, nameNode);
        if (expression.Doc is { } doc && doc.Symbol != name)
        {
            Report(QapiDiagnostics.DocForOther, doc.SymbolLocation, doc.Symbol ?? "", name);
        }
        else if (expression.Doc is null && _pragmas.DocRequired)
        {
            Report(QapiDiagnostics.DocRequired, nameNode.Location);
        }

        var keysOk = meta switch
        {
            "enum" => CheckKeys(value, meta, Keys.EnumData, Keys.IfFeaturesPrefix),
            "struct" => CheckKeys(value, meta, Keys.StructData, Keys.BaseIfFeatures),
            "union" => CheckKeys(value, meta, Keys.UnionBaseDiscriminatorData, Keys.IfFeatures),
            "alternate" => CheckKeys(value, meta, Keys.AlternateData, Keys.IfFeatures),
            "command" => CheckKeys(value, meta, Keys.Command,
                Keys.CommandOptional),
            _ => CheckKeys(value, meta, Keys.Event, Keys.DataBoxedIfFeatures),
        };
        if (!keysOk)
        {
            return;
        }

        // Commands, events and types share one namespace with the predefined types (schema.py's
        // _def_entity), which QEMU describes by their meta: built-in type 'int', enum type 'QType'.
        if (SchemaBuiltins.IsBuiltin(name))
        {
            Report(QapiDiagnostics.Duplicate, nameNode.Location, (name == SchemaBuiltins.QType ? "enum type '" : "built-in type '") + name + "'");
            return;
        }
        if (_defined.TryGetValue(name, out var earlier))
        {
            ReportForm(QapiDiagnostics.Duplicate, 1, nameNode.Location, name, earlier.NameNode.Location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        _defined[name] = definition;
        _definitions.Add(definition);
    }

    /// <summary>QEMU's check_keys: every required key present, no unknown key.</summary>
    private bool CheckKeys(QapiValue value, string source, string[] required, string[] optional)
    {
        var ok = true;
        foreach (var key in required)
        {
            if (value.Member(key) is null)
            {
                Report(QapiDiagnostics.MissingKey, value.File.Span(value.Start, value.Start + 1), source, key);
                ok = false;
            }
        }
        foreach (var member in value.Members)
        {
            if (Array.IndexOf(required, member.Key) < 0 && Array.IndexOf(optional, member.Key) < 0)
            {
                Report(QapiDiagnostics.UnknownKey, member.KeyLocation, source, member.Key,
                    string.Join(", ", required.Concat(optional).OrderBy(k => k, StringComparer.Ordinal).Select(k => "'" + k + "'")));
                ok = false;
            }
        }
        return ok;
    }

    private void Define(Definition d)
    {
        var value = d.Value;
        var condition = Condition(value["if"], d.Describe);
        var features = Features(value["features"], d, d.Describe);
        var location = d.NameNode.Location;
        // schema.py's QAPISchemaType.check: the special features mark commands, events and members.
        if (d.Meta is not ("command" or "event") && features.FirstOrDefault(f => f.Name is SchemaFeature.Deprecated or SchemaFeature.Unstable) is { } special)
        {
            Report(QapiDiagnostics.SpecialFeatureOnType, location, special.Name);
        }

        switch (d.Meta)
        {
            case "enum":
                DefineEnum(d, condition, features, location);
                break;
            case "struct":
                {
                    var members = Members(value["data"]!, d, "struct '" + d.Name + "'", d.Name, documented: true);
                    var baseName = TypeName(value["base"], "the base of struct '" + d.Name + "'");
                    AddType(new SchemaObjectType(d.Name, baseName, members, null, false, false, condition, features, null, location), d);
                    break;
                }
            case "union":
                DefineUnion(d, condition, features, location);
                break;
            case "alternate":
                DefineAlternate(d, condition, features, location);
                break;
            case "command":
                DefineCommand(d, condition, features, location);
                break;
            default:
                {
                    var boxed = Flag(value, "boxed", true);
                    var data = Data(d, condition, boxed);
                    _events.Add(new SchemaEvent(d.Name, data, boxed, condition, features, null, location));
                    break;
                }
        }
    }

    /// <summary>Adds a type; <paramref name="docOwner"/> is the definition whose doc describes its members (its own, or the command's, event's or union's for an implicit type).</summary>
    private void AddType(SchemaType type, Definition docOwner)
    {
        _types.Add(type);
        _docOwner[type.Name] = docOwner;
    }

    private readonly Dictionary<string, Definition> _docOwner = new(StringComparer.Ordinal);

    private void DefineEnum(Definition d, SchemaCondition? condition, EquatableArray<SchemaFeature> features, SchemaLocation location)
    {
        var value = d.Value;
        string? prefix = null;
        if (value["prefix"] is { } prefixNode)
        {
            if (prefixNode.Kind == QapiValueKind.String)
            {
                prefix = prefixNode.String;
            }
            else
            {
                Report(QapiDiagnostics.BadValue, prefixNode.Location, "'prefix' of enum '" + d.Name + "'", "a string");
            }
        }
        var data = value["data"]!;
        var values = new List<SchemaEnumValue>();
        if (data.Kind != QapiValueKind.Array)
        {
            Report(QapiDiagnostics.BadValue, data.Location, "'data' of enum '" + d.Name + "'", "an array");
        }
        else
        {
            var permissive = _pragmas.MemberNameExceptions.Contains(d.Name);
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in data.Items)
            {
                var nameNode = item;
                SchemaCondition? valueCondition = null;
                var valueFeatures = EquatableArray<SchemaFeature>.Empty;
                if (item.Kind == QapiValueKind.Object)
                {
                    if (!CheckKeys(item, "value of enum '" + d.Name + "'", Keys.Name, Keys.IfFeatures))
                    {
                        continue;
                    }

                    nameNode = item["name"]!;
                }
                if (nameNode.Kind != QapiValueKind.String)
                {
                    Report(QapiDiagnostics.BadValue, nameNode.Location, "a value of enum '" + d.Name + "'", "a string or an object with 'name'");
                    continue;
                }
                var name = nameNode.String!;
                var source = "value '" + name + "' of enum '" + d.Name + "'";
                if (item.Kind == QapiValueKind.Object)
                {
                    valueCondition = Condition(item["if"], source);
                    valueFeatures = Features(item["features"], d, source);
                }
                // Enum values may start with a digit (QEMU hides it behind a letter to check the rest).
                var checkedName = name.Length > 0 && char.IsDigit(name[0]) ? "d" + name : name;
                if (QapiNames.CheckLower(checkedName, permissive, permissive) is { } problem)
                {
                    Report(QapiDiagnostics.BadName, nameNode.Location, "enum value", name, problem);
                }

                var cname = QapiNames.CName(name);
                if (seen.TryGetValue(cname, out var other))
                {
                    Report(QapiDiagnostics.MemberClash, nameNode.Location, "value '" + name + "' of enum '" + d.Name + "'", "value '" + other + "'");
                }
                else
                {
                    seen[cname] = name;
                }

                d.DocumentedMembers.Add((name, nameNode.Location));
                values.Add(new SchemaEnumValue(name, null, valueCondition, valueFeatures, nameNode.Location));
            }
        }
        AddType(new SchemaEnumType(d.Name, prefix, values.ToEquatableArray(), condition, features, null, location), d);
    }

    private void DefineUnion(Definition d, SchemaCondition? condition, EquatableArray<SchemaFeature> features, SchemaLocation location)
    {
        var value = d.Value;
        var baseNode = value["base"]!;
        string? baseName = null;
        if (baseNode.Kind == QapiValueKind.Object)
        {
            var members = Members(baseNode, d, "the base of union '" + d.Name + "'", d.Name, documented: true);
            baseName = "q_obj_" + d.Name + "-base";
            AddType(new SchemaObjectType(baseName, null, members, null, true, false, condition, EquatableArray<SchemaFeature>.Empty, null, baseNode.Location), d);
        }
        else if (baseNode.Kind == QapiValueKind.String)
        {
            baseName = TypeName(baseNode, "the base of union '" + d.Name + "'");
        }
        else
        {
            Report(QapiDiagnostics.BadValue, baseNode.Location, "'base' of union '" + d.Name + "'", "a type name or an object of members");
        }
        var discriminator = value["discriminator"]!;
        string? tag = null;
        if (discriminator.Kind == QapiValueKind.String)
        {
            tag = discriminator.String;
        }
        else
        {
            Report(QapiDiagnostics.BadValue, discriminator.Location, "'discriminator' of union '" + d.Name + "'", "a string");
        }

        var data = value["data"]!;
        var branches = new List<SchemaVariant>();
        if (data.Kind != QapiValueKind.Object)
        {
            Report(QapiDiagnostics.BadValue, data.Location, "'data' of union '" + d.Name + "'", "an object");
        }
        else
        {
            foreach (var member in data.Members)
            {
                var source = "branch '" + member.Key + "' of union '" + d.Name + "'";
                var (typeNode, branchCondition) = Normalize(member, source, Keys.If);
                if (typeNode is null)
                {
                    continue;
                }

                if (typeNode.Kind != QapiValueKind.String)
                {
                    Report(QapiDiagnostics.BadValue, typeNode.Location, "the type of " + source, "a type name");
                    continue;
                }
                var type = Use(typeNode, source);
                branches.Add(new SchemaVariant(member.Key, SchemaTypeRef.Of(type), branchCondition, member.KeyLocation));
            }
        }
        _unionTags[d.Name] = discriminator;
        AddType(new SchemaObjectType(d.Name, baseName, EquatableArray<SchemaMember>.Empty,
            new SchemaVariants(tag ?? "", branches.ToEquatableArray()), false, false, condition, features, null, location), d);
    }

    private readonly Dictionary<string, QapiValue> _unionTags = new(StringComparer.Ordinal);

    private void DefineAlternate(Definition d, SchemaCondition? condition, EquatableArray<SchemaFeature> features, SchemaLocation location)
    {
        var data = d.Value["data"]!;
        var branches = new List<SchemaAlternateBranch>();
        if (data.Kind != QapiValueKind.Object)
        {
            Report(QapiDiagnostics.BadValue, data.Location, "'data' of alternate '" + d.Name + "'", "an object");
        }
        else if (data.Members.Count == 0)
        {
            Report(QapiDiagnostics.BadValue, data.Location, "'data' of alternate '" + d.Name + "'", "an object with at least one branch");
        }
        else
        {
            foreach (var member in data.Members)
            {
                var source = "branch '" + member.Key + "' of alternate '" + d.Name + "'";
                if (QapiNames.CheckLower(member.Key, false, false) is { } problem)
                {
                    Report(QapiDiagnostics.BadName, member.KeyLocation, "alternate branch", member.Key, problem);
                }

                var (typeNode, branchCondition) = Normalize(member, source, Keys.If);
                if (typeNode is null)
                {
                    continue;
                }

                var type = TypeRef(typeNode, source);
                if (type is null)
                {
                    continue;
                }

                d.DocumentedMembers.Add((member.Key, member.KeyLocation));
                branches.Add(new SchemaAlternateBranch(member.Key, type, null, branchCondition, member.KeyLocation));
            }
        }
        AddType(new SchemaAlternateType(d.Name, branches.ToEquatableArray(), condition, features, null, location), d);
    }

    private void DefineCommand(Definition d, SchemaCondition? condition, EquatableArray<SchemaFeature> features, SchemaLocation location)
    {
        var value = d.Value;
        var flags = new SchemaCommandFlags(
            Boxed: Flag(value, "boxed", true),
            SuccessResponse: !Flag(value, "success-response", false),
            AllowOob: Flag(value, "allow-oob", true),
            AllowPreconfig: Flag(value, "allow-preconfig", true),
            Coroutine: Flag(value, "coroutine", true),
            Generated: !Flag(value, "gen", false));
        if (flags.AllowOob && flags.Coroutine)
        {
            Report(QapiDiagnostics.BadFlag, value.Member("coroutine")!.KeyLocation, "flags 'allow-oob' and 'coroutine' cannot be used together");
        }

        var arguments = Data(d, condition, flags.Boxed);
        SchemaTypeRef? returns = null;
        if (value["returns"] is { } returnsNode)
        {
            returns = TypeRef(returnsNode, "'returns' of command '" + d.Name + "'");
        }

        _commands.Add(new SchemaCommand(d.Name, arguments, returns, flags, condition, features, null, location));
    }

    /// <summary>A command's or event's <c>data</c>: a type name, or members that make an implicit type.</summary>
    private SchemaTypeRef? Data(Definition d, SchemaCondition? condition, bool boxed)
    {
        var data = d.Value["data"];
        if (data is null)
        {
            if (boxed)
            {
                Report(QapiDiagnostics.BadFlag, d.Value.Member("boxed")!.KeyLocation, "'boxed': true needs 'data'");
            }

            return null;
        }
        var source = "'data' of " + d.Describe;
        if (data.Kind == QapiValueKind.String)
        {
            return SchemaTypeRef.Of(Use(data, source));
        }

        if (boxed)
        {
            Report(QapiDiagnostics.BadValue, data.Location, source + " with 'boxed': true", "a type name");
            return null;
        }
        if (data.Kind != QapiValueKind.Object)
        {
            Report(QapiDiagnostics.BadValue, data.Location, source, "an object or a type name");
            return null;
        }
        var members = Members(data, d, d.Describe, null, documented: true);
        if (members.IsEmpty)
        {
            return null;
        }

        var name = SchemaObjectType.ImplicitName(d.Name);
        AddType(new SchemaObjectType(name, null, members, null, true, false, condition, EquatableArray<SchemaFeature>.Empty, null, data.Location), d);
        return SchemaTypeRef.Of(name);
    }

    /// <summary>A flag: absent is the default; QEMU lets each be written only as its non-default value.</summary>
    private bool Flag(QapiValue value, string key, bool onlyValue)
    {
        var node = value[key];
        if (node is null)
        {
            return false;
        }

        if (node.Kind != QapiValueKind.Bool || node.Bool != onlyValue)
        {
            Report(QapiDiagnostics.BadFlag, node.Location, "flag '" + key + "' may only use " + (onlyValue ? "true" : "false") + " value");
            return false;
        }
        return true;
    }
}
