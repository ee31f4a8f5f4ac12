#if defined(CONFIG_SPICE)
{ .name = "query-spice", .args_type = "", .mhandler.cmd_new = qmp_query_spice, },
#endif
#endif
SQMP
query-spice
-----------
Show SPICE server information.
EQMP
