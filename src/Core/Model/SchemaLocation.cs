namespace Qmp.Codegen.Model;

/// <summary>
/// A span of a schema file: character offset and length, plus 1-based line and column of both
/// ends. A value type, so models that carry it stay equatable (never a Roslyn Location).
/// </summary>
public readonly record struct SchemaLocation(string Path, int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
{
    public static readonly SchemaLocation None = new(string.Empty, 0, 0, 0, 0, 0, 0);

    public override string ToString() => $"{Path}({Line},{Column})";
}
