{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop the emulator.
{ .name = "cont", .args_type = "", .mhandler.cmd_new = qmp_cont, },
SQMP
cont
----
Resume emulation.
EQMP
