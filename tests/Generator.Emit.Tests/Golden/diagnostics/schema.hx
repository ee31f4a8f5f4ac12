{ .name = "drive-mirror", .args_type = "device:B,buf-size:i?,granularity:i?", .mhandler.cmd_new = qmp_drive_mirror, },
SQMP
drive-mirror
------------
Mirror a drive.
Arguments:
- "device": device name (json-string)
- "buf_size": bytes in flight (json-int, optional)
- "length": not an argument at all (json-int)
EQMP
{ .name = "snapshot-copy", .args_type = "clone:s,device:B", .mhandler.cmd_new = qmp_snapshot_copy, },
{ .name = "snapshot_copy", .args_type = "", .mhandler.cmd_new = qmp_snapshot_copy2, },
{ .event = "DISK_FULL", .args_type = "device:s", },
{ .event = "DISK-FULL", .args_type = "device:s", },
