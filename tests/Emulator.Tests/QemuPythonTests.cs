namespace Qmp.Emulator.Tests;

/// <summary>QEMU's own Python tools drive the emulator as they drive QEMU (and QEMU 7.2 itself, where installed).</summary>
public class QemuPythonTests
{
    // The launcher (QEMUMachine: -display none -vga none -chardev socket,id=mon,path=... -mon chardev=mon,mode=control,
    // with its listener waiting), a command, a clean shutdown; then a QEMUMonitorProtocol(server=True) listener
    // that the process connects to in client mode (-qmp unix:PATH).
    private const string Script = """
        import json, os, socket, subprocess, sys
        from qemu.machine import QEMUMachine
        from qemu.qmp.legacy import QEMUMonitorProtocol

        binary, tmp = sys.argv[1], sys.argv[2]
        extra = sys.argv[3:]
        vm = QEMUMachine(binary=binary, args=extra, base_temp_dir=tmp, sock_dir=tmp)
        vm.launch()
        status = vm.qmp('query-status')
        assert status['return']['status'] in ('running', 'prelaunch'), status
        print('launcher:', sorted(status['return']))
        vm.shutdown()
        print('launcher exit:', vm.exitcode())

        path = os.path.join(tmp, 'listener.sock')
        mon = QEMUMonitorProtocol(path, server=True)
        proc = subprocess.Popen([binary, '-qmp', 'unix:' + path] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        greeting = mon.accept(timeout=30)
        print('listener greeting:', sorted(greeting['QMP']))
        print('listener kvm:', sorted(mon.cmd('query-kvm')['return']))
        mon.cmd('quit')
        try:
            mon.close()
        except EOFError:
            pass  # the server closed first, after quit: as QEMU does
        print('listener exit:', proc.wait(timeout=30))

        # An inherited, connected socket as the monitor (-chardev socket,fd=N), as later launchers pass it.
        ours, theirs = socket.socketpair()
        proc = subprocess.Popen([binary, '-chardev', 'socket,id=mon,fd=%d' % theirs.fileno(), '-mon', 'chardev=mon,mode=control'] + extra,
                                pass_fds=[theirs.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        lines = ours.makefile('rb')
        print('fd greeting:', sorted(json.loads(lines.readline())['QMP']))
        ours.sendall(b'{"execute":"qmp_capabilities"}{"execute":"quit"}')
        print('fd replies:', [json.loads(line).get('event', 'return') for line in lines])
        print('fd exit:', proc.wait(timeout=30))

        # An inherited listening socket (-chardev socket,fd=N,server=on), as libvirt passes it.
        path = os.path.join(tmp, 'inherited.sock')
        listening = socket.socket(socket.AF_UNIX)
        listening.bind(path)
        listening.listen(1)
        proc = subprocess.Popen([binary, '-chardev', 'socket,id=mon,fd=%d,server=on,wait=off' % listening.fileno(), '-mon', 'chardev=mon,mode=control'] + extra,
                                pass_fds=[listening.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listening.close()
        client = socket.socket(socket.AF_UNIX)
        client.connect(path)
        lines = client.makefile('rb')
        print('listening fd greeting:', sorted(json.loads(lines.readline())['QMP']))
        client.sendall(b'{"execute":"qmp_capabilities"}{"execute":"quit"}')
        print('listening fd replies:', [json.loads(line).get('event', 'return') for line in lines])
        print('listening fd exit:', proc.wait(timeout=30))
        """;

    private const string Expected = """
        launcher: ['running', 'singlestep', 'status']
        launcher exit: 0
        listener greeting: ['capabilities', 'version']
        listener kvm: ['enabled', 'present']
        listener exit: 0
        fd greeting: ['capabilities', 'version']
        fd replies: ['return', 'SHUTDOWN', 'return']
        fd exit: 0
        listening fd greeting: ['capabilities', 'version']
        listening fd replies: ['return', 'SHUTDOWN', 'return']
        listening fd exit: 0

        """;

    [QemuPythonFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task QEMUMachine_and_a_listening_QEMUMonitorProtocol_drive_the_emulator()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-python-").FullName;
        try
        {
            // QEMUMachine needs one binary path: a wrapper that execs the emulator.
            var wrapper = Path.Combine(dir, "qmp-emulator");
            await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll")}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Assert.Equal(Expected, await RunAsync(wrapper, dir, []));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [QemuPythonFact]
    public async Task The_same_script_against_QEMU()
    {
        if (Target.QemuBinary is null)
        {
            return; // nothing to compare with; the emulator's run above stands alone
        }

        var dir = Directory.CreateTempSubdirectory("qmp-python-").FullName;
        try
        {
            // The script starts QEMU itself (three of its four starts without QEMUMachine's -display none): headless as every test's QEMU.
            Assert.Equal(Expected, await RunAsync(Target.QemuBinary, dir, [.. QemuProcess.Headless, "-machine", "none"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string binary, string dir, string[] extra)
    {
        var script = Path.Combine(dir, "drive.py");
        await File.WriteAllTextAsync(script, Script);
        return await QemuPython.RunAsync([script, binary, dir, .. extra]);
    }
}
