using System.Collections.Generic;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>
/// Reads an <c>args_type</c> string (<c>"force:-f,device:B,arg:s?"</c>) into typed argument specs.
/// The codes are QEMU 2.1's monitor codes; see qmp-facts.md.
/// </summary>
internal static class ArgsTypeParser
{
    public static List<ArgumentSpec> Parse(HxStringField field, SchemaSource source, List<SchemaDiagnostic> diagnostics)
    {
        var arguments = new List<ArgumentSpec>();
        var text = field.Value;
        var seen = new HashSet<string>();
        var start = 0;
        while (start < text.Length)
        {
            var comma = text.IndexOf(',', start);
            var end = comma < 0 ? text.Length : comma;
            if (end > start)
            {
                ParseOne(field, source, start, end, arguments, seen, diagnostics);
            }

            start = end + 1;
        }
        return arguments;
    }

    private static void ParseOne(HxStringField field, SchemaSource source, int start, int end, List<ArgumentSpec> arguments, HashSet<string> seen, List<SchemaDiagnostic> diagnostics)
    {
        var text = field.Value;
        var pair = text.Substring(start, end - start);
        var colon = pair.IndexOf(':');
        var location = source.Locate(field.OffsetOf(start), field.OffsetOf(end - 1) + 1);
        if (colon <= 0 || colon == pair.Length - 1)
        {
            diagnostics.Add(SchemaDiagnostics.MalformedTableEntry.Report(location, 3, pair));
            return;
        }
        var name = pair.Substring(0, colon);
        var code = pair.Substring(colon + 1);
        var optional = false;
        ArgumentKind kind;
        if (code.Length == 2 && code[0] == '-' && char.IsLetter(code[1]))
        {
            kind = ArgumentKind.Flag;
            optional = true;
        }
        else
        {
            var core = code;
            if (core.EndsWith("?", System.StringComparison.Ordinal))
            {
                optional = true;
                core = core.Substring(0, core.Length - 1);
            }
            var known = ArgsTypeCodes.Find(core)?.Kind;
            if (known is null)
            {
                var codeStart = start + colon + 1;
                diagnostics.Add(SchemaDiagnostics.UnknownArgsTypeCode.Report(
                    source.Locate(field.OffsetOf(codeStart), field.OffsetOf(end - 1) + 1), code, name, ArgsTypeCodes.Known));
                return;
            }
            kind = known.Value;
        }
        if (!HxText.IsQmpName(name))
        {
            diagnostics.Add(SchemaDiagnostics.InvalidName.Report(source.Locate(field.OffsetOf(start), field.OffsetOf(start + colon - 1) + 1), 1, HxText.Printable(name)));
            return;
        }
        if (!seen.Add(name))
        {
            diagnostics.Add(SchemaDiagnostics.DuplicateArgument.Report(location, name));
            return;
        }
        var nameLocation = source.Locate(field.OffsetOf(start), field.OffsetOf(start + colon - 1) + 1);
        arguments.Add(new ArgumentSpec(name, code, kind, optional, nameLocation));
    }
}
