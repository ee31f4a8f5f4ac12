namespace Qmp.Emulator.Tests;

/// <summary>
/// QEMU 7.2's own Python launcher (<c>qemu.machine.QEMUMachine</c> from its source package) runs the 7.2 persona
/// with nothing but its default arguments, as QEMU's iotests and avocado tests run QEMU: the same script, with the
/// same output, against the installed QEMU 7.2 where there is one.
/// </summary>
public class Qemu72PythonTests
{
    // QEMUMachine's defaults on 7.2: -display none -vga none -chardev socket,id=mon,path=SOCK -mon chardev=mon,mode=control,
    // with its own QEMUMonitorProtocol listening on SOCK (the process connects to it). Then commands, events, an error,
    // out-of-band execution (qemu.qmp enables 'oob' when the greeting offers it, and QEMU then reads exec-oob), and its shutdown (quit, exit 0,
    // nothing in the log).
    private const string Script = """
        import sys
        from qemu.machine import QEMUMachine
        from qemu.qmp import ExecuteError

        binary, tmp = sys.argv[1], sys.argv[2]
        vm = QEMUMachine(binary=binary, base_temp_dir=tmp, sock_dir=tmp)
        vm.launch()
        print('base args:', ' '.join(a.split(',')[0] for a in vm._base_args))
        version = vm.qmp('query-version')['return']['qemu']
        print('version:', version['major'], version['minor'])
        print('status:', vm.qmp('query-status')['return']['status'])
        print('stop:', vm.qmp('stop'), vm.event_wait('STOP', timeout=30)['event'])
        print('status:', vm.command('query-status')['status'])
        print('cont:', vm.qmp('cont'), vm.event_wait('RESUME', timeout=30)['event'])
        print('unknown:', vm.qmp('no-such-command')['error'])
        print('kvm:', sorted(vm.command('query-kvm')))

        legacy = vm._qmp
        client = legacy._qmp
        print('greeting capabilities:', client.greeting.QMP.capabilities)
        try:
            print('exec-oob', legacy._sync(client.execute('query-status', oob=True), 30))
        except ExecuteError as e:
            print('exec-oob query-status ->', e.error_class, e.error.error.desc)
        print('after oob:', vm.command('query-status')['status'])

        vm.shutdown()
        print('exit:', vm.exitcode())
        print('log:', repr(vm.get_log()))
        """;

    private const string Expected = """
        base args: -display none -vga none -chardev socket -mon chardev=mon
        version: 7 2
        status: running
        stop: {'return': {}} STOP
        status: paused
        cont: {'return': {}} RESUME
        unknown: {'class': 'CommandNotFound', 'desc': 'The command no-such-command has not been found'}
        kvm: ['enabled', 'present']
        greeting capabilities: ['oob']
        exec-oob query-status -> GenericError The command query-status does not support OOB
        after oob: running
        exit: 0
        log: ''

        """;

    [QemuPythonFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task QEMUMachine_launches_the_7_2_persona_with_its_default_arguments()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-python72-").FullName;
        try
        {
            // QEMUMachine takes one binary path: a wrapper that runs the persona, as a launcher is pointed at it.
            var wrapper = Path.Combine(dir, "qemu-system-x86_64");
            await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "Qmp.Emulator.dll")}' --qemu 7.2 \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Assert.Equal(Expected, await RunAsync(wrapper, dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [QemuPythonFact]
    public async Task The_same_script_against_QEMU_7_2()
    {
        if (Target.QemuBinary is null)
        {
            return; // nothing to compare with; the persona's run above stands alone
        }

        var dir = Directory.CreateTempSubdirectory("qmp-python72-").FullName;
        try
        {
            Assert.Equal(Expected, await RunAsync(Target.QemuBinary, dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string binary, string dir)
    {
        var script = Path.Combine(dir, "launch.py");
        await File.WriteAllTextAsync(script, Script);
        return await QemuPython.RunAsync(script, binary, dir);
    }
}
