using System;

namespace Qmp.Codegen.Helpers;

/// <summary>
/// A StringBuilder with an indentation level: the emitters write generated C# line by line with it.
/// No SyntaxFactory and no NormalizeWhitespace: what is written is what the user reads.
/// </summary>
public sealed class SourceWriter
{
    private const string IndentUnit = "    ";

    /// <summary>The largest buffer kept for the next writer on the same thread (2M characters, 4 MB: QEMU 7.2's unions file is 1.6M); a larger one goes to the GC.</summary>
    private const int MaxSpareLength = 1 << 21;

    /// <summary>
    /// The buffer of the last writer that finished on this thread, for the next one: a generator run
    /// writes a few hundred files, and growing a fresh buffer for each, then copying it into the
    /// result, would allocate every file twice. Thread-static: the compiler may run generators of
    /// several compilations at once.
    /// </summary>
    [ThreadStatic]
    private static char[]? s_spare;

    private char[]? _buffer;
    private int _length;

    /// <summary>The text once <see cref="ToString"/> was called (the buffer is then given back).</summary>
    private string? _text;

    /// <summary>
    /// <c>[GeneratedCode]</c> on every generated type: analyzers, coverage and debuggers' "just my
    /// code" treat it as tool output. The version is the generator's own.
    /// </summary>
    public static readonly string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"Qmp.Codegen\", \""
        + (typeof(SourceWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0") + "\")]";

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
            CheckOneLine(text, 0, text.Length);
            Indent();
            Append(text, 0, text.Length);
        }
        Append('\n');
        return this;
    }

    /// <summary>
    /// Writes one line made of <paramref name="prefix"/>, <paramref name="text"/> from
    /// <paramref name="start"/> for <paramref name="length"/> characters, and <paramref name="suffix"/>,
    /// at the current indentation, without building the line as a string first.
    /// </summary>
    public SourceWriter Line(string prefix, string text, int start, int length, string suffix = "")
    {
        CheckOneLine(prefix, 0, prefix.Length);
        CheckOneLine(text, start, length);
        CheckOneLine(suffix, 0, suffix.Length);
        Indent();
        Append(prefix, 0, prefix.Length);
        Append(text, start, length);
        Append(suffix, 0, suffix.Length);
        Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter Open(string? header = null)
    {
        if (header is not null && Indentation == 0 && header.StartsWith("public ", StringComparison.Ordinal))
        {
            // Each generated type is declared public in exactly one file (its other partial parts are
            // plain "partial class"), so the attribute is written once per type, where it is public.
            Line(GeneratedCode);
            Line(Internal ? "internal " + header.Substring("public ".Length) : header);
        }
        else if (header is not null)
        {
            Line(header);
        }
        Line("{");
        Indentation++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> (or <c>};</c> and the like).</summary>
    public SourceWriter Close(string closing = "}")
    {
        if (Indentation == 0)
        {
            throw new InvalidOperationException("Unbalanced Close.");
        }

        Indentation--;
        return Line(closing);
    }

    /// <summary>Writes a multi-line block, each line at the current indentation.</summary>
    public SourceWriter Lines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            Line(line);
        }

        return this;
    }

    /// <summary>The text written; the buffer goes to the next writer on this thread (writing more afterwards takes another).</summary>
    public override string ToString()
    {
        if (_buffer is null)
        {
            return _text ?? string.Empty;
        }

        _text = new string(_buffer, 0, _length);
        if (_buffer.Length <= MaxSpareLength && (s_spare is null || s_spare.Length < _buffer.Length))
        {
            s_spare = _buffer;
        }

        _buffer = null;
        return _text;
    }

    /// <summary>
    /// A line is one line: schema text reaches C# only through <see cref="CSharpText"/>, which leaves
    /// no line break in it; one that got past would end a comment or a literal and let the rest run
    /// as code, so writing it is a bug and fails the run rather than emitting it.
    /// </summary>
    private static void CheckOneLine(string text, int start, int length)
    {
        for (var i = start; i < start + length; i++)
        {
            if (LineMap.IsLineBreak(text[i]))
            {
                throw new InvalidOperationException("A generated line holds a line break (U+" + ((int)text[i]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + ").");
            }
        }
    }

    private void Indent()
    {
        for (var i = 0; i < Indentation; i++)
        {
            Append(IndentUnit, 0, IndentUnit.Length);
        }
    }

    private void Append(char c)
    {
        Reserve(1);
        _buffer![_length++] = c;
    }

    private void Append(string text, int start, int count)
    {
        Reserve(count);
        text.CopyTo(start, _buffer!, _length, count);
        _length += count;
    }

    /// <summary>Makes room for <paramref name="count"/> more characters: a buffer to write in (the spare one, or the text so far back in one), grown by doubling.</summary>
    private void Reserve(int count)
    {
        if (_buffer is null)
        {
            _buffer = s_spare ?? new char[4096];
            s_spare = null;
            if (_text is not null)
            {
                // Writing after ToString: the text so far goes back into a buffer first.
                if (_buffer.Length < _text.Length)
                {
                    _buffer = new char[_text.Length * 2];
                }

                _text.CopyTo(0, _buffer, 0, _text.Length);
                _text = null;
            }
        }
        if (_length + count <= _buffer.Length)
        {
            return;
        }

        var grown = new char[Math.Max(_buffer.Length * 2, _length + count)];
        Array.Copy(_buffer, grown, _length);
        _buffer = grown;
    }
}
