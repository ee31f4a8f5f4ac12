using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>
/// Turns a block read by <see cref="DocBlockReader"/> into the model's <see cref="DocBlock"/> for
/// the command (or event) it documents: examples checked and repaired, member lists nested, and
/// the documented arguments compared with <c>args_type</c>.
/// </summary>
internal static class DocModelBuilder
{
    private static readonly Regex s_arrayIntro = new(@"^(\S+) array:$", RegexOptions.CultureInvariant);

    public static DocBlock Build(SchemaSource source, RawDoc raw, string name, bool isEvent, List<ArgumentSpec> arguments, List<SchemaDiagnostic> diagnostics, HxExampleValues? values = null)
    {
        var examples = new List<DocExample>();
        var requestArguments = new List<LenientJsonValue>();
        var replyValues = new List<LenientJsonValue>();
        foreach (var example in raw.Examples)
        {
            var repairs = new List<string>();
            var request = Check(source, example.Request, example.RequestStart, name, "request", repairs, diagnostics);
            var reply = Check(source, example.Reply, example.ReplyStart, name, isEvent ? "event" : "reply", repairs, diagnostics);
            if (example.Request?.Value is { } requestValue)
            {
                var executed = requestValue["execute"];
                if (!isEvent && executed is { Kind: LenientJsonKind.String } && executed.Text != name)
                {
                    diagnostics.Add(SchemaDiagnostics.ExampleExecuteMismatch.Report(source.Locate(example.RequestStart, example.Request.End), name, executed.Text));
                }
                if (requestValue["arguments"] is { Kind: LenientJsonKind.Object } args)
                {
                    requestArguments.Add(args);
                }
            }
            if (example.Reply?.Value is { } replyValue && replyValue[isEvent ? "data" : "return"] is { } returned)
            {
                replyValues.Add(returned);
            }

            var docExample = new DocExample(example.Caption, request, reply, repairs.ToEquatableArray(), source.Locate(example.Start, example.End));
            values?.Add(docExample, request is null ? null : example.Request?.Value, reply is null ? null : example.Reply?.Value);
            examples.Add(docExample);
        }

        // Arguments (an event's data members). "actions array:" puts the items inside that argument.
        var argumentShape = Shape.Of(isEvent ? replyValues : requestArguments);
        var documented = new List<DocMember>();
        var intro = s_arrayIntro.Match(raw.ArgumentsIntro);
        var argumentItems = raw.Arguments;
        if (intro.Success && arguments.Any(a => a.Name == intro.Groups[1].Value && a.Kind == ArgumentKind.Any))
        {
            var container = intro.Groups[1].Value;
            var inside = argumentItems.TakeWhile(i => !arguments.Any(a => a.Name == i.Name)).ToList();
            var index = 0;
            var children = Nest(source, inside, ref index, argumentShape?.Get(container), new List<Frame>(), 1);
            documented.Add(new DocMember(container, "json-array", arguments.First(a => a.Name == container).Optional, raw.ArgumentsIntro,
                children.ToEquatableArray(), source.Locate(raw.TitleStart, raw.TitleEnd)));
            argumentItems = argumentItems.Skip(inside.Count).ToList();
        }
        var position = 0;
        var topLevel = Nest(source, argumentItems, ref position, argumentShape, new List<Frame>(), 0);
        documented.AddRange(topLevel);
        var unquoted = new HashSet<int>(raw.Arguments.Where(i => !i.Quoted).Select(i => i.NameStart));
        CompareArguments(name, isEvent, arguments, raw.ArgumentsIntro, topLevel, unquoted, diagnostics);

        // What the command returns.
        DocReturns? returns = null;
        var description = raw.Description;
        if (!isEvent && (raw.Returns.Count > 0 || raw.ReturnsDescription is not null))
        {
            var returnShape = Shape.Of(replyValues);
            var index = 0;
            var members = Nest(source, raw.Returns, ref index, returnShape, new List<Frame>(), 0);
            var returnsText = raw.ReturnsDescription;
            if (returnsText is null)
            {
                (description, returnsText) = SplitReturnSentence(raw.Description);
            }
            returns = new DocReturns(returnsText, members.ToEquatableArray());
        }

        return new DocBlock(raw.Title.TrimStart('@'), description, documented.ToEquatableArray(), returns, examples.ToEquatableArray(), raw.Notes,
            source.Locate(raw.SqmpStart, raw.End));
    }

    private static readonly Regex s_returnSentence = new(@"\b(return|returns|returned|json-object|json-array|contains?|containing)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Splits "Show QEMU version. Return a json-object with ..." into the summary and the return text.</summary>
    internal static (string Description, string Returns) SplitReturnSentence(string text)
    {
        var sentenceStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == '.' && i + 1 < text.Length && text[i + 1] == ' '))
            {
                var sentence = text.Substring(sentenceStart, System.Math.Min(i + 1, text.Length) - sentenceStart);
                if (s_returnSentence.IsMatch(sentence))
                {
                    if (sentenceStart == 0)
                    {
                        return (text, text);
                    }

                    return (text.Substring(0, sentenceStart).Trim(), text.Substring(sentenceStart).Trim());
                }
                sentenceStart = i + 2;
                if (sentenceStart >= text.Length)
                {
                    break;
                }
            }
        }
        return (text, text);
    }

    private static string? Check(SchemaSource source, LenientJsonResult? result, int start, string name, string what, List<string> repairs, List<SchemaDiagnostic> diagnostics)
    {
        if (result is null)
        {
            return null;
        }

        foreach (var repair in result.Repairs)
        {
            repairs.Add(repair.Message);
            diagnostics.Add(SchemaDiagnostics.ExampleRepaired.Report(source.Locate(repair.Offset, repair.Offset + 1), what, name, repair.Message));
        }
        if (result.Value is null)
        {
            var error = result.Error ?? new JsonRepair(start, "unreadable");
            diagnostics.Add(SchemaDiagnostics.ExampleUnreadable.Report(source.Locate(error.Offset, error.Offset + 1), what, name, error.Message));
            return null;
        }
        return result.Value.ToJson();
    }

    /// <summary>
    /// Nests a flat item list. Folding lost the indentation that showed which members belong to
    /// a nested object, so the example is the witness: an item whose example value is an object
    /// (or an array of objects) takes the following items that the example shows inside it.
    /// Without an example, an item whose text ends in ':' takes the following items until one
    /// that belongs to its parent.
    /// </summary>
    private sealed class Frame
    {
        public Frame(Shape? shape) => Shape = shape;

        public Shape? Shape { get; }

        public HashSet<string> Used { get; } = new();
    }

    private static List<DocMember> Nest(SchemaSource source, List<RawItem> items, ref int index, Shape? shape, List<Frame> ancestors, int depth, List<DocMember>? previousSibling = null, string? opener = null)
    {
        var result = new List<DocMember>();
        var frame = new Frame(shape);
        // Members of an object no example shows, nested by the text alone (its item ends in ':').
        var byText = depth > 0 && shape is null;
        List<DocMember>? lastByText = null;
        while (index < items.Count)
        {
            var item = items[index];
            var itemName = item.Name!;
            // An item leaves this level when the example shows it in an enclosing object that does
            // not have it yet; an item no example shows stays where the text put it.
            if (depth > 0 && !(shape is not null && shape.Has(itemName)) && BelongsToAncestor(ancestors, itemName, frame))
            {
                break;
            }
            // Without an example, the text alone: an object introduced by ':' ends where the next
            // object is introduced in the same words (pci_bridge's io_range, memory_range and
            // prefetchable_range are each "..., a json-object with the following members:"), or
            // where it has repeated the members of the sibling before it.
            if (byText && result.Count > 0
                && ((opener is not null && IntroOf(item.Description) == opener)
                    || (previousSibling is { Count: > 0 } && previousSibling.Select(m => m.Name).SequenceEqual(result.Select(m => m.Name)))))
            {
                break;
            }

            index++;
            frame.Used.Add(itemName);
            var childShape = shape?.Get(itemName);
            var children = new List<DocMember>();
            var nested = new List<Frame>(ancestors) { frame };
            if (childShape is { HasMembers: true })
            {
                children = Nest(source, items, ref index, childShape, nested, depth + 1);
            }
            else if (childShape is null && item.Description.EndsWith(":", System.StringComparison.Ordinal))
            {
                lastByText = children = Nest(source, items, ref index, null, nested, depth + 1, lastByText, IntroOf(item.Description));
            }

            var type = item.Type;
            if (type is null && children.Count > 0)
            {
                type = childShape is { IsArray: true } ? "json-array" : "json-object";
            }

            result.Add(new DocMember(itemName, type, item.Optional, item.Description, children.ToEquatableArray(), source.Locate(item.NameStart, item.NameEnd)));
        }
        return result;
    }

    /// <summary>The words that introduce an object's members: the last clause of an item ending in ':'.</summary>
    private static string? IntroOf(string description)
    {
        if (!description.EndsWith(":", System.StringComparison.Ordinal))
        {
            return null;
        }

        var comma = description.LastIndexOf(',');
        return description.Substring(comma + 1).Trim();
    }

    private static bool BelongsToAncestor(List<Frame> ancestors, string name, Frame current)
    {
        if (current.Used.Contains(name))
        {
            return true;
        }

        for (var i = ancestors.Count - 1; i >= 0; i--)
        {
            var ancestor = ancestors[i];
            if (ancestor.Shape is not null && ancestor.Shape.Has(name) && !ancestor.Used.Contains(name))
            {
                return true;
            }
        }
        return false;
    }

    private static void CompareArguments(string name, bool isEvent, List<ArgumentSpec> arguments, string intro, List<DocMember> documented, HashSet<int> unquoted, List<SchemaDiagnostic> diagnostics)
    {
        var what = isEvent ? "data member" : "argument";
        var optionList = arguments.FirstOrDefault(a => a.Kind == ArgumentKind.OptionList);
        var argumentNames = new HashSet<string>(arguments.Select(a => a.Name));
        var documentedNames = new HashSet<string>(documented.Select(i => i.Name));
        var explained = new HashSet<string>();
        var insideOptionList = false;
        foreach (var member in documented)
        {
            var location = member.Location;
            if (unquoted.Contains(location.Start))
            {
                diagnostics.Add(SchemaDiagnostics.UnquotedArgumentName.Report(location, what, member.Name, name));
            }

            if (argumentNames.Contains(member.Name))
            {
                continue;
            }

            var similar = arguments.FirstOrDefault(a => !documentedNames.Contains(a.Name) && !explained.Contains(a.Name) && Similar(a.Name, member.Name));
            if (similar is not null)
            {
                explained.Add(similar.Name);
                diagnostics.Add(SchemaDiagnostics.DocumentedArgumentNotInArgsType.Report(location, 0, what, member.Name, name, similar.Name));
            }
            else if (optionList is not null)
            {
                insideOptionList = true;
                diagnostics.Add(SchemaDiagnostics.MemberInsideOptionList.Report(location, what, member.Name, name, optionList.Name));
            }
            else
            {
                diagnostics.Add(SchemaDiagnostics.DocumentedArgumentNotInArgsType.Report(location, 1, what, member.Name, name));
            }
        }
        foreach (var argument in arguments)
        {
            if (documentedNames.Contains(argument.Name) || explained.Contains(argument.Name))
            {
                continue;
            }

            if (argument.Kind == ArgumentKind.OptionList && insideOptionList)
            {
                continue;
            }

            diagnostics.Add(SchemaDiagnostics.ArgumentNotDocumented.Report(argument.Location, what, argument.Name, name));
        }
    }

    /// <summary>buf_size/buf-size, key/keys: the same argument spelt differently.</summary>
    private static bool Similar(string a, string b)
    {
        var x = a.Replace('_', '-');
        var y = b.Replace('_', '-');
        return x == y || x == y + "s" || y == x + "s";
    }

    /// <summary>The member names the examples show for a value: objects merged, arrays flattened.</summary>
    private sealed class Shape
    {
        private readonly Dictionary<string, List<LenientJsonValue>> _members = new();

        public bool IsArray { get; private set; }

        public bool HasMembers => _members.Count > 0;

        public bool Has(string name) => _members.ContainsKey(name);

        public Shape? Get(string name) => _members.TryGetValue(name, out var values) ? Of(values) : null;

        public static Shape? Of(IEnumerable<LenientJsonValue> values)
        {
            var shape = new Shape();
            foreach (var value in values)
            {
                shape.Add(value, 0);
            }

            return shape.HasMembers || shape.IsArray ? shape : null;
        }

        private void Add(LenientJsonValue value, int depth)
        {
            if (depth > LenientJsonReader.MaxDepth)
            {
                return;
            }

            if (value.Kind == LenientJsonKind.Object)
            {
                foreach (var member in value.Members)
                {
                    if (!_members.TryGetValue(member.Key, out var list))
                    {
                        _members[member.Key] = list = new List<LenientJsonValue>();
                    }

                    list.Add(member.Value);
                }
            }
            else if (value.Kind == LenientJsonKind.Array)
            {
                IsArray = true;
                foreach (var item in value.Items)
                {
                    Add(item, depth + 1);
                }
            }
        }
    }
}
