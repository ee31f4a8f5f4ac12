HXCOMM Text between SQMP and EQMP is documentation.
{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop the emulator.
HXCOMM a comment inside the block
EQMP
