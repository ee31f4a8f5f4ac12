{ .name = "dump-guest-memory", .args_type = "paging:b,protocol:s", .mhandler.cmd_new = qmp_dump, },
SQMP
dump


Dump guest memory to file.
Arguments:
- "paging": do paging (json-bool)
- "protocol": destination (json-string)
Example:
-> { "execute": "dump-guest-memory", "arguments": { "paging": false, "protocol": "fd:dump" } }
<- { "return": {} }
EQMP
