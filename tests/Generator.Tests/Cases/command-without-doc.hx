{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
