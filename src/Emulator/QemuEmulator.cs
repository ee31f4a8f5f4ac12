using System.Net;
using Qmp.Emulator.Personas.Qemu72;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

/// <summary>
/// A running emulator: the machine, its QMP monitors and its clock. In-process use:
/// <code>await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = ["unix:/tmp/x.sock,server,nowait"] });</code>
/// </summary>
public sealed class QemuEmulator : IAsyncDisposable
{
    private readonly ITimer _timer;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private QemuEmulator(EmulatorOptions options)
    {
        Options = options;
        Vm = new VirtualMachine(options);
        Machine = new QemuMachine(Vm);
        var serverOptions = new QmpServerOptions
        {
            TimeProvider = options.TimeProvider,
            Logger = options.Logger,
            MaxClientsPerListener = options.MaxClients,
            MaxConnections = EmulatorLimits.EffectiveMaxConnections,
        };
        IQmpCommandDispatcher persona = Machine;
        if (options.Qemu == EmulatorOptions.Qemu72)
        {
            // The same machine (and its 2.1 services, which keep the jobs' clock), served with 7.2's schema and protocol.
            Qemu72 = new Qemu72Machine(Vm, Machine, options.Accelerators);
            persona = Qemu72;
            serverOptions.Dialect = QmpDialect.Modern;
            serverOptions.Greeting = Qemu72.Greeting;
        }

        Server = QmpServer.Create(persona, serverOptions);
        Vm.Server = Server;
        Vm.QuitRequested = () => _exited.TrySetResult();
        _timer = options.TimeProvider.CreateTimer(_ => Machine.Tick(), null, options.TickInterval, options.TickInterval);
        Machine.Tick();
    }

    public EmulatorOptions Options { get; }

    /// <summary>The machine state (run state, and hooks for what a guest would do).</summary>
    public VirtualMachine Vm { get; }

    /// <summary>The command implementations.</summary>
    public QemuMachine Machine { get; }

    /// <summary>The QEMU 7.2 persona when <see cref="EmulatorOptions.Qemu"/> is 7.2 (it then serves every monitor); else null.</summary>
    internal Qemu72Machine? Qemu72 { get; }

    /// <summary>The QMP server behind every monitor; serve more streams with <see cref="QmpServer.RunSessionAsync"/>.</summary>
    public QmpServer Server { get; }

    /// <summary>Bound endpoints of the TCP and unix monitors (for <c>tcp:127.0.0.1:0</c>).</summary>
    public IReadOnlyList<EndPoint> EndPoints => Server.LocalEndPoints;

    /// <summary>Completes when a client sends <c>quit</c>.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Starts the machine and listens on each <see cref="EmulatorOptions.Qmp"/> address.</summary>
    public static Task<QemuEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Qemu is not (EmulatorOptions.Qemu21 or EmulatorOptions.Qemu72))
        {
            throw new ArgumentException($"QEMU {options.Qemu} is not emulated (--qemu {EmulatorOptions.Qemu21} or {EmulatorOptions.Qemu72})", nameof(options));
        }

        if (options.DataDir is not null && !Directory.Exists(options.DataDir))
        {
            throw new DirectoryNotFoundException($"data directory '{options.DataDir}' does not exist");
        }

        if (options.ImageDirs.FirstOrDefault(d => !Directory.Exists(d)) is { } missingImageDir)
        {
            throw new DirectoryNotFoundException($"image directory '{missingImageDir}' does not exist");
        }

        var emulator = new QemuEmulator(options);
        try
        {
            foreach (var address in options.Qmp)
            {
                emulator.Server.AddListener(address);
            }

            foreach (var fd in options.QmpFds)
            {
                emulator.AddInheritedMonitor(fd);
            }
        }
        catch
        {
            emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return Task.FromResult(emulator);
    }

    /// <summary>An inherited socket: listening (<c>server=on</c>) or already connected to its one client.</summary>
    private void AddInheritedMonitor(int fd)
    {
        var socket = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle((IntPtr)fd, ownsHandle: true));
        if (socket.GetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.AcceptConnection) is int listening && listening != 0)
        {
            Server.AddListener(socket);
        }
        else
        {
            _ = Server.RunSocketSessionAsync(socket);
        }
    }

    /// <summary>
    /// What QEMU does on SIGTERM/SIGINT/SIGHUP: SHUTDOWN to every monitor, then the process ends
    /// (<see cref="Exited"/> completes; disposing sends what is queued first).
    /// </summary>
    public void TerminateOnSignal()
    {
        // After the command in progress when it ends soon (never inside a transaction's deferred events),
        // but a signal never waits on the machine lock: a command holding it must not delay the exit.
        if (Vm.Gate.TryEnter(s_signalLockWait))
        {
            try
            {
                Vm.EmitNow(EmitSignalShutdown);
            }
            finally
            {
                Vm.Gate.Exit();
            }
        }
        else
        {
            EmitSignalShutdown(Server);
        }

        _exited.TrySetResult();
    }

    /// <summary>SHUTDOWN as the persona's QEMU words it for a signal (7.2: <c>{"guest": false, "reason": "host-signal"}</c>).</summary>
    private void EmitSignalShutdown(QmpServer server)
    {
        if (Qemu72 is not null)
        {
            Qemu72Machine.EmitSignalShutdown(server);
        }
        else
        {
            server.EmitShutdown();
        }
    }

    /// <summary>How long a signal lets a command in progress finish before SHUTDOWN goes out anyway.</summary>
    internal static readonly TimeSpan s_signalLockWait = TimeSpan.FromMilliseconds(100);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Not DisposeAsync: that waits for a tick in progress, and a tick waits on the machine lock.
        _timer.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
        Machine.Dispose();

        _exited.TrySetResult();
    }
}
