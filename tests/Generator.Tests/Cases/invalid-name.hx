HXCOMM Names outside QMP's character set: a command with a space, an argument with a line separator.
{ .name = "bad name", .args_type = "", .mhandler.cmd_new = qmp_bad, },
{ .name = "good", .args_type = "ok:s,bad arg:s", .mhandler.cmd_new = qmp_good, },
