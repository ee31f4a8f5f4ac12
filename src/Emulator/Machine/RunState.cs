using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    public override ValueTask<StatusInfo> QueryStatusAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Done(new StatusInfo { Running = Vm.RunState == "running", Singlestep = false, Status = Vm.RunState });
        }
    }

    public override ValueTask StopAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU's qmp_stop: in inmigrate it only cancels the autostart; otherwise vm_stop, which
            // changes nothing unless the VM runs (prelaunch stays prelaunch, as on QEMU 7.2).
            if (Vm.RunState == "running")
            {
                Vm.RunState = "paused";
                Vm.EmitNow(s => s.EmitStop());
            }
        }

        return Done();
    }

    /// <summary>vm_stop from the main loop (a guest shutdown): only a running VM stops, and says STOP after the reply.</summary>
    private void Stop(string state)
    {
        if (Vm.RunState == "running")
        {
            Vm.RunState = state;
            Vm.Emit(s => s.EmitStop());
        }
    }

    public override ValueTask ContAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Cont();
        }

        return Done();
    }

    private void Cont()
    {
        if (VirtualMachine.NeedsReset(Vm.RunState))
        {
            throw Generic("Resetting the Virtual Machine is required");
        }

        if (Vm.RunState == "suspended")
        {
            return;
        }

        foreach (var drive in Vm.Drives)
        {
            drive.IoStatus = "ok";
            if (drive.Image is { Encrypted: true, Unlocked: false } image)
            {
                throw new QmpException(QmpErrorClass.DeviceEncrypted, $"'{drive.Id}' ({image.Filename}) is encrypted");
            }
        }

        if (Vm.RunState == "inmigrate")
        {
            return;
        }

        if (Vm.RunState != "running")
        {
            Vm.RunState = "running";

            // vm_start says RESUME while cont runs: before its reply.
            Vm.EmitNow(s => s.EmitResume());
        }
    }

    public override ValueTask SystemResetAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU 7.2 raises RESET from its main loop while the command's dispatch waits for it: before the reply.
            Vm.EmitNow(s => s.EmitReset());
            Vm.ResetRunState();
        }

        return Done();
    }

    public override ValueTask SystemPowerdownAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.EmitNow(s => s.EmitPowerdown());

            // A running guest answers the ACPI power button by shutting down (later: after the reply);
            // the emulator keeps running (-no-shutdown).
            if (Vm.RunState == "running")
            {
                Vm.Emit(s => s.EmitShutdown());
                Stop("shutdown");
                Vm.RunState = "shutdown";
            }
        }

        return Done();
    }

    public override ValueTask SystemWakeupAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (Vm.RunState == "suspended")
            {
                Vm.RunState = "running";
                Vm.EmitNow(s => s.EmitWakeup());
            }
        }

        return Done();
    }

    public override ValueTask QuitAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // QEMU 7.2 sends SHUTDOWN, then the reply, then closes.
            Vm.EmitNow(s => s.EmitShutdown());

            // Exit once the reply is queued.
            session.AfterReply(() => Vm.QuitRequested?.Invoke());
        }

        return Done();
    }

    public override ValueTask InjectNmiAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.NmiCount++;
        }

        return Done();
    }
}
