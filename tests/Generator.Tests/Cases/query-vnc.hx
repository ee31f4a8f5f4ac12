HXCOMM {"enabled": false}: the server sends only "enabled" when VNC is off, so the members the prose lists
HXCOMM without "(optional)" are optional on the wire (HxCorrections); the values listed make enums.
{ .name = "query-vnc", .args_type = "", .mhandler.cmd_new = qmp_marshal_input_query_vnc, },
SQMP
query-vnc
---------
Show the VNC server. Return a json-object with: - "enabled": whether VNC is on (json-bool) - "host": listening address (json-string) - "family": address family (json-string) - Possible values: "ipv4", "ipv6", "unix", "unknown" - "service": port (json-string) - "clients": the connected clients, a json-array of json-objects: - "host": client address (json-string) - "family": address family (json-string) - Possible values: "ipv4", "ipv6", "unix", "unknown" - "service": client port (json-string)
Example:
-> { "execute": "query-vnc" }
<- { "return": { "enabled": true, "host": "0.0.0.0", "service": "5900", "family": "ipv4", "clients": [ { "host": "127.0.0.1", "service": "50401", "family": "ipv4" } ] } }
EQMP
