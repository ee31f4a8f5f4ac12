HXCOMM A small schema: unit, object and array returns, an O argument, an event.
{ .name = "eject", .args_type = "force:-f,device:B", .mhandler.cmd_new = qmp_marshal_input_eject, },
SQMP
eject
-----
Eject a removable medium.
Arguments:
- "force": force ejection (json-bool, optional)
- "device": device name (json-string)
Example:
-> { "execute": "eject", "arguments": { "device": "ide1-cd0" } }
<- { "return": {} }
EQMP
{ .name = "device_add", .args_type = "device:O", .mhandler.cmd_new = do_device_add, },
SQMP
device_add
----------
Add a device.
Arguments:
- "driver": the name of the new device's driver (json-string)
- "bus": the device's parent bus (json-string, optional)
- "id": the device's ID, must be unique (json-string)
Example:
-> { "execute": "device_add", "arguments": { "driver": "e1000", "id": "net1" } }
<- { "return": {} }
EQMP
SQMP
query-status
------------
Return a json-object with the following information:
- "running": true if the VM is running (json-bool)
- "status": the VM run state (json-string)
Example:
-> { "execute": "query-status" }
<- { "return": { "running": true, "status": "running" } }
EQMP
{ .name = "query-status", .args_type = "", .mhandler.cmd_new = qmp_marshal_input_query_status, },
SQMP
query-block
-----------
Show the block devices.
Each json-object contain the following:
- "device": device name (json-string)
- "tray_open": true if the tray is open (json-bool, optional)
- "inserted": only present if the device is inserted (json-object, optional)
         - "file": device file name (json-string)
         - "backing_file_depth": number of files in the backing file chain (json-int)
Example:
-> { "execute": "query-block" }
<- { "return": [ { "device": "ide0-hd0", "inserted": { "file": "disk.img", "backing_file_depth": 0 } }, { "device": "ide1-cd0", "tray_open": false } ] }
EQMP
{ .name = "query-block", .args_type = "", .mhandler.cmd_new = qmp_marshal_input_query_block, },
{ .event = "BLOCK_JOB_COMPLETED", .args_type = "type:s,device:s,len:i,offset:i,speed:i,error:s?", },
SQMP
BLOCK_JOB_COMPLETED
-------------------
Emitted when a block job has completed.
Data:
- "type": job type (json-string)
- "device": device name (json-string)
- "len": maximum progress value (json-int)
- "offset": current progress value (json-int)
- "speed": rate limit, bytes per second (json-int)
- "error": error message, only present on failure (json-string, optional)
Example:
<- { "event": "BLOCK_JOB_COMPLETED", "data": { "type": "stream", "device": "virtio-disk0", "len": 10737418240, "offset": 10737418240, "speed": 0 }, "timestamp": { "seconds": 1267061043, "microseconds": 959568 } }
EQMP
