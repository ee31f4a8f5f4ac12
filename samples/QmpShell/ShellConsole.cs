namespace QmpShell;

/// <summary>Where the shell reads lines and writes output; writes are safe from any thread.</summary>
internal interface IShellConsole
{
    /// <summary>Held while a batch of output must not interleave with other output.</summary>
    object Sync { get; }

    /// <summary>The next line, or null at end of input (Ctrl-D, end of the pipe, or <paramref name="cancellationToken"/>).</summary>
    string? ReadLine(CancellationToken cancellationToken);

    /// <summary>Writes a line (when a line is being edited, above it).</summary>
    void WriteLine(string text);

    /// <summary>Columns to lay tables out in.</summary>
    int Width { get; }

    /// <summary>Whether output may carry ANSI colours (a terminal, not a pipe).</summary>
    bool Colors { get; }
}

/// <summary>Standard input that is not a terminal: plain lines, no prompt, so the shell is scriptable.</summary>
internal sealed class PlainConsole(TextReader input, TextWriter output) : IShellConsole
{
    public object Sync { get; } = new();

    public string? ReadLine(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? null : input.ReadLine();

    public int Width => 100;

    public bool Colors => false;

    public void WriteLine(string text)
    {
        lock (Sync)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
