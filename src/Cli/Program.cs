using System.CommandLine;
using Qmp.Codegen.Cli;
using Qmp.Codegen.Cli.Docs;

var root = new RootCommand("qmp-codegen: the QMP schema toolchain (check, model, generate, docs) for QEMU qmp-commands.hx files.");
root.Subcommands.Add(Commands.Check());
root.Subcommands.Add(Commands.Model());
root.Subcommands.Add(Commands.Diagnostics());
root.Subcommands.Add(DocsCommand.Create());
IntrospectCommands.AddTo(root);
return await root.Parse(args).InvokeAsync();
