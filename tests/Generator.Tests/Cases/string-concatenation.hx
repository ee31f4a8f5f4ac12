{ .name = "drive-backup", .args_type = "device:B,target:s," "speed:i?", .mhandler.cmd_new = qmp_drive_backup, },
SQMP
drive-backup
------------
Back up a drive.
Arguments:
- "device": device name (json-string)
- "target": target image (json-string)
- "speed": bytes per second (json-int, optional)
EQMP
