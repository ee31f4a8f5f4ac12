HXCOMM QMP asynchronous events of QEMU 2.1: table and documentation.
HXCOMM Each event has a table entry (.event names it, .args_type lists the
HXCOMM members of its "data" object with the monitor's type codes: s string,
HXCOMM i integer, b bool, q any JSON value, used here for nested objects; a
HXCOMM trailing ? marks an optional member) followed by its documentation
HXCOMM block, in the same format as the command schema. Events without data
HXCOMM have an empty args_type. The prose is original to this project.

    {
        .event      = "SHUTDOWN",
        .args_type  = "",
    },

SQMP
SHUTDOWN
--------

Emitted when the guest has shut down and QEMU is about to exit. If QEMU was
started with -no-shutdown it keeps running instead, and a STOP event follows.

Data: None.

Example:

<- { "event": "SHUTDOWN", "timestamp": { "seconds": 1404123501, "microseconds": 112034 } }

EQMP

    {
        .event      = "POWERDOWN",
        .args_type  = "",
    },

SQMP
POWERDOWN
---------

Emitted when a power-down request is delivered to the guest through its power
control interface, for example ACPI, as happens after system_powerdown.

Data: None.

Example:

<- { "event": "POWERDOWN", "timestamp": { "seconds": 1404123502, "microseconds": 540211 } }

EQMP

    {
        .event      = "RESET",
        .args_type  = "",
    },

SQMP
RESET
-----

Emitted when the guest is reset, whether the guest itself or a monitor command
asked for it.

Data: None.

Example:

<- { "event": "RESET", "timestamp": { "seconds": 1404123503, "microseconds": 7785 } }

EQMP

    {
        .event      = "STOP",
        .args_type  = "",
    },

SQMP
STOP
----

Emitted when the guest stops executing, for example after the stop command or
when an error policy pauses the guest.

Data: None.

Example:

<- { "event": "STOP", "timestamp": { "seconds": 1404123504, "microseconds": 250000 } }

EQMP

    {
        .event      = "RESUME",
        .args_type  = "",
    },

SQMP
RESUME
------

Emitted when the guest starts executing again after having been stopped.

Data: None.

Example:

<- { "event": "RESUME", "timestamp": { "seconds": 1404123505, "microseconds": 305112 } }

EQMP

    {
        .event      = "SUSPEND",
        .args_type  = "",
    },

SQMP
SUSPEND
-------

Emitted when the guest enters a suspend-to-RAM state such as ACPI S3, also
known as standby.

Data: None.

Example:

<- { "event": "SUSPEND", "timestamp": { "seconds": 1404123506, "microseconds": 615300 } }

EQMP

    {
        .event      = "SUSPEND_DISK",
        .args_type  = "",
    },

SQMP
SUSPEND_DISK
------------

Emitted when the guest enters a suspend-to-disk state such as ACPI S4, also
known as hibernation. The guest has saved its state to its own disk, and QEMU
then shuts down just as it does after a SHUTDOWN event.

Data: None.

Example:

<- { "event": "SUSPEND_DISK", "timestamp": { "seconds": 1404123507, "microseconds": 84512 } }

EQMP

    {
        .event      = "WAKEUP",
        .args_type  = "",
    },

SQMP
WAKEUP
------

Emitted when a suspended guest wakes up and runs again.

Data: None.

Example:

<- { "event": "WAKEUP", "timestamp": { "seconds": 1404123508, "microseconds": 990120 } }

EQMP

    {
        .event      = "SPICE_MIGRATE_COMPLETED",
        .args_type  = "",
    },

SQMP
SPICE_MIGRATE_COMPLETED
-----------------------

Emitted when the SPICE part of a migration, moving the connected SPICE
clients over to the destination, has finished.

Data: None.

Example:

<- { "event": "SPICE_MIGRATE_COMPLETED", "timestamp": { "seconds": 1404123509, "microseconds": 401877 } }

EQMP

    {
        .event      = "RTC_CHANGE",
        .args_type  = "offset:i",
    },

SQMP
RTC_CHANGE
----------

Emitted when the guest sets its real-time clock.

Data:

- "offset": new difference, in seconds, between the guest's RTC and the base time chosen with -rtc base (json-int)

Example:

<- { "event": "RTC_CHANGE", "data": { "offset": 78 }, "timestamp": { "seconds": 1404123510, "microseconds": 670004 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP

    {
        .event      = "WATCHDOG",
        .args_type  = "action:s",
    },

SQMP
WATCHDOG
--------

Emitted when the guest's watchdog timer expires. When the action is "reset",
"shutdown" or "pause", a RESET, SHUTDOWN or STOP event follows.

Data:

- "action": what QEMU did in response, one of "reset", "shutdown", "poweroff", "pause", "debug", "none" (json-string)

Example:

<- { "event": "WATCHDOG", "data": { "action": "reset" }, "timestamp": { "seconds": 1404123511, "microseconds": 13210 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP

    {
        .event      = "BALLOON_CHANGE",
        .args_type  = "actual:i",
    },

SQMP
BALLOON_CHANGE
--------------

Emitted when the amount of memory the guest's balloon driver leaves to the
guest changes.

Data:

- "actual": the guest's memory size now, in bytes; the same value query-balloon reports as "actual" (json-int)

Example:

<- { "event": "BALLOON_CHANGE", "data": { "actual": 1073741824 }, "timestamp": { "seconds": 1404123512, "microseconds": 880301 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP

    {
        .event      = "GUEST_PANICKED",
        .args_type  = "action:s",
    },

SQMP
GUEST_PANICKED
--------------

Emitted when QEMU learns, through a panic notification device, that the guest
operating system has panicked.

Data:

- "action": what QEMU did in response; in this release always "pause" (json-string)

Example:

<- { "event": "GUEST_PANICKED", "data": { "action": "pause" }, "timestamp": { "seconds": 1404123513, "microseconds": 257640 } }

EQMP

    {
        .event      = "DEVICE_DELETED",
        .args_type  = "device:s?,path:s",
    },

SQMP
DEVICE_DELETED
--------------

Emitted when the removal of a device has completed, once the guest has
acknowledged it. From then on the device's ID may be reused. The removal may
have been started by the guest or by a monitor command such as device_del.

Data:

- "device": the device's ID, present only if the device had one (json-string, optional)
- "path": the device's path in the QOM composition tree (json-string)

Example:

<- { "event": "DEVICE_DELETED", "data": { "device": "net1", "path": "/machine/peripheral/net1" }, "timestamp": { "seconds": 1404123514, "microseconds": 520001 } }

EQMP

    {
        .event      = "DEVICE_TRAY_MOVED",
        .args_type  = "device:s,tray-open:b",
    },

SQMP
DEVICE_TRAY_MOVED
-----------------

Emitted when the tray of a removable-media drive opens or closes, whether the
guest moved it or a monitor command such as eject did.

Data:

- "device": the block device's name (json-string)
- "tray-open": true if the tray is now open, false if it is now closed (json-bool)

Example:

<- { "event": "DEVICE_TRAY_MOVED", "data": { "device": "ide1-cd0", "tray-open": true }, "timestamp": { "seconds": 1404123515, "microseconds": 46170 } }

EQMP

    {
        .event      = "NIC_RX_FILTER_CHANGED",
        .args_type  = "name:s?,path:s",
    },

SQMP
NIC_RX_FILTER_CHANGED
---------------------

Emitted when the guest changes the receive filter of a NIC. After one such
event QEMU stays silent about that NIC until query-rx-filter has been issued
for it; the first change is always reported.

Data:

- "name": the NIC's net client name (json-string, optional)
- "path": the NIC's path in the QOM composition tree (json-string)

Example:

<- { "event": "NIC_RX_FILTER_CHANGED", "data": { "name": "vnet0", "path": "/machine/peripheral/vnet0/virtio-backend" }, "timestamp": { "seconds": 1404123516, "microseconds": 733920 } }

EQMP

    {
        .event      = "BLOCK_IO_ERROR",
        .args_type  = "device:s,operation:s,action:s",
    },

SQMP
BLOCK_IO_ERROR
--------------

Emitted when a guest read or write on a block device fails.

Data:

- "device": the block device's name (json-string)
- "operation": the failed operation, "read" or "write" (json-string)
- "action": what QEMU did, following the device's error policy: "ignore", "report" or "stop" (json-string)

Example:

<- { "event": "BLOCK_IO_ERROR", "data": { "device": "ide0-hd1", "operation": "write", "action": "stop" }, "timestamp": { "seconds": 1404123517, "microseconds": 101325 } }

EQMP

    {
        .event      = "BLOCK_JOB_COMPLETED",
        .args_type  = "type:s,device:s,len:i,offset:i,speed:i,error:s?",
    },

SQMP
BLOCK_JOB_COMPLETED
-------------------

Emitted when a block job has completed, successfully or not.

Data:

- "type": kind of job, one of "stream", "commit", "mirror", "backup" (json-string)
- "device": the block device the job ran on (json-string)
- "len": total amount of work, in bytes (json-int)
- "offset": amount of work done, in bytes; equal to "len" after a success (json-int)
- "speed": the job's rate limit in bytes per second, 0 when unlimited (json-int)
- "error": a human-readable message, present only if the job failed (json-string, optional)

Example:

<- { "event": "BLOCK_JOB_COMPLETED", "data": { "type": "stream", "device": "virtio-disk0", "len": 10737418240, "offset": 10737418240, "speed": 0 }, "timestamp": { "seconds": 1404123518, "microseconds": 959568 } }

EQMP

    {
        .event      = "BLOCK_JOB_CANCELLED",
        .args_type  = "type:s,device:s,len:i,offset:i,speed:i",
    },

SQMP
BLOCK_JOB_CANCELLED
-------------------

Emitted when a block job stops because block-job-cancel asked it to, before
it had finished its work.

Data:

- "type": kind of job, one of "stream", "commit", "mirror", "backup" (json-string)
- "device": the block device the job ran on (json-string)
- "len": total amount of work, in bytes (json-int)
- "offset": amount of work done before the job stopped, in bytes (json-int)
- "speed": the job's rate limit in bytes per second, 0 when unlimited (json-int)

Example:

<- { "event": "BLOCK_JOB_CANCELLED", "data": { "type": "stream", "device": "virtio-disk0", "len": 10737418240, "offset": 134217728, "speed": 0 }, "timestamp": { "seconds": 1404123519, "microseconds": 432001 } }

EQMP

    {
        .event      = "BLOCK_JOB_READY",
        .args_type  = "type:s,device:s,len:i,offset:i,speed:i",
    },

SQMP
BLOCK_JOB_READY
---------------

Emitted when a block job that waits to be told to finish, such as a mirror
job, is ready for block-job-complete: for a mirror, the target now holds the
same data as the source.

Data:

- "type": kind of job, one of "stream", "commit", "mirror", "backup" (json-string)
- "device": the block device the job runs on (json-string)
- "len": total amount of work, in bytes (json-int)
- "offset": amount of work done so far, in bytes (json-int)
- "speed": the job's rate limit in bytes per second, 0 when unlimited (json-int)

Example:

<- { "event": "BLOCK_JOB_READY", "data": { "type": "mirror", "device": "drive0", "len": 2097152, "offset": 2097152, "speed": 0 }, "timestamp": { "seconds": 1404123520, "microseconds": 311788 } }

EQMP

    {
        .event      = "BLOCK_JOB_ERROR",
        .args_type  = "device:s,operation:s,action:s",
    },

SQMP
BLOCK_JOB_ERROR
---------------

Emitted when a block job meets an I/O error.

Data:

- "device": the block device the job runs on (json-string)
- "operation": the failed operation, "read" or "write" (json-string)
- "action": what QEMU did, following the job's error policy: "ignore", "report" or "stop" (json-string)

Example:

<- { "event": "BLOCK_JOB_ERROR", "data": { "device": "ide0-hd1", "operation": "read", "action": "stop" }, "timestamp": { "seconds": 1404123521, "microseconds": 64223 } }

EQMP

    {
        .event      = "BLOCK_IMAGE_CORRUPTED",
        .args_type  = "device:s,msg:s,offset:i?,size:i?",
    },

SQMP
BLOCK_IMAGE_CORRUPTED
---------------------

Emitted when QEMU finds that an image's metadata is corrupt. The image is
marked corrupt and from then on can only be opened read-only.

Data:

- "device": the block device using the image (json-string)
- "msg": a human-readable account of the problem, meant for people, not for programs to interpret (json-string)
- "offset": where in the image file the corruption was found, in bytes (json-int, optional)
- "size": length of the corrupt region, in bytes (json-int, optional)

Example:

<- { "event": "BLOCK_IMAGE_CORRUPTED", "data": { "device": "ide0-hd0", "msg": "Preventing invalid write on metadata; image marked as corrupt.", "offset": 196608, "size": 65536 }, "timestamp": { "seconds": 1404123522, "microseconds": 880000 } }

EQMP

    {
        .event      = "VNC_CONNECTED",
        .args_type  = "server:q,client:q",
    },

SQMP
VNC_CONNECTED
-------------

Emitted when a VNC client opens a connection. This happens before any
authentication, so no authentication identity is reported.

Data:

- "server": the VNC server, a json-object containing the following:
- "host": the server's address (json-string)
- "service": the server's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "auth": the authentication scheme in use (json-string, optional)
- "client": the VNC client, a json-object containing the following:
- "host": the client's address (json-string)
- "service": the client's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)

Example:

<- { "event": "VNC_CONNECTED", "data": { "server": { "host": "0.0.0.0", "service": "5901", "family": "ipv4", "auth": "sasl" }, "client": { "host": "127.0.0.1", "service": "58425", "family": "ipv4" } }, "timestamp": { "seconds": 1404123523, "microseconds": 241004 } }

EQMP

    {
        .event      = "VNC_INITIALIZED",
        .args_type  = "server:q,client:q",
    },

SQMP
VNC_INITIALIZED
---------------

Emitted when a VNC session becomes active, after authentication if any.

Data:

- "server": the VNC server, a json-object containing the following:
- "host": the server's address (json-string)
- "service": the server's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "auth": the authentication scheme in use (json-string, optional)
- "client": the VNC client, a json-object containing the following:
- "host": the client's address (json-string)
- "service": the client's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "x509_dname": the distinguished name from the client's TLS certificate (json-string, optional)
- "sasl_username": the user name the client authenticated as with SASL (json-string, optional)

Example:

<- { "event": "VNC_INITIALIZED", "data": { "server": { "host": "0.0.0.0", "service": "5901", "family": "ipv4", "auth": "sasl" }, "client": { "host": "127.0.0.1", "service": "58425", "family": "ipv4", "sasl_username": "alice" } }, "timestamp": { "seconds": 1404123523, "microseconds": 312567 } }

EQMP

    {
        .event      = "VNC_DISCONNECTED",
        .args_type  = "server:q,client:q",
    },

SQMP
VNC_DISCONNECTED
----------------

Emitted when a VNC client's connection is closed.

Data:

- "server": the VNC server, a json-object containing the following:
- "host": the server's address (json-string)
- "service": the server's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "auth": the authentication scheme in use (json-string, optional)
- "client": the VNC client, a json-object containing the following:
- "host": the client's address (json-string)
- "service": the client's port or service name (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "x509_dname": the distinguished name from the client's TLS certificate (json-string, optional)
- "sasl_username": the user name the client authenticated as with SASL (json-string, optional)

Example:

<- { "event": "VNC_DISCONNECTED", "data": { "server": { "host": "0.0.0.0", "service": "5901", "family": "ipv4", "auth": "sasl" }, "client": { "host": "127.0.0.1", "service": "58425", "family": "ipv4", "sasl_username": "alice" } }, "timestamp": { "seconds": 1404123590, "microseconds": 7311 } }

EQMP

    {
        .event      = "SPICE_CONNECTED",
        .args_type  = "server:q,client:q",
    },

SQMP
SPICE_CONNECTED
---------------

Emitted when a SPICE client opens a connection.

Data:

- "server": the SPICE server, a json-object containing the following:
- "host": the server's address (json-string)
- "port": the server's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "client": the SPICE client, a json-object containing the following:
- "host": the client's address (json-string)
- "port": the client's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)

Example:

<- { "event": "SPICE_CONNECTED", "data": { "server": { "host": "127.0.0.1", "port": "5920", "family": "ipv4" }, "client": { "host": "127.0.0.1", "port": "52873", "family": "ipv4" } }, "timestamp": { "seconds": 1404123600, "microseconds": 450210 } }

EQMP

    {
        .event      = "SPICE_DISCONNECTED",
        .args_type  = "server:q,client:q",
    },

SQMP
SPICE_DISCONNECTED
------------------

Emitted when a SPICE client's connection is closed.

Data:

- "server": the SPICE server, a json-object containing the following:
- "host": the server's address (json-string)
- "port": the server's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "client": the SPICE client, a json-object containing the following:
- "host": the client's address (json-string)
- "port": the client's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)

Example:

<- { "event": "SPICE_DISCONNECTED", "data": { "server": { "host": "127.0.0.1", "port": "5920", "family": "ipv4" }, "client": { "host": "127.0.0.1", "port": "52873", "family": "ipv4" } }, "timestamp": { "seconds": 1404123655, "microseconds": 118002 } }

EQMP

    {
        .event      = "SPICE_INITIALIZED",
        .args_type  = "server:q,client:q",
    },

SQMP
SPICE_INITIALIZED
-----------------

Emitted when a SPICE channel is up and running, after the initial handshake
and any authentication.

Data:

- "server": the SPICE server, a json-object containing the following:
- "host": the server's address (json-string)
- "port": the server's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "auth": the authentication scheme in use, "none" or "spice" (json-string, optional)
- "client": the SPICE channel, a json-object containing the following:
- "host": the client's address (json-string)
- "port": the client's port (json-string)
- "family": address family, one of "ipv4", "ipv6", "unix", "unknown" (json-string)
- "connection-id": identifies the SPICE session; all channels of one session share it (json-int)
- "channel-type": the channel's type; 1 is the main channel, one per session (json-int)
- "channel-id": distinguishes channels of the same type, for example several display channels; usually 0 (json-int)
- "tls": true if the channel is encrypted (json-bool)

Example:

<- { "event": "SPICE_INITIALIZED", "data": { "server": { "host": "127.0.0.1", "port": "5921", "family": "ipv4", "auth": "spice" }, "client": { "host": "127.0.0.1", "port": "49004", "family": "ipv4", "connection-id": 1804289383, "channel-type": 3, "channel-id": 0, "tls": true } }, "timestamp": { "seconds": 1404123600, "microseconds": 512777 } }

EQMP

    {
        .event      = "QUORUM_FAILURE",
        .args_type  = "reference:s,sector-num:i,sectors-count:i",
    },

SQMP
QUORUM_FAILURE
--------------

Emitted by the quorum block driver when a read cannot reach a quorum: not
enough of its children returned the same data.

Data:

- "reference": the quorum device's name, or its node name if it has no device name (json-string)
- "sector-num": the first sector of the failed read (json-int)
- "sectors-count": the number of sectors of the failed read (json-int)

Example:

<- { "event": "QUORUM_FAILURE", "data": { "reference": "usr1", "sector-num": 345435, "sectors-count": 5 }, "timestamp": { "seconds": 1404123700, "microseconds": 200100 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP

    {
        .event      = "QUORUM_REPORT_BAD",
        .args_type  = "error:s?,node-name:s,sector-num:i,sectors-count:i",
    },

SQMP
QUORUM_REPORT_BAD
-----------------

Emitted by the quorum block driver when one of its children failed a read or
returned data that disagrees with the others.

Data:

- "error": a human-readable message, present only if the child reported an I/O error; not meant for programs to interpret (json-string, optional)
- "node-name": the node name of the child concerned (json-string)
- "sector-num": the first sector of the read (json-int)
- "sectors-count": the number of sectors of the read (json-int)

Example:

<- { "event": "QUORUM_REPORT_BAD", "data": { "node-name": "node0", "sector-num": 345435, "sectors-count": 5 }, "timestamp": { "seconds": 1404123700, "microseconds": 199870 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP

    {
        .event      = "ACPI_DEVICE_OST",
        .args_type  = "info:q",
    },

SQMP
ACPI_DEVICE_OST
---------------

Emitted when the guest runs the ACPI _OST method to report the outcome of a
hotplug or unplug request, for example for a memory module.

Data:

- "info": the _OST report, a json-object containing the following:
- "device": the ID of the device concerned, if it has one (json-string, optional)
- "slot": the slot's ID (json-string)
- "slot-type": the kind of slot; "DIMM" in this release (json-string)
- "source": the ACPI _OST source event code (json-int)
- "status": the ACPI _OST status code (json-int)

Example:

<- { "event": "ACPI_DEVICE_OST", "data": { "info": { "device": "dimm1", "slot": "1", "slot-type": "DIMM", "source": 1, "status": 0 } }, "timestamp": { "seconds": 1404123800, "microseconds": 41500 } }

EQMP

    {
        .event      = "VSERPORT_CHANGE",
        .args_type  = "id:s,open:b",
    },

SQMP
VSERPORT_CHANGE
---------------

Emitted when the guest opens or closes a virtio-serial port.

Data:

- "id": the ID of the virtio-serial port device (json-string)
- "open": true if the guest has just opened the port, false if it has closed it (json-bool)

Example:

<- { "event": "VSERPORT_CHANGE", "data": { "id": "channel0", "open": true }, "timestamp": { "seconds": 1404123900, "microseconds": 655321 } }

Note: This event is throttled: QEMU emits it at most once per second.

EQMP
