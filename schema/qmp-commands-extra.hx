HXCOMM Supplementary QMP command documentation for QEMU 2.1.
HXCOMM The seed schema (qmp-commands.hx) has dispatch table entries for the
HXCOMM commands below but no documentation for them. This file adds only the
HXCOMM missing documentation blocks, in the seed's format; it has no table
HXCOMM entries. Argument names and optionality follow each command's args_type
HXCOMM in the seed. The prose is original to this project.

SQMP
block-stream
------------

Copy data from a device's backing file chain into the device's own image, so
that the image no longer depends on the part of the chain that was streamed.
The work runs as a background block job of type "stream"; follow it with
query-block-jobs and the BLOCK_JOB_* events.

Arguments:

- "device": the block device whose image receives the data (json-string)
- "base": file name of the backing image at which streaming stops; this image and the ones below it stay in the chain. Without it, the whole backing chain is copied into the device's image (json-string, optional)
- "speed": upper limit for the copy rate, in bytes per second; 0 or absent means no limit (json-int, optional)
- "on-error": what to do when an I/O error occurs, one of "report", "ignore", "enospc", "stop"; the default is "report" (json-string, optional)

Example:

-> { "execute": "block-stream", "arguments": { "device": "virtio-disk0", "base": "/var/lib/images/base.qcow2", "speed": 1048576 } }
<- { "return": {} }

Notes: When the job ends the BLOCK_JOB_COMPLETED event is emitted. Only one
block job can run on a device at a time.

EQMP

SQMP
block-job-set-speed
-------------------

Change the rate limit of the block job running on a device.

Arguments:

- "device": the block device the job runs on (json-string)
- "speed": new rate limit in bytes per second; 0 removes the limit (json-int)

Example:

-> { "execute": "block-job-set-speed", "arguments": { "device": "virtio-disk0", "speed": 4194304 } }
<- { "return": {} }

Notes: Fails with the DeviceNotActive error class if no block job runs on the
device. A negative speed is rejected.

EQMP

SQMP
block-job-cancel
----------------

Ask the block job running on a device to stop. The command returns at once;
the job finishes asynchronously and then emits BLOCK_JOB_CANCELLED (or
BLOCK_JOB_COMPLETED if it had already finished its work).

Arguments:

- "device": the block device the job runs on (json-string)
- "force": also cancel a job that is paused, without resuming it first; the default is false (json-bool, optional)

Example:

-> { "execute": "block-job-cancel", "arguments": { "device": "virtio-disk0" } }
<- { "return": {} }

Notes: For a mirror job that has reached the ready state, cancelling leaves the
target as a consistent copy of the source at that moment. Fails with the
DeviceNotActive error class if no block job runs on the device.

EQMP

SQMP
block-job-pause
---------------

Suspend the block job running on a device until block-job-resume is issued.
The job stops at its next safe point, so it may still report itself busy for
a short while after this command returns.

Arguments:

- "device": the block device the job runs on (json-string)

Example:

-> { "execute": "block-job-pause", "arguments": { "device": "virtio-disk0" } }
<- { "return": {} }

Notes: Fails with the DeviceNotActive error class if no block job runs on the
device.

EQMP

SQMP
block-job-resume
----------------

Let a block job that was suspended with block-job-pause continue its work.
Resuming a job that is not paused has no effect.

Arguments:

- "device": the block device the job runs on (json-string)

Example:

-> { "execute": "block-job-resume", "arguments": { "device": "virtio-disk0" } }
<- { "return": {} }

Notes: Fails with the DeviceNotActive error class if no block job runs on the
device.

EQMP

SQMP
block-job-complete
------------------

Tell a block job that has signalled readiness (with the BLOCK_JOB_READY event)
to finish. A mirror job then switches the device over to its target image; an
active-layer commit job switches the device over to the base image.

Arguments:

- "device": the block device the job runs on (json-string)

Example:

-> { "execute": "block-job-complete", "arguments": { "device": "virtio-disk0" } }
<- { "return": {} }

Notes: Fails if the job does not support completion or is not ready yet, and
with the DeviceNotActive error class if no block job runs on the device. The
job ends with the BLOCK_JOB_COMPLETED event.

EQMP

SQMP
query-block-jobs
----------------

List the block jobs that are currently running and how far they have got.

Arguments: None.

Return a json-array of all block jobs. Each job is represented by a json-object containing:

- "type": kind of job, one of "stream", "commit", "mirror", "backup" (json-string)
- "device": the block device the job runs on (json-string)
- "len": total amount of work, in bytes; it may change while the job runs (json-int)
- "offset": amount of work done so far, in bytes (json-int)
- "busy": false when the job is idle, for example waiting for I/O or paused (json-bool)
- "paused": true if the job was paused by the user (json-bool)
- "speed": rate limit in bytes per second, 0 when unlimited (json-int)
- "io-status": the job's I/O status, one of "ok", "failed", "nospace" (json-string)

Example:

-> { "execute": "query-block-jobs" }
<- { "return": [ { "type": "mirror", "device": "ide0-hd0", "len": 10737418240, "offset": 1048576, "busy": true, "paused": false, "speed": 0, "io-status": "ok" } ] }

Notes: When no job is running the reply is an empty json-array.

EQMP

SQMP
qom-list
--------

List the properties of a QEMU Object Model (QOM) object.

Arguments:

- "path": the object's path in the QOM composition tree, either absolute, starting with "/", or a partial path that identifies exactly one object (json-string)

Return a json-array of json-objects, each containing:

- "name": the property's name (json-string)
- "type": the property's type; "child<TYPE>" and "link<TYPE>" denote child and link properties that lead to other objects (json-string)

Example:

-> { "execute": "qom-list", "arguments": { "path": "/machine" } }
<- { "return": [ { "name": "type", "type": "string" }, { "name": "unattached", "type": "child<container>" }, { "name": "peripheral", "type": "child<container>" }, { "name": "peripheral-anon", "type": "child<container>" } ] }

EQMP

SQMP
qom-set
-------

Give a property of a QOM object a new value.

Arguments:

- "path": the object's path in the QOM composition tree, absolute or partial (json-string)
- "property": the name of the property to change (json-string)
- "value": the new value; which JSON type is accepted depends on the property's type (json-value)

Example:

-> { "execute": "qom-set", "arguments": { "path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": 5 } }
<- { "return": {} }

Notes: The properties an object has, and their types, can be found with
qom-list.

EQMP

SQMP
qom-get
-------

Read the current value of a property of a QOM object.

Arguments:

- "path": the object's path in the QOM composition tree, absolute or partial (json-string)
- "property": the name of the property to read (json-string)

Return a json-value: the property's value itself. Its JSON type follows from
the property's type, so the reply can be any JSON value: a string, a number, a
boolean, an object or an array.

Example:

-> { "execute": "qom-get", "arguments": { "path": "/machine", "property": "type" } }
<- { "return": "pc-i440fx-2.1-machine" }

EQMP

SQMP
nbd-server-start
----------------

Start QEMU's built-in NBD (Network Block Device) server, listening on the given
address. Block devices are then made available to clients with
nbd-server-add.

Arguments:

- "addr": the address to listen on, a socket address given as a json-object with a "type" member, one of "inet", "unix" or "fd", and a "data" member holding the details: "host" and "port", plus the optional "ipv4", "ipv6" and "to", for "inet"; "path" for "unix"; "str", the name of a file descriptor passed earlier, for "fd" (json-object)

Example:

-> { "execute": "nbd-server-start", "arguments": { "addr": { "type": "inet", "data": { "host": "0.0.0.0", "port": "10809" } } } }
<- { "return": {} }

Notes: Only one NBD server can run at a time; starting a second one fails.

EQMP

SQMP
nbd-server-add
--------------

Make a block device available through the running NBD server. Clients select
it by using the device name as the export name.

Arguments:

- "device": the block device to export (json-string)
- "writable": allow NBD clients to write to the device; the default is false (json-bool, optional)

Example:

-> { "execute": "nbd-server-add", "arguments": { "device": "virtio-disk0", "writable": true } }
<- { "return": {} }

Notes: nbd-server-start must have been issued first. Each device can be
exported only once.

EQMP

SQMP
nbd-server-stop
---------------

Shut down the NBD server started with nbd-server-start, closing all client
connections and withdrawing every export.

Arguments: None.

Example:

-> { "execute": "nbd-server-stop" }
<- { "return": {} }

EQMP

SQMP
change-vnc-password
-------------------

Set a new password for the VNC server.

Arguments:

- "password": the new VNC password (json-string)

Example:

-> { "execute": "change-vnc-password", "arguments": { "password": "s3cr3t" } }
<- { "return": {} }

Notes: This does the same as the "change" command with "vnc" and "password"
as its device and target. The VNC protocol uses at most the first eight
characters of the password.

EQMP

SQMP
qom-list-types
--------------

List the QOM types QEMU knows about, optionally narrowed down.

Arguments:

- "implements": list only types that are, or derive from, this type or interface (json-string, optional)
- "abstract": also list abstract types, which cannot be instantiated; the default is false (json-bool, optional)

Return a json-array of json-objects, each containing:

- "name": the type's name (json-string)

Example:

-> { "execute": "qom-list-types", "arguments": { "implements": "pci-device", "abstract": false } }
<- { "return": [ { "name": "e1000" }, { "name": "virtio-net-pci" }, { "name": "ich9-ahci" } ] }

EQMP

SQMP
device-list-properties
----------------------

List the properties that a device type accepts, the ones that can be set with
device_add or -device.

Arguments:

- "typename": the name of the device type, as listed by qom-list-types (json-string)

Return a json-array of json-objects, each containing:

- "name": the property's name (json-string)
- "type": the property's type (json-string)

Example:

-> { "execute": "device-list-properties", "arguments": { "typename": "e1000" } }
<- { "return": [ { "name": "mac", "type": "macaddr" }, { "name": "netdev", "type": "netdev" }, { "name": "romfile", "type": "str" }, { "name": "autonegotiation", "type": "bool" } ] }

EQMP

SQMP
query-machines
--------------

List the machine types this QEMU binary can emulate.

Arguments: None.

Return a json-array of json-objects, each containing:

- "name": the machine type's name (json-string)
- "alias": a shorter name that also selects this machine type (json-string, optional)
- "is-default": true for the machine type used when none is given; absent otherwise (json-bool, optional)
- "cpu-max": the largest number of CPUs the machine type supports (json-int)

Example:

-> { "execute": "query-machines" }
<- { "return": [ { "name": "pc-i440fx-2.1", "alias": "pc", "is-default": true, "cpu-max": 255 }, { "name": "pc-q35-2.1", "alias": "q35", "cpu-max": 255 }, { "name": "isapc", "cpu-max": 1 } ] }

EQMP

SQMP
query-cpu-definitions
---------------------

List the CPU models this QEMU binary can emulate.

Arguments: None.

Return a json-array of json-objects, each containing:

- "name": the CPU model's name, as accepted by -cpu (json-string)

Example:

-> { "execute": "query-cpu-definitions" }
<- { "return": [ { "name": "qemu64" }, { "name": "kvm64" }, { "name": "Haswell" } ] }

Notes: Not every target architecture implements this command; where it is
missing QEMU reports an error.

EQMP

SQMP
query-target
------------

Tell which target architecture this QEMU binary emulates.

Arguments: None.

Return a json-object with the following information:

- "arch": the target architecture, for example "x86_64" or "arm" (json-string)

Example:

-> { "execute": "query-target" }
<- { "return": { "arch": "x86_64" } }

EQMP
