{ .name = "query-cpus", .args_type = "", .mhandler.cmd_new = qmp_query_cpus, },
SQMP
query-cpus
----------
Show CPU information.
Return a json-array of json-objects, each containing:
- "CPU": CPU index (json-int)
- "pc": program counter (json-int)
Example:
-> { "execute": "query-cpus" }
<- { "return":[ { "CPU":0, "pc":3227107138 }, { "CPU":1 "pc":7108165, } ] }
EQMP
