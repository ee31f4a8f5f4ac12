namespace Qmp.Emulator.Tests;

// The requests of every topic in one sequence, beside QEMU 7.2.
public sealed partial class Qemu72MonitorResourceTests
{
    private static readonly Step[] s_steps =
    [
        new("getfd", """{"fdname":"t1"}""", Fd: true),
        new("netdev_add", """{"type":"tap","id":"n1","fd":"nothere"}"""),
        new("netdev_add", """{"type":"tap","id":"n1","fd":"t1","ifname":"x"}"""),
        new("netdev_add", """{"type":"socket","id":"n2","fd":"t1","listen":":1234"}"""),
        new("netdev_add", """{"type":"socket","id":"n2","fd":"nothere"}"""),
        new("netdev_add", """{"type":"socket","id":"n2","localaddr":"x","connect":"127.0.0.1:1"}"""),
        new("netdev_add", """{"type":"tap","id":"n3","fds":"nothere:alsonot"}"""),
        new("netdev_add", """{"type":"tap","id":"n3","fds":"a:b","vhostfds":"c"}"""),
        new("netdev_add", """{"type":"tap","id":"n4","fd":"99999"}"""),
        new("netdev_add", """{"type":"tap","id":"n4","fd":"12abc"}"""),
        new("netdev_add", """{"type":"user","id":"u1"}"""),
        new("netdev_add", """{"type":"user","id":"u1"}"""),
        new("netdev_add", """{"type":"user","id":"1u"}"""),
        new("closefd", """{"fdname":"t1"}"""),
        new("closefd", """{"fdname":"t1"}"""),
        new("migrate", """{"uri":"fd:nothere"}"""),
        new("query-migrate", Value: true),
        new("chardev-add", """{"id":"c1","backend":{"type":"file","data":{"out":"chr.log"}}}"""),
        new("chardev-add", """{"id":"c1","backend":{"type":"file","data":{"out":"chr2.log"}}}"""),
        new("chardev-add", """{"id":"c2","backend":{"type":"file","data":{"out":"nodir/x.log"}}}"""),
        new("chardev-add", """{"id":"c3","backend":{"type":"file","data":{"out":"chr3.log","in":"missing"}}}"""),
        new("chardev-add", """{"id":"c4","backend":{"type":"file","data":{"out":"chr.log","append":true}}}"""),
        new("chardev-add", """{"id":"c5","backend":{"type":"ringbuf","data":{"size":3}}}"""),
        new("ringbuf-write", """{"device":"c1","data":"x"}"""),
        new("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f0"}"""),
        new("blockdev-add", """{"driver":"raw","file":"f0","node-name":"r0"}"""),
        new("block-export-add", """{"type":"nbd","id":"e1","node-name":"f0"}"""),
        new("nbd-server-start", """{"addr":{"type":"unix","data":{"path":"nbd.sock"}}}"""),
        new("block-export-add", """{"type":"nbd","id":"e1","node-name":"f0"}"""),
        new("block-export-add", """{"type":"nbd","id":"e1","node-name":"f0"}"""),
        new("block-export-add", """{"type":"nbd","id":"e2","node-name":"f0"}"""),
        new("block-export-add", """{"type":"nbd","id":"1bad","node-name":"f0"}"""),
        new("block-export-add", """{"type":"nbd","id":"e3","node-name":"nothere"}"""),
        new("nbd-server-add", """{"device":"r0"}"""),
        new("query-block-exports", Value: true),
        new("block-export-del", """{"id":"e1"}"""),
        new("nbd-server-remove", """{"name":"r0"}"""),
        new("nbd-server-stop"),
        new("query-block-exports", Value: true),
        new("dump-guest-memory", """{"paging":false,"protocol":"fd:nothere"}"""),
        new("add-fd", """{"fdset-id":-1}"""),
        new("object-add", """{"qom-type":"iothread","id":"1bad"}"""),
        new("block-dirty-bitmap-add", """{"node":"f0","name":""}"""),
        new("block-dirty-bitmap-add", """{"node":"f0","name":"b","granularity":100}"""),
        new("block-dirty-bitmap-add", """{"node":"nothere","name":"b"}"""),
        new("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"ro","read-only":true}"""),
        new("block_resize", """{"node-name":"ro","size":1048576}"""),
        new("block_resize", """{"node-name":"nothere","size":1048576}"""),
        new("block_resize", """{"node-name":"f0","size":-1}"""),
        new("block_resize", """{"node-name":"f0","size":9223372035781033985}"""),
        // A node deleted with its bitmap takes it along: the same names again on a new node are new.
        new("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f9","read-only":true}"""),
        new("block-dirty-bitmap-add", """{"node":"f9","name":"b9"}"""),
        new("block-dirty-bitmap-add", """{"node":"f9","name":"b9"}"""),
        new("blockdev-del", """{"node-name":"f9"}"""),
        new("block-dirty-bitmap-remove", """{"node":"f9","name":"b9"}"""),
        new("blockdev-add", """{"driver":"file","filename":"disk.raw","node-name":"f9","read-only":true}"""),
        new("block-dirty-bitmap-add", """{"node":"f9","name":"b9"}"""),
        new("block-dirty-bitmap-remove", """{"node":"f9","name":"b9"}"""),
        new("block-dirty-bitmap-remove", """{"node":"f9","name":"b9"}"""),
        new("netdev_add", """{"type":"vhost-vdpa","id":"v1","vhostfd":"nothere"}"""),
        new("netdev_add", """{"type":"vhost-vdpa","id":"v1"}"""),
        new("netdev_add", """{"type":"l2tpv3","id":"v5","src":"127.0.0.1","dst":"127.0.0.1","txsession":1}"""),
    ];

    [QemuFact]
    public async Task Descriptors_files_migration_and_exports_answer_as_qemu_7_2_side_by_side()
    {
        var (qemu, persona) = await SideBySideAsync(s_steps);

        // Both made the same files in their folder: the chardev's output, and nothing for the refused ones.
        Assert.Equal(qemu.Files, persona.Files);
    }
}
