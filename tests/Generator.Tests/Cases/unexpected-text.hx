this is not a schema
{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop.
EQMP
