using System.Buffers;

namespace Qmp.Runtime.Protocol;

/// <summary>What <see cref="QmpJsonStreamer.ReadAsync"/> found next.</summary>
internal enum QmpInputKind
{
    /// <summary>A balanced run of tokens (usually one JSON value) in standard JSON: <see cref="QmpInput.Json"/>.</summary>
    Message,
    /// <summary>
    /// A lexical error; the lexer skips to the next structural or control character. <see cref="QmpInput.Json"/>
    /// holds the bad token's bytes so far and the byte that ended it (not JSON).
    /// </summary>
    LexicalError,
    /// <summary>The message grew past <c>MaxMessageBytes</c>; its tokens were dropped.</summary>
    TooLarge,
    /// <summary>The message nested deeper than <c>MaxDepth</c>; its tokens were dropped.</summary>
    TooDeep,
    /// <summary>The peer closed the stream (a partial message is discarded).</summary>
    EndOfStream,
}

internal readonly record struct QmpInput(QmpInputKind Kind, ReadOnlyMemory<byte> Json);

/// <summary>
/// The server's input side, built to frame and recover exactly as QEMU's JSON lexer and streamer do
/// (qobject/json-lexer.c, json-streamer.c), so every byte sequence splits into the same messages and
/// errors on both:
/// <list type="bullet">
/// <item>Tokens: strings in double or single quotes, numbers, lower-case keywords, and the six
/// structural characters; whitespace is space, tab, CR, LF.</item>
/// <item>A message ends when its braces and brackets balance (a lone scalar is a message, a stray
/// <c>}</c> or <c>:</c> too). Its tokens are handed over as standard JSON (single-quoted strings
/// rewritten, tokens separated) for the parser to accept or refuse.</item>
/// <item>A byte no token can take (a control character, 0xFE/0xFF, an unknown character, a malformed
/// number) is a lexical error: the tokens gathered so far are dropped, one error is reported, and the
/// lexer skips to the next structural character, control character or 0xFE/0xFF, where it starts
/// afresh; whatever follows on the same line is read normally.</item>
/// <item>Limits (QEMU's: 64 MiB of tokens, nesting 1024): the token that crosses one is dropped with
/// everything before it and one error is reported; lexing continues right after it.</item>
/// </list>
/// Memory: the current message only (at most <c>MaxMessageBytes</c> plus one read), never the stream.
/// Each growth of the message's buffer past its first kilobyte is first reserved through the
/// <c>account</c> callback (the server's budget) and released when the buffer is let go; a refused
/// reservation ends reading with <see cref="OperationCanceledException"/> (the connection was closed).
/// The message buffer is unmanaged (<see cref="NativeBuffer"/>): dispose the streamer when done.
/// Not thread-safe: one reader loop owns it. A returned message stays valid until the next call.
/// </summary>
internal sealed class QmpJsonStreamer : IDisposable
{
    private const int ReadSize = 16 * 1024;
    private const int InitialMessageSize = 1024;

    /// <summary>Most bytes of a bad token quoted in a lexical error (QEMU quotes all of it).</summary>
    internal const int MaxStrayBytes = 1024;

    // A message buffer larger than this is let go after its message, so an idle connection holds little.
    private const int KeptMessageSize = 64 * 1024;

    // Bytes that end a run of ordinary string content: quotes, backslash, control bytes, 0xFE, 0xFF.
    private static readonly SearchValues<byte> s_stringSpecial = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\'', (byte)'\\', 0xFE, 0xFF]);

    private readonly QmpReadFunc _read;
    private readonly int _maxMessageBytes;
    private readonly int _maxDepth;
    private readonly Func<long, bool>? _account;
    private readonly byte[] _input = new byte[ReadSize];
    private int _inputStart;
    private int _inputEnd;

    // The message being gathered, as standard JSON.
    private readonly NativeBuffer _message = new(InitialMessageSize);
    private int _length;
    private int _tokenStart;   // where the current token's bytes begin in _message
    private bool _lastWasScalar;
    private int _braces;
    private int _brackets;
    private State _state = State.Start;
    private bool _pendingReset;

    private enum State
    {
        Start,
        Recovery,
        DqString,
        DqEscape,
        SqString,
        SqEscape,
        Zero,
        Sign,
        Digits,
        Mantissa,
        MantissaDigits,
        ExpE,
        ExpSign,
        ExpDigits,
        Keyword,
    }

    private enum Step { Consumed, Reprocess }

    /// <summary>A streamer reading through <paramref name="read"/>; <paramref name="account"/> is asked before the message buffer grows by N bytes (false: stop reading) and told of -N when it shrinks.</summary>
    public QmpJsonStreamer(QmpReadFunc read, int maxMessageBytes, int maxDepth, Func<long, bool>? account = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        _read = read;
        _maxMessageBytes = maxMessageBytes;
        _maxDepth = maxDepth;
        _account = account;
    }

    /// <summary>Bytes held for the message being gathered (for memory accounting).</summary>
    public int BufferedBytes => _length;

    /// <summary>Bytes of message buffer beyond the first kilobyte: what <c>account</c> has been told of.</summary>
    public int AccountedBytes => _message.Length - InitialMessageSize;

    /// <summary>Frees the message buffer; the last message returned is no longer valid.</summary>
    public void Dispose() => ((IDisposable)_message).Dispose();

    /// <summary>Returns the next message or error; <see cref="QmpInputKind.EndOfStream"/> once the peer is gone.</summary>
    public async ValueTask<QmpInput> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingReset)
        {
            ResetMessage();

            // A big message's buffer goes back to the GC instead of staying with the connection.
            ReleaseMessageBuffer();
        }

        while (true)
        {
            if (Scan() is { } found)
            {
                return found;
            }

            _inputStart = 0;
            _inputEnd = await _read(_input, cancellationToken).ConfigureAwait(false);
            if (_inputEnd <= 0)
            {
                _inputEnd = 0;
                ResetMessage();
                _state = State.Start;
                ReleaseMessageBuffer();
                return new QmpInput(QmpInputKind.EndOfStream, default);
            }
        }
    }

    private QmpInput? Scan()
    {
        while (_inputStart < _inputEnd)
        {
            // Fast path through ordinary string content.
            if (_state is State.DqString or State.SqString)
            {
                var rest = _input.AsSpan(_inputStart, _inputEnd - _inputStart);
                var plain = rest.IndexOfAny(s_stringSpecial);
                var take = plain < 0 ? rest.Length : plain;

                // Never past the byte that makes the token one too long: QEMU cuts exactly there.
                take = Math.Min(take, _maxMessageBytes + 1 - (_length - _tokenStart));
                if (take > 0)
                {
                    Append(rest[..take]);
                    _inputStart += take;
                    if (_length - _tokenStart > _maxMessageBytes)
                    {
                        // One token past the limit: QEMU's lexer cuts it and starts afresh.
                        _state = State.Start;
                        return Fail(QmpInputKind.TooLarge);
                    }

                    continue;
                }
            }

            var b = _input[_inputStart];
            QmpInput? output = null;
            if (Feed(b, ref output) == Step.Consumed)
            {
                _inputStart++;
            }

            if (output is not null)
            {
                return output;
            }
        }

        return null;
    }

    /// <summary>One transition of the lexer; may complete a token and so a message or an error.</summary>
    private Step Feed(byte b, ref QmpInput? output)
    {
        switch (_state)
        {
            case State.Start:
                switch (b)
                {
                    case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                        return Step.Consumed;
                    case (byte)'"':
                        BeginToken(scalar: true);
                        Append((byte)'"');
                        _state = State.DqString;
                        return Step.Consumed;
                    case (byte)'\'':
                        BeginToken(scalar: true);
                        Append((byte)'"');
                        _state = State.SqString;
                        return Step.Consumed;
                    case (byte)'0':
                        BeginToken(scalar: true);
                        Append(b);
                        _state = State.Zero;
                        return Step.Consumed;
                    case >= (byte)'1' and <= (byte)'9':
                        BeginToken(scalar: true);
                        Append(b);
                        _state = State.Digits;
                        return Step.Consumed;
                    case (byte)'-':
                        BeginToken(scalar: true);
                        Append(b);
                        _state = State.Sign;
                        return Step.Consumed;
                    case >= (byte)'a' and <= (byte)'z':
                        BeginToken(scalar: true);
                        Append(b);
                        _state = State.Keyword;
                        return Step.Consumed;
                    case (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)',' or (byte)':':
                        BeginToken(scalar: false);
                        Append(b);
                        output = EndToken(b);
                        return Step.Consumed;
                    default:
                        output = LexicalError(b, inToken: false);
                        return Step.Consumed;
                }

            case State.Recovery:
                // Skip to a point where a token can start: structural characters, control characters
                // (except tab) and the bytes UTF-8 never uses; those are then read from the start state.
                if (b is (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)',' or (byte)':' or 0xFE or 0xFF
                    || (b < 0x20 && b != (byte)'\t'))
                {
                    _state = State.Start;
                    return Step.Reprocess;
                }

                return Step.Consumed;

            case State.DqString or State.SqString:
                {
                    var quote = _state == State.DqString ? (byte)'"' : (byte)'\'';
                    if (b == quote)
                    {
                        Append((byte)'"');
                        _state = State.Start;
                        output = EndToken(0);
                        return Step.Consumed;
                    }

                    if (b == (byte)'\\')
                    {
                        _state = _state == State.DqString ? State.DqEscape : State.SqEscape;
                        return Step.Consumed;
                    }

                    if (b < 0x20 || b >= 0xFE)
                    {
                        output = LexicalError(b, inToken: true);
                        return Step.Consumed;
                    }

                    // A double quote inside single quotes must be escaped in standard JSON.
                    if (b == (byte)'"')
                    {
                        Append((byte)'\\');
                    }

                    Append(b);
                    return Step.Consumed;
                }

            case State.DqEscape or State.SqEscape:
                if (b < 0x20 || b >= 0xFE)
                {
                    output = LexicalError(b, inToken: true);
                    return Step.Consumed;
                }

                // The parser judges the escape; \' (QEMU's extension) is a plain quote in standard JSON.
                if (b != (byte)'\'')
                {
                    Append((byte)'\\');
                }

                Append(b);
                _state = _state == State.DqEscape ? State.DqString : State.SqString;
                return Step.Consumed;

            case State.Zero:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    output = LexicalError(b, inToken: true);
                    return Step.Consumed;
                }

                if (b == (byte)'.')
                {
                    Append(b);
                    _state = State.Mantissa;
                    return Step.Consumed;
                }

                return Terminal(ref output);

            case State.Sign:
                if (b == (byte)'0')
                {
                    Append(b);
                    _state = State.Zero;
                    return Step.Consumed;
                }

                if (b is >= (byte)'1' and <= (byte)'9')
                {
                    Append(b);
                    _state = State.Digits;
                    return Step.Consumed;
                }

                output = LexicalError(b, inToken: true);
                return Step.Consumed;

            case State.Digits:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    return AppendInToken(b, ref output);
                }

                if (b is (byte)'e' or (byte)'E')
                {
                    Append(b);
                    _state = State.ExpE;
                    return Step.Consumed;
                }

                if (b == (byte)'.')
                {
                    Append(b);
                    _state = State.Mantissa;
                    return Step.Consumed;
                }

                return Terminal(ref output);

            case State.Mantissa:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    Append(b);
                    _state = State.MantissaDigits;
                    return Step.Consumed;
                }

                output = LexicalError(b, inToken: true);
                return Step.Consumed;

            case State.MantissaDigits:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    return AppendInToken(b, ref output);
                }

                if (b is (byte)'e' or (byte)'E')
                {
                    Append(b);
                    _state = State.ExpE;
                    return Step.Consumed;
                }

                return Terminal(ref output);

            case State.ExpE:
                if (b is (byte)'+' or (byte)'-')
                {
                    Append(b);
                    _state = State.ExpSign;
                    return Step.Consumed;
                }

                goto case State.ExpSign;

            case State.ExpSign:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    Append(b);
                    _state = State.ExpDigits;
                    return Step.Consumed;
                }

                output = LexicalError(b, inToken: true);
                return Step.Consumed;

            case State.ExpDigits:
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    return AppendInToken(b, ref output);
                }

                return Terminal(ref output);

            case State.Keyword:
                if (b is >= (byte)'a' and <= (byte)'z')
                {
                    return AppendInToken(b, ref output);
                }

                return Terminal(ref output);

            default:
                throw new InvalidOperationException("unreachable lexer state");
        }
    }

    /// <summary>A number or keyword ends at the first byte it cannot take; that byte is read again from the start state.</summary>
    private Step Terminal(ref QmpInput? output)
    {
        _state = State.Start;
        output = EndToken(0);
        return Step.Reprocess;
    }

    private Step AppendInToken(byte b, ref QmpInput? output)
    {
        Append(b);
        if (_length - _tokenStart > _maxMessageBytes)
        {
            _state = State.Start;
            output = Fail(QmpInputKind.TooLarge);
        }

        return Step.Consumed;
    }

    private void BeginToken(bool scalar)
    {
        // Adjacent scalars (`1 2`, `true"x"`) stay separate tokens for the parser.
        if (scalar && _lastWasScalar)
        {
            Append((byte)' ');
        }

        _tokenStart = _length;
        _lastWasScalar = scalar;
    }

    /// <summary>The streamer's step for a complete token: count nesting, check limits, emit when balanced.</summary>
    private QmpInput? EndToken(byte structural)
    {
        switch (structural)
        {
            case (byte)'{': _braces++; break;
            case (byte)'}': _braces--; break;
            case (byte)'[': _brackets++; break;
            case (byte)']': _brackets--; break;
        }

        if (_length > _maxMessageBytes)
        {
            return Fail(QmpInputKind.TooLarge);
        }

        if (_braces + _brackets > _maxDepth)
        {
            return Fail(QmpInputKind.TooDeep);
        }

        if ((_braces > 0 || _brackets > 0) && _braces >= 0 && _brackets >= 0)
        {
            return null;
        }

        _pendingReset = true;
        return new QmpInput(QmpInputKind.Message, _message.Memory[.._length]);
    }

    /// <summary>
    /// A byte no token can take: the error carries the token so far and that byte (QEMU 7.2 quotes them:
    /// <c>JSON parse error, stray '...'</c>), at most <see cref="MaxStrayBytes"/> of them.
    /// </summary>
    private QmpInput LexicalError(byte b, bool inToken)
    {
        // In an escape the backslash is not in the message yet.
        var escape = _state is State.DqEscape or State.SqEscape;
        _state = State.Recovery;
        var token = inToken ? _message.Memory[_tokenStart.._length].Span : default;
        if (token.Length >= MaxStrayBytes - 2)
        {
            token = token[..(MaxStrayBytes - 2)];
        }

        byte[] stray = escape ? [.. token, (byte)'\\', b] : [.. token, b];
        Fail(QmpInputKind.LexicalError);
        return new QmpInput(QmpInputKind.LexicalError, stray);
    }

    private QmpInput Fail(QmpInputKind kind)
    {
        ResetMessage();
        ReleaseMessageBuffer();
        return new QmpInput(kind, default);
    }

    private void ResetMessage()
    {
        _pendingReset = false;
        _length = 0;
        _tokenStart = 0;
        _braces = 0;
        _brackets = 0;
        _lastWasScalar = false;
    }

    private void Append(byte b)
    {
        if (_length == _message.Length)
        {
            Grow(1);
        }

        _message.GetSpan()[_length++] = b;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_message.Length - _length < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_message.GetSpan()[_length..]);
        _length += bytes.Length;
    }

    private void Grow(int needed)
    {
        // Doubling, but never far past what the limit lets a message hold.
        var size = Math.Max(Math.Min((long)_message.Length * 2, (long)_maxMessageBytes + ReadSize), (long)_length + needed);
        var newSize = (int)Math.Min(size, Array.MaxLength);
        if (_account is not null && !_account(newSize - _message.Length))
        {
            throw new OperationCanceledException("The input budget closed the connection.");
        }

        _message.Resize(newSize);
    }

    private void ReleaseMessageBuffer()
    {
        if (_message.Length > KeptMessageSize)
        {
            _account?.Invoke(-(long)AccountedBytes);
            _message.Resize(InitialMessageSize);
        }
    }
}
