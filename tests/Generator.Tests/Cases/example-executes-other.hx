{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop, },
SQMP
stop
----
Stop the emulator.
Example:
-> { "execute": "cont" }
<- { "return": {} }
EQMP
