{ .name = "device_add", .args_type = "device:O", .mhandler.cmd_new = do_device_add, },
SQMP
device_add
----------
Add a device.
Arguments:
- "driver": the driver (json-string)
- "id": the ID (json-string)
EQMP
