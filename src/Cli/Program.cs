using System.CommandLine;
using Qmp.Codegen.Cli;
using Qmp.Codegen.Cli.Docs;

// No command generates C#: the Qmp.Codegen package's generator does, at build time, from the same schemas.
var root = new RootCommand(
    "qmp-codegen: checks, models and documents QMP schemas, and saves a running QEMU's: QEMU's QAPI schemas "
    + "(qapi/qapi-schema.json), saved query-qmp-schema answers (qmp-codegen introspect's files) and QEMU 2.1's "
    + "qmp-commands.hx; qemu-schema gets QEMU's QAPI schema for a version. C# clients and servers are generated at build time by the Qmp.Codegen package from a QmpSchema item.");
root.Subcommands.Add(Commands.Check());
root.Subcommands.Add(Commands.Model());
root.Subcommands.Add(Commands.Diagnostics());
root.Subcommands.Add(DocsCommand.Create());
IntrospectCommands.AddTo(root);
root.Subcommands.Add(QemuSchemaCommand.Create());
return await root.Parse(args).InvokeAsync();
