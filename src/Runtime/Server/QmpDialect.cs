namespace Qmp.Runtime;

/// <summary>Which QEMU's QMP a <see cref="QmpServer"/> speaks (<see cref="QmpServerOptions.Dialect"/>).</summary>
public enum QmpDialect
{
    /// <summary>
    /// QEMU 2.1: the greeting's capabilities as <see cref="QmpServerOptions.Greeting"/> says (none by
    /// default), requests run one at a time, 2.1's words (<c>Invalid JSON syntax</c>,
    /// <c>Expected 'execute' in QMP input</c>, an unknown command before negotiation).
    /// </summary>
    Qemu21,

    /// <summary>
    /// QEMU's modern QMP as 7.2 and 10.0 speak it: the greeting offers <c>oob</c>; <c>qmp_capabilities</c>
    /// takes <c>enable</c>; before negotiation every other command is refused with <c>Expecting
    /// capabilities negotiation with 'qmp_capabilities'</c>; <c>exec-oob</c> once <c>oob</c> is enabled,
    /// for commands the dispatcher allows it (<see cref="IQmpCommandDispatcher.AllowsOutOfBand"/>),
    /// answered while in-band commands still run; QEMU 7.2's words for malformed input.
    /// </summary>
    Modern,
}
