{ .name = "stop", .args_type = "now:b,now:b", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop.
Arguments:
- "now": at once (json-bool)
EQMP
