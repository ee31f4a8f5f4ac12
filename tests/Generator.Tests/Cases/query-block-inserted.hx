HXCOMM query-block's "inserted": the *_max throttle members are sent only when set (HxCorrections),
HXCOMM although the prose lists them like the others; the example shows them.
{ .name = "query-block", .args_type = "", .mhandler.cmd_new = qmp_marshal_input_query_block, },
SQMP
query-block
-----------
Show the block devices. Return a json-array of json-objects: - "device": device name (json-string) - "removable": true if removable (json-bool) - "inserted": the medium, only present if there is one (json-object, optional) - "file": image file (json-string) - "bps": total limit in bytes per second (json-int) - "bps_max": total burst in bytes (json-int) - "iops_size": I/O size when limiting (json-int)
Example:
-> { "execute": "query-block" }
<- { "return": [ { "device": "ide0-hd0", "removable": false, "inserted": { "file": "disk.img", "bps": 0, "bps_max": 0, "iops_size": 0 } }, { "device": "ide1-cd0", "removable": true } ] }
EQMP
