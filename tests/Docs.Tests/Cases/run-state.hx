HXCOMM Docs case: a query with nested return members and an example, a command with
HXCOMM arguments (required, optional, flag) and a note, and a command with no documentation.
{
    .name       = "eject",
    .args_type  = "force:-f,device:B",
    .mhandler.cmd_new = qmp_marshal_input_eject,
},

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

Note: The "force" argument defaults to false.

EQMP

SQMP
query-status
------------

Return a json-object with the following information:

- "running": true if the VM is running, or false if it is paused (json-bool)
- "status": the run state (json-string)

Example:

-> { "execute": "query-status" }
<- { "return": { "running": true, "status": "running" } }

EQMP

    {
        .name       = "query-status",
        .args_type  = "",
        .mhandler.cmd_new = qmp_marshal_input_query_status,
    },

    {
        .name       = "block_set_io_throttle",
        .args_type  = "device:B,bps:l,iops_rd:l",
        .mhandler.cmd_new = qmp_marshal_input_block_set_io_throttle,
    },
