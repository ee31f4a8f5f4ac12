// qmp-shell in C#: an interactive QMP shell on the generated client and the schema.
//   dotnet run --project samples/QmpShell -- unix:/path/to/qmp.sock   (or tcp:HOST:PORT)
using QmpShell;
using QmpShell.Qemu;

if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("""
        usage: QmpShell ADDRESS
          ADDRESS  unix:PATH, tcp:HOST:PORT, or a socket path
        Type 'help' for the commands, Tab to complete, Ctrl-D or 'quit' to leave.
        With standard input not a terminal, lines are read plainly (no prompt) and the
        exit code is 1 when any command failed.
        """);
    return args.Length == 1 ? 0 : 2;
}

var address = args[0];
if (!address.StartsWith("unix:", StringComparison.Ordinal) && !address.StartsWith("tcp:", StringComparison.Ordinal))
{
    address = "unix:" + address;
}

var catalog = CommandCatalog.Load();
QemuClient qemu;
try
{
    using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    qemu = await QemuClient.ConnectAsync(address, cancellationToken: connectTimeout.Token);
}
#pragma warning disable CA1031 // any failure to connect is reported the same way
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"qmp-shell: cannot connect to {address}: {e.Message}");
    return 1;
}

await using (qemu)
{
    var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
    IShellConsole console;
    if (interactive)
    {
        var completer = new Completer(catalog);
        console = new LineEditor("(QEMU) ", completer.Complete, new History(History.DefaultPath));
        console.WriteLine($"Welcome to the QMP low-level shell! Connected to QEMU {qemu.Greeting.Version}");
        console.WriteLine($"{catalog.Commands.Count} commands: 'help' lists them, 'help NAME' shows one, Tab completes, Ctrl-D leaves.");
    }
    else
    {
        console = new PlainConsole(Console.In, Console.Out);
    }
    var shell = new Shell(qemu, catalog, console);
    var exitCode = await shell.RunAsync();
    return exitCode != 0 ? exitCode : !interactive && shell.Failures > 0 ? 1 : 0;
}
