{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop2, },
SQMP
stop
----
Stop the emulator.
EQMP
