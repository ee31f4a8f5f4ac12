using System;
using System.Text;

namespace Qmp.Codegen.Helpers;

/// <summary>
/// A StringBuilder with an indentation level: the emitters write generated C# line by line with it.
/// No SyntaxFactory and no NormalizeWhitespace: what is written is what the user reads.
/// </summary>
public sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    /// <summary>
    /// <c>Access="Internal"</c>: a type declared at the top level (the files use file-scoped
    /// namespaces, so that is indentation 0) as <c>public</c> is written <c>internal</c>. This one
    /// place decides the accessibility of every generated type; members keep theirs.
    /// </summary>
    public bool Internal { get; set; }

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (var i = 0; i < Indentation; i++)
                _builder.Append(IndentUnit);
            _builder.Append(text);
        }
        _builder.Append('\n');
        return this;
    }

    /// <summary>
    /// Writes one line made of <paramref name="prefix"/>, <paramref name="text"/> from
    /// <paramref name="start"/> for <paramref name="length"/> characters, and <paramref name="suffix"/>,
    /// at the current indentation, without building the line as a string first.
    /// </summary>
    public SourceWriter Line(string prefix, string text, int start, int length, string suffix = "")
    {
        for (var i = 0; i < Indentation; i++)
            _builder.Append(IndentUnit);
        _builder.Append(prefix).Append(text, start, length).Append(suffix).Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter Open(string? header = null)
    {
        if (header is not null)
            Line(Internal && Indentation == 0 && header.StartsWith("public ", StringComparison.Ordinal) ? "internal " + header.Substring("public ".Length) : header);
        Line("{");
        Indentation++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> (or <c>};</c> and the like).</summary>
    public SourceWriter Close(string closing = "}")
    {
        if (Indentation == 0)
            throw new InvalidOperationException("Unbalanced Close.");
        Indentation--;
        return Line(closing);
    }

    /// <summary>Writes a multi-line block, each line at the current indentation.</summary>
    public SourceWriter Lines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
            Line(line);
        return this;
    }

    public override string ToString() => _builder.ToString();
}
