using System.Diagnostics;
using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;
using Xunit.Abstractions;

namespace Qmp.Codegen.Tests.Qapi;

/// <summary>
/// Our corpus against the real thing: QEMU's own scripts/qapi (7.2's and 10.0's, run with python3
/// by qapi_check.py) must accept each case we read without errors and reject each case we report
/// an error for. A case named <c>*-72</c> is written in QEMU 7.2's doc dialect and compared with 7.2
/// only, <c>*-10</c> with 10.0 only (each QEMU rejects the other's dialect; we read both).
/// Skipped with the reason when python3 or QEMU's sources cannot be had.
/// </summary>
public sealed class QemuAgreementTests(ITestOutputHelper output)
{
    private static string CasesDir() => Qmp.Testing.Repository.PathOf("tests", "Generator.Tests", "Qapi", "Cases");

    [QemuSchemaFact("bookworm")]
    public void Qemu_7_2_agrees_with_every_case() => Agree("bookworm", "-10");

    [QemuSchemaFact("trixie")]
    public void Qemu_10_0_agrees_with_every_case() => Agree("trixie", "-72");

    private void Agree(string suite, string otherDialect)
    {
        var files = Directory.GetFiles(CasesDir(), "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("sub-", StringComparison.Ordinal))
            .Where(f => !Path.GetFileNameWithoutExtension(f).EndsWith(otherDialect, StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        var qemu = RunQemu(QemuSources.Get(suite).Dir!, files);
        if (qemu is null)
        {
            output.WriteLine("python3 with QEMU's scripts/qapi could not run; nothing compared");
            return;
        }
        var disagreements = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var ours = QapiReader.Read(name, p => File.Exists(Path.Combine(CasesDir(), p)) ? File.ReadAllText(Path.Combine(CasesDir(), p)) : null)
                .Diagnostics.FirstOrDefault(d => d.Severity == SchemaSeverity.Error);
            var theirs = qemu.TryGetValue(name, out var verdict) ? verdict : "(no verdict)";
            output.WriteLine($"{name}: ours {(ours is null ? "ok" : ours.Id + " " + ours.Message)} | QEMU {theirs}");
            if ((ours is null) != (theirs == "ok"))
            {
                disagreements.Add(name);
            }
            else if (ours is not null && s_sameWords.Contains(name) && TheirLineAndWords(name, theirs) != (ours.Location.Line, ours.Message))
            {
                disagreements.Add(name + ": QEMU says " + theirs + ", we say " + ours.Location.Line + ": " + ours.Message);
            }
        }
        Assert.Empty(disagreements);
    }

    /// <summary>
    /// Cases whose first error we report in QEMU's words and at QEMU's line (both QEMUs word them alike).
    /// Others differ in words, or in line where we point at the member or line at fault and QEMU at the
    /// block or definition (bad-doc-absent-member, bad-doc-not-followed, bad-doc-unterminated).
    /// </summary>
    private static readonly HashSet<string> s_sameWords = new(StringComparer.Ordinal)
    {
        "bad-union-no-branches.json", "bad-redefine-builtin-command.json", "bad-feature-special-on-type.json",
        "bad-doc-deindent.json", "bad-doc-at-in-free-form.json", "bad-doc-duplicate-section.json",
        "bad-doc-feature-undocumented.json", "bad-doc-member-undocumented-10.json", "bad-doc-missing-space.json",
        "bad-doc-required.json", "bad-doc-symbol-colon.json",
        "bad-duplicate-key.json", "bad-flag.json", "bad-missing-key.json",
        "bad-redefine-builtin.json", "bad-syntax-escape.json", "bad-syntax-number.json", "bad-syntax-string-unterminated.json",
        "bad-top-level-not-object.json", "bad-expression-two-kinds.json", "bad-syntax-funny-character.json",
    };

    /// <summary>QEMU's line and message out of its verdict: <c>error FILE: In union 'X': FILE:3: union has no branches</c>.</summary>
    private static (int, string) TheirLineAndWords(string name, string verdict)
    {
        var match = System.Text.RegularExpressions.Regex.Match(verdict, System.Text.RegularExpressions.Regex.Escape(name) + @":(\d+)(?::\d+)?: (.*)$",
            System.Text.RegularExpressions.RegexOptions.RightToLeft);
        return match.Success ? (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value) : (0, verdict);
    }

    private static Dictionary<string, string>? RunQemu(string qemuDir, List<string> files)
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CasesDir() };
            start.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(CasesDir())!, "qapi_check.py"));
            start.ArgumentList.Add(qemuDir);
            foreach (var file in files)
            {
                start.ArgumentList.Add(Path.GetFileName(file));
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            process.WaitForExit();
            _ = stderr.Result;
            if (process.ExitCode != 0)
            {
                return null;
            }

            return lines.Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
