{ .name = "human-monitor-command", .args_type = "command-line:s", .mhandler.cmd_new = qmp_hmp, },
SQMP
human-monitor-command
---------------------
Execute a Human Monitor command.
Arguments:
- command-line: the command (json-string)
EQMP
