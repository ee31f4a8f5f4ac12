#ifdef CONFIG_VNC
{ .name = "query-vnc", .args_type = "", .mhandler.cmd_new = qmp_query_vnc, },
SQMP
query-vnc
---------
Show VNC server information.
EQMP
