using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    private static readonly HashSet<string> s_needsReset = ["internal-error", "shutdown", "guest-panicked"];

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
            Stop("paused");
        }

        return Done();
    }

    /// <summary>vm_stop: only a running VM stops (and says STOP).</summary>
    private void Stop(string state)
    {
        if (Vm.RunState == "running")
        {
            Vm.RunState = state;
            Vm.Emit(s => s.EmitStop());
        }
        else if (Vm.RunState == "prelaunch" && state == "paused")
        {
            Vm.RunState = "paused";
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
        if (s_needsReset.Contains(Vm.RunState))
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
            Vm.Emit(s => s.EmitResume());
        }
    }

    public override ValueTask SystemResetAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.Emit(s => s.EmitReset());
            if (s_needsReset.Contains(Vm.RunState))
            {
                Vm.RunState = "paused";
            }
            else if (Vm.RunState == "suspended")
            {
                Vm.RunState = "running";
            }
        }

        return Done();
    }

    public override ValueTask SystemPowerdownAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.Emit(s => s.EmitPowerdown());

            // A running guest answers the ACPI power button by shutting down; the emulator keeps running (-no-shutdown).
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
                Vm.Emit(s => s.EmitWakeup());
            }
        }

        return Done();
    }

    public override ValueTask QuitAsync(QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.Emit(s => s.EmitShutdown());

            // Exit once the reply and SHUTDOWN are queued, as QEMU does.
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
