using Qmp.Emulator.Qemu72;
using Qmp.Runtime;

namespace Qmp.Emulator.Personas.Qemu72;

/// <summary>Run state: the shared machine's, with 7.2's reply shapes and event data.</summary>
internal sealed partial class Qemu72Machine
{
    public override ValueTask<QueryStatusResult> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done(new QueryStatusResult { Running = Vm.RunState == "running", Singlestep = false, Status = new QueryStatusResultStatus(Vm.RunState) });
        }
    }

    /// <summary><c>-name guest=NAME</c> (no member without one, as QEMU).</summary>
    public override ValueTask<QueryNameResult> QueryNameAsync(QmpSession session, CancellationToken cancellationToken) => Done(new QueryNameResult { Name = Vm.Name });

    /// <summary><c>-uuid</c> (all zeros without one, as QEMU).</summary>
    public override ValueTask<QueryUuidResult> QueryUuidAsync(QmpSession session, CancellationToken cancellationToken) => Done(new QueryUuidResult { UUID = Vm.Uuid });

    // STOP and RESUME carry no data in either QEMU: the 2.1 services' behaviour is 7.2's.
    public override ValueTask StopAsync(QmpSession session, CancellationToken cancellationToken) => _services.StopAsync(session, cancellationToken);

    public override ValueTask ContAsync(QmpSession session, CancellationToken cancellationToken) => _services.ContAsync(session, cancellationToken);

    public override ValueTask QuitAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU 7.2 sends SHUTDOWN {"guest": false, "reason": "host-qmp-quit"}, then the reply, then exits.
            Vm.EmitNow(s => s.EmitShutdown(false, ShutdownDataReason.HostQmpQuit));
            session.AfterReply(() => Vm.QuitRequested?.Invoke());
        }

        return Done();
    }
}
