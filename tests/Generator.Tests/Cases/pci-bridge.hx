HXCOMM Folded member lists: three objects introduced alike ("..., a json-object with the following
HXCOMM members:") are siblings, not nested in each other; no example shows the bridge, so the text decides.
{ .name = "query-pci", .args_type = "", .mhandler.cmd_new = qmp_marshal_input_query_pci, },
SQMP
query-pci
---------
List the PCI devices. Return a json-array of devices, each a json-object: - "bus": bus number (json-int) - "slot": slot (json-int) - "pci_bridge": present only for a bridge, contains: - "bus": primary bus (json-int) - "io_range": the I/O window, a json-object with the following members: - "base": first address (json-int) - "limit": last address (json-int) - "memory_range": the memory window, a json-object with the following members: - "base": first address (json-int) - "limit": last address (json-int) - "prefetchable_range": the prefetchable window, a json-object with the following members: - "base": first address (json-int) - "limit": last address (json-int) - "devices": the devices behind the bridge, each like this one (json-array, optional) - "qdev_id": device id (json-string)
Example:
-> { "execute": "query-pci" }
<- { "return": [ { "bus": 0, "slot": 1, "qdev_id": "" } ] }
EQMP
