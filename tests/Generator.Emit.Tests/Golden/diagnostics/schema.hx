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
