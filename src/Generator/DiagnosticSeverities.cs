using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen;

/// <summary>One .editorconfig file the build passed as an additional file: its path and text.</summary>
public sealed record EditorConfigInput(string Path, string Text);

/// <summary>A schema file's <c>Diagnostics</c> metadata (<c>all</c> raises the Info ones to Warning).</summary>
public sealed record DiagnosticsSetting(string Path, string? Value)
{
    public bool All => string.Equals(Value?.Trim(), "all", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The severity each schema diagnostic is reported with. The compiler applies an .editorconfig's
/// <c>dotnet_diagnostic.ID.severity</c> only to diagnostics located in C# files (dotnet/roslyn#31916),
/// and ours are located in .hx files; so the package passes the project's .editorconfig files to
/// the generator, which reads them with Roslyn's own parser for the .hx file's path and applies
/// them here. Precedence: an .editorconfig severity for the id, then <c>Diagnostics="all"</c>
/// (Info becomes Warning), then the id's default. Global configs (.globalconfig), <c>NoWarn</c>
/// and <c>WarningsAsErrors</c> are applied by the compiler after this, as for any diagnostic.
/// </summary>
public sealed record DiagnosticSeverities(EquatableArray<DiagnosticsSetting> Settings, EquatableArray<EditorConfigInput> EditorConfigs)
{
    /// <summary>Reports every diagnostic with its effective severity; one set to <c>none</c> is left out.</summary>
    public IEnumerable<Diagnostic> Apply(IEnumerable<SchemaDiagnostic> diagnostics)
    {
        var all = new HashSet<string>(Settings.Where(s => s.All).Select(s => s.Path), StringComparer.Ordinal);
        var configs = EditorConfigs.IsEmpty ? null : CreateSet();
        var byPath = new Dictionary<string, AnalyzerConfigOptionsResult>(StringComparer.Ordinal);
        foreach (var diagnostic in diagnostics)
        {
            var severity = diagnostic.Severity switch
            {
                SchemaSeverity.Error => DiagnosticSeverity.Error,
                SchemaSeverity.Warning => DiagnosticSeverity.Warning,
                _ => DiagnosticSeverity.Info,
            };
            var path = diagnostic.Location.Path ?? string.Empty;
            if (severity == DiagnosticSeverity.Info && all.Contains(path))
            {
                severity = DiagnosticSeverity.Warning;
            }

            if (configs is not null && path.Length > 0)
            {
                if (!byPath.TryGetValue(path, out var options))
                {
                    byPath[path] = options = configs.GetOptionsForSourcePath(path);
                }

                if (options.TreeOptions.TryGetValue(diagnostic.Id, out var configured))
                {
                    if (configured == ReportDiagnostic.Suppress)
                    {
                        continue;
                    }

                    severity = configured switch
                    {
                        ReportDiagnostic.Error => DiagnosticSeverity.Error,
                        ReportDiagnostic.Warn => DiagnosticSeverity.Warning,
                        ReportDiagnostic.Info => DiagnosticSeverity.Info,
                        ReportDiagnostic.Hidden => DiagnosticSeverity.Hidden,
                        _ => severity,
                    };
                }
            }
            yield return QmpGenerator.ToDiagnostic(diagnostic, severity);
        }
    }

    private AnalyzerConfigSet CreateSet() =>
        AnalyzerConfigSet.Create(EditorConfigs
            // A global config's severities are the compiler's to apply (they reach every location).
            .Where(c => !IsGlobal(c.Text))
            .Select(c => AnalyzerConfig.Parse(c.Text, c.Path))
            .ToList());

    /// <summary><c>is_global = true</c> before the first section, as the compiler reads it.</summary>
    private static bool IsGlobal(string text)
    {
        var firstSection = System.Text.RegularExpressions.Regex.Match(text, @"^\s*\[", System.Text.RegularExpressions.RegexOptions.Multiline);
        var preamble = firstSection.Success ? text.Substring(0, firstSection.Index) : text;
        return System.Text.RegularExpressions.Regex.IsMatch(preamble, @"^\s*is_global\s*=\s*true\s*$",
            System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }
}
