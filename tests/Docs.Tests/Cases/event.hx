HXCOMM Docs case: an event, documented with Data:, and one without documentation.
{ .event = "BLOCK_JOB_READY", .args_type = "type:s,device:s,len:i,offset:i,speed:i", },
{ .event = "STOP", .args_type = "", },
SQMP
BLOCK_JOB_READY
---------------
Emitted when a job is ready to complete.
Data:
- "type": job type (json-string)
- "device": device name (json-string)
- "len": length (json-int)
- "offset": offset (json-int)
- "speed": speed (json-int)
Example:
<- { "event": "BLOCK_JOB_READY", "data": { "type": "mirror", "device": "ide0-hd0", "len": 2097152, "offset": 2097152, "speed": 0 }, "timestamp": { "seconds": 1265044230, "microseconds": 450486 } }
EQMP
