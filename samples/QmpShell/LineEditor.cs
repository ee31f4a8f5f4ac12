using System.Text;

namespace QmpShell;

/// <summary>
/// A small line editor over <see cref="Console.ReadKey(bool)"/> and ANSI sequences: left/right,
/// Home/End (Ctrl-A/Ctrl-E), Backspace/Delete, Ctrl-U/Ctrl-K/Ctrl-W, Ctrl-L, up/down history
/// (Ctrl-P/Ctrl-N), Tab completion (a unique match is inserted, an ambiguous one extends to the
/// common prefix, then lists the candidates), Ctrl-C drops the line, Ctrl-D on an empty line ends.
/// Output written while a line is being edited appears above the prompt, and the line is redrawn,
/// so events can arrive at any time without garbling what is being typed.
/// </summary>
internal sealed class LineEditor : IShellConsole
{
    private readonly string _prompt;
    private readonly Func<string, int, CompletionResult> _complete;
    private readonly History _history;
    private readonly StringBuilder _buffer = new();
    private readonly TextWriter _out = Console.Out;
    private int _cursor;
    private int _cursorRow;
    private bool _editing;
    private int _historyIndex;
    private string _draft = string.Empty;

    public LineEditor(string prompt, Func<string, int, CompletionResult> complete, History history)
    {
        _prompt = prompt;
        _complete = complete;
        _history = history;
        Console.TreatControlCAsInput = true;
    }

    public object Sync { get; } = new();

    public int Width => TerminalWidth;

    public bool Colors => true;

    public void WriteLine(string text)
    {
        lock (Sync)
        {
            if (!_editing)
            {
                _out.Write(text + "\n");
                _out.Flush();
                return;
            }
            var sb = new StringBuilder();
            ClearEditArea(sb);
            sb.Append(text).Append('\n');
            Render(sb);
        }
    }

    public string? ReadLine(CancellationToken cancellationToken)
    {
        lock (Sync)
        {
            _buffer.Clear();
            _cursor = 0;
            _cursorRow = 0;
            _historyIndex = _history.Lines.Count;
            _draft = string.Empty;
            _editing = true;
            Render(new StringBuilder());
        }
        try
        {
            while (true)
            {
                while (!Console.KeyAvailable)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        lock (Sync)
                        {
                            _out.Write("\n");
                        }

                        return null;
                    }
                    Thread.Sleep(15);
                }
                var key = Console.ReadKey(intercept: true);
                lock (Sync)
                {
                    var done = Handle(key, out var line);
                    if (done)
                    {
                        if (!string.IsNullOrWhiteSpace(line))
                        {
                            _history.Add(line);
                        }

                        return line;
                    }
                }
            }
        }
        finally
        {
            lock (Sync)
            {
                _editing = false;
            }
        }
    }

    /// <summary>One key; true with the line (null at end of input) when the line is finished.</summary>
    private bool Handle(ConsoleKeyInfo key, out string? line)
    {
        line = null;
        var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                line = _buffer.ToString();
                Finish("\n");
                return true;
            case ConsoleKey.D when ctrl:
                if (_buffer.Length == 0)
                {
                    Finish("\n");
                    return true;
                }
                Delete();
                return false;
            case ConsoleKey.C when ctrl:
                Finish("^C\n");
                line = string.Empty;
                return true;
            case ConsoleKey.Tab:
                Tab();
                return false;
            case ConsoleKey.Backspace:
            case ConsoleKey.H when ctrl:
                if (_cursor > 0)
                {
                    _buffer.Remove(--_cursor, 1);
                    Redraw();
                }
                return false;
            case ConsoleKey.Delete:
                Delete();
                return false;
            case ConsoleKey.LeftArrow:
            case ConsoleKey.B when ctrl:
                MoveTo(_cursor - 1);
                return false;
            case ConsoleKey.RightArrow:
            case ConsoleKey.F when ctrl:
                MoveTo(_cursor + 1);
                return false;
            case ConsoleKey.Home:
            case ConsoleKey.A when ctrl:
                MoveTo(0);
                return false;
            case ConsoleKey.End:
            case ConsoleKey.E when ctrl:
                MoveTo(_buffer.Length);
                return false;
            case ConsoleKey.UpArrow:
            case ConsoleKey.P when ctrl:
                HistoryMove(-1);
                return false;
            case ConsoleKey.DownArrow:
            case ConsoleKey.N when ctrl:
                HistoryMove(+1);
                return false;
            case ConsoleKey.U when ctrl:
                _buffer.Remove(0, _cursor);
                _cursor = 0;
                Redraw();
                return false;
            case ConsoleKey.K when ctrl:
                _buffer.Length = _cursor;
                Redraw();
                return false;
            case ConsoleKey.W when ctrl:
                {
                    var start = _cursor;
                    while (start > 0 && _buffer[start - 1] == ' ')
                    {
                        start--;
                    }

                    while (start > 0 && _buffer[start - 1] != ' ')
                    {
                        start--;
                    }

                    _buffer.Remove(start, _cursor - start);
                    _cursor = start;
                    Redraw();
                    return false;
                }
            case ConsoleKey.L when ctrl:
                _cursorRow = 0;
                Render(new StringBuilder("\x1b[H\x1b[2J"));
                return false;
        }
        if (!ctrl && key.KeyChar >= ' ' && !char.IsControl(key.KeyChar))
        {
            _buffer.Insert(_cursor++, key.KeyChar);
            Redraw();
        }
        return false;
    }

    private void Delete()
    {
        if (_cursor < _buffer.Length)
        {
            _buffer.Remove(_cursor, 1);
            Redraw();
        }
    }

    private void MoveTo(int position)
    {
        _cursor = Math.Clamp(position, 0, _buffer.Length);
        Redraw();
    }

    private void HistoryMove(int delta)
    {
        var lines = _history.Lines;
        var index = _historyIndex + delta;
        if (index < 0 || index > lines.Count)
        {
            return;
        }

        if (_historyIndex == lines.Count)
        {
            _draft = _buffer.ToString();
        }

        _historyIndex = index;
        _buffer.Clear().Append(index == lines.Count ? _draft : lines[index]);
        _cursor = _buffer.Length;
        Redraw();
    }

    private void Tab()
    {
        var text = _buffer.ToString();
        var result = _complete(text, _cursor);
        if (result.Candidates.Count == 0)
        {
            return;
        }

        var typed = text[result.Start.._cursor];
        if (result.Candidates.Count == 1)
        {
            var only = result.Candidates[0];
            Replace(result.Start, only + (only.EndsWith('=') ? "" : " "));
            return;
        }
        var prefix = result.CommonPrefix;
        if (prefix.Length > typed.Length)
        {
            Replace(result.Start, prefix);
            return;
        }
        // Nothing more to insert: list the candidates under the line, then prompt again.
        var sb = new StringBuilder();
        MoveToEnd(sb);
        sb.Append('\n').Append(Columns(result.Candidates, TerminalWidth)).Append('\n');
        _cursorRow = 0;
        Render(sb);
    }

    private void Replace(int start, string insert)
    {
        _buffer.Remove(start, _cursor - start).Insert(start, insert);
        _cursor = start + insert.Length;
        Redraw();
    }

    private void Finish(string tail)
    {
        var sb = new StringBuilder();
        MoveToEnd(sb);
        sb.Append(tail);
        _cursorRow = 0;
        _editing = false;
        _out.Write(sb.ToString());
        _out.Flush();
    }

    private static string Columns(IReadOnlyList<string> items, int width)
    {
        var column = items.Max(i => i.Length) + 2;
        var perLine = Math.Max(1, width / column);
        var sb = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0 && i % perLine == 0)
            {
                sb.Append('\n');
            }

            sb.Append(i % perLine == perLine - 1 || i == items.Count - 1 ? items[i] : items[i].PadRight(column));
        }
        return sb.ToString();
    }

    private static int TerminalWidth
    {
        get
        {
            try
            {
                var width = Console.WindowWidth;
                return width > 0 ? width : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }

    private void Redraw()
    {
        var sb = new StringBuilder();
        ClearEditArea(sb);
        Render(sb);
    }

    /// <summary>Moves to the start of the prompt and erases to the end of the screen.</summary>
    private void ClearEditArea(StringBuilder sb)
    {
        if (_cursorRow > 0)
        {
            sb.Append("\x1b[").Append(_cursorRow).Append('A');
        }

        sb.Append("\r\x1b[J");
        _cursorRow = 0;
    }

    /// <summary>Moves the terminal cursor from its place to just after the last character of the line.</summary>
    private void MoveToEnd(StringBuilder sb)
    {
        var width = TerminalWidth;
        var length = _prompt.Length + _buffer.Length;
        var endRow = length / width;
        if (endRow > _cursorRow)
        {
            sb.Append("\x1b[").Append(endRow - _cursorRow).Append('B');
        }

        sb.Append('\r');
        if (length % width > 0)
        {
            sb.Append("\x1b[").Append(length % width).Append('C');
        }

        _cursorRow = endRow;
    }

    /// <summary>Writes prompt and line from the start of the edit area and puts the cursor in place.</summary>
    private void Render(StringBuilder sb)
    {
        var width = TerminalWidth;
        var text = _prompt + _buffer;
        sb.Append(text);
        var endRow = text.Length / width;
        if (text.Length > 0 && text.Length % width == 0)
        {
            sb.Append(" \r\x1b[K"); // leave the pending-wrap state: the cursor goes to the next row
        }

        var target = _prompt.Length + _cursor;
        var row = target / width;
        if (endRow > row)
        {
            sb.Append("\x1b[").Append(endRow - row).Append('A');
        }

        sb.Append('\r');
        if (target % width > 0)
        {
            sb.Append("\x1b[").Append(target % width).Append('C');
        }

        _cursorRow = row;
        _out.Write(sb.ToString());
        _out.Flush();
    }
}

/// <summary>Command history, kept in a file (one line each, the last 1000).</summary>
internal sealed class History
{
    private const int MaxLines = 1000;
    private readonly List<string> _lines = [];
    private readonly string? _path;

    public History(string? path)
    {
        _path = path;
        if (path is null || !File.Exists(path))
        {
            return;
        }

        try
        {
            _lines.AddRange(File.ReadAllLines(path).Where(l => l.Length > 0).TakeLast(MaxLines));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".qmp-shell-history");

    public IReadOnlyList<string> Lines => _lines;

    public void Add(string line)
    {
        line = line.Trim();
        if (line.Length == 0 || (_lines.Count > 0 && _lines[^1] == line))
        {
            return;
        }

        _lines.Add(line);
        if (_path is null)
        {
            return;
        }

        try
        {
            File.AppendAllText(_path, line + "\n");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
