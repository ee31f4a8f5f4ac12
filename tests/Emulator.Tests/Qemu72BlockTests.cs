using System.Text;
using System.Text.Json;

namespace Qmp.Emulator.Tests;

/// <summary>
/// The 7.2 persona's block graph and jobs: what libvirt 9.0 sends for <c>snapshot-create-as --disk-only</c> and
/// <c>blockcopy --finish</c> (../shared/reference/libvirt-notes.md), with the errors a client meets on the way, sent
/// to the installed QEMU 7.2 and to the persona side by side: events (JOB_STATUS_CHANGE through each job's life,
/// BLOCK_JOB_READY/COMPLETED/CANCELLED) equal in order and data, errors equal in class and words, replies equal in
/// shape and in the members that tell the graph (node names, drivers, backing, read-only, job status).
/// </summary>
public sealed class Qemu72BlockTests
{
    /// <summary>
    /// Requests in order; <c>DIR</c> is the target's own folder. Each is followed by the events it causes after its reply
    /// (a negative number: the events it causes, before or after the reply).
    /// </summary>
    private static readonly (string Request, int EventsAfter)[] s_session =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/snap.qcow2","node-name":"libvirt-2-storage","auto-read-only":true,"discard":"unmap"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/none.qcow2","node-name":"x1"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"libvirt-2-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"libvirt-1-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/disk.qcow2","node-name":"1bad"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"qcow2","file":"nosuch","node-name":"q1"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"qcow2","file":"libvirt-2-storage","node-name":"q1"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"create-libvirt-2-format","options":{"driver":"qcow2","file":"libvirt-2-storage","size":67108864,"cluster-size":65536,"backing-file":"DIR/disk.qcow2","backing-fmt":"qcow2"}}}""", 3),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"libvirt-2-format","read-only":false,"driver":"qcow2","file":"libvirt-2-storage","backing":null}}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"transaction","arguments":{"actions":[{"type":"blockdev-snapshot","data":{"node":"libvirt-1-format","overlay":"nosuch"}}]}}""", 0),
        ("""{"execute":"transaction","arguments":{"actions":[{"type":"blockdev-snapshot","data":{"node":"libvirt-1-format","overlay":"libvirt-2-format"}}]}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"nosuch"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-1-storage"}}""", 0),

        // blockcopy --wait --finish: a copy, mirrored, READY, then a soft cancel leaves the copy.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"libvirt-3-storage","auto-read-only":true,"discard":"unmap"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"create-libvirt-3-format","options":{"driver":"qcow2","file":"libvirt-3-storage","size":67108864,"cluster-size":65536}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"create-libvirt-3-format"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"libvirt-3-format","read-only":false,"driver":"qcow2","file":"libvirt-3-storage","backing":null}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"copy-vda-libvirt-2-format","device":"libvirt-2-format","target":"libvirt-3-format","sync":"full","auto-finalize":true,"auto-dismiss":false}}""", 2),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 4),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"copy-vda-libvirt-2-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-storage"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-storage"}}""", 0),

        // A mirror completed (the drive pivots to the copy), then one cancelled by force.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"c-storage"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"c-format","driver":"qcow2","file":"c-storage","backing":null}}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-2-format","target":"c-format","sync":"full"}}""", 2),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-2-format","target":"c-format","sync":"full"}}""", 0),
        ("""{"execute":"block-job-complete","arguments":{"device":"m1"}}""", 5),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m2","device":"c-format","target":"libvirt-2-format","sync":"full"}}""", 2),
        ("""{"execute":"job-cancel","arguments":{"id":"m2"}}""", 4),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"query-blockstats","arguments":{"query-nodes":true}}""", 0),
    ];

    /// <summary>
    /// A mirror paused, sped and completed while paused; backups (blockdev-backup into a node, drive-backup into a file
    /// the command creates or an existing one, sync full, top and none) with their errors; a paused backup cancelled.
    /// </summary>
    private static readonly (string Request, int EventsAfter)[] s_jobSession =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/copy.qcow2","node-name":"c-storage"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"cr","options":{"driver":"qcow2","file":"c-storage","size":67108864}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"cr"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"c-format","driver":"qcow2","file":"c-storage","backing":null}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m1","device":"libvirt-1-format","target":"c-format","sync":"full","auto-dismiss":false}}""", 2),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-resume","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":1048576}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":-1}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"nosuch","speed":1}}""", 0),
        ("""{"execute":"job-complete","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 4),
        ("""{"execute":"job-resume","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"block-job-pause","arguments":{"device":"m1"}}""", 0),
        ("""{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":1}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"m1"}}""", 0),
        ("""{"execute":"query-block"}""", 0),

        // Backups of the drive's image (now c-format) into a node of the same size, then into files.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/snap.qcow2","node-name":"b-storage"}}""", 0),
        ("""{"execute":"blockdev-create","arguments":{"job-id":"cr","options":{"driver":"qcow2","file":"b-storage","size":67108864}}}""", 3),
        ("""{"execute":"job-dismiss","arguments":{"id":"cr"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"b-format","driver":"qcow2","file":"b-storage","backing":null}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"nosuch","target":"b-format","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"nosuch","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"c-format","sync":"full"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"incremental"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"full","speed":-1}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b1","device":"c-format","target":"b-format","sync":"full"}}""", 5),
        ("""{"execute":"blockdev-backup","arguments":{"device":"c-format","target":"b-format","sync":"none"}}""", 0),
        ("""{"execute":"blockdev-backup","arguments":{"job-id":"b3","device":"c-format","target":"b-format","sync":"none"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-pause","arguments":{"id":"b3"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"b3"}}""", 0),
        ("""{"execute":"block-job-cancel","arguments":{"device":"b3","force":true}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d1","device":"c-format","target":"DIR/db.qcow2","sync":"full"}}""", 5),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d2","device":"c-format","target":"DIR/db2.img","sync":"top","format":"raw"}}""", 5),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d3","device":"c-format","target":"DIR/none.qcow2","sync":"full","mode":"existing"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d4","device":"c-format","target":"DIR/db3.qcow2","sync":"none","format":"vmdkx"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d5","device":"virtio-disk0","target":"DIR/db4.qcow2","sync":"none"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d6","device":"c-format","target":"DIR/nodir/db.qcow2","sync":"full"}}""", 0),
        ("""{"execute":"drive-backup","arguments":{"job-id":"d7","device":"c-format","target":"DIR/db.qcow2","sync":"full","mode":"existing","auto-finalize":false}}""", 3),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-finalize","arguments":{"id":"d7"}}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
    ];

    /// <summary>
    /// block-commit on a chain base &lt;- mid &lt;- top: its errors in blockdev.c's order, a commit of the middle layer (by
    /// file names) that completes on its own, then an active commit that is ready until completed, with what the
    /// graph is after each. The graph is not queried while a commit or stream job sits concluded: QEMU 7.2 was seen to
    /// die on query-named-block-nodes then (a stream with auto-dismiss false).
    /// </summary>
    private static readonly (string Request, int EventsAfter)[] s_commitSession =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"nosuch"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"virtio-disk0"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"mid-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"nosuch"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"top-format","top":"x"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"base-format","base-node":"mid-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"mid-format","base-node":"mid-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","base":"DIR/nosuch.qcow2"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top":"DIR/nosuch.qcow2"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","base-node":"base-format","base":"x"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"base-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","backing-file":"x"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"device":"top-format","top-node":"mid-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"1x","device":"top-format","top-node":"mid-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"c1","device":"top-format","top-node":"mid-format","speed":-1}}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"c1","device":"top-format","top":"DIR/mid.qcow2","base":"DIR/base.qcow2"}}""", -7),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"c2","device":"top-format","auto-dismiss":false,"speed":1000}}""", -4),
        ("""{"execute":"block-commit","arguments":{"job-id":"c3","device":"top-format"}}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"c3","device":"mid-format"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"job-id":"s3","device":"top-format"}}""", 0),
        ("""{"execute":"blockdev-mirror","arguments":{"job-id":"m3","device":"top-format","target":"base-format","sync":"full"}}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"block-job-complete","arguments":{"device":"c2"}}""", 4),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-dismiss","arguments":{"id":"c2"}}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"block-commit","arguments":{"job-id":"c4","device":"base-format"}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"top-format"}}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
    ];

    /// <summary>block-stream on the same chain: its errors, a stream down to the base, then of the whole chain, finalized by hand.</summary>
    private static readonly (string Request, int EventsAfter)[] s_streamSession =
    [
        ("""{"execute":"cont"}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"nosuch"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"virtio-disk0"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base-node":"nosuch"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base":"x","base-node":"y"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base":"x","bottom":"y"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base-node":"x","bottom":"y"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base-node":"top-format"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"mid-format","base-node":"top-format"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","base":"DIR/nosuch.qcow2"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format","backing-file":"x"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"device":"top-format"}}""", 0),
        ("""{"execute":"block-stream","arguments":{"job-id":"s1","device":"top-format","base-node":"base-format","speed":-1}}""", 0),
        ("""{"execute":"block-stream","arguments":{"job-id":"s1","device":"top-format","base-node":"base-format"}}""", -7),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"block-stream","arguments":{"job-id":"s2","device":"top-format","auto-finalize":false}}""", -5),
        ("""{"execute":"query-jobs"}""", 0),
        ("""{"execute":"query-block-jobs"}""", 0),
        ("""{"execute":"job-finalize","arguments":{"id":"s2"}}""", 0),
        ("""{"execute":"query-named-block-nodes","arguments":{"flat":true}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"block-stream","arguments":{"job-id":"s3","device":"mid-format"}}""", -7),
    ];

    /// <summary>
    /// A CD-ROM's tray and medium as libvirt 9.0 changes it (open, remove, insert, close, by the device's id), eject and
    /// blockdev-change-medium, with the errors on the way and on a disk that is not removable.
    /// </summary>
    private static readonly (string Request, int EventsAfter)[] s_mediaSession =
    [
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"eject","arguments":{"device":"nosuch"}}""", 0),
        ("""{"execute":"eject","arguments":{"id":"nosuch"}}""", 0),
        ("""{"execute":"eject","arguments":{}}""", 0),
        ("""{"execute":"eject","arguments":{"device":"cd-format"}}""", 0),
        ("""{"execute":"eject","arguments":{"id":"virtio-disk0"}}""", 0),
        ("""{"execute":"eject","arguments":{"id":"virtio-disk0/virtio-backend"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"/machine/peripheral/virtio-disk0/virtio-backend"}}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"virtio-disk0/virtio-backend"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"virtio-disk0"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"virtio-disk0"}}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"virtio-disk0"}}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"virtio-disk0","node-name":"x"}}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"virtio-disk0","node-name":"cd-storage"}}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-0","node-name":"cd-storage"}}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-named-block-nodes"}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-0","node-name":"libvirt-1-format"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-0","node-name":"cd-format"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-0","force":true}}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-0","node-name":"cd-format"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"eject","arguments":{"id":"ide0-1-0"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"eject","arguments":{"id":"ide0-1-0","force":true}}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"cd-format"}}""", 0),
        ("""{"execute":"query-named-block-nodes"}""", 0),
        ("""{"execute":"blockdev-change-medium","arguments":{"id":"ide0-1-0","filename":"DIR/nosuch.iso","format":"raw"}}""", 0),
        ("""{"execute":"blockdev-change-medium","arguments":{"id":"ide0-1-0","filename":"DIR/cd2.iso","format":"raw"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"blockdev-change-medium","arguments":{"id":"ide0-1-0","filename":"DIR/cd2.iso"}}""", 0),
        ("""{"execute":"blockdev-change-medium","arguments":{"device":"nosuch","filename":"DIR/cd2.iso"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"eject","arguments":{"id":"ide0-1-1"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-1"}}""", 0),

        // libvirt's change-media on the empty CD-ROM: a node added, the tray opened, the medium put in, the tray shut.
        ("""{"execute":"blockdev-add","arguments":{"driver":"file","filename":"DIR/cd2.iso","node-name":"libvirt-3-storage","auto-read-only":true,"discard":"unmap"}}""", 0),
        ("""{"execute":"blockdev-add","arguments":{"node-name":"libvirt-3-format","read-only":true,"driver":"raw","file":"libvirt-3-storage"}}""", 0),
        ("""{"execute":"blockdev-open-tray","arguments":{"id":"ide0-1-1","force":true}}""", 0),
        ("""{"execute":"blockdev-remove-medium","arguments":{"id":"ide0-1-1"}}""", 0),
        ("""{"execute":"blockdev-insert-medium","arguments":{"id":"ide0-1-1","node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"blockdev-close-tray","arguments":{"id":"ide0-1-1"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
        ("""{"execute":"query-named-block-nodes"}""", 0),
        ("""{"execute":"blockdev-del","arguments":{"node-name":"libvirt-3-format"}}""", 0),
        ("""{"execute":"query-block"}""", 0),
    ];

    [QemuFact]
    public async Task Commits_get_the_replies_events_and_graph_qemu_7_2_gives() => await CompareAsync(s_commitSession, Chain);

    [QemuFact]
    public async Task Streams_get_the_replies_events_and_graph_qemu_7_2_gives() => await CompareAsync(s_streamSession, Chain);

    [QemuFact]
    public async Task A_cd_roms_tray_and_medium_move_as_qemu_7_2_moves_them() => await CompareAsync(s_mediaSession, CdRom);

    [QemuFact]
    public async Task Libvirts_snapshot_and_blockcopy_get_the_replies_and_events_qemu_7_2_gives() => await CompareAsync(s_session);

    [QemuFact]
    public async Task Paused_sped_and_backup_jobs_get_the_replies_and_events_qemu_7_2_gives() => await CompareAsync(s_jobSession);

    internal static async Task CompareAsync((string Request, int EventsAfter)[] session, Func<string, string[]>? devices = null)
    {
        var qemu = await RunAsync(Target.Qemu, session, devices ?? Disk);
        var persona = await RunAsync(Target.Emulator, session, devices ?? Disk);
        var differences = Enumerable.Range(0, session.Length).Where(i => qemu[i] != persona[i]).Select(i => $"step {i}:\nqemu:    {qemu[i]}\npersona: {persona[i]}").ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>libvirt's disk: a qcow2 node on a file node, under a virtio disk.</summary>
    internal static string[] Disk(string dir) =>
    [
        "-blockdev", $$"""{"driver":"file","filename":"{{dir}}/disk.qcow2","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"libvirt-1-format","read-only":false,"driver":"qcow2","file":"libvirt-1-storage"}""",
        "-device", """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"libvirt-1-format","id":"virtio-disk0","bootindex":1}""",
    ];

    /// <summary>libvirt's disk on a chain of three qcow2 images (base and mid read-only, as libvirt opens backing images).</summary>
    internal static string[] Chain(string dir) =>
    [
        "-blockdev", $$"""{"driver":"file","filename":"{{dir}}/base.qcow2","node-name":"base-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"base-format","read-only":true,"driver":"qcow2","file":"base-storage","backing":null}""",
        "-blockdev", $$"""{"driver":"file","filename":"{{dir}}/mid.qcow2","node-name":"mid-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"mid-format","read-only":true,"driver":"qcow2","file":"mid-storage","backing":"base-format"}""",
        "-blockdev", $$"""{"driver":"file","filename":"{{dir}}/top.qcow2","node-name":"top-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"top-format","read-only":false,"driver":"qcow2","file":"top-storage","backing":"mid-format"}""",
        "-device", """{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x2","drive":"top-format","id":"virtio-disk0","bootindex":1}""",
    ];

    /// <summary>libvirt's disk and a CD-ROM with a raw medium, as libvirt 9.0 writes them.</summary>
    internal static string[] CdRom(string dir) =>
    [
        .. Disk(dir),
        "-blockdev", $$"""{"driver":"file","filename":"{{dir}}/cd.iso","node-name":"cd-storage","auto-read-only":true,"discard":"unmap"}""",
        "-blockdev", """{"node-name":"cd-format","read-only":true,"driver":"raw","file":"cd-storage"}""",
        "-device", """{"driver":"ide-cd","bus":"ide.1","unit":0,"drive":"cd-format","id":"ide0-1-0"}""",
        "-device", """{"driver":"ide-cd","bus":"ide.1","unit":1,"id":"ide0-1-1"}""",
    ];

    /// <summary>
    /// Runs <paramref name="session"/> with the <paramref name="devices"/> of the target's folder and gives each step as
    /// comparable text. The folder holds an empty 64 MiB qcow2 disk.qcow2, a chain base.qcow2 &lt;- mid.qcow2 &lt;-
    /// top.qcow2, two 1 MiB raw images cd.iso and cd2.iso, and the empty files snap.qcow2 and copy.qcow2.
    /// </summary>
    private static async Task<List<string>> RunAsync(string kind, (string Request, int EventsAfter)[] session, Func<string, string[]> devices)
    {
        var dir = Target.NewDirectory();
        Qemu72InProcess.PlantBlockImages(dir);

        File.WriteAllBytes(Path.Combine(dir, "snap.qcow2"), []);
        File.WriteAllBytes(Path.Combine(dir, "copy.qcow2"), []);
        var socket = Path.Combine(dir, "qmp.sock");
        string[] line = ["-S", "-m", "64", .. devices(dir), "-qmp", $"unix:{socket},server=on,wait=off"];
        await using var target = Target.Start(kind, dir, line, qemuOnly: ["-machine", "pc-i440fx-7.2", "-accel", "tcg"], emulatorOnly: ["--qemu", "7.2", "-machine", "pc-i440fx-7.2", "-accel", "tcg", "-nodefaults"]);
        await using var qmp = await target.ConnectAsync(socket);
        await qmp.NegotiateAsync();
        var steps = new List<string>();

        // QEMU pauses a job while its nodes are drained (standby from ready, paused from running) and resumes it when the
        // drain ends; whether a drain meets a job depends on the machine's load (seen under CI: a mirror went standby and
        // back to ready while the next command ran). Such pairs are left out on both sides (the persona's backup sends the
        // one QEMU's backup command always causes); a pause the session asks for, and the job's return from it, are kept.
        var drained = new HashSet<string>(StringComparer.Ordinal);
        var userPaused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (request, eventsAfter) in session)
        {
            var pausing = PausedJob(request);
            await qmp.SendAsync(request.Replace("DIR", dir, StringComparison.Ordinal) + "\r\n");
            var lines = new List<string> { request };

            // The job being paused may meet a drain before the pause takes effect (seen under load: standby, ready,
            // standby, then the reply); the pause-resume pairs among its changes before the reply are the drain's.
            var pausingChanges = new List<(int Line, bool Pause)>();
            var replied = false;

            // A negative count is the events the request causes before or after its reply, in whatever order (a job that
            // has nothing to copy may be ready before QEMU replies, or after): the reply is then put first on both sides.
            var anywhere = eventsAfter < 0;
            var events = 0;
            var replyLine = 0;
            for (var after = 0; !replied || (anywhere ? events < -eventsAfter : after < eventsAfter);)
            {
                var message = JsonDocument.Parse(await qmp.ReadLineAsync(), new JsonDocumentOptions { MaxDepth = 2048 }).RootElement.Clone();
                if (message.TryGetProperty("event", out var name))
                {
                    if (IsDrainPause(message, drained, userPaused, pausing))
                    {
                        continue;
                    }

                    if (!replied && pausing is not null && ChangedJob(message) is ({ } id, { } status) && id == pausing)
                    {
                        pausingChanges.Add((lines.Count, status is "standby" or "paused"));
                    }

                    lines.Add("  " + name.GetString() + " " + (message.TryGetProperty("data", out var data) ? Canonical(data) : ""));
                    after += replied ? 1 : 0;
                    events++;
                }
                else
                {
                    replyLine = lines.Count;
                    lines.Add("  " + Reply(message));
                    replied = true;
                    if (pausing is not null && message.TryGetProperty("return", out _))
                    {
                        userPaused.Add(pausing);
                    }
                }
            }

            if (anywhere)
            {
                var reply = lines[replyLine];
                lines.RemoveAt(replyLine);
                lines.Insert(1, reply);
            }

            var drainPairs = new HashSet<int>();
            for (var i = 0; i + 1 < pausingChanges.Count; i++)
            {
                if (pausingChanges[i].Pause && !pausingChanges[i + 1].Pause)
                {
                    drainPairs.Add(pausingChanges[i].Line);
                    drainPairs.Add(pausingChanges[i + 1].Line);
                    i++;
                }
            }

            var text = new StringBuilder();
            for (var i = 0; i < lines.Count; i++)
            {
                if (!drainPairs.Contains(i))
                {
                    text.Append(lines[i]).Append('\n');
                }
            }

            steps.Add(text.ToString().Replace(dir, "DIR", StringComparison.Ordinal));
        }

        return steps;
    }

    /// <summary>A JOB_STATUS_CHANGE's job and status, else nulls.</summary>
    private static (string? Id, string? Status) ChangedJob(JsonElement message) =>
        message.GetProperty("event").GetString() == "JOB_STATUS_CHANGE" && message.GetProperty("data") is var data
            ? (data.GetProperty("id").GetString(), data.GetProperty("status").GetString())
            : (null, null);

    /// <summary>The job a job-pause or block-job-pause request pauses, else null.</summary>
    private static string? PausedJob(string request)
    {
        var root = JsonDocument.Parse(request).RootElement;
        return root.GetProperty("execute").GetString() switch
        {
            "job-pause" => root.GetProperty("arguments").GetProperty("id").GetString(),
            "block-job-pause" => root.GetProperty("arguments").GetProperty("device").GetString(),
            _ => null,
        };
    }

    /// <summary>
    /// Whether <paramref name="message"/> is a JOB_STATUS_CHANGE into <c>standby</c> or <c>paused</c> that a drain caused,
    /// or the change back out of it. A job the session is pausing (<paramref name="pausing"/>) or has paused
    /// (<paramref name="userPaused"/>) stays paused through drains, so its changes are the session's own and are kept.
    /// </summary>
    private static bool IsDrainPause(JsonElement message, HashSet<string> drained, HashSet<string> userPaused, string? pausing)
    {
        if (message.GetProperty("event").GetString() != "JOB_STATUS_CHANGE")
        {
            return false;
        }

        var data = message.GetProperty("data");
        var id = data.GetProperty("id").GetString()!;
        if (id == pausing || userPaused.Contains(id))
        {
            if (data.GetProperty("status").GetString() is "ready" or "running" or "aborting" or "concluded" or "null")
            {
                userPaused.Remove(id);
            }

            return false;
        }

        switch (data.GetProperty("status").GetString())
        {
            case "standby" or "paused":
                drained.Add(id);
                return true;
            case "ready" or "running":
                return drained.Remove(id);
            default:
                return false;
        }
    }

    /// <summary>An error as its class and words; a return as its shape and the members that tell the graph.</summary>
    private static string Reply(JsonElement message) =>
        message.TryGetProperty("error", out var error)
            ? $"error {error.GetProperty("class").GetString()}: {error.GetProperty("desc").GetString()}"
            : "return " + Shape(message.GetProperty("return"));

    /// <summary>Members whose values are compared; every other member counts by its name and JSON kind only.</summary>
    private static readonly HashSet<string> s_compared = new(StringComparer.Ordinal)
    {
        "node-name", "drv", "ro", "backing_file", "backing_file_depth", "virtual-size", "format", "device", "qdev", "status", "type", "id",
        "ready", "len", "offset", "auto-finalize", "auto-dismiss", "current-progress", "total-progress", "error", "backing-filename", "backing-filename-format",
        "removable", "locked", "tray_open",
    };

    private static string Shape(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => m.Name + ":" + (s_compared.Contains(m.Name) && m.Value.ValueKind != JsonValueKind.Object && m.Value.ValueKind != JsonValueKind.Array ? Value(m.Value) : Shape(m.Value)))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Shape)) + "]",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => value.ValueKind.ToString(),
    };

    /// <summary>A compared value; QEMU names an unnamed node <c>#blockNNN</c> with two random digits at the end, so such names count as one.</summary>
    private static string Value(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.StartsWith("#block", StringComparison.Ordinal) ? "\"#block\"" : value.GetRawText();

    private static string Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => m.Name + ":" + Canonical(m.Value))) + "}",
        _ => value.GetRawText(),
    };
}
