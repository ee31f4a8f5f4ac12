namespace Qmp.Testing;

/// <summary>
/// The bound on a test's wait for something that will happen, never a measure of speed: generous, so a
/// slow or loaded machine (another build on both cores) does not turn a late answer into a failure.
/// </summary>
internal static class Patience
{
    public const int Seconds = 60;
}
