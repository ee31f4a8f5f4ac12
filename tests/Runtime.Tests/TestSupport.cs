using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Tests;

/// <summary>A tiny dispatcher: echo, query-status, getfd (reads a line through the fd), slow, fail, big, quit (SHUTDOWN after its reply).</summary>
internal sealed class TestDispatcher : IQmpCommandDispatcher
{
    public TaskCompletionSource SlowGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a <c>slow</c> command has started waiting for <see cref="SlowGate"/>.</summary>
    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server events go out through (set by <see cref="ServerFixture"/>).</summary>
    public QmpServer? Server { get; set; }

    public bool HasCommand(string name) => name is "echo" or "query-status" or "getfd" or "slow" or "fail" or "big" or "throw" or "quit" or "fail-after";

    public async ValueTask<QmpReturn> DispatchAsync(string command, JsonElement arguments, QmpSession session, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "echo":
                return arguments.ValueKind == JsonValueKind.Undefined ? QmpReturn.Empty : QmpReturn.FromJson(arguments);
            case "query-status":
                return QmpReturn.Create(true, static (w, running) =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("running", running);
                    w.WriteBoolean("singlestep", false);
                    w.WriteString("status", running ? "running" : "paused");
                    w.WriteEndObject();
                });
            case "getfd":
                if (!session.TryTakeFileDescriptor(out var fd))
                {
                    throw QmpException.Generic("No file descriptor supplied via SCM_RIGHTS");
                }

                using (var stream = new FileStream(fd, FileAccess.Read, 1))
                using (var reader = new StreamReader(stream))
                {
                    var line = await reader.ReadLineAsync(cancellationToken) ?? "";
                    return QmpReturn.Create(line, static (w, s) => w.WriteStringValue(s));
                }

            case "slow":
                SlowStarted.TrySetResult();
                await SlowGate.Task.WaitAsync(cancellationToken);
                return QmpReturn.Empty;
            case "fail":
                throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{arguments.GetProperty("device").GetString()}' not found");
            case "throw":
                throw new InvalidOperationException("boom");
            case "quit":
                // Emitted from within the command, as an emulator would; the reply must still come first.
                QmpSession.Current!.AfterReply(() => Server!.EmitEvent("SHUTDOWN"));
                session.AfterReply(() => Server!.EmitEvent("AFTER"));
                return QmpReturn.Empty;
            case "fail-after":
                session.AfterReply(() => Server!.EmitEvent("AFTER"));
                session.AfterReply(() => throw new InvalidOperationException("after-reply work that fails is logged"));
                throw QmpException.Generic("failed");
            case "big":
                var size = arguments.GetProperty("size").GetInt32();
                return QmpReturn.Create(size, static (w, n) => w.WriteStringValue(new string('x', n)));
            default:
                throw QmpException.CommandNotFound(command);
        }
    }
}

/// <summary>A raw line-level QMP peer for protocol tests (talks bytes, not the client API).</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public Socket Socket => _socket;

    public static async Task<RawPeer> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new RawPeer(socket);
    }

    public static RawPeer FromSocket(Socket connected) => new(connected);

    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    public async Task<string> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(TestExtensions.Patience));
        var line = await _reader.ReadLineAsync(cts.Token);
        Assert.NotNull(line);
        return line;
    }

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync();
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    /// <summary>Reads the greeting (unless already read) and negotiates.</summary>
    public async Task NegotiateAsync(bool greetingRead = false)
    {
        if (!greetingRead)
        {
            var greeting = await ReadJsonAsync();
            Assert.True(greeting.TryGetProperty("QMP", out _));
        }

        await SendAsync("{\"execute\":\"qmp_capabilities\"}\r\n");
        Assert.Equal("{\"return\": {}}", await ReadLineAsync());
    }

    /// <summary>True when the server closes the connection within the time (what it sent before is skipped).</summary>
    public async Task<bool> IsClosedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(TestExtensions.Patience));
        var buffer = new byte[64 * 1024];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A server on a fresh unix socket in a temp directory, removed afterwards.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly string _directory;

    public ServerFixture(QmpServerOptions? options = null, TestDispatcher? dispatcher = null)
    {
        _directory = Path.Combine(Path.GetTempPath(), "qmp-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        SocketPath = Path.Combine(_directory, "qmp.sock");
        Dispatcher = dispatcher ?? new TestDispatcher();
        // Tests drive several clients on one socket; QEMU's one-client default has tests of its own.
        options ??= new QmpServerOptions { MaxClientsPerListener = 16 };
        Server = QmpServer.Listen($"unix:{SocketPath},server,nowait", Dispatcher, options);
        Dispatcher.Server = Server;
    }

    public string SocketPath { get; }

    public string Address => "unix:" + SocketPath;

    public TestDispatcher Dispatcher { get; }

    public QmpServer Server { get; }

    public Task<RawPeer> ConnectRawAsync() => RawPeer.ConnectAsync(SocketPath);

    public async Task<RawPeer> ConnectNegotiatedAsync()
    {
        var peer = await RawPeer.ConnectAsync(SocketPath);
        await peer.NegotiateAsync();
        return peer;
    }

    public Task<QmpClient> ConnectClientAsync(QmpClientOptions? options = null) => QmpClient.ConnectAsync(Address, options);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestExtensions
{
    // A bound on a wait for something that will happen, never a measure of speed: generous, so a slow or
    // loaded machine (another build on both cores) does not turn a late answer into a failure.
    public const int Patience = Qmp.Testing.Patience.Seconds;

    public static async Task<T> Within<T>(this Task<T> task, int seconds = Patience) => await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    public static async Task Within(this Task task, int seconds = Patience) => await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    public static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

/// <summary>Collects log messages (the server logs why it closes a connection).</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages.ToArray();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue(formatter(state, exception));
}
