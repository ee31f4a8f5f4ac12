using System.Diagnostics;
using System.Text;

namespace Qmp.Fuzz;

/// <summary>
/// Fuzzes the QAPI front end (src/Core/Qapi): mutants of small schema texts of our own, of the QAPI case
/// corpus (tests/Generator.Tests/Qapi/Cases, read at run time) and, when eng/get-qemu-schema.sh has fetched
/// it, of QEMU 7.2's qapi/*.json (read at run time from its cache, never copied here), cut at their top-level
/// expressions; now and then QEMU's whole schema with one file mutated. Includes are served from memory only.
/// </summary>
internal static class QapiFuzzer
{
    /// <summary>Our own seeds: every kind of expression, doc comments, conditions, features, includes, pragmas.</summary>
    private static readonly string[] s_seeds =
    [
        """
        ##
        # @Colour:
        #
        # A colour.
        #
        # @red: the first
        # @green: the second (since 2.0)
        #
        # Since: 1.0
        ##
        { 'enum': 'Colour', 'data': [ 'red', { 'name': 'green', 'if': 'CONFIG_GREEN' }, 'blue' ], 'prefix': 'COL' }
        """,
        """
        { 'struct': 'Base', 'data': { 'id': 'str', '*tag': 'int' } }
        { 'struct': 'Thing', 'base': 'Base', 'data': { 'size': 'uint64', '*names': [ 'str' ], 'nested': { 'type': 'Base', 'if': 'CONFIG_X' } },
          'features': [ 'deprecated', { 'name': 'unstable', 'if': { 'not': 'CONFIG_Y' } } ] }
        """,
        """
        { 'enum': 'Kind', 'data': [ 'file', 'socket' ] }
        { 'struct': 'FileOpts', 'data': { 'path': 'str' } }
        { 'struct': 'SocketOpts', 'data': { 'addr': 'str', '*port': 'uint16' } }
        { 'union': 'Backend', 'base': { 'type': 'Kind', '*id': 'str' }, 'discriminator': 'type',
          'data': { 'file': 'FileOpts', 'socket': { 'type': 'SocketOpts', 'if': 'CONFIG_SOCK' } } }
        """,
        """
        { 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }
        { 'alternate': 'IntOrRef', 'data': { 'i': 'int', 'ref': 'Ref' } }
        { 'struct': 'Ref', 'data': { 'node': 'str' } }
        """,
        """
        ##
        # @query-thing:
        #
        # Tell about a thing.
        #
        # @name: which thing
        #
        # Returns: the thing
        #
        # Since: 2.1
        #
        # Example:
        #
        # -> { "execute": "query-thing", "arguments": { "name": "a" } }
        # <- { "return": { "size": 1 } }
        ##
        { 'command': 'query-thing', 'data': { 'name': 'str' }, 'returns': 'Thing' }
        { 'struct': 'Thing', 'data': { 'size': 'int' } }
        """,
        """
        { 'command': 'do-it', 'data': 'Args', 'boxed': true, 'allow-oob': true, 'allow-preconfig': true, 'coroutine': true }
        { 'command': 'fire', 'gen': false, 'success-response': false }
        { 'command': 'list-them', 'returns': [ 'Args' ], 'if': { 'all': [ 'CONFIG_A', { 'any': [ 'CONFIG_B', 'CONFIG_C' ] } ] } }
        { 'struct': 'Args', 'data': { '*verbose': 'bool', 'count': 'number', 'blob': 'any' } }
        """,
        """
        ##
        # @SOMETHING_HAPPENED:
        #
        # Emitted when something happens.
        #
        # @what: what happened
        #
        # Since: 1.5
        ##
        { 'event': 'SOMETHING_HAPPENED', 'data': { 'what': 'str', '*when': 'int' } }
        { 'event': 'BOXED_EVENT', 'data': 'Payload', 'boxed': true }
        { 'struct': 'Payload', 'data': { 'x': 'int8' } }
        """,
        """
        { 'pragma': { 'doc-required': true } }
        { 'pragma': { 'command-name-exceptions': [ 'odd_name' ], 'command-returns-exceptions': [ 'odd_name' ],
                      'member-name-exceptions': [ 'Odd' ] } }
        { 'include': 'inc.json' }
        { 'command': 'odd_name', 'returns': 'int' }
        { 'struct': 'Odd', 'data': { 'Bad_Name': 'int' } }
        """,
        """
        ##
        # = Section heading
        #
        # Free-form text about what follows, with *emphasis* and ``code``.
        #
        # == Sub-heading
        ##

        ##
        # @Feature:
        #
        # Features:
        # @deprecated: do not use
        ##
        { 'struct': 'Feature', 'data': {}, 'features': [ 'deprecated' ] }
        """,
        """
        # A file that includes itself, a missing file, a path leading up and an absolute path.
        { 'include': 'loop.json' }
        { 'include': 'no-such.json' }
        { 'include': '../up/x.json' }
        { 'include': '/etc/passwd' }
        { 'command': 'after' }
        """,
        """
        { 'enum': 'Empty', 'data': [] }
        { 'struct': 'Deep', 'data': { 'a': { 'type': [ 'Deep' ] }, '*b': 'Deep' } }
        { 'union': 'U', 'base': 'UBase', 'discriminator': 'k', 'data': {} }
        { 'struct': 'UBase', 'data': { 'k': 'Empty' } }
        { 'command': 'q-x', 'data': { 'arg': { 'type': 'str', 'features': [ 'unstable' ] } } }
        """,
        """
        ##
        # @Options:
        #
        # @mode: how
        #
        # Notes:
        #     1. one
        #     2. two
        #
        # TODO: more
        ##
        { 'struct': 'Options', 'data': { 'mode': 'str' },
          'if': 'defined(CONFIG_OLD_STYLE)' }
        { 'command': 'set-options', 'data': 'Options', 'boxed': true,
          'features': [ { 'name': 'deprecated', 'if': 'CONFIG_D' } ] }
        """,
        """
        { 'struct': 'Str\u00e9', 'data': { 'x': 'str' } } # comment after
        {'command':'compact','data':{'a':'int','b':['str']},'returns':{'type':'int'}}
        { "command": "double-quoted" }
        [ 'not', 'an', 'expression' ]
        { 'event': 'E', 'data': { '\u0000': 'int', 'tab\t': 'str' } }
        """,
    ];

    /// <summary>Bits of the dialect the mutator inserts.</summary>
    private static readonly string[] s_tokens =
    [
        "{ 'enum': '", "{ 'struct': '", "{ 'union': '", "{ 'alternate': '", "{ 'command': '", "{ 'event': '", "{ 'include': '",
        "{ 'pragma': { ", "'data': { ", "'data': [ ", "'base': ", "'discriminator': ", "'returns': ", "'boxed': true", "'if': ",
        "{ 'all': [ ", "{ 'any': [ ", "{ 'not': ", "'features': [ ", "'prefix': ", "'gen': false", "'*", "'**", "[ 'str' ]",
        "{ 'include': 'inc.json' }\n", "{ 'include': 'loop.json' }\n", "'inc.json'", "'loop.json'", "'fuzz.json'", "'sub-common.json'", "true", "false", "null", "'", "\"", "\\", "\\'", "\\u0041",
        "{", "}", "[", "]", ":", ",", "\n", "\r\n", "\r", "\t", "\u2028", "\u0085", "\0", "#", "##\n", "# @x:\n", "# @a: b\n",
        "# Returns: x\n", "# Since: 1.0\n", "# Example:\n", "# Features:\n", "# = H\n", "# -> {\n", "# <- {\n", "#     \n",
    ];

    private static readonly byte[] s_include = "{ 'include': 'inc.json' }\n"u8.ToArray();

    public static int Run(long inputs, int seed, Watchdog watchdog, string findings)
    {
        var cases = CaseFiles(out var casesNote);
        var qemu = QemuFiles(out var qemuNote);

        var seeds = new List<string>(s_seeds);
        seeds.AddRange(cases.Values);
        foreach (var text in qemu.Values)
        {
            // QEMU's files cut at their top-level expressions (with the doc comment before each), alone and in runs of a few.
            var points = TopLevelStarts(text);
            for (var i = 0; i + 1 < points.Count; i++)
            {
                for (var run = 1; run <= 3 && i + run < points.Count; run++)
                {
                    seeds.Add(text[points[i]..points[i + run]]);
                }
            }
        }

        Console.WriteLine($"qapi: {s_seeds.Length} seeds of our own, {casesNote}, {qemuNote}: {seeds.Count} seeds");
        var random = new Random(seed);
        var mutator = new Mutator(random, [.. seeds.Where(s => s.Length is > 0 and < 20_000).Select(Encoding.UTF8.GetBytes)], [.. s_tokens.Select(Encoding.UTF8.GetBytes), [0xed, 0xa0, 0x80], [0xff]]);
        string[] qemuNames = [.. qemu.Keys.Order(StringComparer.Ordinal)];
        var failures = 0;
        long diagnostics = 0, whole = 0, included = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            Dictionary<string, string> files;
            string top;
            byte[] input;
            if (qemuNames.Length > 0 && i % 5000 == 4999)
            {
                // QEMU's whole schema with one of its files mutated: the checks across files and includes.
                var victim = qemuNames[random.Next(qemuNames.Length)];
                input = mutator.Mutate(Encoding.UTF8.GetBytes(qemu[victim]));
                files = new Dictionary<string, string>(qemu, StringComparer.Ordinal) { [victim] = Encoding.UTF8.GetString(input) };
                top = "qapi/qapi-schema.json";
                whole++;
            }
            else
            {
                // One text as fuzz.json; inc.json is another seed as it is, loop.json the text itself, and the
                // corpus's sub-*.json files are there for its includes. Nothing else exists.
                // One in eight includes inc.json first, so the include paths see mutants too.
                var chosen = mutator.Seed();
                input = mutator.Mutate(random.Next(8) == 0 ? [.. s_include, .. chosen] : chosen);
                files = new Dictionary<string, string>(cases, StringComparer.Ordinal)
                {
                    ["fuzz.json"] = Encoding.UTF8.GetString(input),
                    ["inc.json"] = seeds[random.Next(seeds.Count)],
                };
                files["loop.json"] = files["fuzz.json"];
                top = "fuzz.json";
            }

            watchdog.Arm("qapi", input);
            try
            {
                diagnostics += QapiAdapter.Read(top, files, out var read);
                included += read - 1;
            }
            catch (Exception ex)
            {
                failures += QmpFuzzer.Save(findings, "qapi", input, ex.ToString());
            }
            finally
            {
                watchdog.Disarm();
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"qapi: {i + 1} inputs, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.WriteLine($"qapi: {inputs} inputs ({whole} whole QEMU 7.2 schemas, {included} included files read) in {clock.Elapsed.TotalSeconds:F1} s, {diagnostics} diagnostics, {failures} findings");
        return failures;
    }

    /// <summary>Offsets where a top-level expression (or the doc comment right before it) starts, and the end.</summary>
    private static List<int> TopLevelStarts(string text)
    {
        var points = new SortedSet<int> { 0, text.Length };
        var docStart = -1;
        for (var at = 0; at < text.Length;)
        {
            var end = text.IndexOf('\n', at);
            end = end < 0 ? text.Length : end + 1;
            if (text.AsSpan(at).StartsWith("##"))
            {
                docStart = docStart < 0 ? at : docStart;
            }
            else if (text[at] == '{')
            {
                points.Add(docStart < 0 ? at : docStart);
                docStart = -1;
            }
            else if (text[at] != '#')
            {
                docStart = -1;
            }

            at = end;
        }

        return [.. points];
    }

    /// <summary>The QAPI case corpus by file name (so its includes resolve among themselves), found above the tool's folder.</summary>
    private static Dictionary<string, string> CaseFiles(out string note)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cases = Path.Combine(dir.FullName, "tests", "Generator.Tests", "Qapi", "Cases");
            if (Directory.Exists(cases))
            {
                var files = Directory.GetFiles(cases, "*.json").Order(StringComparer.Ordinal).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
                note = $"{files.Count} corpus cases";
                return files;
            }
        }

        note = "no corpus cases (tests/Generator.Tests/Qapi/Cases not found)";
        return new(StringComparer.Ordinal);
    }

    /// <summary>QEMU 7.2's qapi/*.json keyed qapi/NAME, from eng/get-qemu-schema.sh's cache; none when it is not there.</summary>
    private static Dictionary<string, string> QemuFiles(out string note)
    {
        var dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "qmp-codegen", "qemu-7.2.0", "qapi");
        if (!File.Exists(Path.Combine(dir, "qapi-schema.json")))
        {
            note = $"no QEMU 7.2 schema ({dir} not there: run eng/get-qemu-schema.sh bookworm)";
            return new(StringComparer.Ordinal);
        }

        var files = Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).ToDictionary(f => "qapi/" + Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        note = $"{files.Count} QEMU 7.2 files";
        return files;
    }
}
