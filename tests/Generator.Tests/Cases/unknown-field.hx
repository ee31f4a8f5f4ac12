{ .name = "stop", .args_type = "", .colour = "blue", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop.
EQMP
