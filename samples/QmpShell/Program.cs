// qmp-shell in C#: an interactive QMP shell on the generated client and the schema.
//   dotnet run --project samples/QmpShell -- [--qapi DIR/qapi-schema.json] unix:/path/to/qmp.sock   (or tcp:HOST:PORT)
using QmpShell;
using QmpShell.Qemu;

string? qapi = null;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--qapi" && i + 1 < args.Length)
    {
        qapi = args[++i];
    }
    else
    {
        rest.Add(args[i]);
    }
}

if (rest.Count != 1 || rest[0] is "-h" or "--help" || rest[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("""
        usage: QmpShell [--qapi DIR/qapi-schema.json] ADDRESS
          ADDRESS  unix:PATH, tcp:HOST:PORT, or a socket path
          --qapi   QEMU's QAPI schema (e.g. the folder `qmp-codegen qemu-schema 7.2` prints,
                   then qapi/qapi-schema.json): docs and type names for 'help'
        The commands, arguments and events are the server's own when it has query-qmp-schema
        (QEMU 2.5 and later), else QEMU 2.1's.
        Type 'help' for the commands, Tab to complete, Ctrl-D or 'quit' to leave.
        With standard input not a terminal, lines are read plainly (no prompt) and the
        exit code is 1 when any command failed.
        """);
    return rest.Count == 1 && rest[0] is "-h" or "--help" ? 0 : 2;
}

var address = rest[0];
if (!address.StartsWith("unix:", StringComparison.Ordinal) && !address.StartsWith("tcp:", StringComparison.Ordinal))
{
    address = "unix:" + address;
}

Qmp.Codegen.Schema.QmpSchema? source = null;
if (qapi is not null)
{
    (source, var error) = SchemaLearning.ReadQapi(qapi);
    if (source is null)
    {
        Console.Error.WriteLine($"qmp-shell: the QAPI schema is not used: {error}");
    }
}

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
    // The server's own commands when it can say them; QEMU 2.1's table otherwise.
    var learned = await SchemaLearning.LearnAsync(qemu.Client, source);
    if (learned.Warning is not null)
    {
        Console.Error.WriteLine($"qmp-shell: {learned.Warning}");
    }

    var catalog = learned.Catalog ?? CommandCatalog.Load();
    var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
    IShellConsole console;
    if (interactive)
    {
        var completer = new Completer(catalog);
        console = new LineEditor("(QEMU) ", completer.Complete, new History(History.DefaultPath));
        console.WriteLine($"Welcome to the QMP low-level shell! Connected to QEMU {qemu.Greeting.Version}");
        console.WriteLine($"{catalog.Commands.Count} commands from {catalog.Origin}: 'help' lists them, 'help NAME' shows one, Tab completes, Ctrl-D leaves.");
    }
    else
    {
        console = new PlainConsole(Console.In, Console.Out);
    }
    var shell = new Shell(qemu, catalog, console);
    var exitCode = await shell.RunAsync();
    return exitCode != 0 ? exitCode : !interactive && shell.Failures > 0 ? 1 : 0;
}
