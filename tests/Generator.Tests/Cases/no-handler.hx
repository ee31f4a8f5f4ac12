{ .name = "stop", .args_type = "", },
SQMP
stop
----
Stop the emulator.
EQMP
