{ .name = "frob", .args_type = "count:x,name:s", .mhandler.cmd_new = qmp_frob, },
SQMP
frob
----
Frob.
Arguments:
- "count": how many (json-int)
- "name": what (json-string)
EQMP
