HXCOMM A QMP dialect of our own, written in QEMU's qmp-commands.hx format: table entries
HXCOMM name each command and its arguments; the SQMP/EQMP blocks document them.

    {
        .name       = "query-fans",
        .args_type  = "",
        .mhandler.cmd_new = acme_query_fans,
    },

SQMP
query-fans
----------

Show the fans of the chassis.

Return a json-array of json-objects, each containing:

- "name": the fan's name (json-string)
- "rpm": current speed in revolutions per minute (json-int)
- "auto": true when the firmware controls the speed (json-bool)
- "label": what the fan cools (json-string, optional)

Example:

-> { "execute": "query-fans" }
<- { "return": [ { "name": "cpu0", "rpm": 1800, "auto": true, "label": "CPU socket 0" }, { "name": "rear", "rpm": 900, "auto": false } ] }

EQMP

    {
        .name       = "set-fan-speed",
        .args_type  = "name:s,rpm:i,force:-f",
        .mhandler.cmd_new = acme_set_fan_speed,
    },

SQMP
set-fan-speed
-------------

Set a fan to a fixed speed, taking it out of firmware control.

Arguments:

- "name": the fan's name (json-string)
- "rpm": the speed to set, in revolutions per minute (json-int)
- "force": allow speeds below the safe minimum of 500 (json-bool, optional)

Example:

-> { "execute": "set-fan-speed", "arguments": { "name": "rear", "rpm": 1200 } }
<- { "return": {} }

EQMP

    {
        .event      = "FAN_SPEED_CHANGED",
        .args_type  = "name:s,rpm:i",
    },

SQMP
FAN_SPEED_CHANGED
-----------------

Emitted when a fan's speed is set.

Data:

- "name": the fan's name (json-string)
- "rpm": the new speed (json-int)

Example:

<- { "event": "FAN_SPEED_CHANGED", "data": { "name": "rear", "rpm": 1200 }, "timestamp": { "seconds": 1700000000, "microseconds": 0 } }

EQMP
