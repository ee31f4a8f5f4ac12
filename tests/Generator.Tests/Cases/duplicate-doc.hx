{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop.
EQMP
SQMP
@stop
-----
Stop again.
EQMP
