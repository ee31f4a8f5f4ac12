using System.Text.Json;

namespace Qmp.Runtime.Protocol;

/// <summary>What <see cref="QmpFrameReader.ReadAsync"/> found next in the input stream.</summary>
internal enum QmpFrameKind
{
    /// <summary>One complete JSON value; <see cref="QmpFrame.Utf8"/> holds its bytes.</summary>
    Message,
    /// <summary>Bad JSON; the rest of that line was discarded to resynchronise.</summary>
    InvalidJson,
    /// <summary>A value over <c>MaxMessageBytes</c>; it is being skipped.</summary>
    TooLarge,
    /// <summary>A value nested deeper than <c>MaxDepth</c>; it is being skipped.</summary>
    TooDeep,
    /// <summary>The peer closed the stream (a partial value at that point is discarded).</summary>
    EndOfStream,
}

internal readonly record struct QmpFrame(QmpFrameKind Kind, ReadOnlyMemory<byte> Utf8);

/// <summary>Reads bytes into a buffer (a stream, or recvmsg when file descriptors may arrive).</summary>
internal delegate ValueTask<int> QmpReadFunc(Memory<byte> buffer, CancellationToken cancellationToken);

/// <summary>
/// Splits a QMP input byte stream into JSON values: several values per read, a value over many
/// reads, any whitespace between. Value boundaries come from <see cref="Utf8JsonReader"/> run with
/// <c>isFinalBlock: false</c> and a saved <see cref="JsonReaderState"/>, so a large value is scanned
/// once, not again on every read.
/// Resynchronisation policy: a value over a limit is reported once and then skipped to its end
/// by a byte-level bracket/string tracker (memory stays bounded even for endless input);
/// invalid JSON is reported once and the input is discarded through the next line feed,
/// because QMP clients send one request per line.
/// Not thread-safe: one reader loop owns it. A returned message stays valid until the next call.
/// </summary>
internal sealed class QmpFrameReader
{
    private const int MinReadSize = 4096;

    private readonly QmpReadFunc _read;
    private readonly int _maxMessageBytes;
    private readonly int _maxDepth;
    private readonly JsonReaderOptions _readerOptions;

    private const int InitialBuffer = 16 * 1024;

    private byte[] _buffer = new byte[InitialBuffer];
    private int _start; // first unconsumed byte
    private int _end;   // end of valid data
    private int _pendingDrop; // length of the message returned last time

    private Mode _mode;
    private bool _inValue;
    private int _scanned; // bytes of the current value already passed through the reader
    private int _open;    // open containers of the current value
    private JsonReaderState _state;

    // Byte-level skipper state (Mode.SkipValue).
    private int _skipDepth;
    private bool _skipInString;
    private bool _skipEscape;
    private bool _skipStarted;

    private enum Mode { Normal, SkipValue, SkipLine }

    public QmpFrameReader(QmpReadFunc read, int maxMessageBytes, int maxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        _read = read;
        _maxMessageBytes = maxMessageBytes;
        _maxDepth = maxDepth;
        // A little above our own limit so our check, not the reader's exception, reports depth.
        _readerOptions = new JsonReaderOptions { MaxDepth = maxDepth + 2, CommentHandling = JsonCommentHandling.Disallow };
    }

    public QmpFrameReader(Stream stream, int maxMessageBytes, int maxDepth)
        : this((buffer, ct) => stream.ReadAsync(buffer, ct), maxMessageBytes, maxDepth)
    {
    }

    /// <summary>
    /// Holds no buffer while nothing is buffered: waits for input with a zero-byte read and takes a
    /// buffer from the shared pool only when input is there (as Kestrel does). For a process that keeps
    /// a thousand idle connections. Only for reads that wait on a zero-byte read (sockets); a stream
    /// that answers one with 0 at once would spin.
    /// </summary>
    public bool ReleaseWhenIdle
    {
        get => _releaseWhenIdle;
        init
        {
            _releaseWhenIdle = value;
            if (value)
            {
                _buffer = [];
            }
        }
    }

    private readonly bool _releaseWhenIdle;

    /// <summary>Returns the next frame; <see cref="QmpFrameKind.EndOfStream"/> once the peer is gone.</summary>
    /// <remarks>Pooled: a read that waits for the socket would otherwise allocate its state per message.</remarks>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<QmpFrame> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingDrop > 0)
        {
            _start += _pendingDrop;
            _pendingDrop = 0;
        }

        while (true)
        {
            var frame = Scan();
            if (frame is { } found)
            {
                return found;
            }

            if (_releaseWhenIdle && _start == _end)
            {
                // Nothing buffered: give the buffer back and wait for input without one. The zero-byte
                // read ends when input is there or the peer is gone; the read below tells which.
                if (_buffer.Length == InitialBuffer)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = [];
                _start = _end = 0;
                await _read(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(InitialBuffer);
            }

            MakeRoom();
            var n = await _read(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                // Peer gone: whatever partial value is buffered is dropped, nothing stays behind.
                _start = _end = 0;
                _inValue = false;
                _mode = Mode.Normal;
                return new QmpFrame(QmpFrameKind.EndOfStream, default);
            }

            _end += n;
        }
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0 && (_buffer.Length - _end < MinReadSize || _start >= _buffer.Length / 2))
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < MinReadSize)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + MinReadSize));
        }
    }

    private QmpFrame? Scan()
    {
        while (true)
        {
            switch (_mode)
            {
                case Mode.SkipLine:
                    {
                        var lf = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                        if (lf < 0)
                        {
                            _start = _end;
                            return null;
                        }

                        _start += lf + 1;
                        _mode = Mode.Normal;
                        continue;
                    }

                case Mode.SkipValue:
                    {
                        var done = Skip(_buffer.AsSpan(_start, _end - _start), out var consumed);
                        _start += consumed;
                        if (!done)
                        {
                            return null;
                        }

                        _mode = Mode.Normal;
                        continue;
                    }
            }

            if (!_inValue)
            {
                while (_start < _end && IsWhitespace(_buffer[_start]))
                {
                    _start++;
                }

                if (_start == _end)
                {
                    return null;
                }

                _inValue = true;
                _scanned = 0;
                _open = 0;
                _state = new JsonReaderState(_readerOptions);
            }

            var reader = new Utf8JsonReader(_buffer.AsSpan(_start + _scanned, _end - _start - _scanned), isFinalBlock: false, _state);
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject or JsonTokenType.StartArray:
                            if (++_open > _maxDepth)
                            {
                                // Skip the rest with the byte-level tracker: _open containers are open.
                                return BeginSkip(QmpFrameKind.TooDeep, (int)reader.BytesConsumed, _open);
                            }

                            continue;
                        case JsonTokenType.EndObject or JsonTokenType.EndArray:
                            _open--;
                            break;
                        case JsonTokenType.PropertyName:
                            continue;
                    }

                    if (_open == 0)
                    {
                        var length = _scanned + (int)reader.BytesConsumed;
                        _inValue = false;
                        if (length > _maxMessageBytes)
                        {
                            _start += length;
                            return new QmpFrame(QmpFrameKind.TooLarge, default);
                        }

                        _pendingDrop = length;
                        return new QmpFrame(QmpFrameKind.Message, _buffer.AsMemory(_start, length));
                    }
                }
            }
            catch (JsonException)
            {
                // Drop the good prefix of the value and the rest of the line.
                _start += _scanned + (int)reader.BytesConsumed;
                _inValue = false;
                _mode = Mode.SkipLine;
                return new QmpFrame(QmpFrameKind.InvalidJson, default);
            }

            _scanned += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            if (_end - _start > _maxMessageBytes)
            {
                return BeginSkip(QmpFrameKind.TooLarge, 0, _open);
            }

            return null;
        }
    }

    private QmpFrame BeginSkip(QmpFrameKind reason, int consumedInChunk, int openContainers)
    {
        // Everything scanned so far belongs to the value being dropped.
        _start += _scanned + consumedInChunk;
        _inValue = false;
        _mode = Mode.SkipValue;
        _skipDepth = openContainers;
        _skipInString = false;
        _skipEscape = false;
        _skipStarted = openContainers > 0;
        return new QmpFrame(reason, default);
    }

    /// <summary>Lenient skipper: follows strings and brackets only, so it never needs to buffer.</summary>
    private bool Skip(ReadOnlySpan<byte> data, out int consumed)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (_skipInString)
            {
                if (_skipEscape)
                {
                    _skipEscape = false;
                }
                else if (b == (byte)'\\')
                {
                    _skipEscape = true;
                }
                else if (b == (byte)'"')
                {
                    _skipInString = false;
                    if (_skipDepth == 0)
                    {
                        consumed = i + 1;
                        return true;
                    }
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _skipInString = true;
                    _skipStarted = true;
                    break;
                case (byte)'{' or (byte)'[':
                    _skipDepth++;
                    _skipStarted = true;
                    break;
                case (byte)'}' or (byte)']':
                    if (--_skipDepth <= 0)
                    {
                        _skipDepth = 0;
                        consumed = i + 1;
                        return true;
                    }

                    break;
                default:
                    if (IsWhitespace(b) || b == (byte)',')
                    {
                        if (_skipStarted && _skipDepth == 0)
                        {
                            consumed = i;
                            return true;
                        }
                    }
                    else
                    {
                        _skipStarted = true;
                    }

                    break;
            }
        }

        consumed = data.Length;
        return false;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
