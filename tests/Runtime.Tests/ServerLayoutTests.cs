using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Qmp.Runtime.Tests;

/// <summary>
/// Keeps src/Runtime/Server split by responsibility (issue 22): no file over 400 lines and no method
/// (constructor, accessor, local function) over 80, read from the sources with Roslyn.
/// </summary>
public class ServerLayoutTests
{
    private const int MaxFileLines = 400;
    private const int MaxMethodLines = 80;

    private static IEnumerable<string> ServerSources() =>
        Directory.EnumerateFiles(Repository.PathOf("src", "Runtime", "Server"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [Fact]
    public void No_server_file_is_over_400_lines()
    {
        var files = ServerSources().ToList();
        Assert.NotEmpty(files);
        var tooLong = files
            .Select(f => (File: Path.GetFileName(f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > MaxFileLines)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, $"over {MaxFileLines} lines: " + string.Join(", ", tooLong));
    }

    [Fact]
    public void No_server_method_is_over_80_lines()
    {
        var tooLong = new List<string>();
        var methods = 0;
        foreach (var file in ServerSources())
        {
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (var node in root.DescendantNodes())
            {
                var name = node switch
                {
                    BaseMethodDeclarationSyntax m when m.Body is not null || m.ExpressionBody is not null => m switch
                    {
                        MethodDeclarationSyntax method => method.Identifier.Text,
                        ConstructorDeclarationSyntax ctor => ctor.Identifier.Text + " (constructor)",
                        _ => m.Kind().ToString(),
                    },
                    AccessorDeclarationSyntax a when a.Body is not null || a.ExpressionBody is not null =>
                        (a.Parent?.Parent as BasePropertyDeclarationSyntax)?.ToString().Split('\n')[0].Trim() + " " + a.Keyword.Text,
                    LocalFunctionStatementSyntax local => local.Identifier.Text + " (local function)",
                    _ => null,
                };
                if (name is null)
                {
                    continue;
                }

                methods++;
                var span = node.GetLocation().GetLineSpan();
                var lines = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
                if (lines > MaxMethodLines)
                {
                    tooLong.Add($"{Path.GetFileName(file)}:{span.StartLinePosition.Line + 1} {name}: {lines} lines");
                }
            }
        }

        Assert.True(methods > 20, $"only {methods} methods found: is the parse right?");
        Assert.True(tooLong.Count == 0, $"over {MaxMethodLines} lines: " + string.Join(", ", tooLong));
    }
}
