{ .name = "set_password", .args_type = "protocol:s,connected:s?", .mhandler.cmd_new = qmp_set_password, },
SQMP
set_password
------------
Set a password.
Arguments:
- "protocol": protocol name (json-strin)
- "connected": what to do (josn-string, optional)
EQMP
