HXCOMM Docs case: an example reply the parser repairs (a missing comma), nested members, an O option list.
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
<- { "return":[ { "CPU":0, "pc":3227107138 }, { "CPU":1 "pc":7108165 } ] }
EQMP
{ .name = "device_add", .args_type = "device:O", .params = "driver[,prop=value][,...]", .mhandler.cmd_new = do_device_add, },
SQMP
device_add
----------
Add a device.
Arguments:
- "driver": the name of the new device's driver (json-string)
- "id": the device's ID, must be unique (json-string)
Example:
-> { "execute": "device_add", "arguments": { "driver": "e1000", "id": "net1" } }
<- { "return": {} }
EQMP
